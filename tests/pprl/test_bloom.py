"""The keyed encoder: what the secret, the salt and the hardening change, and what they must not."""

from __future__ import annotations

import base64
import hmac
from typing import Any

import pytest

from sightline.pprl import normalise as norm
from sightline.pprl.bloom import Encoder, Params, SecretError, read_secret
from sightline.pprl.similarity import dice

SECRET = b"0123456789abcdef-the-agreement"


def _enc(secret: bytes = SECRET, **kw: object) -> Encoder:
    return Encoder.create(secret, Params(salt=str(kw.pop("salt", "agreement-1")), **kw))  # type: ignore[arg-type]


def _name(enc: Encoder, value: str, salt: str = "") -> bytes:
    out = enc.filter("name", salt, norm.bigrams(norm.name(value)))
    assert out is not None
    return out


def test_secret_is_read_without_its_newline_and_must_be_long_enough() -> None:
    assert read_secret(SECRET + b"\n") == SECRET
    with pytest.raises(SecretError):
        read_secret(b"short\n")


@pytest.mark.parametrize("hardening", ["fold", "balance", "off"])
def test_filters_are_deterministic_and_keyed(hardening: str) -> None:
    a, b = _enc(hardening=hardening), _enc(hardening=hardening)
    assert _name(a, "Chloe") == _name(b, "Chloe")
    assert len(_name(a, "Chloe")) == 1024 // 8
    assert _name(a, "Chloe") != _name(_enc(SECRET + b"x", hardening=hardening), "Chloe")
    assert _name(a, "Chloe") != _name(_enc(salt="agreement-2", hardening=hardening), "Chloe")
    assert _name(a, "Chloe", "2004-5") != _name(a, "Chloe", "2005-5")
    assert a.key_check == b.key_check != _enc(SECRET + b"x", hardening=hardening).key_check
    assert a.digest("nhs", "9434765919") == b.digest("nhs", "9434765919") != a.digest("upn", "9434765919")


def test_balanced_filters_all_have_half_their_bits_set() -> None:
    enc = _enc(hardening="balance")
    weights = {
        int.from_bytes(_name(enc, n), "big").bit_count() for n in ("Al", "Chloe", "Maximilian-Alexander")
    }
    assert weights == {512}


def test_folding_halves_a_filter_built_twice_as_long() -> None:
    fold, off = _enc(hardening="fold"), _enc(hardening="off")
    assert fold.params.built_bits == 2048 and off.params.built_bits == 1024
    positions = fold.positions("name", "", "ch")
    assert len(positions) == 20 and all(0 <= p < 2048 for p in positions)
    expected = 0
    for element in norm.bigrams("chloe"):
        for p in fold.positions("name", "", element):
            expected |= 1 << p
    folded = (expected >> 1024) ^ (expected & ((1 << 1024) - 1))
    assert int.from_bytes(_name(fold, "chloe"), "big") == folded


@pytest.mark.parametrize(("hardening", "bits"), [("fold", 1024), ("off", 1024), ("fold", 1088), ("off", 512)])
def test_cached_masks_set_the_positions_of_double_hashing(hardening: str, bits: int) -> None:
    # Masks are built from rotated templates (power-of-two lengths) or walked (others), with the
    # HMAC's key pads hashed once: the bits must be those `positions` gives, whatever the salt.
    enc = _enc(hardening=hardening, bits=bits)
    m = enc.params.built_bits
    digest = base64.b64encode(hmac.digest(enc._digest_key, b"nhs\x1f\x1f9434765919", "sha256")[:16])
    assert enc.digest("nhs", "9434765919") == digest.decode()
    for salt, domain, value in (
        ("", "name", "chloe"),
        ("2004-5", "name", "jonathan"),
        ("", "address", "1 elm st"),
    ):
        expected = 0
        for element in norm.bigrams(value):
            for p in enc.positions(domain, salt, element):
                expected |= 1 << p
        if hardening == "fold":
            expected = (expected >> bits) ^ (expected & ((1 << bits) - 1))
        assert m in (bits, 2 * bits)
        assert enc.filter(domain, salt, norm.bigrams(value)) == expected.to_bytes(bits // 8, "big")
        # Twice: the second time from the cache.
        assert enc.filter(domain, salt, norm.bigrams(value)) == expected.to_bytes(bits // 8, "big")


@pytest.mark.parametrize("hardening", ["fold", "balance", "off"])
def test_similar_names_stay_more_similar_than_different_ones(hardening: str) -> None:
    enc = _enc(hardening=hardening)
    close = dice(_name(enc, "Jonathan"), _name(enc, "Jonathon"))
    far = dice(_name(enc, "Jonathan"), _name(enc, "Sarah"))
    assert dice(_name(enc, "Chloe"), _name(enc, "chloe ")) == 1.0
    assert close > far + 0.2


@pytest.mark.parametrize(
    "kw", [{"hardening": "soft"}, {"bits": 1000}, {"k": 0}, {"salt": ""}, {"dob_year_spread": -1}]
)
def test_parameters_are_checked(kw: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        _enc(**kw)


def test_cleaning() -> None:
    assert norm.name(" Mary-Jane O'Neil ") == "mary jane oneil"
    assert norm.name("Nováková") == "novakova"
    assert norm.bigrams("ann") == ("_a", "an", "nn", "n_")
    assert "michael" in norm.canonical_forms("mick") and "mick" in norm.canonical_forms("mick")
    pc = norm.postcode("s65 8pl")
    assert pc is not None and (pc.full, pc.sector, pc.district) == ("S658PL", "S658", "S65")
    assert norm.phones("07700 900461; +44 7700 900462") == ["07700900461", "07700900462"]
    assert norm.vehicles("yx61 ?bc;YX61?BC") == ["YX61?BC"]
    assert norm.plate_bigrams("YX61?BC") == ("_y", "yx", "x6", "61", "bc", "c_")
    dob = norm.birth_date("2001-02-13")
    assert dob is not None and dob.transposed() is None and dob.precision == "day"
    swapped = norm.birth_date("2001-02-11")
    assert swapped is not None and swapped.transposed() == "2001-11-02"
    assert norm.birth_date("2001-02-30") is None and norm.birth_date("2001-13") is None
    assert norm.address("Flat 1, Mill House, Elm Terrace") == "flat 1 mill house"

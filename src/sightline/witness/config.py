"""A witness's directory: its name (``witness.json``), key, and state.

``init`` makes the key once; a witness's key is its identity to every verifier, so it is never
silently replaced, and a directory cannot be re-initialised under another name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from sightline.ledger import note
from sightline.witness.core import Witness
from sightline.witness.state import WitnessState, write_atomically

CONFIG_FILE = "witness.json"
KEY_FILE = "witness-key.pem"


class ConfigError(ValueError):
    pass


def _config(directory: Path) -> dict[str, str]:
    path = directory / CONFIG_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ConfigError(f"{path} is not JSON: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ConfigError(f"{path} must be a JSON object of strings")
    return data


def init_witness(directory: Path, name: str, key_file: Path | None = None) -> str:
    """Create (or reuse) the witness's key and record its name; return its verifier key."""
    note.cosigner_verifier_key(name, bytes(32))  # refuses a name that cannot be a key name
    directory.mkdir(parents=True, exist_ok=True)
    config = _config(directory)
    if config.get("name", name) != name:
        raise ConfigError(f"{directory} already belongs to witness {config['name']!r}")
    key_path = key_file or Path(config.get("key_file", directory / KEY_FILE))
    key = note.load_or_create_signing_key(key_path)
    config = {"name": name, "key_file": str(Path(key_path).resolve())}
    write_atomically(directory / CONFIG_FILE, (json.dumps(config, indent=2) + "\n").encode("utf-8"))
    return note.cosigner_verifier_key(name, key.public_key())


def load_witness(
    directory: Path,
    log_keys: Iterable[str],
    *,
    key_file: Path | None = None,
    name: str | None = None,
) -> Witness:
    """The witness in ``directory``, following the logs whose keys are given (origin = key name)."""
    config = _config(directory)
    name = name or config.get("name")
    if not name:
        raise ConfigError(f"{directory} has no {CONFIG_FILE}: run 'sightline witness init' or give --name")
    key_path = key_file or Path(config.get("key_file", directory / KEY_FILE))
    if not key_path.exists():
        raise ConfigError(f"there is no witness key at {key_path}: run 'sightline witness init'")
    key = note.load_or_create_signing_key(key_path)
    logs: dict[str, list[str]] = {}
    for vkey in log_keys:
        try:
            origin = note.parse_verifier_key(vkey).name
        except note.NoteError as exc:
            raise ConfigError(f"log key {vkey!r}: {exc}") from exc
        logs.setdefault(origin, []).append(vkey)
    if not logs:
        raise ConfigError("give the key of at least one log to witness (--log-key)")
    return Witness(name, key, logs, WitnessState(directory))

"""One synthetic town of about 2,000 children, and its extracts read once for every test here."""

from __future__ import annotations

from pathlib import Path

import pytest

from sightline.pprl.extract import Extract, read_extract
from sightline.synthetic import generate_town

TOWN_CHILDREN = 2000
TOWN_SEED = 5
SECRET = b"a secret shared by the agreement's agencies only"


@pytest.fixture(autouse=True, scope="session")
def _cheap_argon2() -> None:
    """Shadows the project-wide Django fixture: encodings are pure Python."""


@pytest.fixture(autouse=True)
def _isolated_home() -> None:
    """Shadows the project-wide Django fixture (see _cheap_argon2)."""


@pytest.fixture(scope="session")
def town(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pprl-town")
    generate_town(root, TOWN_CHILDREN, TOWN_SEED)
    return root


@pytest.fixture(scope="session")
def extracts(town: Path) -> list[tuple[Path, Extract]]:
    return [(d, read_extract(d)) for d in sorted((town / "extracts").iterdir())]

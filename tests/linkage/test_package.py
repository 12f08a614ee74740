"""The linkage package's public names, and its promise to import no Django."""

from __future__ import annotations

import subprocess
import sys

import sightline.people.linkage as linkage


def test_every_exported_name_resolves() -> None:
    assert linkage.__all__, "the package exports its engine"
    missing = [name for name in linkage.__all__ if not hasattr(linkage, name)]
    assert not missing
    assert "conflict" in linkage.REVIEW_REASONS


def test_the_engine_imports_no_django() -> None:
    code = "import sys, sightline.people.linkage; print(sorted(m for m in sys.modules if 'django' in m))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

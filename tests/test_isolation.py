"""The suite never touches the user's real cache (~/.cache/compliance): tests/conftest.py points
COMPLIANCE_CACHE_DIR and the platform cache folder at temporary folders before any test module
is imported, so module-scoped fixtures, collection-time code and subprocesses are covered too."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Read at import (collection) time, before any function-scoped fixture has run.
CACHE_AT_IMPORT = os.environ.get("COMPLIANCE_CACHE_DIR")


def _inside_temp(path: str | Path) -> bool:
    return Path(path).resolve().is_relative_to(Path(tempfile.gettempdir()).resolve())


def test_cache_is_temporary_at_collection_time() -> None:
    assert CACHE_AT_IMPORT is not None and _inside_temp(CACHE_AT_IMPORT)


@pytest.fixture(scope="module")
def module_cache_root() -> Path:
    # A module-scoped fixture runs before the per-test cache fixture.
    from compliance.fileio import default_cache_dir

    return default_cache_dir()


def test_module_fixtures_see_a_temporary_cache(module_cache_root: Path) -> None:
    assert _inside_temp(module_cache_root)


def test_without_the_override_the_platform_cache_is_temporary_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A subprocess or helper that drops COMPLIANCE_CACHE_DIR falls back to the platform folder.
    monkeypatch.delenv("COMPLIANCE_CACHE_DIR")
    from compliance.facts.registry import _cache_dir
    from compliance.fileio import default_cache_dir

    assert _inside_temp(default_cache_dir())
    registry_cache = _cache_dir()
    assert registry_cache is not None and _inside_temp(registry_cache)

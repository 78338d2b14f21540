"""Where things are, for tests in any folder under tests/ (conftest puts tests/ on sys.path)."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SHARED = REPO.parent / "shared"  # ../shared: the corpus and schemas, next to the checkout

"""Where the shipped policies/, registry/ and JSON Schemas (docs/schemas/) are.

In a wheel they live at compliance/_data/ (hatch force-include); in a checkout (editable install,
tests) they are the top-level folders beside the package.
"""

from __future__ import annotations

import functools
from pathlib import Path


@functools.cache
def data_root() -> Path:
    installed = Path(__file__).resolve().parent / "_data"
    if (installed / "registry").is_dir():
        return installed
    return Path(__file__).resolve().parent.parent


def registry_dir() -> Path:
    return data_root() / "registry"


def policies_dir() -> Path:
    return data_root() / "policies"


def schemas_dir() -> Path:
    """The JSON Schema of every `compliance.<kind>/v1` output, as `<kind>.schema.json`."""
    root = data_root()
    return root / "schemas" if (root / "schemas").is_dir() else root / "docs" / "schemas"

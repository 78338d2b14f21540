"""Which licence strings are SPDX License List ids (checked with `license-expression`).

A card's `license:` value ("llama3.2", "other", "unknown") or a registry key is not an SPDX id;
writing one where a BOM expects an id is the commonest way AI-BOMs become invalid. Only ids on the
SPDX License List pass here; `LicenseRef-...` ids (ScanCode's or ours) do not.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _licensing() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


@lru_cache(maxsize=512)
def spdx_expression(value: str | None) -> str | None:
    """`value` as a canonical SPDX expression when every licence in it is on the SPDX License
    List (no LicenseRef), else None."""
    if not value or not value.strip():
        return None
    licensing = _licensing()
    try:
        parsed = licensing.parse(value, validate=True, strict=True)
    except Exception:  # ExpressionError and friends: not an SPDX expression
        return None
    if parsed is None:
        return None
    keys = [s.key for s in licensing.license_symbols(parsed)]
    if not keys or any(k.startswith("LicenseRef-") for k in keys):
        return None
    from cyclonedx.spdx import is_supported_id

    if not all(is_supported_id(k) for k in keys):
        return None
    rendered: str = parsed.render()
    return rendered


def spdx_id(value: str | None) -> str | None:
    """`value` as one SPDX License List id (canonical case), else None."""
    expr = spdx_expression(value)
    if expr is None or " " in expr:
        return None
    return expr

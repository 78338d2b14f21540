"""`license_family(key)`: the licence family a rule can compare with, whatever the version.

Registry keys are dated or versioned (`gemma-2025-03-24`, `llama-3.1`, `apache-2.0`); a rule
that means "any Gemma terms" compares `license_family == "gemma"`. The family is the key
without its trailing date and version parts.
"""

from __future__ import annotations

import re

_DATE = re.compile(r"-\d{4}-\d{2}(?:-\d{2})?$")
_VERSION = re.compile(r"-v?\d+(?:\.\d+)*$")


def license_family(key: str | None) -> str:
    """`gemma-2025-03-24` -> `gemma`, `llama-3.1` -> `llama`, `apache-2.0` -> `apache`,
    `cc-by-nc-4.0` -> `cc-by-nc`, `mit` -> `mit`; `unknown` for no key."""
    if not key:
        return "unknown"
    family = key.strip().lower()
    previous = None
    while family != previous:
        previous = family
        family = _VERSION.sub("", _DATE.sub("", family))
    return family or key.strip().lower()

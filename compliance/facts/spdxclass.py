"""A class for an SPDX or ScanCode licence id the registry has no record for.

license-expression ships ScanCode's licence index, which gives every key a category
(Permissive, Copyleft, Copyleft Limited, Proprietary Free, Source-available, Commercial...).
The category becomes one of our classes only where it says enough (conservative: anything
unclear stays `unknown`). Only the class is known this way: the text was not read, so every
other fact stays unknown. Imported lazily (only for a card id nothing else resolves): loading
the index costs a few milliseconds and license-expression is not on the hook's warm path.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

# ScanCode category -> our class. Missing categories (Proprietary Free, Source-available,
# Free Restricted, Commercial, CLA, Patent License, Unstated License...) mix licences with and
# without commercial limits: unknown. "Non-Commercial" is listed for index versions that have it.
CATEGORY_CLASS = {
    "Permissive": "permissive",
    "Public Domain": "permissive",
    "Copyleft": "copyleft",
    "Copyleft Limited": "weak-copyleft",
    "Non-Commercial": "non-commercial",
}
# Keys that name no single licence text ("some other permissive licence"): never a class.
_GENERIC_PREFIXES = ("other-", "unknown", "free-unknown", "proprietary", "commercial-license")


@dataclass(frozen=True)
class IndexedLicence:
    """One licence of the ScanCode index, as a card id resolved to it."""

    scancode_key: str
    spdx: str  # the SPDX id, or LicenseRef-scancode-<key> when SPDX has none
    category: str
    license_class: str  # one of ours; "unknown" when the category does not say enough

    @property
    def known_class(self) -> bool:
        return self.license_class != "unknown"


@functools.lru_cache(maxsize=1)
def _index() -> dict[str, IndexedLicence]:
    """Lower-case SPDX id, other SPDX ids and ScanCode key -> entry."""
    from license_expression import get_license_index

    out: dict[str, IndexedLicence] = {}
    for raw in get_license_index():
        key = str(raw.get("license_key") or "")
        spdx = str(raw.get("spdx_license_key") or f"LicenseRef-scancode-{key}")
        category = str(raw.get("category") or "")
        generic = key.startswith(_GENERIC_PREFIXES)
        cls = "unknown"
        if not raw.get("is_exception") and not generic:
            cls = CATEGORY_CLASS.get(category, "unknown")
        entry = IndexedLicence(key, spdx, category, cls)
        names = [
            spdx,
            key,
            f"LicenseRef-scancode-{key}",
            *(raw.get("other_spdx_license_keys") or []),
        ]
        for name in names:
            out.setdefault(str(name).strip().lower(), entry)
    return out


def lookup(licence_id: str | None) -> IndexedLicence | None:
    """The index entry a single licence id names (case-insensitive), or None.

    Expressions ("MIT OR Apache-2.0") and ids the index does not know give None."""
    if not licence_id:
        return None
    name = licence_id.strip().lower()
    if not name or " " in name or len(name) > 200:
        return None
    return _index().get(name)

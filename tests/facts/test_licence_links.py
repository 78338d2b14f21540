"""A card's licence link: canonical licence pages name their licence; any other link that was
not read leaves the licence unknown, whatever id the card declares (fail closed)."""

from __future__ import annotations

import pytest
from test_clauses import _snapshot

from compliance.facts.normalize import normalize
from compliance.facts.registry import canonical_licence_id, load_registry, normalize_url


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://www.apache.org/licenses/LICENSE-2.0.txt", "apache-2.0"),
        ("https://opensource.org/licenses/MIT", "mit"),
        ("https://spdx.org/licenses/BSD-3-Clause.html", "bsd-3-clause"),
        ("https://choosealicense.com/licenses/gpl-3.0/", "gpl-3.0"),
        ("https://creativecommons.org/licenses/by-nc-sa/4.0/legalcode.en", "cc-by-nc-sa-4.0"),
        ("https://creativecommons.org/licenses/by/4.0/", "cc-by-4.0"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "cc0-1.0"),
    ],
)
def test_a_canonical_licence_page_names_its_licence(url: str, key: str) -> None:
    rec = load_registry().by_link(url)
    assert rec is not None and rec.key == key


@pytest.mark.parametrize(
    "url",
    [
        "https://opensource.org/licenses/Not-A-Licence-9",  # no such id
        "https://example.com/licenses/MIT",  # not a canonical licence site
        "https://creativecommons.org/about/",
    ],
)
def test_other_pages_name_no_licence(url: str) -> None:
    assert load_registry().by_link(url) is None
    assert canonical_licence_id(normalize_url("https://example.com/terms")) is None


def test_an_unread_outside_link_beside_a_permissive_id_makes_the_licence_unknown() -> None:
    card = "license: mit\nlicense_link: https://vendor.example/model-terms"
    facts = normalize(_snapshot(card, {}))
    assert facts.license.key == "unknown"
    conflict = [f for f in facts.findings if f.code == "license-conflict"]
    assert conflict and conflict[0].severity == "unknown"
    assert "vendor.example/model-terms" in conflict[0].message


def test_a_canonical_link_beside_the_same_id_is_that_licence() -> None:
    card = "license: apache-2.0\nlicense_link: https://www.apache.org/licenses/LICENSE-2.0.txt"
    facts = normalize(_snapshot(card, {}))
    assert facts.license.key == "apache-2.0"
    assert not [f for f in facts.findings if f.code == "license-conflict"]

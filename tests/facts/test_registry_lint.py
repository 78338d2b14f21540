"""Lint of the shipped registry: the rules every record keeps (docs/registry.md).

About rules, not counts: every record's stated facts name a section and an anchor; every record
says where its text was read (provenance with a sha256), and every fingerprinted text is one of
those; every Hub id, licence name and link resolves; policies, supersedes and use-policy links
point at real records of the right kind; no two records share a fingerprint or a marker set;
anchors and markers occur in each of the record's texts that is available locally (the shared
corpus, plus the folders in $COMPLIANCE_LICENSE_TEXTS; a record whose texts are not here is
checked for everything else).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from treepaths import REPO

from compliance.facts.fingerprint import (
    TEXTNORM_VERSION,
    corpus_key,
    default_corpus,
    extra_corpora,
)
from compliance.facts.registry import (
    LicenseRecord,
    Registry,
    load_registry_from,
    normalize_url,
)
from compliance.facts.textnorm import decode, phrase_words, words_of

REGISTRY = REPO / "registry"
# A value that records the absence of a term ("not addressed", "no limit") names no clause.
ABSENT = (None, False, [], "allowed")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
MAX_CJK_PHRASE_CHARS = 40
MAX_PHRASE_WORDS = 15  # registry/README.md: phrases are short (about 12 words)


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry_from(REGISTRY)


@pytest.fixture(scope="module")
def records(reg: Registry) -> list[LicenseRecord]:
    return [r for r in reg.records.values() if not r.inline]


@pytest.fixture(scope="module")
def fingerprints() -> list[dict[str, Any]]:
    data = json.loads((REGISTRY / "fingerprints.json").read_text(encoding="utf-8"))
    assert data["textnorm"] == TEXTNORM_VERSION, "stale fingerprints: regenerate them"
    return list(data["variants"])


def _local_texts() -> dict[str, list[tuple[Path, bytes]]]:
    """Record key -> the texts available here (shared corpus + $COMPLIANCE_LICENSE_TEXTS)."""
    out: dict[str, list[tuple[Path, bytes]]] = defaultdict(list)
    for root in (default_corpus(), *extra_corpora()):
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            text = folder / "LICENSE.txt"
            if text.is_file():
                out[corpus_key(folder)].append((text, text.read_bytes()))
    return out


def test_stated_facts_name_a_section_and_an_anchor(records: list[LicenseRecord]) -> None:
    bad = []
    for rec in records:
        for f in rec.facts:
            if f.value in ABSENT:
                continue
            if not f.section or not f.anchor:
                bad.append(f"{rec.key}.{f.name} = {f.value!r}: needs a section and an anchor")
    assert not bad, "\n".join(bad)


def test_a_permission_without_a_clause_says_why(records: list[LicenseRecord]) -> None:
    """`allowed` outputs / free derivatives with no section: a note must say what was read."""
    bad = [
        f"{rec.key}.{f.name}"
        for rec in records
        for f in rec.facts
        if f.name in ("output_training", "derivatives_inherit")
        and f.value in ("allowed", False)
        and not f.section
        and not f.note
    ]
    assert not bad, f"a value with no section needs a note: {bad}"


def test_phrases_are_short_and_not_empty(records: list[LicenseRecord]) -> None:
    bad = []
    for rec in records:
        if not rec.markers:
            bad.append(f"{rec.key}: no markers")
        for name, phrase in [*rec.anchors, *(("marker", m) for m in rec.markers)]:
            n = len(phrase_words(phrase).split())
            # Each CJK character is a word to the normaliser: a phrase of Chinese or Japanese text
            # may hold more of them for the same length of clause.
            limit = MAX_CJK_PHRASE_CHARS if _CJK.search(phrase) else MAX_PHRASE_WORDS
            if n == 0 or n > limit:
                bad.append(f"{rec.key} {name}: {n} words: {phrase!r}")
    assert not bad, "\n".join(bad)


def test_every_record_has_provenance(records: list[LicenseRecord]) -> None:
    missing = [r.key for r in records if not r.provenance]
    assert not missing, f"records without provenance: {missing}"
    for rec in records:
        for p in rec.provenance:  # the parser checks the shapes; a source must be named
            assert p.sha256 and (p.repository or p.url), rec.key
            assert p.authority, f"{rec.key}: provenance needs an authority"


def test_every_fingerprinted_text_is_in_the_record_provenance(
    reg: Registry, fingerprints: list[dict[str, Any]]
) -> None:
    bad = []
    for v in fingerprints:
        rec = reg.get(v["key"])
        if rec is None or rec.inline:
            bad.append(f"{v['source']}: fingerprint of `{v['key']}`, which is no text record")
            continue
        if v["sha256"] not in {p.sha256 for p in rec.provenance}:
            bad.append(f"{rec.key}: text {v['source']} ({v['sha256'][:12]}) not in provenance")
    assert not bad, "\n".join(bad)


def test_no_two_records_share_a_fingerprint(fingerprints: list[dict[str, Any]]) -> None:
    by_sha: dict[str, set[str]] = defaultdict(set)
    by_hashes: dict[str, set[str]] = defaultdict(set)
    for v in fingerprints:
        by_sha[v["sha256"]].add(v["key"])
        by_hashes[v["hashes"]].add(v["key"])
    shared = [keys for keys in (*by_sha.values(), *by_hashes.values()) if len(keys) > 1]
    assert not shared, f"one text under several records: {shared}"


def test_close_relatives_have_different_markers(records: list[LicenseRecord]) -> None:
    seen: dict[frozenset[str], str] = {}
    clash = []
    for rec in records:
        key = frozenset(phrase_words(m) for m in rec.markers)
        if key in seen:
            clash.append(f"{seen[key]} and {rec.key}")
        seen[key] = rec.key
    assert not clash, f"identical marker sets: {clash}"


def test_hub_ids_resolve(reg: Registry) -> None:
    raw = yaml.safe_load((REGISTRY / "hf-ids.yaml").read_text(encoding="utf-8"))
    ids = [k for k in raw if k not in ("license_names", "license_links")]
    says_nothing = {"other", "unknown"}
    unresolved = [i for i in ids if reg.by_hf_id(i) is None and i not in says_nothing]
    assert not unresolved, f"Hub ids with neither a record nor inline facts: {unresolved}"
    for rec in reg.records.values():
        for hid in rec.hf_ids:  # a Hub id listed on a record means that record
            assert reg.by_hf_id(hid) is rec, f"{rec.key}: Hub id {hid} resolves elsewhere"


def test_license_names_and_links_resolve(reg: Registry) -> None:
    raw = yaml.safe_load((REGISTRY / "hf-ids.yaml").read_text(encoding="utf-8"))
    for section, lookup in (("license_names", reg.by_name), ("license_links", reg.by_link)):
        for name, target in (raw.get(section) or {}).items():
            if target is None:
                continue  # a known text without a record: deliberately unknown
            rec = lookup(str(name))
            assert rec is not None and rec.key == target, f"{section}: {name} -> {target}"
    for url, key in reg.license_links.items():
        assert key is None or key in reg.records, url
        assert url == normalize_url(url)


def test_policy_and_version_links_point_at_real_records(records: list[LicenseRecord]) -> None:
    by_key = {r.key: r for r in records}
    bad = []
    for rec in records:
        if rec.acceptable_use_policy:
            pol = by_key.get(rec.acceptable_use_policy)
            if pol is None or pol.document != "policy" or rec.key not in pol.policy_for:
                bad.append(f"{rec.key}: acceptable_use_policy {rec.acceptable_use_policy}")
        for lic in rec.policy_for:
            target = by_key.get(lic)
            if rec.document != "policy" or target is None or target.document != "license":
                bad.append(f"{rec.key}: policy_for {lic}")
        if rec.supersedes:
            old = by_key.get(rec.supersedes)
            if old is None or old.document != rec.document:
                bad.append(f"{rec.key}: supersedes {rec.supersedes}")
            # Equal dates are allowed: publishers revise texts without changing the stated date.
            elif rec.version_date and old.version_date and rec.version_date < old.version_date:
                bad.append(f"{rec.key}: supersedes a text dated later than itself")
    for rec in records:  # no cycles
        seen, cur = {rec.key}, by_key[rec.key]
        while cur.supersedes and cur.supersedes in by_key:
            if cur.supersedes in seen:
                bad.append(f"{rec.key}: supersedes cycle")
                break
            seen.add(cur.supersedes)
            cur = by_key[cur.supersedes]
    assert not bad, "\n".join(bad)


def test_spdx_ids_follow_the_readme_rule(records: list[LicenseRecord]) -> None:
    """An SPDX or ScanCode id license-expression knows, else LicenseRef-compliance-<key>."""
    from compliance.facts.spdxclass import lookup

    bad = [
        f"{r.key}: {r.spdx}"
        for r in records
        if not r.spdx
        or (
            r.spdx.startswith("LicenseRef-compliance-")
            and r.spdx != f"LicenseRef-compliance-{r.key}"
        )
        or (not r.spdx.startswith("LicenseRef-compliance-") and lookup(r.spdx) is None)
    ]
    assert not bad, (
        f"spdx neither known to license-expression nor LicenseRef-compliance-<key>: {bad}"
    )


def test_local_texts_are_fingerprinted_and_hold_the_anchors(
    reg: Registry, fingerprints: list[dict[str, Any]]
) -> None:
    printed = {v["sha256"] for v in fingerprints}
    texts = _local_texts()
    bad = []
    for key, items in texts.items():
        rec = reg.get(key)
        if rec is None or rec.inline:
            continue  # another branch's text, or no record yet: the fingerprint builder warns
        phrases = [*rec.anchors, *(("marker", m) for m in rec.markers)]
        for path, data in items:
            if hashlib.sha256(data).hexdigest() not in printed:
                bad.append(f"{path}: not in fingerprints.json (regenerate them)")
            joined = " " + " ".join(words_of(decode(data)).words) + " "
            for name, phrase in phrases:
                if f" {phrase_words(phrase)} " not in joined:
                    bad.append(f"{path}: {key} {name} {phrase!r} is not in the text")
    assert not bad, "\n".join(bad)

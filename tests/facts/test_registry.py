"""The licence registry: loading, validation, lookups, folded terms, the disk cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from treepaths import REPO, TESTS

from compliance.facts.model import TerritoryRestriction
from compliance.facts.registry import (
    Registry,
    RegistryError,
    eu_restricted_of,
    load_registry,
    load_registry_from,
    normalize_url,
)

FIXTURE = TESTS / "fixtures" / "registry"


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry_from(FIXTURE)


def test_records_and_lookups(reg: Registry) -> None:
    rec = reg.get("demo-1")
    assert rec is not None and rec.document == "license" and rec.license_class == "restricted"
    assert rec.value("mau_cap") == 250_000_000
    assert ("mau_cap", "more than 250 million monthly active users") in rec.anchors
    assert reg.get("nope") is None and reg.get(None) is None
    assert reg.by_hf_id("DEMO1") is rec  # Hub ids compare case-insensitively
    assert reg.by_hf_id("other") is None
    assert reg.knows_hf_id("other") and not reg.knows_hf_id("no-such-id")
    assert reg.by_name("Demo-Community") is rec
    assert reg.by_name("mystery-licence") is None and reg.knows_name("mystery-licence")
    assert reg.by_name("Demo Model 1 Community License Agreement") is rec  # record names too
    assert reg.by_link("http://www.example.invalid/demo2/license/") is reg.get("demo-2")
    assert reg.by_link("https://example.invalid/demo1/license") is rec  # a record's url


def test_publishers_case_insensitive(reg: Registry) -> None:
    pub = reg.publisher("Demo-Org")
    assert pub is not None and pub.country == "GB" and pub.name == "Example Widgets Ltd"
    reup = reg.publisher("reup")
    assert reup is not None and reup.reuploader and reup.country is None
    assert reg.publisher("unknown-org") is None


def test_inline_hub_id_is_a_record(reg: Registry) -> None:
    rec = reg.by_hf_id("nc-generic")
    assert rec is not None and rec.inline and rec.license_class == "non-commercial"
    terms = reg.terms(rec)
    assert terms.commercial_use == "no" and terms.non_commercial is True
    assert terms.output_training == "unknown"  # stated unknown inline: never a guess


def test_terms_fold_in_the_use_policy(reg: Registry) -> None:
    rec = reg.get("demo-1")
    assert rec is not None
    terms = reg.terms(rec)
    assert terms.acceptable_use_policy == "demo-aup"
    assert terms.territory_restrictions == (TerritoryRestriction("EU", "multimodal", "policy"),)
    assert terms.eu_restricted is True
    assert terms.origin["territory_restrictions"] == "demo-aup"
    assert terms.commercial_use == "conditional" and terms.mau_cap == 250_000_000
    plain = reg.terms(reg.get("plain"))  # type: ignore[arg-type]
    assert plain.eu_restricted is False and plain.territory_restrictions == ()


def test_eu_restricted_of_modality() -> None:
    mm = (TerritoryRestriction("EU", "multimodal", "policy"),)
    assert eu_restricted_of(mm, multimodal=True) is True
    assert eu_restricted_of(mm, multimodal=None) is True  # unknown modality: the stricter reading
    assert eu_restricted_of(mm, multimodal=False) is False
    everyone = (TerritoryRestriction("EU", "all", "license"),)
    assert eu_restricted_of(everyone, multimodal=False) is True
    assert eu_restricted_of((TerritoryRestriction("KR", "all", "license"),)) is False


def test_normalize_url() -> None:
    assert normalize_url("HTTPS://WWW.Example.com/a/b/") == "example.com/a/b"
    assert normalize_url("https://huggingface.co/x/y/resolve/main/LICENSE") == normalize_url(
        "http://huggingface.co/x/y/blob/main/LICENSE"
    )
    assert normalize_url("https://e.com/terms?ref=card#top") == "e.com/terms"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "registry"
    shutil.copytree(FIXTURE, root)
    return root


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("class: restricted", "class: strict"), "`class` must be one of"),
        (lambda t: t.replace("key: demo-1", "key: demo-x"), "differs from the file name"),
        (
            lambda t: t.replace(
                'value: conditional\n    section: "2.', 'value: maybe\n    section: "2.'
            ),
            "commercial_use",
        ),
        (lambda t: t.replace("value: 250000000", "value: lots"), "mau_cap"),
        (
            lambda t: t.replace("acceptable_use_policy: demo-aup", "acceptable_use_policy: gone"),
            "`gone`",
        ),
        (lambda t: t.replace("document: license", "document: memo"), "`document`"),
        (lambda t: t + "\nfacts: [oops\n", "invalid YAML"),
    ],
)
def test_bad_record_names_the_file(tmp_path: Path, edit, message: str) -> None:
    root = _copy(tmp_path)
    path = root / "licenses" / "demo-1.yaml"
    path.write_text(edit(path.read_text()))
    with pytest.raises(RegistryError) as info:
        load_registry_from(root)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_provenance_is_read(reg: Registry) -> None:
    rec = reg.get("plain")
    assert rec is not None and len(rec.provenance) == 1
    p = rec.provenance[0]
    assert p.repository == "https://example.invalid/plain-licence" and p.path == "LICENSE.txt"
    assert p.commit == "0123456789abcdef0123456789abcdef01234567"
    assert p.sha256 == "d7694db4e0baddecc905505c21de56922e79234c3a25be8b322b98f31e3c8d9b"
    assert p.to_json()["authority"] == "official (test fixture, invented text)"
    assert reg.get("demo-1").provenance == ()  # type: ignore[union-attr]


_SHA = "a" * 64
_ONE = "0123456789abcdef0123456789abcdef01234567"
_REPO = "provenance:\n  repository: https://x.invalid/r\n"


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (f"{_REPO}  sha256: '{_SHA[:-1]}'\n", "sha256"),
        (
            f"{_REPO}  commit: 'abc'\n  sha256: '{_SHA}'\n",
            "commit",
        ),
        (
            f"{_REPO}  git_blob: '{_ONE}0'\n  sha256: '{_SHA}'\n",
            "git_blob",
        ),
        (f"provenance:\n  path: LICENSE\n  sha256: '{_SHA}'\n", "`repository` or a `url`"),
        ("provenance: [just a string]\n", "mapping"),
        ("supersedes: no-such-record\n", "`no-such-record`"),
        ("supersedes: demo-1\n", "the record itself"),
    ],
)
def test_bad_provenance_or_supersedes_names_the_file(
    tmp_path: Path, block: str, message: str
) -> None:
    root = _copy(tmp_path)
    path = root / "licenses" / "demo-1.yaml"
    path.write_text(path.read_text() + block)
    with pytest.raises(RegistryError) as info:
        load_registry_from(root)
    assert message in str(info.value) and str(path) in str(info.value)


def test_supersedes_and_provenance_list(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "licenses" / "demo-2.yaml"
    path.write_text(
        path.read_text()
        + "supersedes: demo-1\nprovenance:\n"
        + "- repository: https://x.invalid/a\n"
        + f"  commit: '{_ONE.upper()}'\n  sha256: '{_SHA.upper()}'\n"
        + f"- url: https://x.invalid/page\n  retrieved: 2032-01-02\n  sha256: '{'b' * 64}'\n"
    )
    rec = load_registry_from(root).get("demo-2")
    assert rec is not None and rec.supersedes == "demo-1"
    assert [p.sha256 for p in rec.provenance] == [_SHA, "b" * 64]  # ids compare lower-case
    assert rec.provenance[0].commit == _ONE and rec.provenance[1].url == "https://x.invalid/page"
    assert rec.provenance[1].retrieved == "2032-01-02"


def test_bad_hf_ids_and_publishers(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "hf-ids.yaml").write_text("x: {license: missing-record}\n")
    with pytest.raises(RegistryError, match="missing-record"):
        load_registry_from(root)
    root2 = _copy(tmp_path / "b")
    (root2 / "publishers.yaml").write_text("org: {name: X, country: Germany}\n")
    with pytest.raises(RegistryError, match="ISO 3166"):
        load_registry_from(root2)


def test_disk_cache_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from compliance.facts import registry as mod

    root = _copy(tmp_path)
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    first = mod._load_with_disk_cache(root)
    cached = list((tmp_path / "cache" / "registry").glob("*.pickle"))
    assert len(cached) == 1
    second = mod._load_with_disk_cache(root)
    assert second.records == first.records and second.hf_ids == first.hf_ids
    # The fingerprint index travels in the pickle (no JSON parse on a warm load).
    assert "fingerprints" in second._memo
    assert (
        second.fingerprints().keys()
        == first.fingerprints().keys()
        == {"demo-1", "demo-2", "demo-aup", "plain"}
    )
    # Any edit invalidates the entry.
    path = root / "licenses" / "plain.yaml"
    path.write_text(path.read_text().replace("The Plain Permission Licence\n", "Plain v2\n", 1))
    third = mod._load_with_disk_cache(root)
    assert third.get("plain").name == "Plain v2"  # type: ignore[union-attr]
    # A broken cache entry is rebuilt, not trusted.
    for p in (tmp_path / "cache" / "registry").glob("*.pickle"):
        p.write_bytes(b"garbage")
    assert mod._load_with_disk_cache(root).get("plain") is not None


def test_shipped_registry_is_valid_and_loaded_once() -> None:
    reg = load_registry()
    reg.fingerprints()
    assert reg.records, "the shipped registry has records"
    for rec in reg.records.values():
        if rec.acceptable_use_policy:
            policy = reg.get(rec.acceptable_use_policy)
            assert policy is not None and policy.document == "policy", rec.key
    # Loaded once per process (and from the disk cache across processes; its speed is measured
    # by bench/detect.py, not here).
    assert load_registry() is reg


def test_fixture_fingerprints_are_current(tmp_path: Path) -> None:
    import json

    from compliance.facts.fingerprint import build

    data, warnings = build(TESTS / "fixtures" / "licenses", None)
    stored = json.loads((FIXTURE / "fingerprints.json").read_text())
    assert not warnings
    assert data == stored, (
        "regenerate: python -m compliance.facts.fingerprint"
        " --corpus tests/fixtures/licenses --registry tests/fixtures/registry"
    )


def test_fingerprints_hold_no_words() -> None:
    text = (FIXTURE / "fingerprints.json").read_text().lower()
    for phrase in ("powered by demo", "monthly active users", "acceptable use"):
        assert phrase not in text
    shipped = REPO / "registry" / "fingerprints.json"
    if shipped.is_file():
        body = shipped.read_text().lower()
        assert "monthly active users" not in body and "licensee" not in body


def test_ollama_tags_of_the_fixture_registry() -> None:
    """registry/ollama.yaml is read by compliance.refs.ollama (the one lookup)."""
    import yaml

    from compliance.refs.ollama import lookup, parse_table

    table = parse_table(yaml.safe_load((FIXTURE / "ollama.yaml").read_text(encoding="utf-8")))

    def base(tag: str) -> str | None:
        found = lookup(tag, table)
        return found[0] if found else None

    assert base("demo:latest") == "demo-org/Demo-1"
    assert base("demo") == "demo-org/Demo-1"
    assert base("demo:8b-instruct-q4_K_M") == "demo-org/Demo-1-8B"
    assert base("demo:8b-vision-q8_0") == "demo-org/Demo-1-8B-Vision"  # longest key
    assert base("plainstring:7b") == "demo-org/Plain"
    assert base("nothing:1b") is None

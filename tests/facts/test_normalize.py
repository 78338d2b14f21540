"""Snapshot + registry -> ModelFacts (fixture registry and invented licence texts)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from treepaths import TESTS

from compliance.facts.model import TerritoryRestriction
from compliance.facts.normalize import (
    multimodal_of,
    normalize,
    repo_file_of_link,
)
from compliance.facts.registry import Registry, load_registry_from
from compliance.sources.interface import RepoFile, Snapshot

FIXTURES = TESTS / "fixtures"


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry_from(FIXTURES / "registry")


def licence(key: str) -> str:
    return (FIXTURES / "licenses" / key / "LICENSE.txt").read_text(encoding="utf-8")


def card(meta: str, body: str = "# Model\n\nSome words.\n") -> str:
    return f"---\n{meta.strip()}\n---\n{body}"


def snap(
    model: str = "demo-org/Demo-1-8B",
    *,
    meta: str = "license: demo1",
    files: dict[str, str] | None = None,
    card_data: dict[str, Any] | None = None,
    pipeline_tag: str | None = "text-generation",
    tags: tuple[str, ...] = (),
    gated: bool = False,
) -> Snapshot:
    import yaml

    readme = card(meta)
    repo_files = [
        RepoFile("README.md", readme, hashlib.sha256(readme.encode()).hexdigest(), len(readme))
    ]
    for path, text in (files or {}).items():
        repo_files.append(
            RepoFile(path, text, hashlib.sha256(text.encode()).hexdigest(), len(text))
        )
    return Snapshot(
        model=model,
        revision="a" * 40,
        source="hub",
        digest="d",
        card_data=card_data if card_data is not None else (yaml.safe_load(meta) or {}),
        tags=tags,
        siblings=tuple(f.path for f in repo_files),
        files=tuple(repo_files),
        gated=gated,
        pipeline_tag=pipeline_tag,
    )


def facts_of(reg: Registry, **kw: Any):
    return normalize(snap(**kw), reg)


def test_declared_id_and_matching_file(reg: Registry) -> None:
    f = facts_of(reg, files={"LICENSE": licence("demo-1")})
    assert f.license.key == "demo-1" and f.license.license_class == "restricted"
    assert f.license.spdx == "LicenseRef-compliance-demo-1"
    assert f.license.source == "file:LICENSE" and f.license.confidence == 1.0
    assert f.license.declared == "demo1"
    assert (f.commercial_use, f.mau_cap, f.output_training) == (
        "conditional",
        250_000_000,
        "conditional",
    )
    assert f.acceptable_use_policy == "demo-aup"
    assert f.non_commercial is False and f.research_only is False
    assert 'Display "Powered by Demo"' in f.attribution
    assert not f.findings
    facts = {e.fact for e in f.evidence}
    assert {"license.declared", "license.file", "mau_cap", "commercial_use", "attribution"} <= facts
    mau = next(e for e in f.evidence if e.fact == "mau_cap")
    assert mau.file == "LICENSE" and "250 million" in mau.quote
    assert f.license_files == (("LICENSE", hashlib.sha256(licence("demo-1").encode()).hexdigest()),)


def test_declared_only_gives_registry_facts_with_card_evidence(reg: Registry) -> None:
    f = facts_of(reg)
    assert f.license.key == "demo-1" and f.license.source == "card" and f.license.confidence < 1
    mau = next(e for e in f.evidence if e.fact == "mau_cap")
    assert (mau.file, mau.line, mau.quote) == ("README.md", 2, "license: demo1")


def test_card_permissive_beside_restricted_file_conflicts_and_stricter_governs(
    reg: Registry,
) -> None:
    f = facts_of(reg, meta="license: plain", files={"LICENSE": licence("demo-1")})
    assert f.license.key == "demo-1" and f.license.declared == "plain"
    assert f.commercial_use == "conditional" and f.mau_cap == 250_000_000
    (finding,) = [x for x in f.findings if x.code == "license-conflict"]
    assert finding.severity == "warn"
    assert "plain" in finding.message and "demo-1" in finding.message
    assert {e.file for e in finding.evidence} == {"README.md", "LICENSE"}


def test_card_stricter_than_file_keeps_the_card(reg: Registry) -> None:
    f = facts_of(reg, meta="license: nc-generic", files={"LICENSE": licence("plain")})
    assert f.license.key == "nc-generic" and f.commercial_use == "no"
    assert any(x.code == "license-conflict" for x in f.findings)


def test_modified_file_lowers_confidence_and_says_so(reg: Registry) -> None:
    text = licence("demo-1").replace("250 million", "900 million")
    f = facts_of(reg, files={"LICENSE": text})
    assert f.license.key == "demo-1" and f.license.source == "file:LICENSE (modified)"
    assert f.license.confidence < 1
    assert any("differs from demo-1" in n for n in f.notes)


def test_unknown_file_beside_a_declared_licence_makes_the_licence_unknown(reg: Registry) -> None:
    # issue 14: a licence text no record covers may add terms; the card alone does not govern.
    f = facts_of(reg, meta="license: plain", files={"LICENSE": "Custom terms apply here. " * 40})
    assert f.license.key == "unknown" and f.license.license_class == "unknown"
    (finding,) = [x for x in f.findings if x.code == "license-conflict"]
    assert finding.severity == "unknown" and "LICENSE" in finding.message


@pytest.mark.parametrize(
    ("pipeline", "tags", "multimodal", "eu"),
    [
        ("image-text-to-text", (), True, True),
        ("text-generation", (), False, False),
        (None, (), None, True),
        ("text-generation", ("vision",), True, True),
    ],
)
def test_eu_clause_follows_modality(reg: Registry, pipeline, tags, multimodal, eu) -> None:
    f = facts_of(reg, files={"LICENSE": licence("demo-1")}, pipeline_tag=pipeline, tags=tags)
    assert f.multimodal is multimodal
    assert f.eu_restricted is eu
    assert TerritoryRestriction("EU", "multimodal", "policy") in f.territory_restrictions
    if multimodal is None:
        assert any("modality is unknown" in n for n in f.notes)
    ev = [e for e in f.evidence if e.fact == "territory_restrictions"]
    assert ev and ev[0].file == "LICENSE"


def test_policy_file_beside_licence_folds_in(reg: Registry) -> None:
    f = facts_of(
        reg,
        files={"LICENSE": licence("demo-1"), "USE_POLICY.md": licence("demo-aup")},
        pipeline_tag="image-text-to-text",
    )
    assert f.license.key == "demo-1" and f.eu_restricted is True
    assert any(e.file == "USE_POLICY.md" and e.fact == "territory_restrictions" for e in f.evidence)
    assert not f.findings


def test_gated_eu_disallowed_is_a_territory_restriction(reg: Registry) -> None:
    meta = "license: plain\nextra_gated_eu_disallowed: true"
    f = facts_of(reg, meta=meta, gated=True)
    assert f.eu_gate_disallowed and f.eu_restricted is True
    assert TerritoryRestriction("EU", "all", "gate") in f.territory_restrictions
    ev = next(e for e in f.evidence if e.fact == "eu_restricted")
    assert ev.file == "README.md" and ev.quote == "extra_gated_eu_disallowed: true"
    ungated = facts_of(reg, meta=meta, gated=False)
    assert not ungated.eu_gate_disallowed and ungated.eu_restricted is False


def test_other_without_name_link_or_file_is_unknown(reg: Registry) -> None:
    f = facts_of(reg, meta="license: other")
    assert f.license.key == "unknown" and f.license.license_class == "unknown"
    assert f.commercial_use == "unknown" and f.eu_restricted is None
    assert any("license: other" in n for n in f.notes)


def test_other_with_license_name(reg: Registry) -> None:
    f = facts_of(reg, meta="license: other\nlicense_name: Demo-Community")
    assert f.license.key == "demo-1" and f.license.source == "card:license_name"
    assert f.license.declared_name == "Demo-Community"
    g = facts_of(reg, meta="license: other\nlicense_name: mystery-licence")
    assert g.license.key == "unknown"


@pytest.mark.parametrize(
    ("declared", "key", "cls"),
    [
        ("MPL-1.1", "MPL-1.1", "weak-copyleft"),  # ScanCode category Copyleft Limited
        ("0bsd", "0BSD", "permissive"),  # SPDX ids compare case-insensitively
        ("gpl-3.0-or-later", "GPL-3.0-or-later", "copyleft"),
        ("LicenseRef-scancode-public-domain", "LicenseRef-scancode-public-domain", "permissive"),
    ],
)
def test_spdx_id_that_is_no_hub_id_gets_its_scancode_class(
    reg: Registry, declared: str, key: str, cls: str
) -> None:
    f = facts_of(reg, meta=f"license: {declared}")
    assert f.license.key == key and f.license.spdx == key and f.license.license_class == cls
    assert f.license.source == "card" and f.license.confidence == 0.6
    # Only the class: the text was not read, so no other fact is claimed.
    assert f.commercial_use == "unknown" and f.output_training == "unknown"
    assert any("ScanCode category" in n and declared in n for n in f.notes)


@pytest.mark.parametrize(
    "declared",
    [
        "cc-by-nc-sa-2.5",  # ScanCode says Source-available: not enough to say commercial or not
        "classpath-exception-2.0",  # an exception, not a licence
        "LicenseRef-scancode-other-permissive",  # names no single text
        "MIT OR Apache-2.0",  # an expression, not one id
        "no-such-licence-id",
    ],
)
def test_unclear_or_unknown_licence_ids_stay_unknown(reg: Registry, declared: str) -> None:
    f = facts_of(reg, meta=f"license: {declared}")
    assert f.license.key == "unknown" and f.license.license_class == "unknown"
    assert any("not a Hub licence id this tool knows" in n for n in f.notes)


def test_non_commercial_scancode_category_says_no_commercial_use(
    reg: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    from compliance.facts import spdxclass

    nc = spdxclass.IndexedLicence(
        "x-nc-1.0", "LicenseRef-scancode-x-nc-1.0", "Non-Commercial", "non-commercial"
    )
    monkeypatch.setattr(spdxclass, "lookup", lambda _id: nc)
    fresh = load_registry_from(FIXTURES / "registry")  # its memo has not seen the id
    f = facts_of(fresh, meta="license: x-nc-1.0")
    assert f.license.license_class == "non-commercial"
    assert f.commercial_use == "no" and f.non_commercial is True


def test_spdx_id_of_a_record_resolves_to_the_record() -> None:
    from compliance.facts.registry import load_registry

    shipped = load_registry()
    f = facts_of(shipped, model="someone/model", meta="license: GPL-3.0-only")
    record = shipped.get("gpl-3.0")
    if record is None or record.spdx != "GPL-3.0-only":
        pytest.fail("the shipped registry has no gpl-3.0 record with spdx GPL-3.0-only")
    assert f.license.key == "gpl-3.0" and f.license.license_class == "copyleft"
    assert f.commercial_use == "yes"  # the record's facts, read from the text


def test_license_link_to_a_repo_file_reads_it(reg: Registry) -> None:
    meta = "license: other\nlicense_link: https://huggingface.co/demo-org/Demo-1-8B/blob/main/TERMS.txt"
    f = facts_of(reg, meta=meta, files={"TERMS.txt": licence("demo-2")})
    assert f.license.key == "demo-2" and f.license.source == "file:TERMS.txt"
    assert f.mau_cap == 400_000_000


def test_license_link_known_url_and_unknown_url(reg: Registry) -> None:
    f = facts_of(reg, meta="license: other\nlicense_link: https://example.invalid/demo2/license")
    assert f.license.key == "demo-2" and f.license.source == "card:license_link"
    g = facts_of(reg, meta="license: other\nlicense_link: https://elsewhere.invalid/terms")
    assert g.license.key == "unknown"
    ev = next(e for e in g.evidence if e.fact == "license.link")
    assert ev.file == "https://elsewhere.invalid/terms" and ev.line is None
    assert any("not read (offline)" in n for n in g.notes)


def test_publisher_country_and_reuploader(reg: Registry) -> None:
    f = facts_of(reg)
    assert (f.publisher.org, f.publisher.name, f.publisher.country) == (
        "demo-org",
        "Example Widgets Ltd",
        "GB",
    )
    r = facts_of(reg, model="reup/Demo-1-GGUF")
    assert r.publisher.reuploader and r.publisher.country is None
    u = facts_of(reg, model="someone/x")
    assert u.publisher.name is None and u.publisher.country is None


def test_normalize_is_pure(reg: Registry) -> None:
    s = snap(files={"LICENSE": licence("demo-1")})
    assert normalize(s, reg) == normalize(s, reg)


def test_repo_file_of_link() -> None:
    assert repo_file_of_link("LICENSE", "a/b") == "LICENSE"
    assert repo_file_of_link("./LICENSE.md", "a/b") == "LICENSE.md"
    assert repo_file_of_link("https://huggingface.co/a/b/resolve/main/LICENSE", "A/B") == "LICENSE"
    assert repo_file_of_link("https://huggingface.co/c/d/blob/main/LICENSE", "a/b") is None
    assert repo_file_of_link("https://ai.google.dev/gemma/terms", "a/b") is None


@pytest.mark.parametrize(
    ("pipeline", "tags", "model", "config", "want"),
    [
        ("image-text-to-text", (), "x/y", None, True),
        ("any-to-any", (), "x/y", None, True),
        ("text-generation", (), "x/y", None, False),
        ("text-generation", (), "meta-llama/Llama-3.2-11B-Vision-Instruct", None, True),
        ("text-generation", (), "Qwen/Qwen2-VL-7B", None, True),
        (None, (), "x/y", {"vision_config": {}}, True),
        (None, (), "x/y", {"architectures": ["LlamaForCausalLM"]}, None),
        (None, ("audio-text-to-text",), "x/y", None, True),
        (None, (), "x/envision-7b", None, None),
    ],
)
def test_multimodal_of(pipeline, tags, model, config, want) -> None:
    assert multimodal_of(pipeline, tags, model=model, config=config) is want


def test_licence_line_in_card_body_when_metadata_has_none(reg: Registry) -> None:
    s = snap(meta="tags: [demo]", card_data={"tags": ["demo"]})
    readme = "---\ntags: [demo]\n---\n# Model\n\n- **Developed by:** me\n- **License:** plain\n"
    s = Snapshot(**{**s.__dict__, "files": (RepoFile("README.md", readme, "x", len(readme)),)})
    f = normalize(s, reg)
    assert f.license.key == "plain" and f.license.source == "card:body"
    ev = next(e for e in f.evidence if e.fact == "license.declared")
    assert ev.line == 7 and "License" in ev.quote


def test_short_pointer_file_is_not_a_conflict(reg: Registry) -> None:
    pointer = "This model is licensed under the Plain Permission Licence.\nSee the link.\n"
    f = facts_of(reg, meta="license: plain", files={"LICENSE": pointer})
    assert f.license.key == "plain" and not f.findings
    assert 0.5 < f.license.confidence <= 0.7
    assert any("short, not a licence text" in n for n in f.notes)


def test_modified_file_facts_follow_the_changed_clause(reg: Registry) -> None:
    text = licence("demo-1").replace("250 million", "900 million")
    f = facts_of(reg, meta="license: demo1", files={"LICENSE": text})
    assert f.license.key == "demo-1"
    # never the old 250 million: the changed passage is read (it used to make these unknown)
    assert f.mau_cap == 900_000_000 and f.commercial_use == "conditional"
    assert f.output_training == "conditional"  # its clause is intact
    unreadable = licence("demo-1").replace("250 million monthly", "many monthly")
    g = facts_of(reg, meta="license: demo1", files={"LICENSE": unreadable})
    assert g.mau_cap is None and g.commercial_use == "unknown"


GATE_FILE = "README.md (extra_gated_prompt)"


def test_gate_prompt_with_a_licence_text_is_read_as_one(reg: Registry) -> None:
    f = facts_of(
        reg,
        meta="license: other",
        card_data={"license": "other", "extra_gated_prompt": licence("demo-2")},
        gated=True,
    )
    assert f.license.key == "demo-2" and f.license.source == f"file:{GATE_FILE}"
    assert f.mau_cap == 400_000_000
    assert any(e.file == GATE_FILE for e in f.evidence)


def test_gate_prompt_with_a_non_commercial_notice_is_not_ignored(reg: Registry) -> None:
    prompt = "You may use this model for non-commercial research purposes only."
    f = facts_of(
        reg,
        files={"LICENSE": licence("demo-1")},
        card_data={"license": "demo1", "extra_gated_prompt": prompt},
        gated=True,
    )
    assert f.commercial_use in ("no", "unknown")
    assert any(GATE_FILE in (x.message or "") for x in f.findings)


def test_gate_prompt_without_terms_is_noted_not_a_licence(reg: Registry) -> None:
    prompt = "Please share your name and affiliation to access this model."
    f = facts_of(
        reg,
        files={"LICENSE": licence("demo-1")},
        card_data={"license": "demo1", "extra_gated_prompt": prompt},
        gated=True,
    )
    assert f.license.key == "demo-1" and not f.findings
    assert any("extra_gated_prompt" in n for n in f.notes)


def test_gate_prompt_pointing_at_the_declared_terms_keeps_them(reg: Registry) -> None:
    prompt = (
        "To access this model you must agree to the Demo Terms of Use at\n"
        "https://example.invalid/demo1, including the use restrictions in Section 3.2."
    )
    f = facts_of(
        reg,
        files={"LICENSE": licence("demo-1")},
        card_data={"license": "demo1", "extra_gated_prompt": prompt},
        gated=True,
    )
    assert f.license.key == "demo-1" and not f.findings

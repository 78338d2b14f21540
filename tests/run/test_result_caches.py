"""The facts cache (compliance.facts.cache) and the policy result cache
(compliance.policy.resultcache): exact, invalidated by what they depend on, and a corrupt entry
is recomputed, never trusted."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from treepaths import REPO

from compliance.config import Config, SourceSpec
from compliance.facts import cache as facts_cache
from compliance.facts import packed
from compliance.modelid import ModelId, parse_model_id
from compliance.run.scan import Scanner, make_source

EXAMPLES = REPO / "examples" / "mirror"
MODELS = [
    "meta-llama/Llama-3.1-8B-Instruct",
    "meta-llama/Llama-3.2-11B-Vision-Instruct",
    "Qwen/Qwen2.5-72B-Instruct",
    "microsoft/Phi-3-mini-4k-instruct",
    "deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
]


@pytest.fixture()
def mirror(tmp_path: Path) -> Path:
    root = tmp_path / "mirror"
    shutil.copytree(EXAMPLES, root)
    return root


def _scan(mirror: Path, *models: str, lineage: bool = True) -> dict[str, object]:
    scanner = Scanner(make_source(SourceSpec.parse(f"mirror:{mirror}")), lineage=lineage)
    outcomes = scanner.scan([_mid(m) for m in models])
    return {str(o.model_id): o.facts for o in outcomes}


def _mid(text: str) -> ModelId:
    return parse_model_id(text)


def _entries(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "facts").glob("*/*" + facts_cache.SUFFIX))


@pytest.fixture()
def normalize_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from compliance.facts import normalize as module

    calls: list[str] = []
    real = module.normalize

    def counting(snapshot, registry=None):
        calls.append(snapshot.model)
        return real(snapshot, registry)

    monkeypatch.setattr(module, "normalize", counting)
    return calls


def test_codec_is_exact_for_own_and_lineage_facts(mirror: Path):
    for lineage in (False, True):
        for facts in _scan(mirror, *MODELS, lineage=lineage).values():
            assert facts is not None
            assert packed.loads(packed.dumps(facts)) == facts


def test_warm_scan_reuses_facts_and_equals_the_cold_one(mirror, normalize_calls):
    cold = _scan(mirror, *MODELS)
    assert normalize_calls  # computed once
    normalize_calls.clear()
    warm = _scan(mirror, *MODELS)
    assert normalize_calls == []
    for model, facts in cold.items():
        other = warm[model]
        assert facts is not None and other is not None
        # only the time the files were read differs
        assert replace(other, fetched_at=None) == replace(facts, fetched_at=None)


def test_changed_file_content_is_read_again(mirror, normalize_calls):
    model = "microsoft/Phi-3-mini-4k-instruct"
    before = _scan(mirror, model, lineage=False)[model]
    assert before is not None and before.license.declared == "mit"
    readme = mirror / model / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace("license: mit", "license: cc-by-nc-4.0"),
        encoding="utf-8",
    )
    normalize_calls.clear()
    after = _scan(mirror, model, lineage=False)[model]
    assert normalize_calls == [model]
    assert after is not None and after.license.declared == "cc-by-nc-4.0"
    assert after.license.license_class == "non-commercial"


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: b"not json at all",
        lambda raw: raw[:-10],  # truncated
        lambda raw: raw.replace(b"mit", b"MIT"),  # edited: checksum mismatch
        lambda raw: b"",
        lambda raw: raw + b"\0",  # grown
        lambda raw: raw.replace(b"compliance-facts 2", b"compliance-facts 9"),  # another format
        lambda raw: b'{"format": 1}\n{}',  # an entry of format 1 (JSON)
    ],
    ids=["garbage", "truncated", "edited", "empty", "grown", "other-format", "json"],
)
def test_corrupt_entry_is_recomputed(mirror, normalize_calls, damage, _isolated_cache):
    model = "microsoft/Phi-3-mini-4k-instruct"
    first = _scan(mirror, model, lineage=False)[model]
    (entry,) = _entries(_isolated_cache)
    damaged = damage(entry.read_bytes())
    assert damaged != entry.read_bytes()
    entry.write_bytes(damaged)
    normalize_calls.clear()
    again = _scan(mirror, model, lineage=False)[model]
    assert normalize_calls == [model]
    assert again is not None and first is not None
    assert again.license == first.license
    # the entry was rewritten, and is used again
    (entry,) = _entries(_isolated_cache)
    assert entry.read_bytes().startswith(facts_cache.MAGIC)
    normalize_calls.clear()
    _scan(mirror, model, lineage=False)
    assert normalize_calls == []


def test_registry_change_invalidates_the_facts(mirror, normalize_calls, monkeypatch):
    from compliance.facts import stamp

    model = "microsoft/Phi-3-mini-4k-instruct"
    _scan(mirror, model, lineage=False)
    normalize_calls.clear()
    _scan(mirror, model, lineage=False)
    assert normalize_calls == []
    real = stamp.registry_stamp
    monkeypatch.setattr(stamp, "registry_stamp", lambda root: "another" + real(root))
    facts_cache.code_stamp.cache_clear()
    try:
        _scan(mirror, model, lineage=False)
        assert normalize_calls == [model]
    finally:
        facts_cache.code_stamp.cache_clear()


def test_key_material_ignores_only_the_read_time(mirror):
    source = make_source(SourceSpec.parse(f"mirror:{mirror}"))
    model = _mid("microsoft/Phi-3-mini-4k-instruct")
    material, fetched_at, build = source.fetch_keyed(model)  # type: ignore[attr-defined]
    snapshot = build()
    assert snapshot.fetched_at == fetched_at
    assert source.fetch_keyed(model)[0] == material  # type: ignore[attr-defined]
    assert material == source.fetch_keyed(model)[0]  # type: ignore[attr-defined]
    # the card's content is part of the key through the files' digest
    assert snapshot.card is not None and snapshot.card.sha256 in material


# -- the policy result cache -------------------------------------------------------------------


def _check(mirror: Path, config: Config | None = None):
    from dataclasses import replace

    from compliance.run import check_subjects

    config = replace(config or Config(), source=SourceSpec.parse(f"mirror:{mirror}"))
    facts = [f for f in _scan(mirror, *MODELS).values() if f is not None]
    return check_subjects(facts, config)


def _no_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    from compliance.policy import engine

    def refuse(*args, **kwargs):
        raise AssertionError("the Rego interpreter was built on a warm run")

    monkeypatch.setattr(engine, "InProcessEvaluator", refuse)


def test_warm_check_evaluates_nothing_and_decides_the_same(mirror, monkeypatch):
    cold = _check(mirror)
    _no_interpreter(monkeypatch)
    warm = _check(mirror)
    assert warm.to_json()["decisions"] == cold.to_json()["decisions"]


def test_corrupt_policy_cache_is_evaluated_again(mirror, _isolated_cache):
    cold = _check(mirror)
    (entry,) = sorted((_isolated_cache / "policy").glob("*.json"))
    entry.write_bytes(entry.read_bytes()[:-20])
    again = _check(mirror)
    assert again.to_json()["decisions"] == cold.to_json()["decisions"]
    (entry,) = sorted((_isolated_cache / "policy").glob("*.json"))
    head, body = entry.read_bytes().split(b"\n", 1)
    import hashlib

    assert json.loads(head)["sha256"] == hashlib.sha256(body).hexdigest()


def test_policy_cache_is_keyed_by_the_organisation_settings(mirror, _isolated_cache):
    from dataclasses import replace

    base = Config()
    _check(mirror, base)
    org = replace(base.organization, monthly_active_users=900_000_000)
    result = _check(mirror, replace(base, organization=org))
    assert len(list((_isolated_cache / "policy").glob("*.json"))) == 2
    codes = {d.model: d.codes for d in result.decisions}
    assert "mau-cap-exceeded" in codes["meta-llama/Llama-3.1-8B-Instruct"]


def test_cache_clear_removes_the_derived_caches_too(mirror, cli, _isolated_cache):
    _check(mirror)
    assert _entries(_isolated_cache) and list((_isolated_cache / "policy").glob("*.json"))
    keep = _isolated_cache / "facts" / "notes.txt"
    keep.write_text("not ours")
    code, _, err = cli("cache", "clear")
    assert code == 0 and "removed 0 files" in err and "derived" in err
    assert _entries(_isolated_cache) == []
    assert list((_isolated_cache / "policy").glob("*.json")) == []
    assert keep.exists()

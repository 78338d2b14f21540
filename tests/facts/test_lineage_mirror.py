"""Lineage end to end: fixture repos in a mirror folder, read through the real Scanner path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from compliance.errors import GatedRepo
from compliance.facts.lineage import combine_terms
from compliance.facts.model import CLASS_STRICTNESS, ModelFacts, Terms
from compliance.modelid import ModelId
from compliance.run.scan import Scanner
from compliance.sources.interface import Snapshot
from compliance.sources.mirror import MirrorSource


def repo(root: Path, model: str, front: dict | None, body: str = "", **files: str) -> None:
    folder = root / model
    folder.mkdir(parents=True, exist_ok=True)
    card = ""
    if front is not None:
        card = "---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n"
    (folder / "README.md").write_text(card + body, encoding="utf-8")
    for name, text in files.items():
        (folder / name.replace("__", ".")).write_text(text, encoding="utf-8")


class GatedMirror(MirrorSource):
    """A mirror where some repos answer like a gated Hub repo without access."""

    def __init__(self, root: Path, gated: set[str]):
        super().__init__(root)
        self.gated = gated

    def fetch(self, model: ModelId) -> Snapshot:
        if model.repo_id in self.gated:
            raise GatedRepo(model.repo_id, "gated repository: access not granted")
        return super().fetch(model)


LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
QWEN = "Qwen/Qwen2.5-7B-Instruct"


@pytest.fixture()
def mirror(tmp_path: Path) -> Path:
    root = tmp_path / "mirror"
    repo(
        root,
        LLAMA,
        {"license": "llama3.1", "extra_gated_prompt": "Accept the Llama 3.1 licence"},
        LICENSE="LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\n",
    )
    repo(
        root, QWEN, {"license": "other", "license_name": "qwen"}, LICENSE="Qwen LICENSE AGREEMENT\n"
    )
    # one fixture per relation, each relabelled as a permissive licence
    repo(
        root,
        "acme/llama-ft",
        {"license": "apache-2.0", "base_model": LLAMA, "base_model_relation": "finetune"},
    )
    repo(
        root,
        "acme/llama-lora",
        {"license": "mit", "library_name": "peft"},
        adapter_config__json=json.dumps({"base_model_name_or_path": LLAMA}),
    )
    repo(root, "acme/llama-gguf", {"license": "mit", "tags": [f"base_model:quantized:{LLAMA}"]})
    repo(
        root,
        "acme/llama-qwen-merge",
        {"license": "apache-2.0", "base_model": [LLAMA, QWEN]},
        mergekit_config__yml=f"models:\n  - model: {LLAMA}\n  - model: {QWEN}\n"
        f"merge_method: slerp\nbase_model: {LLAMA}\n",
    )
    # a three-level chain: quant -> instruct fine-tune -> base
    repo(
        root,
        "acme/chain-q4",
        {"license": "mit", "base_model": "acme/chain-instruct", "base_model_relation": "quantized"},
    )
    repo(root, "acme/chain-instruct", {"license": "apache-2.0", "base_model": LLAMA})
    # a cycle
    repo(root, "loop/a", {"license": "mit", "base_model": "loop/b"})
    repo(root, "loop/b", {"license": "mit", "base_model": "loop/a"})
    # missing and gated bases
    repo(root, "acme/orphan", {"license": "apache-2.0", "base_model": "ghost/does-not-exist"})
    repo(root, "acme/on-gated", {"license": "apache-2.0", "base_model": "vendor/gated-base"})
    repo(root, "vendor/gated-base", {"license": "other", "license_name": "vendor-terms"})
    repo(root, "acme/bad-id", {"license": "apache-2.0", "base_model": "not a hub id"})
    return root


def scan(root: Path, *models: str, gated: set[str] | None = None) -> dict[str, ModelFacts]:
    scanner = Scanner(GatedMirror(root, gated or set()))
    outcomes = scanner.scan([ModelId(m) for m in models])
    assert all(o.ok for o in outcomes), [str(o.error) for o in outcomes]
    return {o.model_id.repo_id: o.facts for o in outcomes if o.facts is not None}


def tree(f: ModelFacts) -> list[tuple]:
    def walk(node, depth):
        yield (depth, node.model, node.relation, node.error is None)
        for p in node.parents:
            yield from walk(p, depth + 1)

    return [row for n in f.lineage for row in walk(n, 1)]


def test_each_relation_is_kept(mirror: Path):
    got = scan(mirror, "acme/llama-ft", "acme/llama-lora", "acme/llama-gguf")
    assert tree(got["acme/llama-ft"]) == [(1, LLAMA, "finetune", True)]
    assert tree(got["acme/llama-lora"]) == [(1, LLAMA, "adapter", True)]
    assert tree(got["acme/llama-gguf"]) == [(1, LLAMA, "quantized", True)]
    assert [(b.model, b.relation, b.source) for b in got["acme/llama-lora"].base_models] == [
        (LLAMA, "adapter", "adapter_config")
    ]
    assert [(b.model, b.relation, b.source) for b in got["acme/llama-gguf"].base_models] == [
        (LLAMA, "quantized", "tag")
    ]
    for f in got.values():
        assert f.effective is not None
        assert not [x for x in f.findings if x.code == "base-unavailable"]


def test_merge_of_llama_and_qwen(mirror: Path):
    f = scan(mirror, "acme/llama-qwen-merge")["acme/llama-qwen-merge"]
    assert [(b.model, b.relation, b.source) for b in f.base_models] == [
        (LLAMA, "merge", "card"),
        (QWEN, "merge", "card"),
    ]
    assert tree(f) == [(1, LLAMA, "merge", True), (1, QWEN, "merge", True)]
    assert {x.code for x in f.findings} <= {
        "license-mismatch-with-base",
        "license-incompatible-merge",
    }


def strictest_of(scanner: Scanner, *models: str) -> Terms:
    """What lineage must produce: the combination of each model's own facts as normalize read
    them (whatever the licence registry knows today)."""
    own = [scanner.facts_for(ModelId(m)) for m in models]
    return combine_terms(own[0].own_terms(), [o.own_terms() for o in own[1:]])


@pytest.mark.parametrize(
    ("model", "chain"),
    [
        ("acme/llama-qwen-merge", (LLAMA, QWEN)),
        ("acme/chain-q4", ("acme/chain-instruct", LLAMA)),
        ("acme/llama-ft", (LLAMA,)),
    ],
)
def test_effective_is_the_strictest_of_what_was_read(mirror: Path, model: str, chain):
    scanner = Scanner(MirrorSource(mirror))
    (outcome,) = scanner.scan([ModelId(model)])
    assert outcome.facts is not None
    expected = strictest_of(scanner, model, *chain)
    assert outcome.facts.effective == expected
    classes = [scanner.facts_for(ModelId(m)).license.license_class for m in (model, *chain)]
    assert expected.license_class == max(classes, key=lambda c: CLASS_STRICTNESS[c])


def test_three_level_chain(mirror: Path):
    f = scan(mirror, "acme/chain-q4")["acme/chain-q4"]
    assert tree(f) == [
        (1, "acme/chain-instruct", "quantized", True),
        (2, LLAMA, "finetune", True),
    ]
    assert {x.code for x in f.findings} <= {"license-mismatch-with-base"}
    assert f.lineage[0].parents[0].parents == ()


def test_cycle_terminates(mirror: Path):
    f = scan(mirror, "loop/a")["loop/a"]
    assert [(n.model, n.error) for n in f.lineage] == [("loop/b", None)]
    assert [(p.model, p.error) for p in f.lineage[0].parents] == [
        ("loop/a", "cycle: loop/a is its own ancestor")
    ]
    assert any("cycle" in n for n in f.notes)


def test_missing_base_is_unavailable_and_denied(mirror: Path):
    f = scan(mirror, "acme/orphan")["acme/orphan"]
    assert [(x.code, x.severity) for x in f.findings] == [("base-unavailable", "deny")]
    assert f.lineage[0].error is not None and f.lineage[0].error.startswith("not-found:")
    assert f.effective is not None
    assert (f.effective.license_class, f.effective.commercial_use) == ("unknown", "unknown")


def test_gated_base_without_access_is_unavailable(mirror: Path):
    f = scan(mirror, "acme/on-gated", gated={"vendor/gated-base"})["acme/on-gated"]
    assert [(x.code, x.severity) for x in f.findings] == [("base-unavailable", "deny")]
    assert f.lineage[0].error == "gated: gated repository: access not granted"
    assert f.effective is not None
    assert (f.effective.license_class, f.effective.commercial_use) == ("unknown", "unknown")


def test_gated_base_in_the_mirror_is_read(mirror: Path):
    """A mirror holds a copy of a gated repo (its card has a gating prompt): its terms are read."""
    f = scan(mirror, "acme/llama-ft")["acme/llama-ft"]
    assert f.lineage[0].error is None
    assert not [x for x in f.findings if x.code == "base-unavailable"]


def test_invalid_base_id_is_reported(mirror: Path):
    f = scan(mirror, "acme/bad-id")["acme/bad-id"]
    assert [(b.model, b.relation) for b in f.base_models] == [("not a hub id", "finetune")]
    assert [(x.code, x.severity) for x in f.findings] == [("base-unavailable", "deny")]
    assert f.lineage[0].error == "invalid-id: not a valid Hub model id (org/name)"


def test_base_is_read_once_per_scan(mirror: Path):
    calls: list[str] = []

    class Counting(MirrorSource):
        def fetch(self, model: ModelId) -> Snapshot:
            calls.append(model.repo_id)
            return super().fetch(model)

    Scanner(Counting(mirror), workers=1).scan(
        [ModelId("acme/llama-ft"), ModelId("acme/llama-gguf"), ModelId("acme/chain-q4")]
    )
    assert calls.count(LLAMA) == 1


def test_scan_json_shows_bases_lineage_and_effective(mirror: Path, cli):
    code, out, err = cli(
        "scan", "acme/chain-q4", "--source", f"mirror:{mirror}", "--format", "json"
    )
    assert code == 0, err
    model = json.loads(out)["models"][0]
    assert model["base_models"] == [
        {"model": "acme/chain-instruct", "relation": "quantized", "source": "card"}
    ]
    assert model["lineage"][0]["model"] == "acme/chain-instruct"
    assert model["lineage"][0]["parents"][0]["model"] == LLAMA
    assert model["lineage"][0]["parents"][0]["relation"] == "finetune"
    assert set(model["effective"]) >= {"class", "commercial_use", "mau_cap", "origin_country"}


def test_scan_text_one_line_per_ancestor(mirror: Path, cli):
    code, out, _ = cli("scan", "acme/chain-q4", "--source", f"mirror:{mirror}")
    assert code == 0
    lines = out.splitlines()
    i = lines.index("  lineage:")
    assert lines[i + 1].startswith("    quantized of acme/chain-instruct: ")
    assert lines[i + 2].startswith(f"      finetune of {LLAMA}: ")
    assert "  base: acme/chain-instruct (quantized; from card)" in lines


def test_scan_text_marks_unavailable_bases(mirror: Path, cli):
    code, out, _ = cli("scan", "acme/orphan", "--source", f"mirror:{mirror}")
    assert code == 0
    assert "    finetune of ghost/does-not-exist: UNAVAILABLE (not-found: " in out
    assert "  deny: base-unavailable: base model ghost/does-not-exist" in out


def test_no_lineage_flag(mirror: Path, cli):
    code, out, _ = cli("scan", "acme/chain-q4", "--source", f"mirror:{mirror}", "--no-lineage")
    assert code == 0
    assert "  lineage: not followed (--no-lineage)" in out
    code, out, _ = cli(
        "scan", "acme/orphan", "--source", f"mirror:{mirror}", "--no-lineage", "--format", "json"
    )
    model = json.loads(out)["models"][0]
    assert model["lineage"] == [] and model["findings"] == []
    assert model["base_models"] == [
        {"model": "ghost/does-not-exist", "relation": "finetune", "source": "card"}
    ]


def test_undeclared_finetune_of_a_known_base_carries_its_terms(mirror: Path):
    repo(mirror, "acme/silent-ft", {"base_model": LLAMA, "base_model_relation": "finetune"})
    f = scan(mirror, "acme/silent-ft")["acme/silent-ft"]
    assert f.license.key == "unknown" and f.license.declared is None
    eff = f.effective
    assert eff is not None
    assert (eff.license_key, eff.license_class) == ("llama-3.1", "restricted")
    assert eff.mau_cap == 700_000_000
    assert [(x.code, x.severity) for x in f.findings] == [("license-undeclared", "unknown")]
    assert any(e.model == LLAMA and e.fact.startswith("effective.") for e in f.evidence)

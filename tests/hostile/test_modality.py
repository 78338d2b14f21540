"""Issue 14, item 3: a derivative of a multimodal base inherits its modality (and the EU
exclusion scoped to multimodal models) unless its own weights' config shows a text-only
network; the evidence says which. Small repos in a mirror, the real CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from treepaths import TESTS

BASE = "meta-llama/Llama-3.2-11B-Vision-Instruct"
CONFIG = (
    "version: 1\nsource: {mirror: mirror}\n"
    "organization: {domicile: DE, monthly_active_users: 1000, use: commercial}\n"
)
FINETUNE = (
    f"---\nlicense: llama3.2\nbase_model: {BASE}\npipeline_tag: text-generation\n"
    "tags: [text-generation]\n---\n# A chat fine-tune\n"
)


@pytest.fixture()
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "compliance.yaml").write_text(CONFIG)
    root = tmp_path / "mirror"
    base = root / BASE
    shutil.copytree(TESTS / "fixtures" / "hub" / BASE, base)
    (base / "_hub.yaml").unlink()
    card = (base / "README.md").read_text()
    # The base without its access gate: only the licence's multimodal-scoped EU clause remains.
    kept = [ln for ln in card.splitlines() if "extra_gated" not in ln and "Test fixture" not in ln]
    (base / "README.md").write_text("\n".join(kept) + "\n")
    (root / "acme" / "ft").mkdir(parents=True)
    (root / "acme" / "ft" / "README.md").write_text(FINETUNE)
    monkeypatch.chdir(tmp_path)
    return root


def check(cli) -> tuple[int, dict]:
    code, out, err = cli("check", "--model", "acme/ft", "--format", "json")
    assert out, err
    (decision,) = json.loads(out)["decisions"]
    return code, decision


def scan(cli) -> dict:
    _, out, _ = cli("scan", "acme/ft", "--format", "json")
    (model,) = json.loads(out)["models"]
    return model


def test_a_text_tagged_finetune_of_a_vision_base_is_multimodal(mirror, cli):
    code, d = check(cli)
    assert (code, d["decision"]) == (1, "deny")
    assert "eu-restricted" in d["codes"]
    model = scan(cli)
    assert model["multimodal"] is True
    ev = [e for e in model["evidence"] if e["fact"] == "multimodal"]
    assert ev and ev[0]["model"] == BASE
    assert any(
        "base meta-llama/Llama-3.2-11B-Vision-Instruct is multimodal" in n for n in model["notes"]
    )


def test_its_own_text_only_config_keeps_it_text_only_and_says_so(mirror, cli):
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 2048}
    (mirror / "acme" / "ft" / "config.json").write_text(json.dumps(config, indent=2))
    _, d = check(cli)
    assert "eu-restricted" not in d["codes"]
    model = scan(cli)
    assert model["multimodal"] is False
    (ev,) = [e for e in model["evidence"] if e["fact"] == "multimodal"]
    assert ev["file"] == "config.json" and "LlamaForCausalLM" in ev["quote"]
    assert any("treated as text-only" in n for n in model["notes"])


def test_a_vision_config_does_not_count_as_text_only(mirror, cli):
    config = {"architectures": ["MllamaForConditionalGeneration"], "vision_config": {}}
    (mirror / "acme" / "ft" / "config.json").write_text(json.dumps(config))
    code, d = check(cli)
    assert (code, d["decision"]) == (1, "deny") and "eu-restricted" in d["codes"]

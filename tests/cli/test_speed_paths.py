"""The warm, pinned path (the pre-commit hook): no request, and no heavy import.

Timing belongs in bench/; these tests check what the figures rely on: a warm check of pinned
models makes no request, loads neither huggingface_hub, jinja2, spdx-tools nor the Rego
interpreter, and decides exactly as the cold run did.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

VISION = "meta-llama/Llama-3.2-11B-Vision-Instruct"
VISION_SHA = "3f8b2f8a1b0c4d5e6f708192a3b4c5d6e7f80910"
SMALL = "meta-llama/Llama-3.2-1B-Instruct"
SMALL_SHA = "9e1d5a7c3b2f40618293a4b5c6d7e8f901234567"
TOKEN = "hf_test_granted_token"
HEAVY = ("huggingface_hub", "jinja2", "spdx_tools", "regopy", "httpx2", "license_expression")


def _litellm(tmp_path: Path, *, gated: bool = True) -> Path:
    """A config naming the gated vision model (when `gated`) and the small open one."""
    config = tmp_path / "litellm-config.yaml"
    vision = (
        "  - model_name: vision\n"
        "    litellm_params:\n"
        f"      model: huggingface/{VISION}@{VISION_SHA}\n"
    )
    config.write_text(
        "model_list:\n" + (vision if gated else "") + "  - model_name: small\n"
        "    litellm_params:\n"
        f"      model: huggingface/{SMALL}\n"
        f"      revision: {SMALL_SHA}\n",
        encoding="utf-8",
    )
    return config


def _decisions(out: str) -> list[dict]:
    doc = json.loads(out)
    assert doc["schema"] == "compliance.check/v1"
    return doc["decisions"]


def test_warm_pinned_check_makes_no_request_but_the_gated_access_check(
    fake_hub, cli, monkeypatch, tmp_path
):
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    config = _litellm(tmp_path)
    code, out, err = cli("check", str(config), "--format", "json")
    assert code in (0, 1), err
    cold = _decisions(out)
    assert [(d["model"], d["revision"]) for d in cold] == [
        (VISION, VISION_SHA),
        (SMALL, SMALL_SHA),
    ]
    for _ in range(2):  # the first read from the cache, then a fully warm run
        fake_hub.requests.clear()
        code, out, err = cli("check", str(config), "--format", "json")
        assert code in (0, 1), err
        # a gated repo's cached copy is used only after a fresh auth-check (issue 14 item 5)
        assert [r.path for r in fake_hub.requests] == [f"/api/models/{VISION}/auth-check"]
        assert _decisions(out) == cold


def test_warm_pinned_hook_imports_no_hub_client_template_spdx_or_rego(
    fake_hub, cli, monkeypatch, tmp_path
):
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    config = _litellm(tmp_path, gated=False)  # a gated model costs one access check
    for _ in range(2):  # warm the snapshot, facts and policy caches
        assert cli("check", str(config))[0] in (0, 1)
    fake_hub.requests.clear()
    listing = tmp_path / "modules.json"
    script = (
        "import json, sys\n"
        "from compliance.cli.main import main\n"
        f"code = main(['check', {str(config)!r}])\n"
        f"open({str(listing)!r}, 'w').write(json.dumps([code, sorted(sys.modules)]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        env=dict(os.environ),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    code, modules = json.loads(listing.read_text())
    assert code in (0, 1), proc.stderr
    assert "compliance.run.check" in modules  # the hook path really ran
    loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert loaded == []
    assert fake_hub.requests == []

"""HF_TOKEN is sent to the Hub and nowhere else: not in any output, log or file written.

Runs the real CLI in subprocesses (so `-vv` really configures logging, including
huggingface_hub's and httpx's own loggers at debug level) against the fake Hub.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fakehub import Fault

TOKEN = "hf_CANARY_d0n0tL3ak_7f3a9c1e5b"
VISION = "meta-llama/Llama-3.2-11B-Vision-Instruct"
FRAGMENTS = (TOKEN, TOKEN[3:], TOKEN[-12:])  # the token, and pieces of it


def _env(tmp_path: Path, cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "HF_TOKEN": TOKEN,
            "COMPLIANCE_CACHE_DIR": str(cache),
            "HF_HOME": str(tmp_path / "hf-home"),
            "HF_HUB_VERBOSITY": "debug",
            "HF_DEBUG": "1",
            "COMPLIANCE_HUB_TIMEOUT": "0.5",
            "COMPLIANCE_HUB_RETRY_BUDGET": "1",
            "COMPLIANCE_HUB_BACKOFF": "0.01",
        }
    )
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compliance", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _assert_clean(text: str, where: str) -> None:
    for fragment in FRAGMENTS:
        assert fragment not in text, f"token fragment found in {where}"


def _assert_tree_clean(*roots: Path) -> int:
    checked = 0
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                for fragment in FRAGMENTS:
                    assert fragment.encode() not in data, f"token fragment in {path}"
                checked += 1
    return checked


@pytest.fixture()
def granted(fake_hub):
    repo = fake_hub.repos[VISION.lower()]
    repo.meta = {**repo.meta, "granted_tokens": [*(repo.meta.get("granted_tokens") or []), TOKEN]}
    return fake_hub


def test_token_reaches_the_hub_and_nothing_else(granted, tmp_path, _isolated_cache):
    env = _env(tmp_path, _isolated_cache)
    outputs = []
    for args in (
        ["-vv", "scan", VISION, "--format", "json"],
        ["-vv", "scan", VISION],  # warm: from the cache
        ["-vv", "scan", "acme/private-gated"],  # gated, not granted: an error message
        ["-vv", "lock", "--model", VISION],  # writes compliance.lock in tmp_path
        ["-vv", "check", "--model", VISION, "--locked", "--format", "json"],
        ["-vv", "check", "--model", VISION, "--format", "sarif"],
        ["-vv", "cache", "info"],
    ):
        result = _run(args, env, tmp_path)
        outputs.append((args, result))
        _assert_clean(result.stdout, f"stdout of {args}")
        _assert_clean(result.stderr, f"stderr of {args}")
    first = outputs[0][1]
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["models"][0]["model"] == VISION
    assert "DEBUG" in first.stderr or "compliance:" in first.stderr  # -vv really logged
    assert outputs[2][1].returncode == 3
    assert outputs[3][1].returncode == 0, outputs[3][1].stderr
    assert (tmp_path / "compliance.lock").is_file()
    assert outputs[4][1].returncode in (0, 1), outputs[4][1].stderr
    # It was sent, to the Hub only, as a bearer token.
    assert any(r.authorization == f"Bearer {TOKEN}" for r in granted.requests)
    assert _assert_tree_clean(_isolated_cache, tmp_path) > 0


def test_token_absent_from_failure_messages(granted, tmp_path, _isolated_cache):
    env = _env(tmp_path, _isolated_cache)
    granted.add_fault(r"^/api/models/", Fault(status=500))
    result = _run(["-vv", "scan", VISION], env, tmp_path)
    assert result.returncode == 3
    assert "HTTP 500" in result.stderr
    _assert_clean(result.stdout + result.stderr, "failure output")
    granted.clear()
    granted.add_fault(r"/resolve/", Fault(reset=True))
    result = _run(["-vv", "scan", VISION], env, tmp_path)
    assert result.returncode == 3
    _assert_clean(result.stdout + result.stderr, "failure output")
    _assert_tree_clean(_isolated_cache, tmp_path)

"""A cached gated repo is never read without a fresh access check with the current token: one
cheap `auth-check` request, or a clear failure (exit 3) when it cannot be made."""

from __future__ import annotations

import json

VISION = "meta-llama/Llama-3.2-11B-Vision-Instruct"
VISION_SHA = "3f8b2f8a1b0c4d5e6f708192a3b4c5d6e7f80910"
TOKEN = "hf_test_granted_token"
AUTH_CHECK = f"/api/models/{VISION}/auth-check"


def _warm(cli, monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    code, _out, err = cli("scan", VISION, "--no-lineage")
    assert code == 0, err


def test_cached_pinned_gated_repo_without_token_is_refused(fake_hub, cli, monkeypatch):
    _warm(cli, monkeypatch)
    monkeypatch.delenv("HF_TOKEN")
    fake_hub.requests.clear()
    code, out, err = cli("scan", f"{VISION}@{VISION_SHA}", "--format", "json", "--no-lineage")
    assert code == 3
    assert json.loads(out)["models"] == []
    assert "gated" in err and VISION in err
    assert [r.path for r in fake_hub.requests] == [AUTH_CHECK]


def test_cached_gated_repo_with_a_wrong_token_is_refused(fake_hub, cli, monkeypatch):
    _warm(cli, monkeypatch)
    monkeypatch.setenv("HF_TOKEN", "hf_not_granted")
    code, _out, err = cli("scan", VISION, "--no-lineage")
    assert code == 3
    assert "gated" in err and "not been granted" in err


def test_cached_gated_repo_with_the_granted_token_costs_one_check(fake_hub, cli, monkeypatch):
    _warm(cli, monkeypatch)
    fake_hub.requests.clear()
    code, out, err = cli("scan", f"{VISION}@{VISION_SHA}", "--format", "json", "--no-lineage")
    assert code == 0, err
    assert [r.path for r in fake_hub.requests] == [AUTH_CHECK]
    assert all(r.authorization == f"Bearer {TOKEN}" for r in fake_hub.requests)
    assert json.loads(out)["models"][0]["source"] == "cache"


def test_cached_gated_repo_offline_fails_closed(fake_hub, cli, monkeypatch):
    _warm(cli, monkeypatch)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    fake_hub.requests.clear()
    for ref in (f"{VISION}@{VISION_SHA}", VISION):
        code, _out, err = cli("scan", ref, "--no-lineage")
        assert code == 3, ref
        assert "gated" in err and "access" in err
    assert fake_hub.requests == []


def test_cached_gated_repo_when_the_hub_is_down_fails_closed(fake_hub, cli, monkeypatch):
    _warm(cli, monkeypatch)
    from fakehub import Fault

    fake_hub.add_fault("auth-check", Fault(reset=True))
    monkeypatch.setenv("COMPLIANCE_HUB_RETRY_BUDGET", "2")
    code, _out, err = cli("scan", f"{VISION}@{VISION_SHA}", "--no-lineage")
    assert code == 3
    assert VISION in err

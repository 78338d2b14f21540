"""`compliance scan` against the fake Hub through the real huggingface_hub client."""

from __future__ import annotations

import json

import pytest

VISION = "meta-llama/Llama-3.2-11B-Vision-Instruct"
VISION_SHA = "3f8b2f8a1b0c4d5e6f708192a3b4c5d6e7f80910"
TOKEN = "hf_test_granted_token"


def _requests(hub, kind: str) -> list[str]:
    return [r.path for r in hub.requests if kind in r.path]


def test_scan_reads_sha_declared_licence_and_licence_files(fake_hub, cli, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    code, out, err = cli("scan", VISION, "--format", "json", "--no-lineage")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["schema"] == "compliance.scan/v1"
    (model,) = doc["models"]
    assert model["model"] == VISION
    assert model["revision"] == VISION_SHA
    assert model["source"] == "hub"
    assert model["license"]["declared"] == "llama3.2"
    assert model["publisher"]["org"] == "meta-llama"
    assert model["gated"] is True
    assert model["multimodal"] is True
    files = {(e["fact"], e["file"]) for e in model["evidence"]}
    assert ("license.declared", "README.md") in files
    assert ("license.file", "LICENSE.txt") in files
    assert ("license.file", "USE_POLICY.md") in files
    licence_line = next(e for e in model["evidence"] if e["fact"] == "license.declared")
    assert licence_line["line"] == 7 and licence_line["quote"] == "license: llama3.2"
    # Weights are never downloaded: only the card, licence and lineage files.
    assert not _requests(fake_hub, "model.safetensors")
    assert _requests(fake_hub, "/resolve/" + VISION_SHA + "/LICENSE.txt")


def test_second_scan_pinned_to_sha_makes_no_request(fake_hub, cli):
    small = "meta-llama/Llama-3.2-1B-Instruct"  # not gated (a gated one re-checks access)
    sha = "9e1d5a7c3b2f40618293a4b5c6d7e8f901234567"
    assert cli("scan", small, "--no-lineage")[0] == 0
    fake_hub.requests.clear()
    code, out, err = cli("scan", f"{small}@{sha}", "--format", "json", "--no-lineage")
    assert code == 0, err
    assert fake_hub.requests == []
    assert json.loads(out)["models"][0]["source"] == "cache"


def test_unpinned_rescan_costs_one_metadata_request_and_one_access_check(
    fake_hub, cli, monkeypatch
):
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    assert cli("scan", VISION, "--no-lineage")[0] == 0
    fake_hub.requests.clear()
    assert cli("scan", VISION, "--no-lineage")[0] == 0
    # gated: the cached copy is used only after a fresh auth-check (test_gated_cache.py)
    assert [r.path for r in fake_hub.requests] == [
        f"/api/models/{VISION}",
        f"/api/models/{VISION}/auth-check",
    ]


def test_gated_repo_without_token_is_a_clear_runtime_error(fake_hub, cli):
    code, out, err = cli("scan", VISION, "--format", "json")
    assert code == 3
    assert json.loads(out)["models"] == []
    assert VISION in err and "gated" in err
    assert "Traceback" not in err


def test_token_is_sent_to_the_hub(fake_hub, cli, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    assert cli("scan", VISION, "--no-lineage")[0] == 0
    assert any(r.authorization == f"Bearer {TOKEN}" for r in fake_hub.requests)


@pytest.mark.parametrize(
    ("model", "fragment"),
    [
        ("acme/does-not-exist", "not found"),
        ("meta-llama/Llama-3.2-1B-Instruct@no-such-branch", "revision not found"),
    ],
)
def test_missing_repo_or_revision_exit_3_naming_the_model(fake_hub, cli, model, fragment):
    code, _out, err = cli("scan", model)
    assert code == 3
    assert model.split("@")[0] in err and fragment in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "bad", ["no-slash", "a/b/c", "../etc/passwd", "/abs/path", "org/na me", "org/x@"]
)
def test_malformed_model_id_is_a_usage_error(fake_hub, cli, bad):
    code, _, err = cli("scan", bad)
    assert code == 2
    assert "invalid" in err
    assert fake_hub.requests == []


def test_network_failure_is_exit_3(cli, monkeypatch):
    # Nothing listens on this port: a connection refused, reported as one line.
    from compliance.sources import hub

    monkeypatch.setattr(hub, "DEFAULT_TIMEOUT", 2.0)
    from compliance.modelid import parse_model_id
    from compliance.sources.cache import SnapshotCache

    source = hub.HubSource(SnapshotCache(), timeout=2.0, endpoint="http://127.0.0.1:9")
    from compliance.errors import NetworkError

    with pytest.raises(NetworkError) as info:
        source.fetch(parse_model_id("acme/apache-finetune"))
    assert "acme/apache-finetune" in str(info.value)

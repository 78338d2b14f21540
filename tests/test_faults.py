"""Hub faults, through the real huggingface_hub HTTP client against the fake Hub.

Every fault ends in exit 3 with one line naming the model and the cause, within the retry
budget, and never in a result that looks established. The budget and backoff are shrunk here
(COMPLIANCE_HUB_*); the defaults (10 s timeout, 30 s budget) are measured in docs/reliability.md.
"""

from __future__ import annotations

import json
import time

import pytest
from fakehub import Fault

MODEL = "acme/apache-finetune"
GATED = "acme/private-gated"
INFO = r"^/api/models/acme/apache-finetune$"
FILE = r"^/acme/apache-finetune/resolve/[0-9a-f]{40}/README\.md$"
BUDGET = 1.0


@pytest.fixture(autouse=True)
def _small_budget(monkeypatch):
    monkeypatch.setenv("COMPLIANCE_HUB_TIMEOUT", "0.3")
    monkeypatch.setenv("COMPLIANCE_HUB_RETRY_BUDGET", str(BUDGET))
    monkeypatch.setenv("COMPLIANCE_HUB_BACKOFF", "0.01")


def _scan(cli, *models: str):
    start = time.monotonic()
    code, out, err = cli("scan", *models, "--no-lineage", "--format", "json")
    return code, out, err, time.monotonic() - start


def _assert_failed(code, out, err, elapsed, *fragments: str, model: str = MODEL) -> None:
    assert code == 3, (code, err)
    doc = json.loads(out)
    assert doc["models"] == []  # no facts: nothing a policy could allow
    (error,) = doc["errors"]
    assert error["model"] == model
    lines = [line for line in err.splitlines() if line.startswith("compliance: error:")]
    assert len(lines) == 1, err
    assert model in lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in err
    assert elapsed < BUDGET + 3, elapsed


FAULTS = [
    pytest.param(Fault(status=500), ["HTTP 500", "attempts"], id="500"),
    pytest.param(Fault(status=503), ["HTTP 503", "attempts"], id="503"),
    pytest.param(Fault(status=502), ["HTTP 502"], id="502"),
    pytest.param(Fault(status=429, retry_after=3600), ["rate limited", "3600"], id="429-long"),
    pytest.param(Fault(status=429), ["rate limited"], id="429-no-retry-after"),
    pytest.param(Fault(reset=True), ["connection closed"], id="reset"),
    pytest.param(Fault(hang=3), ["timeout"], id="hang"),
    pytest.param(Fault(truncate=True), ["connection closed"], id="truncated"),
]


@pytest.mark.parametrize(("fault", "fragments"), FAULTS)
def test_model_info_fault_fails_closed(fake_hub, cli, fault, fragments):
    fake_hub.add_fault(INFO, fault)
    _assert_failed(*_scan(cli, MODEL), "model metadata", *fragments)


# A file is one GET of our own (no HEAD, no hf_hub_download): a truncated body is a failed
# attempt, retried in our loop like a truncated metadata answer.
FILE_FAULTS = FAULTS


@pytest.mark.parametrize(("fault", "fragments"), FILE_FAULTS)
def test_file_download_fault_fails_closed(fake_hub, cli, fault, fragments):
    fake_hub.add_fault(FILE, fault)
    _assert_failed(*_scan(cli, MODEL), "file README.md", *fragments)


def test_invalid_json_metadata_fails_closed(fake_hub, cli):
    fake_hub.add_fault(INFO, Fault(invalid_json=True))
    _assert_failed(*_scan(cli, MODEL), "invalid JSON")


@pytest.mark.parametrize(
    ("fault", "fragments"),
    [
        (Fault(status=401, error_code="GatedRepo"), ["gated", "no token", "HTTP 401"]),
        (Fault(status=403, error_code="GatedRepo"), ["gated", "not been granted", "HTTP 403"]),
        (Fault(status=401), ["access denied", "HTTP 401"]),
        (Fault(status=403), ["access denied", "HTTP 403"]),
        (Fault(status=404, error_code="RepoNotFound"), ["not found"]),
        (Fault(status=404), ["not found", "HTTP 404"]),
        (Fault(status=400), ["HTTP 400"]),
    ],
    ids=["401-gated", "403-gated", "401", "403", "404-repo", "404", "400"],
)
def test_permanent_metadata_errors_are_not_retried(fake_hub, cli, fault, fragments):
    fake_hub.add_fault(INFO, fault)
    code, out, err, elapsed = _scan(cli, MODEL)
    _assert_failed(code, out, err, elapsed, *fragments)
    assert len([r for r in fake_hub.requests if r.path.startswith("/api/")]) == 1


@pytest.mark.parametrize(
    ("fault", "fragments"),
    [
        (Fault(status=403, error_code="GatedRepo"), ["gated", "HTTP 403"]),
        (Fault(status=404, error_code="EntryNotFound"), ["README.md", "not found"]),
        (Fault(status=404), ["README.md", "not found"]),
        (Fault(status=401), ["access denied"]),
    ],
    ids=["403-gated", "404-entry", "404", "401"],
)
def test_permanent_file_errors_fail_closed(fake_hub, cli, fault, fragments):
    fake_hub.add_fault(FILE, fault)
    _assert_failed(*_scan(cli, MODEL), *fragments)


def test_gated_repo_auth_check_denied_without_token(fake_hub, cli):
    code, out, err, elapsed = _scan(cli, GATED)
    _assert_failed(code, out, err, elapsed, "gated", model=GATED)
    assert any(r.path.endswith("/auth-check") for r in fake_hub.requests)


def test_auth_check_hang_is_bounded(fake_hub, cli):
    fake_hub.add_fault(r"/auth-check$", Fault(hang=3))
    _assert_failed(*_scan(cli, GATED), "access check", "timeout", model=GATED)


@pytest.mark.parametrize(
    "fault",
    [Fault(status=503, times=1), Fault(reset=True, times=1), Fault(truncate=True, times=2)],
    ids=["503-once", "reset-once", "truncated-twice"],
)
def test_transient_fault_is_retried(fake_hub, cli, fault):
    fake_hub.add_fault(INFO, fault)
    code, out, err, _ = _scan(cli, MODEL)
    assert code == 0, err
    assert json.loads(out)["models"][0]["model"] == MODEL


def test_429_honours_retry_after_within_budget(fake_hub, cli, monkeypatch):
    monkeypatch.setenv("COMPLIANCE_HUB_RETRY_BUDGET", "5")
    fake_hub.add_fault(INFO, Fault(status=429, retry_after=1, times=1))
    code, _out, err, elapsed = _scan(cli, MODEL)
    assert code == 0, err
    assert elapsed >= 1.0  # waited as asked, not the 0.05 s backoff
    infos = [r for r in fake_hub.requests if r.path.startswith("/api/models/")]
    assert len(infos) == 2


def test_retry_after_beyond_budget_fails_at_once(fake_hub, cli):
    fake_hub.add_fault(INFO, Fault(status=429, retry_after=60))
    code, out, err, elapsed = _scan(cli, MODEL)
    _assert_failed(code, out, err, elapsed, "retry after 60 s", "budget")
    assert elapsed < 1.0


def test_one_failing_model_does_not_hide_the_others(fake_hub, cli):
    fake_hub.add_fault(INFO, Fault(status=503))
    code, out, err, _ = _scan(cli, MODEL, "meta-llama/Llama-3.2-1B-Instruct")
    assert code == 3
    doc = json.loads(out)
    assert [m["model"] for m in doc["models"]] == ["meta-llama/Llama-3.2-1B-Instruct"]
    assert [e["model"] for e in doc["errors"]] == [MODEL]
    assert err.count("compliance: error:") == 1


def test_hub_down_after_a_read_never_falls_back_to_cache_for_a_branch(fake_hub, cli):
    assert _scan(cli, MODEL)[0] == 0
    fake_hub.add_fault(INFO, Fault(status=503))
    _assert_failed(*_scan(cli, MODEL), "HTTP 503")


def test_pinned_revision_uses_cache_for_that_commit_only_and_says_so(fake_hub, cli):
    code, out, _, _ = _scan(cli, MODEL)
    assert code == 0
    sha = json.loads(out)["models"][0]["revision"]
    fake_hub.add_fault(r".*", Fault(status=503))
    code, out, err, _ = _scan(cli, f"{MODEL}@{sha}")
    assert code == 0, err
    (model,) = json.loads(out)["models"]
    assert model["source"] == "cache"
    assert any("local cache" in n and sha in n for n in model["notes"])
    # Another commit is not in the cache: the Hub is asked, and fails closed.
    other = "0" * 40
    _assert_failed(*_scan(cli, f"{MODEL}@{other}"), "HTTP 503", model=f"{MODEL}@{other}")


def test_a_file_answered_for_another_commit_is_refused(fake_hub, cli):
    fake_hub.add_fault(FILE, Fault(repo_commit="1" * 40))
    _assert_failed(*_scan(cli, MODEL), "README.md", "served commit 1111")


def test_offline_without_cache_is_an_error(fake_hub, cli, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    _assert_failed(*_scan(cli, MODEL), "HF_HUB_OFFLINE")
    assert fake_hub.requests == []


def test_bad_retry_settings_are_a_usage_error(fake_hub, cli, monkeypatch):
    monkeypatch.setenv("COMPLIANCE_HUB_RETRY_BUDGET", "soon")
    code, _, err = cli("scan", MODEL)
    assert code == 2
    assert "COMPLIANCE_HUB_RETRY_BUDGET" in err


# -- the check command: a fault is a deny with source-error, exit 3, never an allow ------------
@pytest.mark.parametrize(
    ("path", "fault"),
    [
        (INFO, Fault(status=503)),
        (INFO, Fault(hang=3)),
        (INFO, Fault(invalid_json=True)),
        (FILE, Fault(truncate=True)),
        (FILE, Fault(reset=True)),
        (INFO, Fault(status=403, error_code="GatedRepo")),
    ],
    ids=["503", "hang", "invalid-json", "file-truncated", "file-reset", "gated"],
)
def test_check_turns_a_fault_into_deny_and_exit_3(fake_hub, cli, path, fault):
    fake_hub.add_fault(path, fault)
    start = time.monotonic()
    code, out, err = cli("check", "--model", MODEL, "--format", "json")
    assert time.monotonic() - start < BUDGET + 3
    assert code == 3, err
    (decision,) = json.loads(out)["decisions"]
    assert decision["decision"] == "deny"
    assert decision["codes"] == ["source-error"]
    assert MODEL in err and "Traceback" not in err
    code, out, err = cli("check", "--model", MODEL)
    assert code == 3 and "allow" not in out.split("summary:")[0]

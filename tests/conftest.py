"""Test setup: a fake Hub on 127.0.0.1, started before anything imports huggingface_hub.

huggingface_hub reads HF_ENDPOINT, HF_HOME and HF_HUB_DISABLE_TELEMETRY once, at import, so
they are set here, at conftest import time. No test reaches the real Hub.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
CORPUS = REPO.parent / "shared" / "corpus"
sys.path.insert(0, str(TESTS))

from fakehub import FakeHub  # noqa: E402

_HF_HOME = tempfile.mkdtemp(prefix="compliance-hf-home-")
# Never the user's real cache: set before any test module is imported, so collection-time code,
# module-scoped fixtures and subprocesses write here too (each test still gets its own below).
# XDG_CACHE_HOME covers code that drops COMPLIANCE_CACHE_DIR and falls back to platformdirs.
_CACHE_HOME = tempfile.mkdtemp(prefix="compliance-test-cache-")
_HUB = FakeHub(TESTS / "fixtures" / "hub").start()
os.environ.update(
    {
        "HF_ENDPOINT": _HUB.url,
        "HF_HOME": _HF_HOME,
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "COMPLIANCE_CACHE_DIR": str(Path(_CACHE_HOME) / "compliance"),
        "XDG_CACHE_HOME": _CACHE_HOME,
    }
)
for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE"):
    os.environ.pop(var, None)


@pytest.fixture()
def fake_hub() -> Iterator[FakeHub]:
    """The session's fake Hub, with its request log and faults cleared around each test."""
    _HUB.clear()
    _HUB.reload()
    # Each test starts with an empty huggingface_hub download cache, so a file fault is not
    # answered from a copy an earlier test downloaded.
    shutil.rmtree(Path(_HF_HOME) / "hub", ignore_errors=True)
    yield _HUB
    # A download abandoned at the end of its budget may still be talking to the fake Hub;
    # let it finish so its requests are not counted in the next test.
    from compliance.sources.hub import wait_for_abandoned

    wait_for_abandoned()
    _HUB.clear()


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own compliance cache (the HF download cache is per session)."""
    cache = tmp_path_factory.mktemp("compliance-cache")
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(cache))
    return cache


@pytest.fixture()
def cli(capsys: pytest.CaptureFixture[str]):
    """Run the CLI in-process: cli(*args) -> (exit code, stdout, stderr)."""
    from compliance.cli.main import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def corpus_available() -> bool:
    return CORPUS.is_dir()

"""The snapshot cache: atomic, self-checking, shared safely by processes; `cache info | clear`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from compliance.sources.cache import SnapshotCache
from compliance.sources.interface import RepoFile, Snapshot

MODEL = "acme/apache-finetune"
SHA = "ab" * 20


def _snapshot(i: int = 0) -> Snapshot:
    text = f"licence text {i}\n" * 50
    return Snapshot(
        model=MODEL,
        revision=SHA,
        source="hub",
        digest=f"sha256:{i}",
        files=(RepoFile("LICENSE", text, "c" * 64, len(text)),),
        fetched_at=f"2026-01-01T00:00:{i % 60:02d}+00:00",
    )


def _entry(root: Path) -> Path:
    (path,) = (root / "snapshots").glob("*/*/*.json")
    return path


def test_put_then_get_round_trips_and_leaves_no_temp_files(tmp_path):
    cache = SnapshotCache(tmp_path)
    cache.put(_snapshot(1))
    got = cache.get(MODEL, SHA)
    assert got is not None and got.from_cache and got.files[0].text == _snapshot(1).files[0].text
    assert [p.name for p in _entry(tmp_path).parent.iterdir()] == [f"{SHA}.json"]


def test_corrupt_entries_are_dropped_and_refetched(tmp_path, caplog):
    cache = SnapshotCache(tmp_path)
    cache.put(_snapshot(1))
    path = _entry(tmp_path)
    good = path.read_text()
    for corrupt in (
        good[: len(good) // 2],  # truncated
        good.replace("licence text 1", "licence text 9"),  # edited: checksum mismatch
        "\x00\x01garbage",
        "[]",
        json.dumps({"format": 2, "sha256": "0", "snapshot": {}}),
    ):
        path.write_text(corrupt)
        assert cache.get(MODEL, SHA) is None
        assert not path.exists()  # deleted, so the next read refetches it
        cache.put(_snapshot(1))
    path.write_bytes(b"\xff\xfe not utf-8")
    assert cache.get(MODEL, SHA) is None
    assert any(
        "corrupt" in r.getMessage() or "unreadable" in r.getMessage() for r in caplog.records
    )


def test_corrupt_entry_is_refetched_from_the_hub(fake_hub, cli):
    code, out, _ = cli("scan", MODEL, "--no-lineage", "--format", "json")
    assert code == 0
    sha = json.loads(out)["models"][0]["revision"]
    root = Path(os.environ["COMPLIANCE_CACHE_DIR"])
    path = root / "snapshots" / "acme" / "apache-finetune" / f"{sha}.json"
    path.write_text(path.read_text()[:100])
    fake_hub.requests.clear()
    code, out, err = cli("scan", f"{MODEL}@{sha}", "--no-lineage", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["models"][0]["source"] == "hub"  # refetched, not trusted
    assert any(r.path.startswith("/api/models/") for r in fake_hub.requests)
    assert SnapshotCache(root).get(MODEL, sha) is not None  # and rewritten whole


def test_an_unwritable_cache_is_a_warning_not_a_failure(fake_hub, cli, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(blocker))
    code, out, err = cli("scan", MODEL, "--no-lineage", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["models"][0]["model"] == MODEL


_HAMMER = textwrap.dedent(
    """
    import logging, sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from test_cache import _snapshot, MODEL, SHA
    from compliance.sources.cache import SnapshotCache

    bad = []
    class Catch(logging.Handler):
        def emit(self, record):
            bad.append(record.getMessage())
    logging.getLogger("compliance").addHandler(Catch())
    cache = SnapshotCache(Path(sys.argv[1]))
    for i in range(int(sys.argv[2])):
        cache.put(_snapshot(i))
        got = cache.get(MODEL, SHA)
        assert got is not None and got.revision == SHA, "a reader saw no entry"
    sys.exit(1 if bad else 0)
    """
)


def test_two_processes_on_one_cache_never_corrupt_it(tmp_path):
    script = _HAMMER.format(tests=str(Path(__file__).parent))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path), "150"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    assert SnapshotCache(tmp_path).get(MODEL, SHA) is not None
    assert not list(tmp_path.rglob("*.tmp"))


def test_two_concurrent_scans_share_a_cache(fake_hub, tmp_path):
    env = dict(os.environ, COMPLIANCE_CACHE_DIR=str(tmp_path / "shared"))
    models = [MODEL, "meta-llama/Llama-3.2-1B-Instruct"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "compliance", "scan", *models, "--format", "json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        outs.append(json.loads(out))
    revisions = [[m["revision"] for m in doc["models"]] for doc in outs]
    assert revisions[0] == revisions[1]
    cache = SnapshotCache(tmp_path / "shared")
    assert cache.info().entries == 2
    for model, sha in zip(models, revisions[0], strict=True):
        assert cache.get(model, sha) is not None


def test_cache_info_and_clear(fake_hub, cli):
    code, out, _ = cli("cache", "info", "--format", "json")
    assert code == 0
    empty = json.loads(out)
    assert empty["schema"] == "compliance.cache/v1"
    assert empty["entries"] == 0 and empty["location"] == os.environ["COMPLIANCE_CACHE_DIR"]
    assert cli("scan", MODEL, "--no-lineage")[0] == 0
    code, out, _ = cli("cache", "info")
    assert code == 0
    assert "(snapshots: 1 of 1 models; facts: 1;" in out
    assert os.environ["COMPLIANCE_CACHE_DIR"] in out
    root = Path(os.environ["COMPLIANCE_CACHE_DIR"])
    keep = root / "user-file.txt"
    keep.write_text("not ours")
    code, _, err = cli("cache", "clear")
    assert code == 0 and "removed 1 file" in err
    assert keep.exists()  # only our entries are removed
    assert json.loads(cli("cache", "info", "--format", "json")[1])["entries"] == 0
    fake_hub.requests.clear()
    assert cli("scan", MODEL, "--no-lineage")[0] == 0
    # refetched after clear: fresh metadata (files at that exact commit may come from the HF cache)
    assert any(r.path.startswith("/api/models/") for r in fake_hub.requests)

"""The child processes that read a large mirror inventory ahead of the parent (run.localpool)
only ever save time: the same decisions and reports as reading in one process, the parent reads
whatever a child could not, and what a child logs reaches the parent's log."""

from __future__ import annotations

import logging
import os
import signal
from dataclasses import replace
from pathlib import Path

import pytest
from test_stream_check import TODAY, _inventory

from compliance.config import load_config
from compliance.modelid import parse_model_id
from compliance.report import CHECK_FORMATS, render_check
from compliance.run import localpool, stream
from compliance.run.check import CheckRequest, run_check
from compliance.run.localpool import LocalPool
from compliance.run.scan import Scanner
from compliance.run.stream import stream_check
from compliance.sources.mirror import MirrorSource


@pytest.fixture
def small_pool(monkeypatch):
    """A pool for a few models, and a count of the facts the children supplied."""
    monkeypatch.setattr(localpool, "MIN_MODELS", 1)
    monkeypatch.setattr(localpool, "BATCH", 4)
    monkeypatch.setattr(stream, "PARENT_FIRST", 3)
    supplied: list[str] = []
    real = LocalPool.take

    def counting(self, model):
        facts = real(self, model)
        if facts is not None:
            supplied.append(str(model))
        return facts

    monkeypatch.setattr(LocalPool, "take", counting)
    return supplied


def _in_one_process(monkeypatch, request):
    """run_check with no child process (the reference every pooled run is compared with)."""
    monkeypatch.setenv("COMPLIANCE_LOCAL_PROCESSES", "0")
    try:
        return run_check(request)
    finally:
        monkeypatch.delenv("COMPLIANCE_LOCAL_PROCESSES")


def test_decisions_and_reports_read_by_children_are_those_read_in_one_process(
    tmp_path, small_pool, monkeypatch
):
    config_path, models = _inventory(tmp_path, 30)
    request = CheckRequest(models_from=models, config=load_config(config_path), today=TODAY)
    alone = _in_one_process(monkeypatch, request)
    assert not small_pool
    for fmt in CHECK_FORMATS:
        shared = stream_check(request, keep_facts=fmt == "sarif", chunk=7)
        assert shared.decisions == alone.decisions
        assert render_check(shared, fmt) == render_check(alone, fmt)
    # the children read most models (not the first few, not the absent one, not the bases)
    assert len(set(small_pool)) >= 20
    assert "gen/absent" not in small_pool
    assert any(d.source_error for d in alone.decisions)


def _supplied_kinds(monkeypatch) -> list[str]:
    """What LocalPool.take handed over: "decision" or "facts" per model."""
    kinds: list[str] = []
    real = LocalPool.take

    def recording(self, model):
        got = real(self, model)
        if got is not None:
            kinds.append(type(got).__name__)
        return got

    monkeypatch.setattr(LocalPool, "take", recording)
    return kinds


def test_children_decide_when_no_facts_are_kept_with_the_exceptions_matched_in_them(
    tmp_path, small_pool, monkeypatch
):
    """Text, JSON and the rest need no facts: the children decide their batches. The
    exceptions a child's batch matched (gen/model-10's) are not reported as unchecked."""
    config_path, models = _inventory(tmp_path, 30)
    request = CheckRequest(models_from=models, config=load_config(config_path), today=TODAY)
    alone = _in_one_process(monkeypatch, request)
    kinds = _supplied_kinds(monkeypatch)
    shared = stream_check(request, chunk=7)
    assert shared.decisions == tuple(replace(d, facts=None) for d in alone.decisions)
    assert shared.exceptions_not_checked == alone.exceptions_not_checked
    assert [e.model for e in alone.exceptions_not_checked] == ["gen/never-named"]
    assert len(kinds) >= 20 and set(kinds) == {"Decision"}
    # SARIF keeps the facts: the children only read
    kinds.clear()
    stream_check(request, keep_facts=True, chunk=7)
    assert len(kinds) >= 20 and set(kinds) == {"ModelFacts"}


def test_a_lock_is_applied_by_the_children_as_by_the_parent(tmp_path, small_pool, monkeypatch):
    from compliance.policy.lock import build_lock, entries_from_result

    config_path, models = _inventory(tmp_path, 30)
    config = load_config(config_path)
    before = CheckRequest(models_from=models, config=config, today=TODAY)
    lock = build_lock(entries_from_result(_in_one_process(monkeypatch, before)))
    for i in (5, 11, 23):  # their terms move after locking
        card = tmp_path / "mirror" / f"gen/model-{i}" / "README.md"
        card.write_text("---\nlicense: cc-by-nc-4.0\n---\n# moved\n", encoding="utf-8")
    request = CheckRequest(models_from=models, config=config, today=TODAY, lock=lock)
    alone = _in_one_process(monkeypatch, request)
    kinds = _supplied_kinds(monkeypatch)
    shared = stream_check(request, chunk=7)
    assert set(kinds) == {"Decision"}
    assert shared.decisions == tuple(replace(d, facts=None) for d in alone.decisions)
    drifted = [
        d.model for d in shared.decisions if any(f.code == "license-drift" for f in d.findings)
    ]
    assert drifted == ["gen/model-5", "gen/model-11", "gen/model-23"]


def test_with_a_custom_pack_the_children_only_read(tmp_path, small_pool, monkeypatch):
    """A custom pack's time budget is per run: only the parent evaluates it."""
    config_path, models = _inventory(tmp_path, 20)
    pack = tmp_path / "packs"
    pack.mkdir()
    (pack / "acme.rego").write_text(
        "package compliance.acme\n\nimport rego.v1\n\n"
        'deny contains {"code": "acme-no-nc", "msg": "no nc"} if {\n'
        '  input.effective.license_key == "cc-by-nc-4.0"\n}\n',
        encoding="utf-8",
    )
    text = config_path.read_text(encoding="utf-8").replace(
        "policy:\n", "policy:\n  packs: [packs]\n", 1
    )
    config_path.write_text(text, encoding="utf-8")
    request = CheckRequest(models_from=models, config=load_config(config_path), today=TODAY)
    alone = _in_one_process(monkeypatch, request)
    kinds = _supplied_kinds(monkeypatch)
    shared = stream_check(request, chunk=7)
    assert kinds and set(kinds) == {"ModelFacts"}
    assert shared.decisions == tuple(replace(d, facts=None) for d in alone.decisions)


def _reader(mirror: Path) -> Scanner:
    return Scanner(MirrorSource(mirror), lineage=False)


def _same(facts):
    return [replace(f, fetched_at=None) for f in facts]


def test_a_killed_child_leaves_the_reading_to_the_parent(tmp_path, small_pool):
    _inventory(tmp_path, 12)
    mirror = tmp_path / "mirror"
    ids = [parse_model_id(f"gen/model-{i}") for i in range(12)]
    expected = [_reader(mirror).facts_for(m) for m in ids]
    scanner = _reader(mirror)
    assert scanner.reads_ahead(len(ids))
    scanner.read_ahead(ids)
    pool = scanner._pool
    assert pool is not None
    for process in list(pool._pool._processes.values()):
        os.kill(process.pid, signal.SIGKILL)
    try:
        got = [scanner.facts_for(m) for m in ids]
    finally:
        scanner.close()
    assert _same(got) == _same(expected)
    assert pool.broken


def test_what_a_child_logs_reaches_the_parent_log(tmp_path, small_pool, caplog):
    _inventory(tmp_path, 8)
    mirror = tmp_path / "mirror"
    ids = [parse_model_id(f"gen/model-{i}") for i in range(8)]
    expected = [_reader(mirror).facts_for(m) for m in ids]  # fills the facts cache
    cache = Path(os.environ["COMPLIANCE_CACHE_DIR"]) / "facts"
    entries = sorted(cache.glob("*/*.facts"))
    assert entries
    for entry in entries:
        entry.write_text("not an entry", encoding="utf-8")
    scanner = _reader(mirror)
    assert scanner.reads_ahead(len(ids))
    scanner.read_ahead(ids)
    pool = scanner._pool
    assert pool is not None
    with caplog.at_level(logging.WARNING, logger="compliance"):
        try:
            got = [scanner.facts_for(m) for m in ids]
            # every batch wholly taken: no result is held any more
            assert not pool._left and not pool._relogged and not pool._where
        finally:
            scanner.close()
    assert _same(got) == _same(expected)
    assert len(small_pool) == len(ids)  # read by the children, who met the damaged entries
    assert any("is corrupt" in r.getMessage() for r in caplog.records)


def test_no_pool_for_a_small_inventory_another_source_or_when_switched_off(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    source = MirrorSource(mirror)
    assert not localpool.wanted(source, None, localpool.MIN_MODELS - 1)
    assert not localpool.wanted(source, object(), localpool.MIN_MODELS)  # links to follow

    class Other(MirrorSource):
        pass

    assert not localpool.wanted(Other(mirror), None, localpool.MIN_MODELS)
    monkeypatch.setenv("COMPLIANCE_LOCAL_PROCESSES", "0")
    assert not localpool.wanted(source, None, localpool.MIN_MODELS)
    monkeypatch.delenv("COMPLIANCE_LOCAL_PROCESSES")
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not localpool.wanted(source, None, localpool.MIN_MODELS)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert localpool.wanted(source, None, localpool.MIN_MODELS)

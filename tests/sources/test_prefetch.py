"""Large cold Hub scans read models in child processes; the parent reads them with no request."""

from __future__ import annotations

import pytest

from compliance.errors import RepoNotFound
from compliance.modelid import parse_model_id
from compliance.run.scan import Scanner
from compliance.sources import prefetch
from compliance.sources.cache import SnapshotCache
from compliance.sources.hub import HubSource

MODELS = ["acme/apache-finetune", "meta-llama/Llama-3.2-1B-Instruct", "acme/does-not-exist"]


def _scan(tmp_path, name):
    source = HubSource(SnapshotCache(tmp_path / name))
    return Scanner(source, lineage=False).scan([parse_model_id(m) for m in MODELS])


@pytest.mark.slow
def test_children_fill_the_cache_and_the_parent_decides_the_same(fake_hub, tmp_path, monkeypatch):
    threads_only = _scan(tmp_path, "threads")
    monkeypatch.setattr(prefetch, "MIN_MODELS", 2)
    fake_hub.requests.clear()
    with_children = _scan(tmp_path, "children")
    # every request was made once, by a child: the parent read the cache pinned to the sha
    info = [r.path for r in fake_hub.requests if r.path.startswith("/api/models/")]
    assert sorted(info) == sorted(f"/api/models/{m}" for m in MODELS)
    for a, b in zip(threads_only, with_children, strict=True):
        assert a.model_id == b.model_id
        if a.facts is None:
            assert isinstance(b.error, RepoNotFound) and b.facts is None
            assert b.error.cause == a.error.cause
        else:
            assert b.facts is not None
            assert b.facts.revision == a.facts.revision
            assert b.facts.license == a.facts.license
            assert b.facts.effective_terms() == a.facts.effective_terms()


@pytest.mark.slow
def test_children_normalise_so_the_parent_reads_facts_from_the_cache(
    fake_hub, tmp_path, monkeypatch
):
    """The children fill the facts cache under the key the parent looks up: the parent
    normalises nothing it was given, and its facts equal a run without children."""
    import compliance.facts.normalize as normalize_module

    threads_only = _scan(tmp_path, "threads")
    monkeypatch.setattr(prefetch, "MIN_MODELS", 2)
    calls: list[str] = []
    real = normalize_module.normalize

    def counting(snapshot, **kwargs):
        calls.append(snapshot.model)
        return real(snapshot, **kwargs)

    monkeypatch.setattr(normalize_module, "normalize", counting)
    with_children = _scan(tmp_path, "children")
    assert calls == []
    for a, b in zip(threads_only, with_children, strict=True):
        if a.facts is not None:
            assert b.facts is not None
            assert b.facts.effective_terms() == a.facts.effective_terms()
            x, y = a.facts.to_json(), b.facts.to_json()
            # the parent reads the children's snapshots from the cache, and says so
            assert {k for k in x if x[k] != y.get(k)} <= {"fetched_at", "notes", "source"}

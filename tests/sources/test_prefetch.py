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


def _count_normalise(monkeypatch) -> list[str]:
    """The models normalised in this process from now on (the children's are not counted)."""
    import compliance.facts.normalize as normalize_module

    calls: list[str] = []
    real = normalize_module.normalize

    def counting(snapshot, **kwargs):
        calls.append(snapshot.model)
        return real(snapshot, **kwargs)

    monkeypatch.setattr(normalize_module, "normalize", counting)
    return calls


@pytest.mark.slow
def test_children_normalise_so_the_parent_reads_facts_from_the_cache(
    fake_hub, tmp_path, monkeypatch
):
    """The children fill the facts cache under the key the parent looks up: the parent
    normalises nothing it was given, and its facts equal a run without children."""
    threads_only = _scan(tmp_path, "threads")
    monkeypatch.setattr(prefetch, "MIN_MODELS", 2)
    calls = _count_normalise(monkeypatch)
    with_children = _scan(tmp_path, "children")
    assert calls == []
    for a, b in zip(threads_only, with_children, strict=True):
        if a.facts is not None:
            assert b.facts is not None
            assert b.facts.effective_terms() == a.facts.effective_terms()
            x, y = a.facts.to_json(), b.facts.to_json()
            # the parent reads the children's snapshots from the cache, and says so
            assert {k for k in x if x[k] != y.get(k)} <= {"fetched_at", "notes", "source"}


def _family(root):
    """Eight fine-tunes of one base, which is itself a fine-tune of a root model; a card whose
    license_link is a file of its own repo."""

    def repo(name, front):
        folder = root / name
        folder.mkdir(parents=True)
        lines = "".join(f"{k}: {v}\n" for k, v in front.items())
        (folder / "README.md").write_text(f"---\n{lines}---\n# {name}\n", encoding="utf-8")

    repo("org/root", {"license": "mit"})
    repo("org/base", {"license": "other", "license_link": "LICENSE", "base_model": "org/root"})
    (root / "org/base/LICENSE").write_text("Research use only. No commercial use.\n")
    models = [f"org/ft-{i}" for i in range(8)]
    for m in models:
        repo(m, {"license": "apache-2.0", "base_model": "org/base"})
    return models


@pytest.mark.slow
def test_children_read_the_bases_once_so_the_parent_makes_no_request(tmp_path, monkeypatch):
    """Bases named by the children's models (to the lineage depth) are read by one child each
    and normalised; the parent then reads them pinned from the caches: no request, nothing
    normalised, and the same facts (lineage included) as a scan without children."""
    from fakehub import FakeHub
    from huggingface_hub import constants

    models = [parse_model_id(m) for m in _family(tmp_path / "hub")]
    hub = FakeHub(tmp_path / "hub").start()
    monkeypatch.setattr(constants, "ENDPOINT", hub.url)
    monkeypatch.setenv("HF_ENDPOINT", hub.url)  # the children's huggingface_hub

    def scan(name):
        source = HubSource(SnapshotCache(tmp_path / name), endpoint=hub.url)
        return Scanner(source).scan(models)

    try:
        threads_only = scan("threads")
        monkeypatch.setattr(prefetch, "MIN_MODELS", 2)
        hub.requests.clear()
        real_prefetch = prefetch.prefetch

        def then_count(*args, **kwargs):
            read = real_prefetch(*args, **kwargs)
            hub.requests.clear()  # from here on, only the parent asks
            return read

        monkeypatch.setattr(prefetch, "prefetch", then_count)
        calls = _count_normalise(monkeypatch)
        with_children = scan("children")
        parent_requests = [r.path for r in hub.requests]
    finally:
        hub.stop()
    assert parent_requests == []
    assert calls == []
    for a, b in zip(threads_only, with_children, strict=True):
        assert a.facts is not None and b.facts is not None
        assert [n.model for n in b.facts.lineage] == ["org/base"]
        assert b.facts.effective_terms() == a.facts.effective_terms()
        assert b.facts.findings == a.facts.findings


def _prefetch_family(tmp_path, monkeypatch, *, lineage):
    """The family's fine-tunes prefetched by two children: what they read, and the metadata
    calls the fake Hub answered."""
    from fakehub import FakeHub

    models = [parse_model_id(m) for m in _family(tmp_path / "hub")]
    hub = FakeHub(tmp_path / "hub").start()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    try:
        settings = prefetch.HubSettings(
            str(tmp_path / "cache"), hub.url, 10.0, 30.0, 0.1, 4, facts=True, lineage=lineage
        )
        read = prefetch.prefetch(settings, models, processes=2)
        info = sorted(r.path for r in hub.requests if r.path.startswith("/api/models/"))
    finally:
        hub.stop()
    return models, read, info


@pytest.mark.slow
def test_a_base_is_read_by_one_child_only(tmp_path, monkeypatch):
    models, read, info = _prefetch_family(tmp_path, monkeypatch, lineage=True)
    assert info == sorted(f"/api/models/{m}" for m in ["org/root", "org/base", *map(str, models)])
    assert set(read.bases) == {parse_model_id("org/base"), parse_model_id("org/root")}
    assert all(isinstance(sha, str) and len(sha) == 40 for sha in read.bases.values())
    assert all(isinstance(v, str) for v in read.models.values())


@pytest.mark.slow
def test_without_lineage_the_children_read_no_base(tmp_path, monkeypatch):
    models, read, info = _prefetch_family(tmp_path, monkeypatch, lineage=False)
    assert info == sorted(f"/api/models/{m}" for m in models)
    assert read.bases == {}

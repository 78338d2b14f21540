"""Scanning: model ids -> snapshots (source, cached) -> facts -> lineage.

The optional source capabilities (compliance.sources.interface) are tested with `isinstance`.

`Scanner.scan()` never raises for one model's failure: each outcome carries either facts or
the SourceError that explains why the facts could not be established.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import SourceSpec
from ..errors import SourceError
from ..facts.model import ModelFacts
from ..modelid import ModelId
from ..sources.interface import (
    CachingSource,
    KeyedSource,
    LocalSource,
    PrefetchingSource,
    Snapshot,
    Source,
)
from .progress import Detailed, NoProgress, Progress

if TYPE_CHECKING:
    from ..facts.cache import FactsCache
    from ..sources.links import LinkFollower, LinkSettings
    from .localpool import LocalPool

log = logging.getLogger("compliance")

DEFAULT_WORKERS = 16  # cold Hub reads wait on the network; bounded so the Hub is not hammered


@dataclass(frozen=True)
class ScanOutcome:
    model_id: ModelId
    facts: ModelFacts | None
    error: SourceError | None = None

    @property
    def ok(self) -> bool:
        return self.facts is not None


def link_settings(spec: SourceSpec, source: Source) -> LinkSettings | None:
    """How a scan follows a card's license_link: from the Hub, links to other Hub repos always
    and web pages with consent; from a mirror (read offline) only with consent."""
    from ..sources.links import LinkSettings

    if spec.kind == "mirror" and not spec.fetch_links:
        return None
    root = source.cache_root if isinstance(source, CachingSource) else None
    return LinkSettings(
        fetch_web=spec.fetch_links, cache_dir=root / "links" if root is not None else None
    )


def make_source(spec: SourceSpec, *, cache_dir: Path | None = None) -> Source:
    if spec.kind == "mirror":
        from ..sources.mirror import MirrorSource

        assert spec.mirror is not None
        if not spec.mirror.is_dir():  # a wrong path, not a missing model: exit 2
            from ..errors import UsageError

            raise UsageError(f"mirror folder not found: {spec.mirror.resolve()}")
        log.info("source: mirror %s", spec.mirror.resolve())
        return MirrorSource(spec.mirror)
    from ..sources.cache import SnapshotCache
    from ..sources.hub import HubSource

    hub = HubSource(SnapshotCache(cache_dir))
    if log.isEnabledFor(logging.INFO):  # the endpoint imports huggingface_hub: only for -v
        log.info("source: hub %s (cache %s)", hub.endpoint, hub.cache_root)
    return hub


class Scanner:
    def __init__(
        self,
        source: Source,
        *,
        lineage: bool = True,
        workers: int = DEFAULT_WORKERS,
        progress: Progress | None = None,
        min_confidence: float | None = None,
        links: LinkSettings | None = None,
    ):
        self.source = source
        self.links = links  # None: a card's license_link is not followed beyond the repo
        self._follower: LinkFollower | None = None
        self.lineage = lineage
        self.min_confidence = min_confidence  # policy.min_confidence; None: the default
        self.workers = max(1, workers)
        self.progress = progress or NoProgress()
        # runtime-checkable Protocol checks cost ~10 µs each: told once, not per model
        self._detailed = self.progress if isinstance(self.progress, Detailed) else None
        self._keyed = source if isinstance(source, KeyedSource) else None
        self._local = source if isinstance(source, LocalSource) else None
        self._memo: dict[str, ModelFacts | SourceError] = {}
        self._pending: dict[str, threading.Event] = {}  # being read by another thread
        self._facts_cache: FactsCache | None = None
        self._lock = threading.Lock()
        self._pinned: dict[ModelId, ModelId] = {}  # read by a child at this commit: no request
        self._pool: LocalPool | None = None  # children reading a large mirror inventory ahead

    def facts_for(self, model: ModelId) -> ModelFacts:
        """One model's own facts (no lineage), memoised; raises SourceError. A model several
        threads want at once (a base shared by many fine-tunes) is read by one of them while
        the others wait for its result: once per run."""
        key = str(model)
        with self._lock:
            known = self._memo.get(key)
            pending = self._pending.get(key) if known is None else None
            owner = known is None and pending is None
            if owner:
                pending = self._pending[key] = threading.Event()
        if known is None and not owner:
            assert pending is not None
            pending.wait()  # the owner only reads this one model: it never waits on us
            with self._lock:
                known = self._memo.get(key)
        if known is None:  # ours to read (or the owner failed unexpectedly: read it again)
            if self._detailed is not None:
                self._detailed.model_started(key)
            try:
                try:
                    ahead = self._pool.take(model) if self._pool is not None else None
                    known = ahead if ahead is not None else self._read(model)
                except SourceError as exc:
                    known = exc
                with self._lock:
                    self._memo[key] = known
            finally:
                if owner:
                    with self._lock:
                        self._pending.pop(key, None)
                    assert pending is not None
                    pending.set()
            self.progress.model_read(key)
        if isinstance(known, SourceError):
            raise known
        return known

    def _prefetch(self, remote: list[ModelId]) -> None:
        """For a large cold Hub scan, let child processes fill the snapshot cache (one per core:
        a single process is bound by the GIL); the models they read are then read pinned to the
        commit they saw, with no request. Errors they met are kept, not retried."""
        from ..sources.prefetch import MIN_MODELS, prefetch

        if not isinstance(self.source, PrefetchingSource):
            return
        if len(remote) < MIN_MODELS or (os.cpu_count() or 1) < 2:
            return
        if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
            return
        # the children also normalise (the parent then hits the facts cache), under the same
        # min_confidence; snapshots the parent would read differently are left to it
        settings = replace(
            self.source.prefetch_settings(self.workers),
            facts=True,
            min_confidence=self.min_confidence,
            lineage=self.lineage,
        )
        read = prefetch(settings, remote)
        for model, result in read.models.items():
            if isinstance(result, SourceError):
                with self._lock:
                    self._memo[str(model)] = result
            else:
                self._pinned[model] = ModelId(model.repo_id, result)
        for base, sha in read.bases.items():  # lineage reads them pinned, as the children did
            self._pinned.setdefault(base, ModelId(base.repo_id, sha))

    def read_own(self, model: ModelId) -> ModelFacts:
        """One model's own facts (no lineage), read now: not memoised, no progress (what a
        run.localpool child does for its parent); raises SourceError."""
        return self._read(model)

    def _read(self, model: ModelId) -> ModelFacts:
        """Read the snapshot, then its facts: from the facts cache when the snapshot's content,
        the registry and the code are unchanged (see compliance.facts.cache), else normalised."""
        from ..facts.cache import FactsCache, cached_normalize

        model = self._pinned.get(model, model)
        if self._facts_cache is None:
            root = self.source.cache_root if isinstance(self.source, CachingSource) else None
            self._facts_cache = FactsCache(root)
        if self._keyed is not None and self.links is None:
            material, fetched_at, build = self._keyed.fetch_keyed(model)
        else:
            snapshot = self._follow(self.source.fetch(model))
            material, fetched_at = snapshot.key_material(), snapshot.fetched_at

            def build() -> Snapshot:
                return snapshot

        return cached_normalize(
            material,
            build,
            self._facts_cache,
            fetched_at=fetched_at,
            min_confidence=self.min_confidence,
        )

    def _follow(self, snapshot: Snapshot) -> Snapshot:
        """The snapshot with the file its card's license_link names (see sources.links)."""
        if self.links is None or "license_link" not in snapshot.card_data:
            return snapshot
        with self._lock:
            if self._follower is None:
                from ..facts.registry import load_registry
                from ..sources.links import LinkFollower

                # the registry is loaded when a link needs it, not for an in-repo path
                self._follower = LinkFollower(
                    self.links, known_link=lambda url: load_registry().by_link(url) is not None
                )
            follower = self._follower
        return follower.follow(snapshot)

    def scan_one(self, model: ModelId) -> ScanOutcome:
        """One model's outcome, read in this thread (what a run.localpool child deciding does)."""
        return self._one(model)

    def _one(self, model: ModelId) -> ScanOutcome:
        try:
            facts = self.facts_for(model)
            if self.lineage:
                from ..facts.lineage import apply_lineage

                facts = apply_lineage(facts, self.facts_for)
            return ScanOutcome(model, facts)
        except SourceError as exc:
            return ScanOutcome(model, None, exc)
        except Exception as exc:  # a strange repo must not stop the others, nor pass
            log.debug("unexpected failure reading %s", model, exc_info=True)
            error = SourceError(str(model), f"could not be read ({type(exc).__name__}: {exc})")
            return ScanOutcome(model, None, error)

    def scan(self, models: Iterable[ModelId]) -> list[ScanOutcome]:
        """Outcomes in the order given. Models the source can read without the network (a
        mirror, a pinned and cached Hub snapshot) are read in this thread: they are CPU-bound,
        and threads would only contend for the GIL. The others go to a bounded thread pool,
        at the same time."""
        ids = list(dict.fromkeys(models))  # keep order, drop repeats
        if isinstance(self.progress, Detailed):
            self.progress.begin(len(ids))
        return self._scan_ids(ids)

    def forget(self, models: Iterable[ModelId]) -> None:
        """Drop these models' memoised facts (a later read reads them again)."""
        models = list(models)
        with self._lock:
            for model in models:
                self._memo.pop(str(model), None)
        if self._pool is not None:
            self._pool.forget(models)

    def reads_ahead(self, count: int) -> bool:
        """Start child processes reading models ahead (see run.localpool) when `count` models
        of this source are worth it; whether they run."""
        from . import localpool

        if self._pool is None:
            self._pool = localpool.start(self.source, self.links, self.min_confidence, count)
        return self._pool is not None and not self._pool.broken

    def read_ahead(self, models: Iterable[ModelId]) -> None:
        """Let the children start reading these models' own facts (no-op without a pool)."""
        if self._pool is not None:
            self._pool.submit(list(models))

    def close(self) -> None:
        """End the children reading ahead, if any."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _scan_ids(self, ids: list[ModelId]) -> list[ScanOutcome]:
        if len(ids) <= 1 or self.workers == 1:
            return [self._one(m) for m in ids]
        reader = self._local
        remote = [m for m in ids if not (reader is not None and reader.is_local(m))]
        if len(remote) <= 1:
            return [self._one(m) for m in ids]
        self._prefetch(remote)
        wanted = set(remote)
        with ThreadPoolExecutor(max_workers=min(self.workers, len(remote))) as pool:
            futures = {m: pool.submit(self._one, m) for m in remote}
            local = {m: self._one(m) for m in ids if m not in wanted}
            return [futures[m].result() if m in wanted else local[m] for m in ids]

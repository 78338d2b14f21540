"""Cold Hub reads spread over processes.

A cold scan is bound by Python's GIL: one process keeps about one core busy parsing HTTP and
JSON. For a large cold scan, child processes (one per spare core) read their share of the models
into the shared on-disk snapshot cache; the parent then reads each of those snapshots pinned to
the commit the child saw, with no request. A child never decides anything: it only fills the
caches, and reports per model either the commit sha or the error that stopped it.

A child also normalises what it read into the facts cache, under the key the parent will look
up (the snapshot read back pinned, as the parent reads it): normalising is the CPU-bound half
of a cold model, and the children run it on every core while the parent would run it on one.
A snapshot the parent reads differently (a gated repo, whose access is checked afresh; a card
whose license_link the parent follows) is left for the parent to normalise.
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import errors
from ..errors import SourceError
from ..modelid import ModelId

MIN_MODELS = 64  # below this, a child's start-up (~0.3 s) costs more than it saves


@dataclass(frozen=True)
class HubSettings:
    """What a child needs to build the same HubSource (picklable; never a token)."""

    cache_root: str
    endpoint: str | None
    timeout: float
    budget: float
    backoff: float
    workers: int
    concurrency: int = 8  # requests in flight per host in one child (its share)
    reserve: int = 8  # requests all children together may have in flight (the pacer's reserve)
    facts: bool = False  # also fill the facts cache (see _fill_facts)
    min_confidence: float | None = None  # policy.min_confidence, part of the facts key


# (model id as given) -> ("ok", sha) | ("error", class name, cause)
Result = tuple[str, str] | tuple[str, str, str]


def die_with_parent() -> None:
    """In a child (pool initializer): on Linux, ask the kernel to end this process when the
    parent dies, so a killed scan never leaves readers (and the resource tracker they keep
    alive) behind."""
    import ctypes
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _fetch_share(settings: HubSettings, models: list[str]) -> dict[str, Result]:
    """In a child process: read `models` into the snapshot cache."""
    from ..modelid import parse_model_id
    from .cache import SnapshotCache
    from .hub import HubSource

    source = HubSource(
        SnapshotCache(Path(settings.cache_root)),
        endpoint=settings.endpoint,
        timeout=settings.timeout,
        retry_budget=settings.budget,
        backoff=settings.backoff,
        concurrency=settings.concurrency,
        reserve=settings.reserve,
    )

    def one(text: str) -> Result:
        try:
            model = parse_model_id(text)
            snapshot = source.fetch(model)
        except SourceError as exc:
            return ("error", type(exc).__name__, exc.cause)
        except Exception as exc:  # reported, never a pass: the parent turns it into an error
            return ("error", "SourceError", f"could not be read ({type(exc).__name__}: {exc})")
        if snapshot.revision is None:
            return ("error", "SourceError", "the Hub returned no commit sha")
        return ("ok", snapshot.revision)

    with ThreadPoolExecutor(max_workers=max(1, settings.workers)) as pool:
        results = dict(zip(models, pool.map(one, models), strict=True))
    if settings.facts:  # after the reads: CPU work in the reader threads would slow their I/O
        for text, result in results.items():
            if result[0] == "ok":
                _fill_facts(source, settings, parse_model_id(text).repo_id, result[1])
    return results


def _fill_facts(source: Any, settings: HubSettings, repo_id: str, sha: str) -> None:
    """Normalise the snapshot of repo_id@sha into the facts cache, as the parent would read it
    (pinned, from the snapshot cache, no request); anything unusual is left to the parent,
    which normalises on a cache miss, so a failure here can only cost time."""
    from ..facts.cache import FactsCache, cached_normalize

    pinned = ModelId(repo_id, sha)
    try:
        if not source.is_local(pinned):
            return
        snapshot = source.fetch(pinned)
        if snapshot.gated or "license_link" in snapshot.card_data:
            return
        cached_normalize(
            snapshot.key_material(),
            lambda: snapshot,
            FactsCache(Path(settings.cache_root)),
            fetched_at=snapshot.fetched_at,
            min_confidence=settings.min_confidence,
        )
    except Exception:  # the parent reads and normalises this model itself
        return


def _error(model: str, name: str, cause: str) -> SourceError:
    from . import hub

    cls = getattr(errors, name, None) or getattr(hub, name, None)
    if not (isinstance(cls, type) and issubclass(cls, SourceError)):
        cls = SourceError
    return cls(model, cause)


def end_children(pool: object) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    with contextlib.suppress(Exception):
        pool.shutdown(wait=False, cancel_futures=True)  # type: ignore[attr-defined]
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=5)


def prefetch(
    settings: HubSettings, models: list[ModelId], processes: int | None = None
) -> dict[ModelId, str | SourceError]:
    """Read `models` in child processes; per model its commit sha, or the error that stopped it."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    count = processes or max(1, min(os.cpu_count() or 1, 8))
    shares = [models[i::count] for i in range(count)]
    shares = [s for s in shares if s]
    # spawn, not fork: the parent may already run threads (a fork would copy their locks).
    pool = ProcessPoolExecutor(
        max_workers=len(shares), mp_context=get_context("spawn"), initializer=die_with_parent
    )
    results: dict[str, Result] = {}
    try:
        futures = [pool.submit(_fetch_share, settings, [str(m) for m in s]) for s in shares]
        for future in futures:
            results.update(future.result())
    except BaseException:
        # interrupted (SIGINT, SIGTERM) or failed: the children go now, not when they finish
        end_children(pool)
        raise
    pool.shutdown(wait=True)
    out: dict[ModelId, str | SourceError] = {}
    for model in models:
        result = results[str(model)]
        if result[0] == "ok":
            out[model] = result[1]
        else:
            out[model] = _error(str(model), result[1], result[2])  # type: ignore[misc]
    return out

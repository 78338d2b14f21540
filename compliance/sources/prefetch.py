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
whose license_link leads outside the repo, which the parent follows) is left for the parent to
normalise. A child normalises each model as soon as it is read, while its reader threads wait on
the network for the next.

The bases a normalised model names (for lineage) are read by the children too, to the lineage
depth, each by the one child that claims it first (an O_EXCL file in a folder of the run's), so
the parent finds them pinned and normalised as well: it then makes no request and never loads
the licence registry. A base a child could not read is left to the parent.
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import errors
from ..errors import SourceError
from ..modelid import ModelId

if TYPE_CHECKING:
    from ..facts.model import ModelFacts

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
    lineage: bool = False  # with facts: also read the bases the models name (for lineage)
    claims: str | None = None  # a folder where children claim the bases they read


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


def _claim(settings: HubSettings, ident: str) -> bool:
    """Whether this child is the first to claim base `ident` (case-insensitive) in this run."""
    import hashlib

    if settings.claims is None:
        return False
    name = hashlib.sha256(ident.lower().encode("utf-8")).hexdigest()
    try:
        os.close(os.open(os.path.join(settings.claims, name), os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:  # claimed by another child (or the folder is gone): not ours to read
        return False
    return True


def _fetch_share(
    settings: HubSettings, models: list[str], wanted: frozenset[str] = frozenset()
) -> tuple[dict[str, Result], dict[str, str]]:
    """In a child process: read `models` into the snapshot cache (and, with settings.facts,
    normalise each into the facts cache; with settings.lineage too, then read the bases they
    name that no one else has claimed and that are not in `wanted`, the whole inventory). Per
    model its Result; per base read, its commit sha."""
    from concurrent.futures import FIRST_COMPLETED, wait

    from ..facts.lineage import DEFAULT_MAX_DEPTH
    from ..modelid import is_valid_repo_id, parse_model_id
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

    results: dict[str, Result] = {}
    bases: dict[str, str] = {}
    seen = {m.lower() for m in wanted} | {m.lower() for m in models}
    with ThreadPoolExecutor(max_workers=max(1, settings.workers)) as pool:
        # (model or base, lineage depth: 0 for the inventory's own models)
        running = {pool.submit(one, m): (m, 0) for m in models}
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                text, depth = running.pop(future)
                result = future.result()
                if depth == 0:
                    results[text] = result
                elif result[0] == "ok":
                    bases[text] = result[1]
                if not settings.facts or result[0] != "ok":
                    continue
                # normalised here, in the child's main thread, while its readers wait on I/O
                facts = _fill_facts(source, settings, parse_model_id(text).repo_id, result[1])
                if facts is None or settings.claims is None or depth >= DEFAULT_MAX_DEPTH:
                    continue
                for ref in facts.base_models:
                    ident = ref.model
                    if not is_valid_repo_id(ident) or ident.lower() in seen:
                        continue
                    seen.add(ident.lower())
                    if _claim(settings, ident):
                        running[pool.submit(one, ident)] = (ident, depth + 1)
    return results, bases


def _fill_facts(source: Any, settings: HubSettings, repo_id: str, sha: str) -> ModelFacts | None:
    """Normalise the snapshot of repo_id@sha into the facts cache, as the parent would read it
    (pinned, from the snapshot cache, no request), and return its facts; anything unusual is
    left to the parent (None), which normalises on a cache miss, so a failure here can only
    cost time."""
    from ..facts.cache import FactsCache, cached_normalize
    from .links import read_with_repo

    pinned = ModelId(repo_id, sha)
    try:
        if not source.is_local(pinned):
            return None
        snapshot = source.fetch(pinned)
        if snapshot.gated or not read_with_repo(snapshot):
            return None
        return cached_normalize(
            snapshot.key_material(),
            lambda: snapshot,
            FactsCache(Path(settings.cache_root)),
            fetched_at=snapshot.fetched_at,
            min_confidence=settings.min_confidence,
        )
    except Exception:  # the parent reads and normalises this model itself
        return None


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


@dataclass(frozen=True)
class Prefetched:
    """Per model its commit sha or the error that stopped it; per base the children read (for
    lineage, see _fetch_share) its commit sha."""

    models: dict[ModelId, str | SourceError]
    bases: dict[ModelId, str]


def prefetch(
    settings: HubSettings, models: list[ModelId], processes: int | None = None
) -> Prefetched:
    """Read `models` (and, with settings.facts and settings.lineage, their bases) in child
    processes."""
    import shutil
    import tempfile
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    count = processes or max(1, min(os.cpu_count() or 1, 8))
    shares = [models[i::count] for i in range(count)]
    shares = [s for s in shares if s]
    bases_too = settings.facts and settings.lineage
    claims = tempfile.mkdtemp(prefix="compliance-claims-") if bases_too else None
    settings = replace(settings, claims=claims)
    wanted = frozenset(str(m) for m in models)
    # spawn, not fork: the parent may already run threads (a fork would copy their locks).
    pool = ProcessPoolExecutor(
        max_workers=len(shares), mp_context=get_context("spawn"), initializer=die_with_parent
    )
    results: dict[str, Result] = {}
    bases: dict[str, str] = {}
    try:
        futures = [pool.submit(_fetch_share, settings, [str(m) for m in s], wanted) for s in shares]
        for future in futures:
            share, read = future.result()
            results.update(share)
            bases.update(read)
    except BaseException:
        # interrupted (SIGINT, SIGTERM) or failed: the children go now, not when they finish
        end_children(pool)
        raise
    finally:
        if claims is not None:
            shutil.rmtree(claims, ignore_errors=True)
    pool.shutdown(wait=True)
    out: dict[ModelId, str | SourceError] = {}
    for model in models:
        result = results[str(model)]
        if result[0] == "ok":
            out[model] = result[1]
        else:
            out[model] = _error(str(model), result[1], result[2])  # type: ignore[misc]
    return Prefetched(out, {ModelId(base): sha for base, sha in bases.items()})

"""`stream_check`: `run_check` for a large inventory, in bounded memory.

The Hub models are scanned, evaluated and decided a chunk at a time (the policy engine, the
alternatives' ranking and the bases read for lineage are shared by all chunks), and each
decision keeps its facts only when asked (`keep_facts`: the SARIF report names each model's
licence from them). The result is the one `run_check` returns, decision for decision and in
the same order: every decision depends on its own subject alone (exceptions and the lock are
per model), and the exceptions no chunk checked are the ones no model named.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..frozen import replaced
from ..modelid import ModelId
from ..policy.decision import CheckResult, Decision, Subject
from .check import CheckRequest, check_subjects, resolved_config
from .progress import Detailed

if TYPE_CHECKING:
    from ..config import Config
    from ..policy.engine import PolicyEngine
    from ..policy.lock import Lock
    from .localpool import DecideSettings, LocalPool
    from .progress import Progress

CHUNK = 2000  # models whose facts are held at once
AHEAD = 2  # chunks read ahead by child processes, when a pool runs
PARENT_FIRST = 1000  # ~ what the parent reads in the time the children take to start


class _BegunOnce:
    """A Detailed progress told the total once: each chunk's scan begins again."""

    def __init__(self, inner: Detailed, total: int):
        self.inner = inner
        inner.begin(total)

    def begin(self, total: int) -> None:
        return None

    def model_started(self, model: str) -> None:
        self.inner.model_started(model)

    def model_read(self, model: str) -> None:
        self.inner.model_read(model)


class Decider:
    """Decides chunks of subjects with one policy engine (made when first needed, as
    check_subjects would) and one alternatives finder."""

    def __init__(self, config: Config, today: dt.date, lock: Lock | None, alternatives: bool):
        self.config = config
        self.today = today
        self.lock = lock
        self.engine: PolicyEngine | None = None
        self.finder: Any = None
        if alternatives:
            from .alternatives import Alternatives

            self.finder = Alternatives(config)
        self.not_checked = list(config.exceptions)  # narrowed by every chunk

    def decide(self, subjects: Sequence[Subject]) -> tuple[Decision, ...]:
        decisions, matched = self.decide_matching(subjects)
        self.matched(matched)
        return decisions

    def decide_matching(
        self, subjects: Sequence[Subject]
    ) -> tuple[tuple[Decision, ...], frozenset[int]]:
        """The subjects' decisions, and the exceptions they matched (indices into
        config.exceptions); what is not checked is left as it was."""
        if self.engine is None and any(s.facts is not None and s.error is None for s in subjects):
            from ..fileio import default_cache_dir
            from ..policy.engine import PolicyEngine

            self.engine = PolicyEngine.from_config(self.config, result_cache=default_cache_dir())
        part = check_subjects(
            subjects, self.config, today=self.today, engine=self.engine, lock=self.lock
        )
        if self.finder is not None:
            part = self.finder.apply(part)
        left = {id(e) for e in part.exceptions_not_checked}
        matched = frozenset(i for i, e in enumerate(self.config.exceptions) if id(e) not in left)
        return part.decisions, matched

    def matched(self, indices: set[int] | frozenset[int]) -> None:
        """These exceptions (indices into config.exceptions) were matched elsewhere."""
        chosen = {id(e) for i, e in enumerate(self.config.exceptions) if i in indices}
        self.not_checked = [e for e in self.not_checked if id(e) not in chosen]

    def close(self) -> None:
        if self.engine is not None:
            self.engine.close()


def _deciding_pool(
    scanner: Any, count: int, decide: DecideSettings, keep_facts: bool
) -> LocalPool | None:
    """Child processes that read and decide this inventory's models ahead (see run.localpool),
    when no facts are kept and only the built-in rules run."""
    from . import localpool

    if keep_facts or decide.config.policy.packs:
        return None
    source = getattr(scanner, "source", None)
    if source is None:  # a stand-in scanner: no pool
        return None
    return localpool.start(source, scanner.links, scanner.min_confidence, count, decide)


def _decided(
    part: Sequence[ModelId],
    pool: LocalPool,
    decider: Decider,
    scanner: Any,
    where: dict[str, Any],
    progress: Progress | None,
) -> list[Decision]:
    """The chunk's decisions in order: the children's, and the parent's own for the models a
    child could not read cleanly (or all of them, when the pool broke)."""
    from .subjects import outcome_subjects

    taken = [pool.take(m) for m in part]
    if progress is not None:
        detailed = progress if isinstance(progress, Detailed) else None
        for model, decision in zip(part, taken, strict=True):
            if decision is not None:
                if detailed is not None:
                    detailed.model_started(str(model))
                progress.model_read(str(model))
    missing = [m for m, d in zip(part, taken, strict=True) if d is None]
    own = iter(decider.decide(outcome_subjects(scanner.scan(missing), where)) if missing else ())
    return [d if d is not None else next(own) for d in taken]


def stream_check(
    request: CheckRequest,
    progress: Progress | None = None,
    *,
    keep_facts: bool = False,
    chunk: int = CHUNK,
) -> CheckResult:
    """What `run_check(request, progress)` returns, read and decided `chunk` models at a time;
    without `keep_facts` the decisions carry no facts (`Decision.facts` is None)."""
    from .subjects import collect, outcome_subjects, scanner_for, where_named

    if request.empty:
        raise UsageError("nothing to check: give PATH..., --model ID or --models-from FILE")
    config = resolved_config(request)
    lock = request.lock
    lock_file = [lock] if isinstance(lock, Path) else []
    if isinstance(lock, Path):  # read first: a missing or broken lock is exit 2 before any request
        from ..policy.lock import read_lock

        lock = read_lock(lock)
    wanted, others = collect(
        request.paths,
        request.models,
        request.models_from,
        config,
        exclude=[*lock_file, *request.exclude],
    )
    today = request.today or dt.date.today()
    decider = Decider(config, today, lock, request.alternatives)
    decisions: list[Decision] = []

    def keep(part: Sequence[Decision]) -> None:
        decisions.extend(part if keep_facts else (replaced(d, facts=None) for d in part))

    try:
        if wanted:
            ids = [mid for mid, _ in wanted]
            if isinstance(progress, Detailed):  # told the whole count once, not per chunk
                progress = _BegunOnce(progress, len(ids))
            scanner = scanner_for(config, progress)
            where = where_named(wanted)
            size = max(1, chunk)
            parts = [ids[start : start + size] for start in range(0, len(ids), size)]
            # children read (or read and decide) the chunks after this one: see run.localpool
            from .localpool import DecideSettings

            deciding = _deciding_pool(
                scanner,
                len(ids),
                DecideSettings(config, today, lock, request.alternatives),
                keep_facts,
            )
            ahead = AHEAD if deciding is not None or scanner.reads_ahead(len(ids)) else 0

            def read_ahead(models: Sequence[ModelId]) -> None:
                if deciding is not None:
                    deciding.submit(models, where)
                else:
                    scanner.read_ahead(models)

            if ahead:  # the parent reads the first models itself while the children start
                read_ahead(parts[0][PARENT_FIRST:])
            # The cyclic collector, triggered by allocations, would walk the growing list of
            # decisions (never garbage) again and again: it runs once per chunk instead, on
            # what the chunk left (what stays is frozen out of its reach).
            collecting = gc.isenabled()
            gc.disable()
            gc.freeze()  # what start-up built (modules, config) is walked by no collection
            try:
                for index, part in enumerate(parts):
                    for later in parts[index + 1 : index + 1 + ahead]:
                        read_ahead(later)
                    if deciding is not None:
                        keep(_decided(part, deciding, decider, scanner, where, progress))
                    else:
                        keep(decider.decide(outcome_subjects(scanner.scan(part), where)))
                    # this chunk's own facts are no longer needed (bases read for lineage stay)
                    scanner.forget(part)
                    gc.collect()
                    gc.freeze()
            finally:
                gc.unfreeze()
                if collecting:
                    gc.enable()
                scanner.close()
                if deciding is not None:
                    deciding.close()
                    decider.matched(deciding.matched)
        if others or not wanted:
            keep(decider.decide(others))
    finally:
        decider.close()
    return CheckResult(
        tuple(decisions),
        tuple(decider.not_checked),
        today,
        today_overridden=request.today is not None,
    )

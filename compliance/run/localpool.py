"""A large mirror inventory read on every core.

A warm `check` of a large mirror inventory is bound by one core: every model's files are
statted, its facts found in the facts cache and decoded. For MIN_MODELS mirror models or more,
child processes (one per core) read models' own facts (no lineage: the parent applies it with
the bases it reads once) through the same Scanner code, a batch at a time, and send them back
while the parent decides the previous chunk (run.stream asks for the next chunks ahead).

When the check keeps no facts and runs only the built-in rules (no custom packs, whose time
budgets are per run), the children go further: each batch is read with lineage, decided (policy,
exceptions, lock, alternatives: every decision depends on its own model alone) and sent back as
decisions without facts, with the exceptions the batch matched. A decision is a fraction of a
model's facts to send, and the parent is left to collect, order and report.

The pool can only save time. A model a child could not read cleanly (any error, any surprise)
is read again by the parent, which then reports exactly what it always did; a pool that breaks
(a child killed, a start-up failure) is abandoned and the parent reads whatever is left itself.
A model whose read failed in a child is read and decided by the parent, so every error is
the parent's own. What a child logs is logged again by the parent, through its
own handler (formatted and escaped as every log line is).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..modelid import ModelId

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ..config import Config
    from ..policy.decision import Location
    from ..policy.lock import Lock

log = logging.getLogger("compliance")

MIN_MODELS = 4000  # below this, starting the children (~0.3 s each) costs more than it saves
BATCH = 200  # models per task: small enough to spread evenly, large enough to amortise a task
MAX_PROCESSES = 8


@dataclass(frozen=True)
class DecideSettings:
    """What a child needs to decide models as the parent's stream_check would (picklable)."""

    config: Config
    today: dt.date
    lock: Lock | None
    alternatives: bool


@dataclass(frozen=True)
class ReaderSettings:
    """What a child needs to read models as the parent's Scanner would (picklable)."""

    mirror: str
    min_confidence: float | None
    log_level: int
    decide: DecideSettings | None = None  # None: send each model's own facts


# (per model its own facts or its decision, None where the parent reads and decides it itself;
# with decisions, the indices of the config's exceptions the batch matched; the log records)
BatchResult = tuple[list[Any], frozenset[int], list[tuple[int, str]]]

_reader: Any = None  # in a child: its Scanner
_decider: Any = None  # in a child deciding: its run.stream.Decider
_records: list[tuple[int, str]] = []  # in a child: what it logged during the current batch


class _Collect(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            _records.append((record.levelno, record.getMessage()))


def _start(settings: ReaderSettings) -> None:
    """Pool initializer: the child's Scanner, and its logging collected for the parent."""
    global _reader, _decider
    from ..sources.mirror import MirrorSource
    from ..sources.prefetch import die_with_parent
    from .scan import Scanner

    die_with_parent()
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(_Collect())
    root.setLevel(settings.log_level)
    deciding = settings.decide
    _reader = Scanner(
        MirrorSource(Path(settings.mirror)),
        lineage=deciding is not None,  # its memo keeps the bases it read once
        workers=1,
        min_confidence=settings.min_confidence,
    )
    if deciding is not None:
        from .stream import Decider

        _decider = Decider(deciding.config, deciding.today, deciding.lock, deciding.alternatives)
    # as in run.stream: the collector runs once per batch, on what the batch left
    gc.freeze()
    gc.disable()


def _read_batch(models: list[ModelId]) -> BatchResult:
    """In a child: each model's own facts, or None where anything went wrong (the parent then
    reads it, and meets the same error itself)."""
    _records.clear()
    out: list[Any] = []
    for model in models:
        try:
            out.append(_reader.read_own(model))
        except Exception:
            out.append(None)
    return _batch_done(out, frozenset())


def _batch_done(out: list[Any], matched: frozenset[int]) -> BatchResult:
    """In a child, at a batch's end: the file index written, the batch's garbage collected."""
    with contextlib.suppress(Exception):
        _reader.source.flush_index()  # a child ends without running exit handlers
    gc.collect()
    gc.freeze()  # what stays (bases, memos) is not walked again
    return out, matched, list(_records)


def _decide_batch(models: list[ModelId], where: Mapping[str, tuple[Location, ...]]) -> BatchResult:
    """In a child: each model's decision (without facts), as the parent would decide it; None
    for a model that could not be read cleanly (or for all, on any surprise): the parent reads
    and decides those itself."""
    from ..frozen import replaced
    from .subjects import outcome_subjects

    _records.clear()
    out: list[Any] = [None] * len(models)
    matched: frozenset[int] = frozenset()
    try:
        outcomes = [_reader.scan_one(m) for m in models]
        clean = [i for i, o in enumerate(outcomes) if o.facts is not None and o.error is None]
        subjects = outcome_subjects([outcomes[i] for i in clean], where)
        decisions, matched = _decider.decide_matching(subjects)
        for i, decision in zip(clean, decisions, strict=True):
            out[i] = replaced(decision, facts=None)
    except Exception:
        log.debug("a batch could not be decided here; the parent decides it", exc_info=True)
        out, matched = [None] * len(models), frozenset()
    _reader.forget(models)  # the bases read for lineage stay
    return _batch_done(out, matched)


def wanted(source: Any, links: Any, count: int) -> bool:
    """Whether reading `count` models of `source` is worth a pool: a plain mirror (a subclass
    may read differently), no links to follow, enough models, and a spare core."""
    from ..sources.mirror import MirrorSource

    if type(source) is not MirrorSource or links is not None or count < MIN_MODELS:
        return False
    if os.environ.get("COMPLIANCE_LOCAL_PROCESSES", "").strip() == "0":
        return False
    return (os.cpu_count() or 1) >= 2


def start(
    source: Any,
    links: Any,
    min_confidence: float | None,
    count: int,
    decide: DecideSettings | None = None,
) -> LocalPool | None:
    """A pool reading (with `decide`: reading and deciding) `count` models of `source`, when
    one is worth it (see `wanted`) and can start; None: the parent does the work."""
    import pickle

    if not wanted(source, links, count):
        return None
    settings = ReaderSettings(
        mirror=str(source.root),
        min_confidence=min_confidence,
        log_level=logging.getLogger().getEffectiveLevel(),
        decide=decide,
    )
    try:
        if decide is not None:
            pickle.dumps(settings)  # a config or lock a child cannot be sent: no pool
        return LocalPool(settings)
    except Exception as exc:  # no processes here: the parent reads
        log.info("local read pool not started (%s)", exc)
        return None


class LocalPool:
    """Child processes reading mirror models' own facts ahead of the parent."""

    def __init__(self, settings: ReaderSettings, processes: int | None = None):
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        count = processes or max(1, min(os.cpu_count() or 1, MAX_PROCESSES))
        # spawn, not fork: the parent holds threads, SQLite connections and a policy engine
        self._pool: Any = ProcessPoolExecutor(
            max_workers=count,
            mp_context=get_context("spawn"),
            initializer=_start,
            initargs=(settings,),
        )
        self._where: dict[ModelId, tuple[Future[BatchResult], int]] = {}
        # per batch not yet wholly taken: how many of its models are still to be taken (a
        # batch's result is dropped with its last model, so memory stays bounded)
        self._left: dict[Future[BatchResult], int] = {}
        self._relogged: set[Future[BatchResult]] = set()
        self.broken = False
        self.deciding = settings.decide is not None
        self.matched: set[int] = set()  # exceptions matched by the batches taken (deciding)

    def submit(
        self,
        models: Sequence[ModelId],
        where: Mapping[str, tuple[Location, ...]] | None = None,
    ) -> None:
        """Start reading (deciding: with `where` each model is named) these models, each one not
        already asked for."""
        if self.broken:
            return
        fresh = [m for m in dict.fromkeys(models) if m not in self._where]
        try:
            for start in range(0, len(fresh), BATCH):
                batch = fresh[start : start + BATCH]
                if self.deciding:
                    assert where is not None
                    named = {str(m): where[str(m)] for m in batch}
                    future = self._pool.submit(_decide_batch, batch, named)
                else:
                    future = self._pool.submit(_read_batch, batch)
                self._left[future] = len(batch)
                for i, model in enumerate(batch):
                    self._where[model] = (future, i)
        except Exception as exc:  # the pool could not take work: the parent reads
            self._abandon(exc)

    def take(self, model: ModelId) -> Any:
        """The model's own facts as a child read them, or its decision (deciding), waiting for
        its batch; None: not asked for, not read cleanly, or the pool broke (the parent reads
        it itself)."""
        entry = self._where.pop(model, None)
        if entry is None or self.broken:
            return None
        future, index = entry
        try:
            items, matched, records = future.result()
        except Exception as exc:  # a child died or could not start
            self._abandon(exc)
            return None
        if future not in self._relogged:  # the batch's first model taken
            self._relogged.add(future)
            self.matched |= matched
            for level, message in records:
                log.log(level, "%s", message)
        self._done_with(future)
        return items[index]

    def forget(self, models: Sequence[ModelId]) -> None:
        for model in models:
            entry = self._where.pop(model, None)
            if entry is not None:
                self._done_with(entry[0])

    def _done_with(self, future: Future[BatchResult]) -> None:
        """One more model of this batch taken or forgotten; the last one lets it go."""
        left = self._left.get(future, 1) - 1
        if left > 0:
            self._left[future] = left
        else:
            self._left.pop(future, None)
            self._relogged.discard(future)

    def _abandon(self, exc: BaseException) -> None:
        log.info("local read pool stopped (%s); reading in this process", exc)
        self.broken = True
        self._where.clear()
        self._left.clear()
        self._relogged.clear()
        self.close()

    def close(self) -> None:
        """End the children now (also on an interrupt): nothing they still do is needed."""
        from ..sources.prefetch import end_children

        end_children(self._pool)

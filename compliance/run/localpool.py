"""A large mirror inventory read on every core.

A warm `check` of a large mirror inventory is bound by one core: every model's files are
statted, its facts found in the facts cache and decoded. For MIN_MODELS mirror models or more,
child processes (one per core) read models' own facts (no lineage: the parent applies it with
the bases it reads once) through the same Scanner code, a batch at a time, and send them back
while the parent decides the previous chunk (run.stream asks for the next chunks ahead).

The pool can only save time. A model a child could not read cleanly (any error, any surprise)
is read again by the parent, which then reports exactly what it always did; a pool that breaks
(a child killed, a start-up failure) is abandoned and the parent reads whatever is left itself.
A child never decides anything. What a child logs is logged again by the parent, through its
own handler (formatted and escaped as every log line is).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..facts.model import ModelFacts
from ..modelid import ModelId

log = logging.getLogger("compliance")

MIN_MODELS = 4000  # below this, starting the children (~0.3 s each) costs more than it saves
BATCH = 200  # models per task: small enough to spread evenly, large enough to amortise a task
MAX_PROCESSES = 8


@dataclass(frozen=True)
class ReaderSettings:
    """What a child needs to read models as the parent's Scanner would (picklable)."""

    mirror: str
    min_confidence: float | None
    log_level: int


# (facts or None: the parent reads that model itself, the log records the batch produced)
BatchResult = tuple[list[ModelFacts | None], list[tuple[int, str]]]

_reader: Any = None  # in a child: its Scanner
_records: list[tuple[int, str]] = []  # in a child: what it logged during the current batch


class _Collect(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            _records.append((record.levelno, record.getMessage()))


def _start(settings: ReaderSettings) -> None:
    """Pool initializer: the child's Scanner, and its logging collected for the parent."""
    global _reader
    from ..sources.mirror import MirrorSource
    from ..sources.prefetch import die_with_parent
    from .scan import Scanner

    die_with_parent()
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(_Collect())
    root.setLevel(settings.log_level)
    _reader = Scanner(
        MirrorSource(Path(settings.mirror)),
        lineage=False,
        workers=1,
        min_confidence=settings.min_confidence,
    )
    # as in run.stream: the collector runs once per batch, on what the batch left
    gc.freeze()
    gc.disable()


def _read_batch(models: list[ModelId]) -> BatchResult:
    """In a child: each model's own facts, or None where anything went wrong (the parent then
    reads it, and meets the same error itself)."""
    _records.clear()
    out: list[ModelFacts | None] = []
    for model in models:
        try:
            out.append(_reader.read_own(model))
        except Exception:
            out.append(None)
    with contextlib.suppress(Exception):
        _reader.source.flush_index()  # a child ends without running exit handlers
    gc.collect()
    return out, list(_records)


def wanted(source: Any, links: Any, count: int) -> bool:
    """Whether reading `count` models of `source` is worth a pool: a plain mirror (a subclass
    may read differently), no links to follow, enough models, and a spare core."""
    from ..sources.mirror import MirrorSource

    if type(source) is not MirrorSource or links is not None or count < MIN_MODELS:
        return False
    if os.environ.get("COMPLIANCE_LOCAL_PROCESSES", "").strip() == "0":
        return False
    return (os.cpu_count() or 1) >= 2


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

    def submit(self, models: Sequence[ModelId]) -> None:
        """Start reading these models (each one not already asked for)."""
        if self.broken:
            return
        fresh = [m for m in dict.fromkeys(models) if m not in self._where]
        try:
            for start in range(0, len(fresh), BATCH):
                batch = fresh[start : start + BATCH]
                future = self._pool.submit(_read_batch, batch)
                self._left[future] = len(batch)
                for i, model in enumerate(batch):
                    self._where[model] = (future, i)
        except Exception as exc:  # the pool could not take work: the parent reads
            self._abandon(exc)

    def take(self, model: ModelId) -> ModelFacts | None:
        """The model's own facts as a child read them (waiting for its batch), or None: not
        asked for, not read cleanly, or the pool broke (the parent reads it itself)."""
        entry = self._where.pop(model, None)
        if entry is None or self.broken:
            return None
        future, index = entry
        try:
            facts, records = future.result()
        except Exception as exc:  # a child died or could not start
            self._abandon(exc)
            return None
        if future not in self._relogged:
            self._relogged.add(future)
            for level, message in records:
                log.log(level, "%s", message)
        self._done_with(future)
        return facts[index]

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

"""`run_check(request) -> CheckResult`: one whole `compliance check`, callable from Python.

    from compliance.run import CheckRequest, run_check
    result = run_check(CheckRequest(paths=("deploy/",), lock=Path("compliance.lock")))
    raise SystemExit(result.exit_code("deny"))

Order: the lock is read first (a missing or broken lock fails before any request), then the
subjects are gathered and scanned, the policy evaluates their facts, and `policy.decide`
turns rule hits, exceptions and lock drift into decisions. `check_subjects` is the same
without gathering, for callers that already hold facts, scan outcomes or Subjects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SourceError, UsageError
from ..facts.model import ModelFacts
from ..policy.decision import CheckResult, Subject

if TYPE_CHECKING:
    from ..config import Config
    from ..policy.engine import PolicyEngine, RuleHit
    from ..policy.lock import Lock
    from .progress import Progress


@dataclass(frozen=True)
class CheckRequest:
    """What to check. `config` None: ./compliance.yaml when present, else the defaults.
    `lock`: a Lock, or the path of a lock file to read (`check --locked`); None: no lock."""

    paths: Sequence[str] = ()
    models: Sequence[str] = ()
    models_from: Path | None = None
    config: Config | None = None
    today: dt.date | None = None
    lock: Lock | Path | None = None
    exclude: Sequence[Path] = ()  # files never read as model references (a lock being written)
    alternatives: bool = True  # suggest allowed catalogue models for each denied one

    @property
    def empty(self) -> bool:
        return not (self.paths or self.models or self.models_from)


def resolved_config(request: CheckRequest) -> Config:
    if request.config is not None:
        return request.config
    from ..config import load_config

    return load_config(None)


def run_check(request: CheckRequest, progress: Progress | None = None) -> CheckResult:
    """Gather, scan and decide the request's models; the lock (if any) applied."""
    from .subjects import gather

    if request.empty:
        raise UsageError("nothing to check: give PATH..., --model ID or --models-from FILE")
    config = resolved_config(request)
    lock = request.lock
    lock_file = [lock] if isinstance(lock, Path) else []
    if isinstance(lock, Path):  # read first: a missing or broken lock is exit 2 before any request
        from ..policy.lock import read_lock

        lock = read_lock(lock)
    subjects = gather(
        request.paths,
        request.models,
        request.models_from,
        config,
        progress=progress,
        exclude=[*lock_file, *request.exclude],
    )
    result = check_subjects(subjects, config, today=request.today, lock=lock)
    if not request.alternatives:
        return result
    from .alternatives import with_alternatives

    return with_alternatives(result, config)


def as_subject(item: Any) -> Subject:
    """A Subject from a Subject, a ModelFacts, or a scan outcome (`.model_id`, `.facts`,
    `.error`)."""
    if isinstance(item, Subject):
        return item
    if isinstance(item, ModelFacts):
        return Subject(item.model, item.revision, facts=item)
    if hasattr(item, "model_id") and hasattr(item, "facts"):  # run.scan.ScanOutcome
        mid = item.model_id
        facts = item.facts
        if facts is not None:
            return Subject(facts.model, facts.revision, facts=facts)
        error = getattr(item, "error", None)
        if error is None:
            error = SourceError(str(mid), "no facts and no error from the scanner")
        return Subject(mid.repo_id, mid.revision, error=error)
    raise TypeError(f"cannot check {type(item).__name__}")


def check_subjects(
    items: Iterable[Any],
    config: Config,
    *,
    today: dt.date | None = None,
    engine: PolicyEngine | None = None,
    lock: Lock | None = None,
) -> CheckResult:
    """Decide each item (see `as_subject`) against the configuration's policy, exceptions and,
    when given, the lock."""
    from ..policy.decide import decide

    subjects = [as_subject(item) for item in items]
    evaluated = [s.facts for s in subjects if s.facts is not None and s.error is None]
    own_engine = engine is None and bool(evaluated)
    if own_engine:
        from ..fileio import default_cache_dir
        from ..policy.engine import PolicyEngine

        engine = PolicyEngine.from_config(config, result_cache=default_cache_dir())
    try:
        hits_by_id: dict[int, list[RuleHit]] = {}
        if evaluated:
            assert engine is not None
            all_hits = engine.evaluate_facts_many(evaluated)
            hits_by_id = {id(f): h for f, h in zip(evaluated, all_hits, strict=True)}
    finally:
        if own_engine and engine is not None:
            engine.close()
    hits = [
        hits_by_id.get(id(s.facts)) if s.facts is not None and s.error is None else None
        for s in subjects
    ]
    result = decide(subjects, hits, config, today or dt.date.today(), lock)
    if today is None:
        return result
    from dataclasses import replace

    return replace(result, today_overridden=True)

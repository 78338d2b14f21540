"""The application layer: the only place where the stages meet, callable from Python.

    from compliance.run import CheckRequest, run_check
    result = run_check(CheckRequest(paths=["deploy/"]))

`run_check` -> CheckResult, `run_audit` -> AuditReport, `run_lock` -> LockRun. The CLI is a
thin layer over these; `check_subjects` decides facts you already hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .check import CheckRequest, check_subjects, run_check

if TYPE_CHECKING:
    from .audit import run_audit
    from .lock import LockRun, run_lock

__all__ = ["CheckRequest", "LockRun", "check_subjects", "run_audit", "run_check", "run_lock"]


def __getattr__(name: str) -> Any:  # audit and lock load only when asked for (hook speed)
    if name == "run_audit":
        from .audit import run_audit

        return run_audit
    if name in ("run_lock", "LockRun"):
        from . import lock

        return getattr(lock, name)
    raise AttributeError(name)

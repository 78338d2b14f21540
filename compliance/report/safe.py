"""A report that survives one model's data: when rendering fails, the entries that fail alone
are replaced by an error row naming the model and the error, and the rest are rendered as usual.

A failure that no single entry explains (the report itself) is raised as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

log = logging.getLogger("compliance.report")

RENDER_ERROR = "render-error"


def error_entry(entry: Any, fmt: str, exc: BaseException) -> Any:
    """The entry as a row that says it could not be rendered (its decision kept)."""
    from .audit import AuditEntry, LicenseView
    from .views import FindingView

    cause = f"{type(exc).__name__}: {_safe_str(exc)}"[:300]
    message = (
        f"this model's data could not be rendered in the {fmt} report ({cause});"
        " its decision stands; see `compliance explain` for its facts"
    )
    return AuditEntry(
        model=_safe_str(entry.model),
        revision=entry.revision if isinstance(entry.revision, str) else None,
        decision=entry.decision if entry.decision in ("allow", "warn", "deny") else "deny",
        findings=(FindingView(RENDER_ERROR, "deny", message),),
        license=LicenseView(),
        facts=None,
        fact_rows=(),
        lineage=(),
        obligations=(),
        exceptions=(),
        locations=(),
        read_at=None,
        source=None,
        source_error=bool(entry.source_error),
    )


def _safe_str(value: Any) -> str:
    try:
        return str(value)
    except Exception:
        return "<unprintable>"


def render_each_safely(report: Any, fmt: str, render: Callable[[Any, str], str]) -> str:
    try:
        return render(report, fmt)
    except Exception as whole:
        entries = []
        failed = 0
        for entry in report.entries:
            try:
                render(replace(report, entries=(entry,)), fmt)
                entries.append(entry)
            except Exception as exc:
                failed += 1
                log.warning("%s: could not be rendered in %s: %s", entry.model, fmt, exc)
                entries.append(error_entry(entry, fmt, exc))
        if not failed:
            raise whole
        return render(replace(report, entries=tuple(entries)), fmt)


def error_decision(decision: Any, fmt: str, exc: BaseException) -> Any:
    """A check decision reduced to what any format can print: model, decision, places, and a
    finding that says its data could not be rendered."""
    from ..policy.decision import DecidedFinding, Decision

    cause = f"{type(exc).__name__}: {_safe_str(exc)}"[:300]
    verdict = decision.decision if decision.decision in ("allow", "warn", "deny") else "deny"
    return Decision(
        _safe_str(decision.model),
        decision.revision if isinstance(decision.revision, str) else None,
        verdict,
        (
            DecidedFinding(
                RENDER_ERROR,
                verdict if verdict != "allow" else "info",
                f"this model's data could not be rendered in the {fmt} output ({cause});"
                " its decision stands; see `compliance explain`",
            ),
        ),
        locations=tuple(decision.locations),
        kind=decision.kind if isinstance(decision.kind, str) else "hf-repo",
        source_error=bool(decision.source_error),
    )


def render_check_safely(result: Any, fmt: str, render: Callable[[Any, str], str]) -> str:
    """As render_each_safely, for a check result's decisions."""
    try:
        return render(result, fmt)
    except Exception as whole:
        decisions = []
        failed = 0
        for d in result.decisions:
            try:
                render(replace(result, decisions=(d,)), fmt)
                decisions.append(d)
            except Exception as exc:
                failed += 1
                log.warning("%s: could not be rendered in %s: %s", d.model, fmt, exc)
                decisions.append(error_decision(d, fmt, exc))
        if not failed:
            raise whole
        return render(replace(result, decisions=tuple(decisions)), fmt)

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
    """The audit in `fmt`; an entry that cannot be rendered becomes an error row."""
    return _render_items_safely(report, "entries", fmt, render, error_entry)


def _render_items_safely(
    whole: Any,
    field: str,
    fmt: str,
    render: Callable[[Any, str], str],
    on_error: Callable[[Any, str, BaseException], Any],
) -> str:
    """`render(whole, fmt)`; when that fails, each item of `whole.<field>` is tried alone and
    the ones that fail are replaced by `on_error(item, fmt, exc)` (one model's data never takes
    down the output). A failure no single item explains is raised as it was."""
    try:
        return render(whole, fmt)
    except Exception as failure:
        items = []
        failed = 0
        for item in getattr(whole, field):
            try:
                render(replace(whole, **{field: (item,)}), fmt)
                items.append(item)
            except Exception as exc:
                failed += 1
                log.warning("%s: could not be rendered in %s: %s", item.model, fmt, exc)
                items.append(on_error(item, fmt, exc))
        if not failed:
            raise failure
        return render(replace(whole, **{field: tuple(items)}), fmt)


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
    """The check result in `fmt`; a decision that cannot be rendered gets a render-error finding."""
    return _render_items_safely(result, "decisions", fmt, render, error_decision)

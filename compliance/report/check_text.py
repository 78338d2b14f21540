"""`check` text output: one line per place a model is named, then its findings and evidence."""

from __future__ import annotations

import textwrap

from ..policy.decision import CheckResult, Decision
from .escape import text_field as F
from .escape import text_output


def _header(d: Decision) -> str:
    name = f"{d.model}@{d.revision[:12]}" if d.revision else d.model
    codes = f" ({', '.join(d.codes)})" if d.codes else ""
    return f"{name}: {d.decision}{codes}"


def render_text(result: CheckResult) -> str:
    lines: list[str] = []
    for d in result.decisions:
        head = _header(d)
        if d.locations:
            lines.extend(f"{F(loc)}: {head}" for loc in d.locations)
        else:
            lines.append(head)
        for f in d.findings:
            label = "waived" if f.waived else f.severity
            lines.append(f"  {label:<6} {f.code}: {F(f.message)}")
            if f.waived_by is not None:
                e = f.waived_by
                lines.append(
                    f"         by exception at {F(e.where)}: {F(e.reason)} (approved by"
                    f" {F(e.approved_by)}, expires {e.expires.isoformat()})"
                )
            for ev in f.evidence[:3]:
                where = f"{ev.file}:{ev.line}" if ev.line else ev.file
                owner = f"{ev.model}: " if ev.model else ""
                quote = F(" ".join(ev.quote.split()))
                # wrapped, never cut: the operative words may come at the end of the clause
                lines.extend(
                    textwrap.wrap(
                        f"evidence: {F(owner)}{F(where)}: {quote}",
                        width=100,
                        initial_indent=" " * 9,
                        subsequent_indent=" " * 13,
                        break_long_words=False,
                        break_on_hyphens=False,
                    )
                )
        alternatives = getattr(d, "alternatives", ())
        if alternatives:
            listed = ", ".join(a.label for a in alternatives)
            lines.append(f"  instead of {F(d.model)} ({', '.join(d.codes)}): {listed}")
    s = result.summary
    parts = [f"{s['models']} model{'s' if s['models'] != 1 else ''}"]
    parts.append(f"{s['deny']} deny, {s['warn']} warn, {s['allow']} allow")
    if s["exceptions_applied"]:
        parts.append(f"{s['exceptions_applied']} exception(s) applied")
    if s["source_errors"]:
        parts.append(f"{s['source_errors']} could not be read")
    if lines:
        lines.append("")
    lines.append("summary: " + "; ".join(parts))
    if getattr(result, "date_note", None):
        lines.append(f"note: {result.date_note}")
    for e in result.exceptions_not_checked:
        lines.append(
            f"note: the exception at {e.where} for {e.model} was not used: the model was not"
            " checked in this run"
        )
    return text_output("\n".join(lines) + "\n")

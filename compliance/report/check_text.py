"""`check` text output: what blocks first (deny, then warn, then allow), one line per place a model
is named, then its findings and evidence; the summary line last.

What is shown is decided by small helpers, kept apart from how a line is written: `ordered`
(deny, warn, allow), `shown_findings` (info only with -v; with -q only what blocks) and `paint`
(colour by decision, only when asked for). Every string a publisher or a config wrote goes through
`F` (control characters shown, line breaks folded); the whole text through `guard_lines` (no line
can start a GitHub workflow command). Our own colour codes are added after that escaping."""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from ..policy import findings as codes
from ..policy.decision import CheckResult, DecidedFinding, Decision
from .escape import guard_lines
from .escape import text_field as F


@dataclass(frozen=True)
class TextOptions:
    verbose: int = 0  # >= 1: info findings too
    quiet: bool = False  # only blocking lines: no allow, no evidence, no summary
    color: bool = False  # ANSI colours (the CLI decides: a TTY, NO_COLOR, --color)
    fail_on: str = "deny"  # what blocks: deny | warn | never


_COLOURS = {"deny": "31", "warn": "33", "allow": "32"}  # red, yellow, green
_ORDER = {"deny": 0, "warn": 1, "allow": 2}


def ordered(decisions: Iterable[Decision]) -> list[Decision]:
    """Deny first, then warn, then allow; the run's order within each (stable)."""
    return sorted(decisions, key=lambda d: _ORDER.get(d.decision, 0))


def blocks(level: str, fail_on: str) -> bool:
    """Whether a decision or finding at `level` blocks under --fail-on."""
    if fail_on == "never" or level not in codes.SEVERITY_RANK:
        return False
    return codes.SEVERITY_RANK[level] >= codes.SEVERITY_RANK[fail_on]


def shown_findings(d: Decision, options: TextOptions) -> list[DecidedFinding]:
    if options.quiet:
        return [f for f in d.findings if not f.waived and blocks(f.severity, options.fail_on)]
    if options.verbose >= 1:
        return list(d.findings)
    return [f for f in d.findings if f.waived or f.severity != codes.INFO]


def paint(text: str, level: str, options: TextOptions) -> str:
    code = _COLOURS.get(level)
    if not options.color or code is None:
        return text
    return f"\033[{code}m{text}\033[0m"


def _header(d: Decision, codes: str, options: TextOptions) -> str:
    name = F(f"{d.model}@{d.revision[:12]}" if d.revision else d.model)
    reasons = f" ({codes})" if codes else ""
    return f"{name}: {paint(d.decision, d.decision, options)}{reasons}"


def _evidence_lines(f: DecidedFinding) -> list[str]:
    out: list[str] = []
    for ev in f.evidence[:3]:
        out.extend(_evidence_text(ev.model, ev.file, ev.line, ev.quote))
    return out


# Many models quote the same licence clause: each distinct evidence is escaped and wrapped once
# (bounded, so a huge inventory of distinct quotes cannot grow it; typed, as 1 and True print
# differently).
@functools.lru_cache(maxsize=4096, typed=True)
def _evidence_text(model: str | None, file: str, line: int | None, quote: str) -> tuple[str, ...]:
    where = f"{file}:{line}" if line else file
    owner = f"{model}: " if model else ""
    # wrapped, never cut: the operative words may come at the end of the clause
    return tuple(
        textwrap.wrap(
            f"evidence: {F(owner)}{F(where)}: {F(' '.join(quote.split()))}",
            width=100,
            initial_indent=" " * 9,
            subsequent_indent=" " * 13,
            break_long_words=False,
            break_on_hyphens=False,
        )
    )


def render_text(result: CheckResult, options: TextOptions | None = None) -> str:
    options = options or TextOptions()
    lines: list[str] = []
    # A large inventory's denied models share a few alternatives tuples (the finder's memo):
    # each is listed once. Keyed by id: the result keeps every tuple alive during this call.
    listed_by_id: dict[int, str] = {}
    for d in ordered(result.decisions):
        if options.quiet and not blocks(d.decision, options.fail_on):
            continue
        codes = ", ".join(d.codes)  # a sort: once per decision, for the header and alternatives
        head = _header(d, codes, options)
        if d.locations:
            lines.extend(f"{F(loc)}: {head}" for loc in d.locations)
        else:
            lines.append(head)
        for f in shown_findings(d, options):
            label = "waived" if f.waived else f.severity
            lines.append(f"  {paint(f'{label:<6}', label, options)} {f.code}: {F(f.message)}")
            if options.quiet:
                continue
            if f.waived_by is not None:
                e = f.waived_by
                lines.append(
                    f"         by exception at {F(e.where)}: {F(e.reason)} (approved by"
                    f" {F(e.approved_by)}, expires {e.expires.isoformat()})"
                )
            lines.extend(_evidence_lines(f))
        alternatives = getattr(d, "alternatives", ())
        if alternatives and not options.quiet:
            listed = listed_by_id.get(id(alternatives))
            if listed is None:
                listed = ", ".join(F(a.label) for a in alternatives)
                listed_by_id[id(alternatives)] = listed
            lines.append(f"  instead of {F(d.model)} ({codes}): {listed}")
    if options.quiet:
        return guard_lines("\n".join(lines) + "\n") if lines else ""
    for e in result.exceptions_not_checked:
        lines.append(
            f"note: the exception at {F(e.where)} for {F(e.model)} was not used: the model was"
            " not checked in this run"
        )
    if getattr(result, "date_note", None):
        lines.append(f"note: {F(result.date_note)}")
    if lines:
        lines.append("")
    lines.append(_summary(result, options))  # always the last line
    return guard_lines("\n".join(lines) + "\n")


def _summary(result: CheckResult, options: TextOptions) -> str:
    s = result.summary
    parts = [f"{s['models']} model{'s' if s['models'] != 1 else ''}"]
    counts = [paint(f"{s[k]} {k}", k, options) if s[k] else f"{s[k]} {k}" for k in _COLOURS]
    parts.append(", ".join(counts))
    if s["exceptions_applied"]:
        parts.append(f"{s['exceptions_applied']} exception(s) applied")
    if s["source_errors"]:
        parts.append(f"{s['source_errors']} could not be read")
    return "summary: " + "; ".join(parts)

"""`audit --format markdown`: the legal review as Markdown (GitHub-flavoured tables).

Every untrusted string goes through compliance.report.escape: `cell` for text (inline Markdown
and HTML escaped, one line, pipes escaped so tables keep their shape), `_code` for code spans
(a fence no backtick inside can close), and only http(s) URLs become links.
"""

from __future__ import annotations

from typing import Any

from .audit import OBLIGATION_TITLES, AuditEntry, AuditReport
from .escape import markdown_code, markdown_text, safe_url

DECISION_MARK = {"allow": "✅ allow", "warn": "⚠️ warn", "deny": "⛔ deny"}


def cell(text: object) -> str:
    """Untrusted text as literal Markdown, safe inside a table cell: one line, markup and HTML
    escaped, pipes escaped."""
    return markdown_text(text)


def _code(text: str) -> str:
    return markdown_code(text)


def _link(url: str) -> str:
    safe = safe_url(url)
    return f"<{safe}>" if safe else f"{cell(url)} (not a web address: not linked)"


def render_markdown(report: AuditReport) -> str:
    out: list[str] = []
    counts = report.counts
    out.append("# Model licence audit")
    out.append("")
    out.append(
        f"Generated {report.generated_at} by compliance {report.tool_version}"
        + (f" with config {_code(str(report.config))}" if report.config else "")
        + "."
    )
    out.append(
        f"{len(report.entries)} model(s): {counts['allow']} allow, {counts['warn']} warn,"
        f" {counts['deny']} deny. Fails on: {report.fail_on}. Exit code {report.exit_code}."
    )
    if report.date_note:
        out.append("")
        out.append(f"**Note: {cell(report.date_note)}**")
    out.append("")
    out.append("## Summary")
    out.append("")
    out.append("| Model | Revision | Licence | Decision |")
    out.append("|---|---|---|---|")
    for e in report.entries:
        out.append(
            f"| [{cell(e.model)}](#{e.anchor}) | {_code(e.short_revision)}"
            f" | {cell(e.license.label)}"
            f" | {DECISION_MARK.get(e.decision, e.decision)} |"
        )
    for e in report.entries:
        out.append("")
        out.extend(_entry(e))
    return "\n".join(out).rstrip() + "\n"


def _entry(e: AuditEntry) -> list[str]:
    out = [f'<a id="{e.anchor}"></a>', "", f"## {cell(e.model)}", ""]
    out.append(f"**Decision: {DECISION_MARK.get(e.decision, e.decision)}**")
    out.append("")
    out.append(f"- Revision: {_code(e.revision_label)}")
    if e.hub_url:
        out.append(f"- Hub: {_link(e.hub_url)}")
    out.append(
        f"- Read at: {cell(e.read_at or 'unknown')}"
        + (f" (from {cell(e.source)})" if e.source else "")
    )
    lic = e.license
    lic_text = (
        cell(lic.label)
        + (f" — {cell(lic.name)}" if lic.name else "")
        + (f" {_link(lic.url)}" if lic.url else "")
    )
    out.append(f"- Licence: {lic_text} (class {lic.license_class})")
    if e.review_note:
        out.append(f"- Not reviewed: {cell(e.review_note)}")
    if e.locations:
        out.append("- Named at: " + ", ".join(_named_at(loc, e.model) for loc in e.locations))
    out.append("")
    out.append("### Findings")
    out.append("")
    if e.findings:
        for f in e.findings:
            out.append(f"- **{f.label}** `{f.code}`: {cell(f.message)}")
            if f.waived_by is not None:
                x = f.waived_by
                out.append(
                    f"  - waived by the exception at {_code(x.where or 'config')}:"
                    f" {cell(x.reason)} (approved by {cell(x.approved_by)},"
                    f" expires {cell(x.expires or 'never')})"
                )
            for ev in f.evidence:
                out.append(f"  - {cell(_where(ev.file, ev.line, ev.model))}: “{cell(ev.quote)}”")
    else:
        out.append("None.")
    if e.alternatives:
        out.append("")
        out.append("### Allowed instead")
        out.append("")
        out.append(
            "Catalogue models of the same modality and a similar size that the policy allows:"
        )
        out.append("")
        for a in e.alternatives:
            out.append(f"- {_code(a.model)} ({cell(a.line_name)}, licence {_code(a.license)})")
    out.append("")
    out.append("### Facts")
    out.append("")
    if e.fact_rows:
        out.append("| Fact | Value | Evidence |")
        out.append("|---|---|---|")
        for row in e.fact_rows:
            evidence = "<br>".join(
                f"{_code(_where(ev.file, ev.line, ev.model))} “{cell(ev.quote)}”"
                for ev in row.evidence
            )
            out.append(f"| {cell(row.label)} | {cell(row.value)} | {evidence or '—'} |")
    else:
        out.append("No facts: the model could not be read.")
    out.append("")
    out.append("### Lineage")
    out.append("")
    if e.lineage:
        out.append(f"- {cell(e.model)} ({cell(lic.key)})")
        for line in e.lineage:
            out.append("  " * line.depth + f"- {cell(line)}")
    else:
        out.append("No base model declared." if e.facts else "Unknown.")
    out.append("")
    out.append("### Obligations")
    out.append("")
    if e.obligations:
        for o in e.obligations:
            value = f" — {_code(o.value)}" if o.value else ""
            out.append(f"- [ ] **{OBLIGATION_TITLES[o.kind]}**: {cell(o.text)}{value}")
    else:
        out.append("None stated by the licence.")
    out.append("")
    out.append("### Exceptions applied")
    out.append("")
    if e.exceptions:
        out.append("| Waived | Reason | Approved by | Expires | Where |")
        out.append("|---|---|---|---|---|")
        for x in e.exceptions:
            out.append(
                f"| {cell(', '.join(x.waived or x.rules) or 'all')} | {cell(x.reason)}"
                f" | {cell(x.approved_by)} | {cell(x.expires or 'never')}"
                f" | {cell(x.where or '—')} |"
            )
    else:
        out.append("None.")
    if e.expired_exceptions:
        out.append("")
        out.append("### Exceptions expired")
        out.append("")
        out.append("These waive nothing; the findings they covered stand.")
        out.append("")
        out.append("| Rules | Reason | Approved by | Expired | Where |")
        out.append("|---|---|---|---|---|")
        for x in e.expired_exceptions:
            out.append(
                f"| {cell(', '.join(x.rules) or 'all')} | {cell(x.reason)}"
                f" | {cell(x.approved_by)} | {cell(x.expires or '—')} | {cell(x.where or '—')} |"
            )
    return out


def _named_at(loc: Any, model: str) -> str:
    """`file:line`, and the reference as written there when it was mapped to another id."""
    raw = getattr(loc, "raw", None)
    text = _code(str(loc))
    if raw and raw.strip() != model:
        text += f" as {_code(raw.strip())}"
    return text


def _where(file: str, line: int | None, model: str | None) -> str:
    place = f"{file}:{line}" if line else file
    return f"{model}: {place}" if model else place

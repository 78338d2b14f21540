"""`shortlist --format text|json|markdown|html`: the catalogue's release lines decided for the
organisation, with the licence record (and the text it was read from) behind every row.

Pure functions of a `compliance.run.shortlist.Shortlist`; the HTML uses the audit's stylesheet.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .markdown import DECISION_MARK, cell

if TYPE_CHECKING:
    from ..run.shortlist import Shortlist, ShortlistRow

SHORTLIST_FORMATS = ("text", "json", "markdown", "html")


def render_shortlist(shortlist: Shortlist, fmt: str) -> str:
    if fmt == "text":
        return render_text(shortlist)
    if fmt == "json":
        from . import to_json_text

        return to_json_text(shortlist.to_json())
    if fmt == "markdown":
        return render_markdown(shortlist)
    if fmt == "html":
        return render_html(shortlist)
    raise ValueError(f"unknown shortlist format {fmt!r}")


def licence_label(row: ShortlistRow) -> str:
    if row.license is None:
        return "no licence record (unknown)"
    return f"{row.license} ({row.license_class})"


def publisher_label(row: ShortlistRow) -> str:
    return f"{row.publisher}, {row.country or 'country unknown'}"


def terms_label(row: ShortlistRow) -> str:
    return (
        f"commercial {row.commercial_use}; caps {row.caps_label}; territory"
        f" {row.territory_label}; outputs {row.output_training}"
    )


def source_label(row: ShortlistRow) -> str:
    src = row.licence_source
    if src is None:
        return f"line: {row.line_source}"
    return f"{src.record}, read from {src.where}"


def _filters(shortlist: Shortlist) -> str:
    f = shortlist.filters
    parts = []
    if f.get("modality"):
        parts.append(f"modality {f['modality']}")
    if f.get("max_params"):
        from ..run.shortlist import human_params

        parts.append(f"at most {human_params(f['max_params'])} parameters")
    if f.get("allowed_only"):
        parts.append("allowed only")
    return ", ".join(parts) or "none"


def _heading(shortlist: Shortlist) -> list[str]:
    c = shortlist.counts
    return [
        f"Model families for: {shortlist.organisation.label}",
        f"Catalogue as of {shortlist.as_of} ({shortlist.catalogue});"
        f" filters: {_filters(shortlist)}",
        f"{len(shortlist.rows)} of {shortlist.total_rows} rows: {c['allow']} allow,"
        f" {c['warn']} warn, {c['deny']} deny",
    ]


def render_text(shortlist: Shortlist) -> str:
    lines = _heading(shortlist)
    for r in shortlist.rows:
        codes = f" ({', '.join(r.codes)})" if r.codes else ""
        lines.append("")
        lines.append(f"{r.decision:<5} {r.line_name} [{r.size_label}] {r.modality}{codes}")
        lines.append(f"      {publisher_label(r)}; licence {licence_label(r)}")
        lines.append(f"      {terms_label(r)}")
        for old in r.relicensed:
            lines.append(f"      revisions {old}")
        lines.append(f"      source: {source_label(r)}")
    return "\n".join(lines) + "\n"


def render_markdown(shortlist: Shortlist) -> str:
    out = ["# Model family shortlist", ""]
    out.extend(f"{line}  " for line in _heading(shortlist))
    out.append("")
    out.append(
        "| Decision | Line | Publisher | Sizes | Modality | Licence | Commercial | Caps"
        " | Territory | Outputs | Licence source |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in shortlist.rows:
        decision = DECISION_MARK.get(r.decision, r.decision)
        if r.codes:
            decision += " (" + ", ".join(r.codes) + ")"
        out.append(
            "| "
            + " | ".join(
                cell(x)
                for x in (
                    decision,
                    r.line_name,
                    publisher_label(r),
                    r.size_label,
                    r.modality,
                    licence_label(r) + "".join(f"; revisions {o}" for o in r.relicensed),
                    r.commercial_use,
                    r.caps_label,
                    r.territory_label,
                    r.output_training,
                    source_label(r),
                )
            )
            + " |"
        )
    return "\n".join(out) + "\n"


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("compliance.report", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_html(shortlist: Shortlist) -> str:
    template = _environment().get_template("shortlist.html.j2")
    text: str = template.render(
        shortlist=shortlist,
        heading=_heading(shortlist),
        licence_label=licence_label,
        publisher_label=publisher_label,
        source_label=source_label,
    )
    return text

"""`audit --format html`: one self-contained HTML file (inline CSS, no scripts, no fetches).

Untrusted text is autoescaped, control characters are shown as escapes, only http(s) URLs
become links, and a Content-Security-Policy meta tag forbids scripts and fetches outright.

Rendered from jinja2 templates in compliance/report/templates/ with autoescaping; readable on
screen and printed (@media print: one model per page, table headers repeated).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .audit import OBLIGATION_TITLES, AuditReport
from .escape import safe_url, text_block
from .views import short_rev


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("compliance.report", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        finalize=_visible_controls,
    )


def _visible_controls(value: Any) -> Any:
    """Every value printed into the page: control characters shown (Markup is our own)."""
    import markupsafe

    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return text_block(value)
    return value


def _where(ev: Any) -> str:
    place = f"{ev.file}:{ev.line}" if ev.line else ev.file
    return f"{ev.model}: {place}" if ev.model else place


def render_html(report: AuditReport) -> str:
    template = _environment().get_template("audit.html.j2")
    text: str = template.render(
        report=report,
        counts=report.counts,
        titles=OBLIGATION_TITLES,
        short_rev=short_rev,
        where=_where,
        link=safe_url,
    )
    return text

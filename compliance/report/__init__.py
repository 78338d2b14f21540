"""Report formats: one module per format over frozen inputs (see interface.py).

`check` formats: sarif, github (over a CheckResult). `audit` formats: markdown, html, json, spdx
(over an AuditReport built by interface.build_audit).
"""

from __future__ import annotations

from typing import Any

CHECK_FORMATS = ("sarif", "github")
AUDIT_FORMATS = ("markdown", "html", "json", "spdx")


def render_check(result: Any, fmt: str) -> str:
    """`check --format sarif|github` output for a CheckResult (text ending in a newline)."""
    if fmt == "sarif":
        import json

        from .. import __version__
        from .sarif import render_sarif

        return (
            json.dumps(render_sarif(result, tool_version=__version__), indent=2, ensure_ascii=False)
            + "\n"
        )
    if fmt == "github":
        from .github import render_github

        return render_github(result)
    raise ValueError(f"unknown check format {fmt!r}")


def render_audit(report: Any, fmt: str) -> str:
    """`audit --format ...` output for an AuditReport."""
    if fmt == "markdown":
        from .markdown import render_markdown

        return render_markdown(report)
    if fmt == "html":
        from .html import render_html

        return render_html(report)
    if fmt == "json":
        from .json_report import render_json

        return render_json(report)
    if fmt == "spdx":
        from .spdx import render_spdx

        return render_spdx(report)
    raise ValueError(f"unknown audit format {fmt!r}")

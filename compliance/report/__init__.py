"""Report formats: one module per format over frozen inputs (see interface.py).

`check` formats: text, json, sarif, github (over a CheckResult). `audit` formats: markdown,
html, json, spdx, cyclonedx, spdx3
(over an AuditReport built by audit.build_audit). The schema names of every
machine output are in schemas.py. Each renderer is imported only when its format is asked for.
"""

from __future__ import annotations

import json
from typing import Any

CHECK_FORMATS = ("text", "json", "sarif", "github")
AUDIT_FORMATS = ("markdown", "html", "json", "spdx", "cyclonedx", "spdx3")


def to_json_text(payload: dict[str, Any]) -> str:
    """A machine document as the CLI prints it: indented, UTF-8, ending in a newline."""
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def render_check(result: Any, fmt: str, text_options: Any = None) -> str:
    """`check --format ...` output for a CheckResult (text ending in a newline). One model's
    data never fails the whole output: its decision is printed with a render-error finding.
    `text_options`: a check_text.TextOptions (verbosity, quiet, colour) for the text format."""
    from .safe import render_check_safely

    return render_check_safely(result, fmt, lambda r, f: _render_check(r, f, text_options))


def _render_check(result: Any, fmt: str, text_options: Any = None) -> str:
    if fmt == "text":
        from .check_text import render_text

        return render_text(result, text_options)
    if fmt == "json":
        return to_json_text(result.to_json())
    if fmt == "sarif":
        from .. import __version__
        from .sarif import render_sarif

        return to_json_text(render_sarif(result, tool_version=__version__))
    if fmt == "github":
        from .github import render_github

        return render_github(result)
    raise ValueError(f"unknown check format {fmt!r}")


def render_audit(report: Any, fmt: str, *, spec_version: str | None = None) -> str:
    """`audit --format ...` output for an AuditReport (`spec_version`: CycloneDX only). One
    model's data never fails the whole report: an entry that a format cannot render becomes an
    error row (compliance.report.safe)."""
    from .safe import render_each_safely

    return render_each_safely(
        report, fmt, lambda r, f: _render_audit(r, f, spec_version=spec_version)
    )


def _render_audit(report: Any, fmt: str, *, spec_version: str | None = None) -> str:
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
    if fmt == "cyclonedx":
        from .cyclonedx import DEFAULT_SPEC_VERSION, render_cyclonedx

        return render_cyclonedx(report, spec_version or DEFAULT_SPEC_VERSION)
    if fmt == "spdx3":
        from .spdx3 import render_spdx3

        return render_spdx3(report)
    raise ValueError(f"unknown audit format {fmt!r}")

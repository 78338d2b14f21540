"""`check --format github`: GitHub Actions workflow commands, one annotation per finding.

    ::error file=compliance.yaml,line=12,title=eu-restricted::meta-llama/...: message

Escaping follows the runner (actions/toolkit `command.ts`): in the message `%`, CR and LF are
percent-encoded; in property values `:` and `,` are too. A model named on the command line has
no file, so its annotations carry no `file=` (they show on the run, not on a line). A finding an
exception waived becomes a notice that names the exception.
"""

from __future__ import annotations

from ..policy.decision import Location
from .escape import text_block
from .interface import CheckResultLike
from .views import exception_of, is_waived, locations_of

COMMAND = {"deny": "error", "warn": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    encoded = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text_block(encoded)  # other control characters shown, never run by the log viewer


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(kind: str, message: str, **props: str | int | None) -> str:
    parts = [
        f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None and v != ""
    ]
    head = f"::{kind}" + (" " + ",".join(parts) if parts else "")
    return f"{head}::{escape_data(message)}"


def render_github(result: CheckResultLike) -> str:
    """One workflow command per finding and place the model is named; a final notice counts."""
    lines: list[str] = []
    counts = {"allow": 0, "warn": 0, "deny": 0}
    for decision in result.decisions:
        counts[decision.decision] = counts.get(decision.decision, 0) + 1
        places = locations_of(decision) or (Location(None),)
        rev = f"@{decision.revision}" if decision.revision else ""
        for finding in decision.findings:
            kind = COMMAND.get(finding.severity, "error")
            message = finding.message
            if is_waived(finding):  # visible, never blocking
                x = exception_of(getattr(finding, "waived_by", None))
                kind = "notice"
                message += (
                    f" [waived: {x.reason}; approved by {x.approved_by},"
                    f" expires {x.expires or 'never'}]"
                )
            for loc in places:
                lines.append(
                    annotation(
                        kind,
                        f"{decision.model}{rev} ({decision.decision}): {message}",
                        file=loc.file,
                        line=loc.line if loc.file else None,
                        title=finding.code,
                    )
                )
    note = getattr(result, "date_note", None)
    if note:
        lines.append(annotation("warning", note, title="compliance --today"))
    total = sum(counts.values())
    lines.append(
        annotation(
            "notice",
            f"compliance: {total} model(s): {counts['allow']} allow, {counts['warn']} warn,"
            f" {counts['deny']} deny",
            title="compliance check",
        )
    )
    return "\n".join(lines) + "\n"

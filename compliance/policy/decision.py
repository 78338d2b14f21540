"""What a check decides on and what it decides: Subject in, Decision and CheckResult out.

Frozen dataclasses only; `compliance.policy.decide` makes decisions, `compliance.run.check`
runs a whole check, `compliance.report` renders the result. A result knows its exit code: 3
when a model could not be read, 1 when a decision reaches `fail_on`, else 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import ExitCode, SourceError
from ..facts.model import Evidence, Finding, ModelFacts
from ..report.schemas import CHECK as SCHEMA
from . import findings as F

if TYPE_CHECKING:
    from ..config import ExceptionSpec

DECISIONS = ("allow", "warn", "deny")
FAIL_ON = ("deny", "warn", "never")  # never: report only; a model not read is still 3


@dataclass(frozen=True)
class Location:
    """A place a model is named: a config file and line; `file` None = the command line."""

    file: str | None
    line: int | None = None
    # the reference as written there (`ollama/llama3.1:8b`), when it was mapped to another id
    raw: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        if self.file is None:
            return "command line"
        return f"{self.file}:{self.line}" if self.line else self.file

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line}


@dataclass(frozen=True)
class Subject:
    """One thing to decide on: a model with its facts, its source error, or preset findings."""

    model: str
    revision: str | None = None
    facts: ModelFacts | None = None
    error: SourceError | None = None
    findings: tuple[Finding, ...] = ()  # severity may be "unknown" (follows policy.unknown)
    locations: tuple[Location, ...] = ()
    kind: str = "hf-repo"  # the reference kind (refs), hf-repo when named on the command line


@dataclass(frozen=True)
class DecidedFinding:
    code: str
    severity: str  # deny | warn | info
    message: str
    evidence: tuple[Evidence, ...] = ()
    package: str | None = None  # the Rego package whose rule fired; None for the core's own
    waived_by: ExceptionSpec | None = None
    # for exception-expired: the exception that expired (the audit lists it apart)
    exception: ExceptionSpec | None = field(default=None, compare=False)

    @property
    def waived(self) -> bool:
        return self.waived_by is not None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "evidence": [e.to_json() for e in self.evidence],
            "rule": self.package,
            "waived": self.waived,
        }
        if self.waived_by is not None:
            out["waived_by"] = self.waived_by.to_json()
        return out


@dataclass(frozen=True)
class AppliedException:
    exception: ExceptionSpec
    waived: tuple[str, ...]  # the codes it waived on this model

    # the exception's own fields, for formatters that read them directly
    @property
    def model(self) -> str:
        return self.exception.model

    @property
    def revision(self) -> str | None:
        return self.exception.revision

    @property
    def rules(self) -> tuple[str, ...]:
        return self.exception.rules

    @property
    def reason(self) -> str:
        return self.exception.reason

    @property
    def approved_by(self) -> str:
        return self.exception.approved_by

    @property
    def expires(self) -> dt.date:
        return self.exception.expires

    @property
    def file(self) -> str | None:
        return self.exception.file

    @property
    def line(self) -> int | None:
        return self.exception.line

    def to_json(self) -> dict[str, Any]:
        return {**self.exception.to_json(), "waived": list(self.waived)}


@dataclass(frozen=True)
class Alternative:
    """An allowed model to use instead of a denied one: a representative repo of a catalogue
    release line of the same modality and similar size, with the licence it carries."""

    model: str
    line: str  # the catalogue release line key
    line_name: str
    size: str | None
    params: int | None
    license: str  # registry key
    spdx: str | None = None

    @property
    def label(self) -> str:
        return f"{self.model} ({self.license})"

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "line": self.line,
            "line_name": self.line_name,
            "size": self.size,
            "params": self.params,
            "license": self.license,
            "spdx": self.spdx,
        }


@dataclass(frozen=True)
class Decision:
    model: str
    revision: str | None
    decision: str  # allow | warn | deny
    findings: tuple[DecidedFinding, ...] = ()
    exceptions_applied: tuple[AppliedException, ...] = ()
    locations: tuple[Location, ...] = ()
    kind: str = "hf-repo"
    source_error: bool = False
    facts: ModelFacts | None = field(default=None, compare=False, repr=False)
    # For a denied model: allowed catalogue alternatives (compliance.run.alternatives).
    alternatives: tuple[Alternative, ...] = field(default=(), compare=False)

    @property
    def codes(self) -> tuple[str, ...]:
        """Codes of the findings that decide (deny and warn, not waived), most severe first."""
        ranked = sorted(
            (f for f in self.findings if not f.waived and f.severity != F.INFO),
            key=lambda f: (-F.SEVERITY_RANK[f.severity], f.code),
        )
        return tuple(dict.fromkeys(f.code for f in ranked))

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "revision": self.revision,
            "decision": self.decision,
            "codes": list(self.codes),
            "findings": [f.to_json() for f in self.findings],
            "exceptions_applied": [a.to_json() for a in self.exceptions_applied],
            "locations": [loc.to_json() for loc in self.locations],
            "kind": self.kind,
            **(
                {"alternatives": [a.to_json() for a in self.alternatives]}
                if self.decision == "deny"
                else {}
            ),
        }


@dataclass(frozen=True)
class CheckResult:
    decisions: tuple[Decision, ...]
    # exceptions for models this run did not check: listed, never silently dropped
    exceptions_not_checked: tuple[ExceptionSpec, ...] = ()
    today: dt.date = field(default_factory=dt.date.today)
    # `--today` set the date: every output says so (an exception may have been revived)
    today_overridden: bool = False

    @property
    def date_note(self) -> str | None:
        return date_note(self.today) if self.today_overridden else None

    @property
    def summary(self) -> dict[str, Any]:
        counts = {name: 0 for name in DECISIONS}
        for d in self.decisions:
            counts[d.decision] += 1

        def count(code: str) -> int:
            return sum(1 for d in self.decisions for f in d.findings if f.code == code)

        return {
            "models": len(self.decisions),
            **counts,
            "source_errors": sum(1 for d in self.decisions if d.source_error),
            "exceptions_applied": sum(len(d.exceptions_applied) for d in self.decisions),
            "exceptions_expired": count("exception-expired"),
            "exceptions_unused": count("exception-unused"),
            "exceptions_not_checked": [e.to_json() for e in self.exceptions_not_checked],
            "date": self.today.isoformat(),
            **self._summary_extra(),
        }

    def _summary_extra(self) -> dict[str, Any]:
        if not self.today_overridden:
            return {}
        return {"date_overridden": True, "date_note": self.date_note}

    def exit_code(self, fail_on: str = "deny") -> int:
        """3 when a model could not be read; else 1 when a decision reaches `fail_on`; else 0."""
        if fail_on not in FAIL_ON:
            raise ValueError(f"fail_on must be one of {FAIL_ON}")
        if any(d.source_error for d in self.decisions):
            return int(ExitCode.RUNTIME)
        if fail_on == "never":
            return int(ExitCode.OK)
        threshold = F.SEVERITY_RANK[fail_on]
        for d in self.decisions:
            if d.decision != "allow" and F.SEVERITY_RANK[d.decision] >= threshold:
                return int(ExitCode.VIOLATIONS)
        return int(ExitCode.OK)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "decisions": [d.to_json() for d in self.decisions],
            "summary": self.summary,
        }


def date_note(today: dt.date) -> str:
    """The note every output carries when `--today` moved the date exceptions are checked
    against (an expired exception could waive findings again): not for approvals."""
    return (
        f"--today {today.isoformat()} was used: exceptions were checked against that date,"
        " not the real one; do not use this result for an approval"
    )

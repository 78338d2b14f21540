"""The report stage's contract: what a formatter receives, as protocols.

`check` formats (text, json, sarif, github) read a check result through the protocols below;
`audit` formats (markdown, html, json, spdx) are a `Report` over the audit view model
(`compliance.report.audit.AuditReport`). Formatters are pure functions of their input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ..facts.model import Evidence

if TYPE_CHECKING:
    from .audit import AuditReport


class FindingLike(Protocol):
    """compliance.facts.model.Finding, or check's DecidedFinding (adds waived_by, package)."""

    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def evidence(self) -> Sequence[Evidence]: ...


class DecisionLike(Protocol):
    @property
    def model(self) -> str: ...
    @property
    def revision(self) -> str | None: ...
    @property
    def decision(self) -> str: ...
    @property
    def findings(self) -> Sequence[FindingLike]: ...
    @property
    def exceptions_applied(self) -> Sequence[Any]: ...
    @property
    def locations(self) -> Sequence[Any]: ...


class CheckResultLike(Protocol):
    @property
    def decisions(self) -> Sequence[DecisionLike]: ...


class Report(Protocol):
    """A formatter: a pure function from the audit view model to text."""

    def __call__(self, report: AuditReport) -> str: ...

"""The check core: facts + configuration -> one Decision per model, callable from Python.

    run_check(items, config, *, today=None, engine=None) -> CheckResult

`items` are ModelFacts, scan outcomes (anything with `.model_id`, `.facts`, `.error`) or
Subjects (a model with preset findings and the places that name it). A model whose source
failed is a `deny` with `source-error`, and makes the run exit 3 after the results are printed.
Nothing here turns an unknown into an allow: a missing fact is a finding, a policy failure an
exception.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ExitCode, SourceError
from .facts.model import Evidence, Finding, LicenseInfo, ModelFacts
from .policy import findings as F

if TYPE_CHECKING:
    from .config import Config, ExceptionSpec
    from .policy.engine import PolicyEngine, RuleHit

SCHEMA = "compliance.check/v1"
DECISIONS = ("allow", "warn", "deny")
FAIL_ON = ("deny", "warn")


@dataclass(frozen=True)
class Location:
    file: str
    line: int | None = None

    def __str__(self) -> str:
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
        }


@dataclass(frozen=True)
class CheckResult:
    decisions: tuple[Decision, ...]
    # exceptions for models this run did not check: listed, never silently dropped
    exceptions_not_checked: tuple[ExceptionSpec, ...] = ()
    today: dt.date = field(default_factory=dt.date.today)

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
        }

    def exit_code(self, fail_on: str = "deny") -> int:
        """3 when a model could not be read; else 1 when a decision reaches `fail_on`; else 0."""
        if fail_on not in FAIL_ON:
            raise ValueError(f"fail_on must be one of {FAIL_ON}")
        if any(d.source_error for d in self.decisions):
            return int(ExitCode.RUNTIME)
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

    def render_text(self) -> str:
        return render_text(self)


# ---------------------------------------------------------------------------------------------


def closed_api_facts(model: str) -> ModelFacts:
    """Facts for a hosted proprietary model: nothing is fetched; the class is `proprietary`."""
    return ModelFacts(
        model=model,
        revision=None,
        source="closed-api",
        license=LicenseInfo(
            key="proprietary", license_class="proprietary", source="closed-api", confidence=1.0
        ),
        commercial_use="conditional",
        notes=("a hosted API: its provider's terms of service govern use; not read by this tool",),
    )


def as_subject(item: Any) -> Subject:
    if isinstance(item, Subject):
        return item
    if isinstance(item, ModelFacts):
        return Subject(item.model, item.revision, facts=item)
    if hasattr(item, "model_id") and hasattr(item, "facts"):  # pipeline.ScanOutcome
        mid = item.model_id
        facts = item.facts
        if facts is not None:
            return Subject(facts.model, facts.revision, facts=facts)
        error = getattr(item, "error", None)
        if error is None:
            error = SourceError(str(mid), "no facts and no error from the scanner")
        return Subject(mid.repo_id, mid.revision, error=error)
    raise TypeError(f"cannot check {type(item).__name__}")


def run_check(
    items: Iterable[Any],
    config: Config,
    *,
    today: dt.date | None = None,
    engine: PolicyEngine | None = None,
) -> CheckResult:
    """Decide each item against the configuration's policy and exceptions."""
    subjects = [as_subject(item) for item in items]
    today = today or dt.date.today()
    own_engine = engine is None and any(s.facts is not None and s.error is None for s in subjects)
    if own_engine:
        from .policy.engine import PolicyEngine
        from .sources.cache import default_cache_dir

        engine = PolicyEngine.from_config(config, result_cache=default_cache_dir())
    try:
        evaluated = [s.facts for s in subjects if s.facts is not None and s.error is None]
        hits_by_id: dict[int, list[RuleHit]] = {}
        if evaluated:
            assert engine is not None
            all_hits = engine.evaluate_facts_many(evaluated)
            hits_by_id = {id(f): h for f, h in zip(evaluated, all_hits, strict=True)}
        decisions = []
        matched: set[int] = set()
        for subject in subjects:
            hits = hits_by_id.get(id(subject.facts)) if subject.facts is not None else None
            decision, used = _decide(subject, config, hits, today)
            decisions.append(decision)
            matched |= used
    finally:
        if own_engine and engine is not None:
            engine.close()
    not_checked = tuple(e for i, e in enumerate(config.exceptions) if i not in matched)
    return CheckResult(tuple(decisions), not_checked, today)


def _decide(
    subject: Subject, config: Config, hits: list[RuleHit] | None, today: dt.date
) -> tuple[Decision, set[int]]:
    unknown = config.policy.unknown
    found: list[DecidedFinding] = []
    revision = subject.revision
    error = subject.error
    if error is None and subject.facts is None and not subject.findings:
        # nothing known and nothing said: never an allow
        error = SourceError(subject.model, "no facts were established for this model")
    if error is not None:
        cause = getattr(error, "cause", None) or str(error)
        kind = getattr(error, "kind", "source-error")
        found.append(
            DecidedFinding(
                "source-error",
                F.DENY,
                f"the model could not be read ({kind}): {cause}",
            )
        )
    elif subject.facts is not None:
        assert hits is not None
        facts = subject.facts
        revision = facts.revision
        found.extend(_from_hits(hits, facts, unknown))
    for preset in subject.findings:
        found.append(
            DecidedFinding(
                preset.code,
                F.resolve_severity(preset.severity, unknown),
                preset.message,
                preset.evidence,
            )
        )
    found = _dedupe(found)
    model = subject.facts.model if subject.facts is not None else subject.model
    found, applied, used = _apply_exceptions(
        model, revision, found, config, today, readable=error is None
    )
    verdict = _verdict(found)
    decision = Decision(
        model=model,
        revision=revision,
        decision=verdict,
        findings=tuple(_ordered(found)),
        exceptions_applied=tuple(applied),
        locations=subject.locations,
        kind=subject.kind,
        source_error=error is not None,
        facts=subject.facts,
    )
    return decision, used


def _from_hits(hits: Sequence[RuleHit], facts: ModelFacts, unknown: str) -> list[DecidedFinding]:
    out = []
    passthrough = {(f.code, f.message): f for f in facts.findings}
    for hit in hits:
        severity = F.resolve_severity(hit.severity, unknown)
        original = passthrough.get((hit.code, hit.message))
        evidence = original.evidence if original else _evidence_for(hit.code, facts)
        out.append(DecidedFinding(hit.code, severity, hit.message, evidence, hit.package))
    return out


def _evidence_for(code: str, facts: ModelFacts) -> tuple[Evidence, ...]:
    """The evidence behind a finding's facts. Policy decides on the effective terms, so when
    lineage recorded evidence for an inherited fact (`effective.<fact>`), that is what is shown.
    """
    wanted = F.code_info(code).facts
    if not wanted:
        return ()

    def about(name: str) -> bool:
        return name in wanted or any(name.startswith(w + ".") for w in wanted)

    inherited = [
        e for e in facts.evidence if e.fact.startswith("effective.") and about(e.fact[10:])
    ]
    own = [e for e in facts.evidence if about(e.fact)]
    inherited_facts = {e.fact[10:] for e in inherited}
    chosen = inherited + [e for e in own if e.fact not in inherited_facts]
    seen: dict[tuple[str, int | None, str, str | None], Evidence] = {}
    for e in chosen:
        seen.setdefault((e.file, e.line, e.quote, e.model), e)
    return tuple(seen.values())


def _dedupe(found: list[DecidedFinding]) -> list[DecidedFinding]:
    seen: dict[tuple[str, str, str], DecidedFinding] = {}
    for f in found:
        seen.setdefault((f.code, f.severity, f.message), f)
    return list(seen.values())


def _ordered(found: Iterable[DecidedFinding]) -> list[DecidedFinding]:
    return sorted(found, key=lambda f: (f.waived, -F.SEVERITY_RANK[f.severity], f.code, f.message))


def _verdict(found: Iterable[DecidedFinding]) -> str:
    verdict = "allow"
    for f in found:
        if f.waived:
            continue
        if f.severity == F.DENY:
            return "deny"
        if f.severity == F.WARN:
            verdict = "warn"
    return verdict


def _apply_exceptions(
    model: str,
    revision: str | None,
    found: list[DecidedFinding],
    config: Config,
    today: dt.date,
    *,
    readable: bool = True,
) -> tuple[list[DecidedFinding], list[AppliedException], set[int]]:
    """Waive what valid exceptions cover; report expired and unused ones as findings.

    For a model that could not be read, nothing can be said about whether an exception is
    used, so only expiry is reported.
    """
    from dataclasses import replace

    about_model = [
        (i, e) for i, e in enumerate(config.exceptions) if e.model.lower() == model.lower()
    ]
    candidates = [(i, e) for i, e in about_model if e.matches(model, revision)]
    used = {i for i, _ in about_model}
    waived_by_index: dict[int, list[str]] = {}
    out: list[DecidedFinding] = []
    for f in found:
        if f.severity == F.INFO or f.code in F.NOT_WAIVABLE:
            out.append(f)
            continue
        for i, e in candidates:
            if f.code in e.rules and not e.expired(today):
                out.append(replace(f, waived_by=e))
                waived_by_index.setdefault(i, []).append(f.code)
                break
        else:
            out.append(f)
    applied = [
        AppliedException(e, tuple(dict.fromkeys(waived_by_index[i])))
        for i, e in candidates
        if i in waived_by_index
    ]
    for i, e in about_model:
        if e.expired(today):
            stands = sorted({f.code for f in found if f.code in e.rules})
            still = f"; {', '.join(stands)} stands" if stands else ""
            out.append(
                DecidedFinding(
                    "exception-expired",
                    F.code_info("exception-expired").severity,
                    f"the exception at {e.where} (approved by {e.approved_by}) expired on"
                    f" {e.expires.isoformat()} and waives nothing{still}",
                )
            )
        elif not readable:
            continue
        elif not e.matches(model, revision):
            out.append(
                DecidedFinding(
                    "exception-unused",
                    F.code_info("exception-unused").severity,
                    f"the exception at {e.where} approves revision {e.revision} but this run"
                    f" checked {revision or 'an unpinned revision'}: the approval does not carry"
                    " over to another revision; review it again",
                )
            )
        elif i not in waived_by_index:
            out.append(
                DecidedFinding(
                    "exception-unused",
                    F.code_info("exception-unused").severity,
                    f"the exception at {e.where} for {', '.join(e.rules)} waived nothing on"
                    " this model: remove it or correct its rules or revision",
                )
            )
    return out, applied, used


# ---------------------------------------------------------------------------------------------
# Text output


def _header(d: Decision) -> str:
    name = f"{d.model}@{d.revision[:12]}" if d.revision else d.model
    codes = f" ({', '.join(d.codes)})" if d.codes else ""
    return f"{name}: {d.decision}{codes}"


def render_text(result: CheckResult) -> str:
    lines: list[str] = []
    for d in result.decisions:
        head = _header(d)
        if d.locations:
            lines.extend(f"{loc}: {head}" for loc in d.locations)
        else:
            lines.append(head)
        for f in d.findings:
            label = "waived" if f.waived else f.severity
            lines.append(f"  {label:<6} {f.code}: {f.message}")
            if f.waived_by is not None:
                e = f.waived_by
                lines.append(
                    f"         by exception at {e.where}: {e.reason} (approved by"
                    f" {e.approved_by}, expires {e.expires.isoformat()})"
                )
            for ev in f.evidence[:3]:
                where = f"{ev.file}:{ev.line}" if ev.line else ev.file
                owner = f"{ev.model}: " if ev.model else ""
                quote = ev.quote.strip().replace("\n", " ")
                if len(quote) > 100:
                    quote = quote[:97] + "..."
                lines.append(f"         evidence: {owner}{where}: {quote}")
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
    for e in result.exceptions_not_checked:
        lines.append(
            f"note: the exception at {e.where} for {e.model} was not used: the model was not"
            " checked in this run"
        )
    return "\n".join(lines) + "\n"

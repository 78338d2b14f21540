"""Decide: rule hits + exceptions + lock drift -> one Decision per subject. Pure.

A model whose source failed is a `deny` with `source-error` (the run then exits 3 after the
results are printed). Nothing here turns an unknown into an allow: a missing fact is a finding,
an unreadable model a deny, and an exception for a model that was not read waives nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..errors import SourceError
from ..facts.model import Evidence, ModelFacts, unique_evidence
from . import findings as F
from .decision import AppliedException, CheckResult, DecidedFinding, Decision, Subject

if TYPE_CHECKING:
    from ..config import Config
    from .engine import RuleHit
    from .lock import Lock


def decide(
    subjects: Sequence[Subject],
    hits: Sequence[list[RuleHit] | None],
    config: Config,
    today: dt.date,
    lock: Lock | None = None,
) -> CheckResult:
    """One decision per subject, in order. `hits[i]` are the policy's rule hits on subject i's
    facts (None when it has none). With a lock, a model that moved since it was locked gets a
    `license-drift` deny, applied after exceptions: a drift is not waivable."""
    decisions = []
    matched: set[int] = set()
    for subject, subject_hits in zip(subjects, hits, strict=True):
        decision, used = _decide(subject, config, subject_hits, today)
        decisions.append(decision)
        matched |= used
    not_checked = tuple(e for i, e in enumerate(config.exceptions) if i not in matched)
    result = CheckResult(tuple(decisions), not_checked, today)
    return apply_lock(result, lock) if lock is not None else result


def apply_lock(result: CheckResult, lock: Lock) -> CheckResult:
    """The result with a `license-drift` deny on every model that moved since locking."""
    from .lock import DRIFT_CODE, compare, drift_evidence, lockable, locked_from_facts, summary

    decisions = []
    for d in result.decisions:
        if not lockable(d) or d.facts is None:
            decisions.append(d)
            continue
        drifts = compare(lock.lookup(d.model, d.revision), locked_from_facts(d.facts))
        if not drifts:
            decisions.append(d)
            continue
        finding = DecidedFinding(DRIFT_CODE, "deny", summary(drifts), drift_evidence(drifts))
        decisions.append(replace(d, decision="deny", findings=(finding, *d.findings)))
    return replace(result, decisions=tuple(decisions))


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
    table = _RELEVANCE.get(wanted)
    if table is None or len(table) >= _RELEVANCE_MAX:
        table = _RELEVANCE[wanted] = {}
    inherited: list[Evidence] = []
    own: list[Evidence] = []
    for e in facts.evidence:
        relevance = table.get(e.fact)
        if relevance is None:
            relevance = table[e.fact] = _relevance(wanted, e.fact)
        if relevance:
            if relevance & _INHERITED:
                inherited.append(e)
            if relevance & _OWN:
                own.append(e)
    inherited_facts = {e.fact[10:] for e in inherited}
    return unique_evidence(inherited + [e for e in own if e.fact not in inherited_facts])


# Whether an evidence fact is about a finding's facts depends on those two names alone, and a
# run sees few distinct ones: each pair is worked out once, in a table per finding's facts
# (bounded all the same: a full table starts again).
_RELEVANCE: dict[tuple[str, ...], dict[str, int]] = {}
_RELEVANCE_MAX = 4096
_INHERITED, _OWN = 1, 2


def _relevance(wanted: tuple[str, ...], fact: str) -> int:
    """_INHERITED when `fact` is `effective.<one of wanted>`, plus _OWN when it is one of
    wanted itself: a fact is about `w` when it is `w` or one of its sub-facts `w.<...>`."""

    def about(name: str) -> bool:
        return name in wanted or any(name.startswith(w + ".") for w in wanted)

    inherited = fact.startswith("effective.") and about(fact[10:])
    return (_INHERITED if inherited else 0) | (_OWN if about(fact) else 0)


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
    if not config.exceptions:  # nothing to waive, expire or leave unused
        return list(found), [], set()
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
                    exception=e,
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

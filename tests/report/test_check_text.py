"""`check` text output: what blocks first, info only with -v, -q only blocking lines, colour on
request (issue 17 items 4 and 5)."""

from __future__ import annotations

import datetime as dt

from policy_cases.casedata import model_facts

from compliance.config import config_from_dict
from compliance.policy.decision import Subject
from compliance.report import render_check
from compliance.report.check_text import TextOptions
from compliance.run import check_subjects

TODAY = dt.date(2026, 11, 24)
EU = {"version": 1, "organization": {"domicile": "DE", "monthly_active_users": 5_000_000}}


def eu_config():
    return config_from_dict(EU)


def _result():  # allow first, then deny, as the run found them
    deny = model_facts("llama-3.2-11b-vision")
    return check_subjects(
        [model_facts("phi-3-mit"), Subject(deny.model, facts=deny)], eu_config(), today=TODAY
    )


def test_deny_comes_before_allow_and_summary_is_last() -> None:
    lines = render_check(_result(), "text").splitlines()
    assert lines[0] == "meta-llama/Llama-3.2-11B-Vision-Instruct: deny (eu-restricted)"
    assert lines.index("microsoft/Phi-3-mini-4k-instruct: allow") > 1
    assert lines[-1] == "summary: 2 models; 1 deny, 0 warn, 1 allow"
    assert not any(line.lstrip().startswith("info") for line in lines)


def test_verbose_shows_info_findings() -> None:
    text = render_check(_result(), "text", TextOptions(verbose=1))
    assert "  info   attribution-required: the licence (llama-3.2) requires:" in text
    assert text.splitlines()[-1].startswith("summary: ")


def test_quiet_prints_only_blocking_lines() -> None:
    text = render_check(_result(), "text", TextOptions(quiet=True))
    assert text.splitlines() == [
        "meta-llama/Llama-3.2-11B-Vision-Instruct: deny (eu-restricted)",
        text.splitlines()[1],
    ]
    assert text.splitlines()[1].startswith("  deny   eu-restricted: ")
    assert render_check(_result(), "text", TextOptions(quiet=True, fail_on="never")) == ""


def test_colour_only_when_asked() -> None:
    plain = render_check(_result(), "text")
    assert "\033[" not in plain
    coloured = render_check(_result(), "text", TextOptions(color=True))
    assert "deny (eu-restricted)" not in coloured
    assert "\033[31mdeny\033[0m (eu-restricted)" in coloured
    assert "microsoft/Phi-3-mini-4k-instruct: \033[32mallow\033[0m" in coloured
    assert coloured.splitlines()[-1] == (
        "summary: 2 models; \033[31m1 deny\033[0m, 0 warn, \033[32m1 allow\033[0m"
    )


def test_evidence_is_wrapped_per_place_and_owner_not_per_text_seen_first() -> None:
    """Each evidence's lines are worked out once and reused: what it is keyed by must be all
    they depend on (owner, file, line, quote), and a true line is not line 1."""
    from compliance.facts.model import Evidence
    from compliance.policy.decision import DecidedFinding
    from compliance.report.check_text import _evidence_lines

    quote = "You may not use the Materials " * 8 + "\x1b[2J for commercial purposes."
    seen = [
        Evidence("license", "LICENSE", 4, quote),
        Evidence("license", "LICENSE", 4, quote, model="meta-llama/Llama-3.1-8B"),
        Evidence("license", "LICENSE", None, quote),
        Evidence("license", "LICENSE", True, quote),  # type: ignore[arg-type]
        Evidence("license", "LICENSE", 1, quote),
        Evidence("license", "LICENSE", 4, quote.replace("may not", "may")),
    ]
    first = [_evidence_lines(DecidedFinding("c", "deny", "m", (ev,))) for ev in seen]
    again = [_evidence_lines(DecidedFinding("c", "deny", "m", (ev,))) for ev in seen]
    assert first == again
    assert len({tuple(lines) for lines in first}) == len(seen)
    assert first[0][0].startswith("         evidence: LICENSE:4: You may not")
    assert first[1][0].startswith("         evidence: meta-llama/Llama-3.1-8B: LICENSE:4: ")
    assert first[3][0].startswith("         evidence: LICENSE:True: ")
    assert all(len(line) <= 100 and "\x1b" not in line for lines in first for line in lines)
    assert "\\x1b[2J" in " ".join(first[0])


def test_alternatives_listed_once_per_tuple_still_name_each_models_own() -> None:
    from compliance.policy.decision import Alternative, CheckResult, Decision

    first = (Alternative("c/d", "l", "L", "7B", 7 * 10**9, "mit"),)
    second = (Alternative("e/f", "m", "M", "8B", 8 * 10**9, "apache-2.0"),)
    decisions = tuple(
        Decision(model, None, "deny", alternatives=alternatives)
        for model, alternatives in (("a/1", first), ("a/2", first), ("a/3", second))
    )
    lines = render_check(CheckResult(decisions, (), TODAY), "text").splitlines()
    instead = [line for line in lines if line.startswith("  instead of")]
    assert [line.split(":", 1)[1] for line in instead] == [
        f" {first[0].label}",
        f" {first[0].label}",
        f" {second[0].label}",
    ]
    assert [line.split(" (")[0] for line in instead] == [
        "  instead of a/1",
        "  instead of a/2",
        "  instead of a/3",
    ]

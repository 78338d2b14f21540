"""Finding codes: severity, one-line summary and help text (also the SARIF rule table).

docs/codes.md is the long form of this table; tests check the two agree. Codes are stable:
add new ones, never rename.
"""

from __future__ import annotations

from dataclasses import dataclass

DENY = "deny"
WARN = "warn"
INFO = "info"
SEVERITIES = (DENY, WARN, INFO)
# Rules put findings about facts that could not be established in an `unknown` set; the
# configuration's `policy.unknown` (deny | warn) decides their severity.
UNKNOWN = "unknown"
SEVERITY_RANK = {INFO: 0, WARN: 1, DENY: 2}


@dataclass(frozen=True)
class CodeInfo:
    code: str
    severity: str  # the usual severity; "unknown" means it follows policy.unknown
    summary: str
    help: str
    facts: tuple[str, ...] = ()  # evidence facts attached to the finding
    waivable: bool = True


CODES: dict[str, CodeInfo] = {
    c.code: c
    for c in (
        CodeInfo(
            "license-unknown",
            UNKNOWN,
            "The licence, or a licence term that matters for this use, could not be established.",
            "Read the model card and licence files; pin a revision whose licence is stated, add the"
            " licence to the registry, or record an exception after legal review.",
            ("license", "license.key", "license.class", "commercial_use"),
        ),
        CodeInfo(
            "license-class-denied",
            DENY,
            "The licence class is not in policy.allow_classes.",
            "Choose another model, or add the class to policy.allow_classes if legal agrees.",
            ("license", "license.key", "license.class"),
        ),
        CodeInfo(
            "commercial-use-prohibited",
            DENY,
            "Non-commercial or research-only terms under commercial or internal use.",
            "Use the model for research only, obtain a commercial licence, or choose another"
            " model.",
            ("license", "commercial_use", "non_commercial", "research_only"),
        ),
        CodeInfo(
            "mau-cap-exceeded",
            DENY,
            "The organisation's monthly active users exceed the licence's cap.",
            "Request a licence from the publisher (record it as an exception), or choose another"
            " model.",
            ("mau_cap",),
        ),
        CodeInfo(
            "revenue-cap-exceeded",
            DENY,
            "The organisation's annual revenue exceeds the licence's revenue cap.",
            "Request a licence from the publisher, or choose another model. Set"
            " organization.annual_revenue_usd if it is missing.",
            ("revenue_cap",),
        ),
        CodeInfo(
            "organization-fact-missing",
            UNKNOWN,
            "A fact about your organisation that a licence term depends on is not set in the"
            " config (the message names the key).",
            "Set the named key under `organization:` in compliance.yaml"
            " (monthly_active_users, annual_revenue_usd, domicile).",
            ("mau_cap", "revenue_cap", "territory_restrictions", "eu_restricted"),
            waivable=False,
        ),
        CodeInfo(
            "eu-restricted",
            DENY,
            "A territory clause of the licence or use policy covers the organisation's domicile.",
            "Choose a model without the clause (for Llama 3.2, a text-only size), or get written"
            " permission from the publisher.",
            ("territory_restrictions", "eu_restricted", "multimodal", "eu_gate_disallowed"),
        ),
        CodeInfo(
            "origin-denied",
            DENY,
            "The publisher's country is in policy.deny_origins.",
            "Choose a model from another publisher, or change policy.deny_origins.",
            ("publisher", "publisher.country", "origin_country"),
        ),
        CodeInfo(
            "output-training-restricted",
            DENY,
            "The licence forbids (deny) or conditions (warn) using outputs to train other models.",
            "Stop training on this model's outputs, or meet the conditions (e.g. the derived"
            " model's name prefix) and record how.",
            ("output_training",),
        ),
        CodeInfo(
            "license-mismatch-with-base",
            WARN,
            "The model declares a licence different from (weaker than) its base model's.",
            "The base model's terms apply (effective terms); treat the declared licence as"
            " unreliable.",
            ("license", "base_models"),
        ),
        CodeInfo(
            "license-undeclared",
            UNKNOWN,
            "The model declares no licence of its own; its bases' terms are taken as its terms.",
            "Ask the publisher to state the licence (card `license:` or a LICENSE file), or"
            " record an exception after legal review of the bases' terms.",
            ("license", "base_models"),
        ),
        CodeInfo(
            "license-conflict",
            DENY,
            "The model's licence sources contradict each other.",
            "Read the conflicting files; the stricter terms are assumed until legal decides.",
            ("license",),
        ),
        CodeInfo(
            "license-incompatible-merge",
            DENY,
            "A merge combines models whose licences cannot be combined.",
            "Do not use the merge; use one of its parents instead.",
            ("base_models",),
        ),
        CodeInfo(
            "base-unavailable",
            DENY,
            "A base model named in the lineage could not be read, so inherited terms are unknown.",
            "Make the base model readable (token, mirror) or pin a base that exists.",
            ("base_models",),
        ),
        CodeInfo(
            "attribution-required",
            INFO,
            "The licence imposes attribution or naming duties; the finding lists them.",
            "Meet each listed duty in the product (notices, 'Built with …', name prefixes).",
            ("attribution",),
        ),
        CodeInfo(
            "exception-expired",
            WARN,
            "An exception matching this model has expired; it no longer waives anything.",
            "Renew the exception (new expiry, approver) or remove it. The finding it covered"
            " stands at its own severity.",
            waivable=False,
        ),
        CodeInfo(
            "exception-unused",
            WARN,
            "An exception for this model waived nothing.",
            "Remove the exception, or fix its model, revision or rules.",
            waivable=False,
        ),
        CodeInfo(
            "source-error",
            DENY,
            "The model could not be read from its source; nothing is known about it.",
            "Fix access (network, token, gated repo, mirror path) and run again. The run exits 3.",
            waivable=False,
        ),
        CodeInfo(
            "license-drift",
            DENY,
            "Under `check --locked`: the model's revision, a licence file or its licence key"
            " changed since compliance.lock approved it.",
            "Review the change (the message says what moved), then record it with"
            " `compliance lock --update`.",
            waivable=False,
        ),
        CodeInfo(
            "invalid-finding",
            DENY,
            "A policy pack produced a finding that is not a {code, msg} object.",
            "Fix the pack's rule so each finding is an object with string `code` and `msg`.",
            waivable=False,
        ),
    )
}

NOT_WAIVABLE = frozenset(code for code, info in CODES.items() if not info.waivable)


def code_info(code: str) -> CodeInfo:
    """The entry for `code`; codes from custom packs get a generic entry."""
    info = CODES.get(code)
    if info is not None:
        return info
    return CodeInfo(code, DENY, f"Finding {code} from a custom policy pack.", "See the pack.")


def resolve_severity(severity: str, unknown: str) -> str:
    """Map a rule's set name to a severity; anything unexpected is a deny (fail closed)."""
    if severity == UNKNOWN:
        return WARN if unknown == WARN else DENY
    return severity if severity in SEVERITIES else DENY

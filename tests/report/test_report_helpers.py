# ruff: noqa: E501  (fixture text quotes licence clauses verbatim)
"""Shared by the report tests: a small check result with facts, and the golden-file helper.

The check result is built from the real `compliance.policy.decision` types when they accept the fields the
reports read; the formatters only rely on the attributes named in report/interface.py.

Golden files live in tests/golden/. Regenerate them with `UPDATE_GOLDEN=1 pytest tests/report/`
and review the diff: a golden file is the contract a reader sees.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

from treepaths import SHARED, TESTS

from compliance.config import ExceptionSpec
from compliance.facts.model import (
    BaseModelRef,
    Evidence,
    LicenseInfo,
    LineageNode,
    ModelFacts,
    Publisher,
    Terms,
    TerritoryRestriction,
)
from compliance.policy.decision import (
    AppliedException,
    CheckResult,
    DecidedFinding,
    Decision,
    Location,
)

GOLDEN = TESTS / "golden"
SCHEMAS = SHARED / "schemas"
SARIF_SCHEMA = SCHEMAS / "sarif-schema-2.1.0.json"
GENERATED_AT = "2026-11-24T12:00:00+00:00"
SHA_LLAMA = "a" * 40
SHA_DEEPSEEK = "0123456789abcdef0123456789abcdef01234567"

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")


def normalise(text: str) -> str:
    """Volatile fields out: ISO timestamps and the tool version."""
    from compliance import __version__

    text = _ISO.sub("<TIME>", text)
    return (
        text.replace(f"compliance-{__version__}", "compliance-<VERSION>")
        .replace(f"compliance {__version__}", "compliance <VERSION>")
        .replace(f'"version": "{__version__}"', '"version": "<VERSION>"')
        .replace(f'"semanticVersion": "{__version__}"', '"semanticVersion": "<VERSION>"')
    )


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    text = normalise(text)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 and review it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept)"


# -- a check result built from compliance.policy.decision's own types ------------------------------------


def exception(model: str, rules: tuple[str, ...], line: int) -> ExceptionSpec:
    return ExceptionSpec(
        model=model,
        rules=rules,
        reason="notices are shipped in the product's legal screen, ticket LEGAL-42",
        approved_by="legal@example.com",
        expires=dt.date(2027, 6, 30),
        file="compliance.yaml",
        line=line,
    )


LLAMA_TERMS = Terms(
    license_key="llama-3.2",
    license_class="restricted",
    spdx="LicenseRef-scancode-llama-3.2-license-2024",
    commercial_use="conditional",
    mau_cap=700_000_000,
    territory_restrictions=(TerritoryRestriction("EU", "multimodal", "policy"),),
    eu_restricted=True,
    output_training="conditional",
    attribution=(
        'Display "Built with Llama" on a related website, UI, blog post, about page or product documentation',
        "AI models created, trained, fine-tuned or improved with the Llama Materials and distributed must"
        ' have names beginning with "Llama"',
        "Ship a copy of this Agreement with the Llama Materials",
    ),
    acceptable_use_policy="llama-3.2-aup",
    origin_country="US",
)


def llama_vision() -> ModelFacts:
    return ModelFacts(
        model="meta-llama/Llama-3.2-11B-Vision-Instruct",
        revision=SHA_LLAMA,
        source="hub",
        license=LicenseInfo(
            declared="llama3.2",
            key="llama-3.2",
            spdx="LicenseRef-scancode-llama-3.2-license-2024",
            license_class="restricted",
            source="card",
            confidence=1.0,
        ),
        publisher=Publisher("meta-llama", "Meta", "US"),
        commercial_use="conditional",
        mau_cap=700_000_000,
        territory_restrictions=LLAMA_TERMS.territory_restrictions,
        eu_restricted=True,
        output_training="conditional",
        attribution=LLAMA_TERMS.attribution,
        acceptable_use_policy="llama-3.2-aup",
        gated=True,
        multimodal=True,
        effective=LLAMA_TERMS,
        evidence=(
            Evidence("license.declared", "README.md", 2, "license: llama3.2"),
            Evidence("license.file", "LICENSE.txt", 1, "LLAMA 3.2 COMMUNITY LICENSE AGREEMENT"),
            Evidence("mau_cap", "LICENSE.txt", 31, "greater than 700 million monthly active users"),
            Evidence(
                "territory_restrictions",
                "USE_POLICY.md",
                40,
                "the rights granted under Section 1(a) ... are not being granted to you if you are"
                " an individual domiciled in, or a company with a principal place of business in,"
                " the European Union",
            ),
            Evidence("attribution", "LICENSE.txt", 17, 'prominently display "Built with Llama"'),
        ),
        fetched_at="2026-11-24T11:59:00+00:00",
        license_files=(("LICENSE.txt", "1" * 64), ("USE_POLICY.md", "2" * 64)),
    )


def deepseek_distill() -> ModelFacts:
    base_terms = Terms(
        license_key="llama-3.1",
        license_class="restricted",
        spdx="LicenseRef-scancode-llama-3.1-license-2024",
        commercial_use="conditional",
        mau_cap=700_000_000,
        eu_restricted=False,
        output_training="conditional",
        attribution=('Display "Built with Llama"',),
        acceptable_use_policy="llama-3.1-aup",
        origin_country="US",
    )
    return ModelFacts(
        model="deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
        revision=SHA_DEEPSEEK,
        source="hub",
        license=LicenseInfo(
            declared="mit",
            key="mit",
            spdx="MIT",
            license_class="permissive",
            source="card",
            confidence=1.0,
        ),
        publisher=Publisher("deepseek-ai", "DeepSeek", "CN"),
        commercial_use="yes",
        output_training="allowed",
        base_models=(BaseModelRef("meta-llama/Llama-3.1-8B", "finetune"),),
        lineage=(
            LineageNode(
                "meta-llama/Llama-3.1-8B",
                "finetune",
                "b" * 40,
                "llama-3.1",
                "restricted",
                parents=(
                    LineageNode(
                        "meta-llama/Llama-3.1-8B-base",
                        "finetune",
                        None,
                        "unknown",
                        "unknown",
                        "not found",
                    ),
                ),
            ),
        ),
        effective=base_terms,
        evidence=(
            Evidence("license.declared", "README.md", 2, "license: mit"),
            Evidence("base_models", "README.md", 5, "base_model: meta-llama/Llama-3.1-8B"),
            Evidence(
                "mau_cap",
                "LICENSE",
                31,
                "700 million monthly active users",
                model="meta-llama/Llama-3.1-8B",
            ),
        ),
        fetched_at="2026-11-24T11:59:01+00:00",
    )


def gemma() -> ModelFacts:
    terms = Terms(
        license_key="gemma-2024-04-01",
        license_class="restricted",
        spdx=None,
        commercial_use="yes",
        output_training="allowed",
        attribution=(
            "Pass on the Section 3.2 use restrictions as an enforceable provision in your own terms",
            'Give a "Notice" file: "Gemma is provided under and subject to the Gemma Terms of Use"',
        ),
        acceptable_use_policy="gemma-prohibited-use-policy",
        origin_country="US",
    )
    return ModelFacts(
        model="google/gemma-2-9b-it",
        revision=None,
        source="mirror",
        license=LicenseInfo(
            declared="gemma", key="gemma-2024-04-01", license_class="restricted", confidence=0.9
        ),
        publisher=Publisher("google", "Google", "US"),
        commercial_use="yes",
        output_training="allowed",
        attribution=terms.attribution,
        acceptable_use_policy="gemma-prohibited-use-policy",
        effective=terms,
        evidence=(Evidence("license.declared", "README.md", 2, "license: gemma"),),
        digest="sha256:" + "c" * 64,
        fetched_at="2026-11-24T11:59:02+00:00",
    )


def mistral() -> ModelFacts:
    return ModelFacts(
        model="mistralai/Mistral-7B-Instruct-v0.3",
        revision="d" * 40,
        source="hub",
        license=LicenseInfo(
            declared="apache-2.0",
            key="apache-2.0",
            spdx="Apache-2.0",
            license_class="permissive",
            confidence=1.0,
        ),
        publisher=Publisher("mistralai", "Mistral AI", "FR"),
        commercial_use="yes",
        output_training="allowed",
        evidence=(Evidence("license.declared", "README.md", 3, "license: apache-2.0"),),
        fetched_at="2026-11-24T11:59:03+00:00",
    )


def sample() -> tuple[CheckResult, dict[str, ModelFacts]]:
    llama, ds, gm, mi = llama_vision(), deepseek_distill(), gemma(), mistral()
    facts = {f.model: f for f in (llama, ds, gm, mi)}
    waiver = exception(gm.model, ("license-class-denied",), 14)
    decisions = (
        Decision(
            llama.model,
            llama.revision,
            "deny",
            (
                DecidedFinding(
                    "eu-restricted",
                    "deny",
                    "The Llama 3.2 use policy withholds multimodal rights from EU companies; you are in DE.",
                    (llama.evidence[3],),
                    "compliance.territory",
                ),
                DecidedFinding(
                    "attribution-required",
                    "info",
                    'Show "Built with Llama"; names must begin with "Llama".',
                ),
            ),
            locations=(Location("litellm-config.yaml", 9),),
            facts=llama,
        ),
        Decision(
            ds.model,
            ds.revision,
            "warn",
            (
                DecidedFinding(
                    "license-mismatch-with-base",
                    "warn",
                    "Declares mit, but its base meta-llama/Llama-3.1-8B is llama-3.1: 100% of the base's"
                    " terms apply,\nline two: a, b",
                ),
            ),
            locations=(Location("litellm-config.yaml", 13), Location("docker-compose.yaml", 4)),
            facts=ds,
        ),
        Decision(
            gm.model,
            None,
            "allow",
            (
                DecidedFinding(
                    "license-class-denied",
                    "deny",
                    "licence class restricted is not in policy.allow_classes",
                    gm.evidence,
                    waived_by=waiver,
                ),
            ),
            exceptions_applied=(AppliedException(waiver, ("license-class-denied",)),),
            locations=(Location("docker-compose.yaml", 5),),
            facts=gm,
        ),
        Decision(mi.model, mi.revision, "allow", (), facts=mi),
        Decision(
            "acme/missing-model",
            None,
            "deny",
            (
                DecidedFinding(
                    "source-error",
                    "deny",
                    "the model could not be read (not-found): repository not found",
                ),
            ),
            locations=(Location("compliance.yaml", 20),),
            source_error=True,
        ),
    )
    return CheckResult(decisions, today=dt.date(2026, 11, 24)), facts


LOOKUP = {
    "llama-3.2": (
        "Llama 3.2 Community License Agreement",
        "https://www.llama.com/llama3_2/license/",
    ),
    "llama-3.2-aup": (
        "Llama 3.2 Acceptable Use Policy",
        "https://www.llama.com/llama3_2/use-policy/",
    ),
    "llama-3.1": (
        "Llama 3.1 Community License Agreement",
        "https://www.llama.com/llama3_1/license/",
    ),
    "gemma-2024-04-01": ("Gemma Terms of Use", "https://ai.google.dev/gemma/terms"),
}


def sample_audit(exit_code: int = 1) -> Any:
    from compliance.report.audit import build_audit

    result, facts = sample()
    return build_audit(
        result,
        facts,
        generated_at=GENERATED_AT,
        tool_version="0.0.0-test",
        exit_code=exit_code,
        config="compliance.yaml",
        lookup=LOOKUP,
    )

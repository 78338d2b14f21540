"""Helpers for the policy tests: hand-built facts from YAML, configs from dicts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from compliance.facts.model import (
    BaseModelRef,
    Evidence,
    Finding,
    LicenseInfo,
    ModelFacts,
    Publisher,
    Terms,
    TerritoryRestriction,
)

CASES_DIR = Path(__file__).parent


def _territories(items: Any) -> tuple[TerritoryRestriction, ...]:
    return tuple(TerritoryRestriction(t["region"], t["scope"], t["clause"]) for t in items or ())


def terms_from_json(data: dict[str, Any]) -> Terms:
    fields = dict(data)
    if "class" in fields:
        fields["license_class"] = fields.pop("class")
    fields["territory_restrictions"] = _territories(fields.get("territory_restrictions"))
    fields["attribution"] = tuple(fields.get("attribution") or ())
    return Terms(**fields)


def facts_from_json(data: dict[str, Any]) -> ModelFacts:
    fields = dict(data)
    lic = dict(fields.pop("license", {}) or {})
    if "class" in lic:
        lic["license_class"] = lic.pop("class")
    fields["license"] = LicenseInfo(**lic)
    fields["publisher"] = Publisher(**(fields.pop("publisher", {}) or {}))
    fields["territory_restrictions"] = _territories(fields.get("territory_restrictions"))
    fields["attribution"] = tuple(fields.get("attribution") or ())
    fields["base_models"] = tuple(BaseModelRef(**b) for b in fields.get("base_models") or ())
    fields["findings"] = tuple(
        Finding(
            f["code"],
            f["severity"],
            f["message"],
            tuple(Evidence(**e) for e in f.get("evidence", ())),
        )
        for f in fields.get("findings") or ()
    )
    fields["evidence"] = tuple(Evidence(**e) for e in fields.get("evidence") or ())
    if fields.get("effective") is not None:
        fields["effective"] = terms_from_json(fields["effective"])
    fields.setdefault("revision", None)
    fields.setdefault("source", "hub")
    return ModelFacts(**fields)


def load_models() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load((CASES_DIR / "models.yaml").read_text())
    return data


def model_facts(name: str, overrides: dict[str, Any] | None = None) -> ModelFacts:
    base = dict(load_models()[name])
    base.update(overrides or {})
    return facts_from_json(base)


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        if path.name == "models.yaml":
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            out.append((f"{path.stem}: {case['name']}", case))
    return out

"""`audit --format cyclonedx`: a CycloneDX 1.6 (or 1.7) JSON AI bill of materials.

Built with cyclonedx-python-lib. One `machine-learning-model` component per model:
- `purl` pkg:huggingface/ORG/NAME@<sha> when the revision is a commit;
- `licenses`: the model's own licence (`acknowledgement: declared`) and the licence that governs
  after lineage (`concluded`). An SPDX License List id goes in `id`; anything else (a custom
  licence, a ScanCode or compliance LicenseRef) goes in `name` with the text's URL: a card's
  "llama3.2" or "other" is never written as an id;
- `pedigree.ancestors`: the lineage, each ancestor with its own licence;
- `properties` in the `compliance:` namespace: the decision, the findings and the facts it rests
  on (`compliance:mau_cap`, `compliance:eu_restricted`, ...);
- `evidence.occurrences`: where each fact was read (file, line, quote); `externalReferences` of
  type `evidence`: the licence files read, with their SHA-256;
- `modelCard`: cyclonedx-python-lib has no model card type, so it is added to the serialised
  document (the tests validate the result against the CycloneDX schema).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

from ..facts.model import LineageNode
from .audit import AuditEntry, AuditReport
from .licenseids import spdx_id

Names = Mapping[str, tuple[str | None, str | None]]  # registry key -> (name, url)
SPEC_VERSIONS = ("1.6", "1.7")
DEFAULT_SPEC_VERSION = "1.6"
_SHA = re.compile(r"[0-9a-f]{40}")
_MAX_CONTEXT = 500  # characters of a quoted clause kept in an occurrence


def _bom_ref(model: str, revision: str | None) -> str:
    return f"model:{model}@{revision or 'unpinned'}"


def _purl(model: str, revision: str | None) -> Any:
    from packageurl import PackageURL

    if "/" not in model or not revision or not _SHA.fullmatch(revision):
        return None
    org, name = model.split("/", 1)
    return PackageURL(type="huggingface", namespace=org, name=name, version=revision)


def _text(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _license(spdx: str | None, name: str | None, url: str | None, ack: Any) -> Any:
    """A licence object: `id` only for an SPDX License List id, else `name` (+ URL)."""
    from cyclonedx.model import XsUri
    from cyclonedx.model.license import DisjunctiveLicense

    ident = spdx_id(spdx)
    link = XsUri(url) if url and url.startswith(("https://", "http://")) else None
    if ident:
        return DisjunctiveLicense(id=ident, url=link, acknowledgement=ack)
    label = name or spdx
    if not label:
        return None
    return DisjunctiveLicense(name=label, url=link, acknowledgement=ack)


def _licenses(e: AuditEntry, names: Names) -> list[Any]:
    from cyclonedx.model.license import LicenseAcknowledgement

    out = []
    facts = e.facts
    if facts is not None and (facts.license.key != "unknown" or facts.license.spdx):
        own = facts.license
        same = own.key == e.license.key
        name, url = (e.license.name, e.license.url) if same else names.get(own.key, (None, None))
        declared = _license(
            own.spdx,
            own.declared_name or name or own.spdx or own.key,
            own.declared_link or url,
            LicenseAcknowledgement.DECLARED,
        )
        if declared is not None:
            out.append(declared)
    if e.license.key != "unknown" or e.license.spdx:
        concluded = _license(
            e.license.spdx,
            e.license.name or e.license.spdx or e.license.key,
            e.license.url,
            LicenseAcknowledgement.CONCLUDED,
        )
        if concluded is not None:
            out.append(concluded)
    return out


def _properties(e: AuditEntry) -> list[Any]:
    from cyclonedx.model import Property

    props: list[tuple[str, str]] = [("compliance:decision", e.decision)]
    props.append(("compliance:license_key", e.license.key))
    props.append(("compliance:license_class", e.license.license_class))
    facts = e.facts
    if facts is not None:
        if facts.license.declared:
            props.append(("compliance:declared_license", facts.license.declared))
        terms = facts.effective_terms()
        props += [
            ("compliance:commercial_use", terms.commercial_use),
            ("compliance:mau_cap", _text(terms.mau_cap)),
            ("compliance:revenue_cap", _text(terms.revenue_cap)),
            ("compliance:eu_restricted", _text(terms.eu_restricted)),
            ("compliance:output_training", terms.output_training),
            ("compliance:acceptable_use_policy", _text(terms.acceptable_use_policy)),
            ("compliance:origin_country", _text(terms.origin_country)),
            ("compliance:gated", _text(facts.gated)),
        ]
        props += [
            ("compliance:territory_restriction", f"{t.region} {t.scope} ({t.clause})")
            for t in terms.territory_restrictions
        ]
        props += [("compliance:attribution", a) for a in terms.attribution]
    props += [("compliance:finding", f"{f.severity} {f.code}: {f.message}") for f in e.findings]
    props += [
        (
            "compliance:exception",
            f"{', '.join(x.rules) or 'all'}: {x.reason} (approved by {x.approved_by},"
            f" expires {x.expires or 'never'})",
        )
        for x in e.exceptions
    ]
    props += [
        ("compliance:named_at", f"{loc.file}:{loc.line}" if loc.line else str(loc.file))
        for loc in e.locations
    ]
    props.append(("compliance:read_at", _text(e.read_at)))
    return [Property(name=n, value=v) for n, v in props if v != ""]


def _evidence(e: AuditEntry) -> Any:
    from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence

    if e.facts is None or not e.facts.evidence:
        return None
    occurrences = []
    for ev in e.facts.evidence:
        where = f"{ev.model}:{ev.file}" if ev.model else ev.file
        context = f"{ev.fact}: {ev.quote}"
        occurrences.append(
            Occurrence(
                location=where,
                line=ev.line if ev.line is not None and ev.line >= 0 else None,
                additional_context=context[:_MAX_CONTEXT],
            )
        )
    return ComponentEvidence(occurrences=occurrences)


def _external_refs(e: AuditEntry) -> list[Any]:
    from cyclonedx.model import (
        ExternalReference,
        ExternalReferenceType,
        HashAlgorithm,
        HashType,
        XsUri,
    )

    refs = []
    pinned = bool(e.revision and _SHA.fullmatch(e.revision) and e.source != "closed-api")
    if pinned:
        refs.append(
            ExternalReference(
                type=ExternalReferenceType.WEBSITE,
                url=XsUri(f"https://huggingface.co/{e.model}/tree/{e.revision}"),
            )
        )
    if e.facts is not None:
        for name, sha in e.facts.license_files:
            url = f"https://huggingface.co/{e.model}/blob/{e.revision}/{name}" if pinned else name
            refs.append(
                ExternalReference(
                    type=ExternalReferenceType.EVIDENCE,
                    url=XsUri(url),
                    comment=f"licence file read: {name}",
                    hashes=[HashType(alg=HashAlgorithm.SHA_256, content=sha)]
                    if sha and re.fullmatch(r"[0-9a-f]{64}", sha)
                    else [],
                )
            )
    return refs


def _ancestor(node: LineageNode, e: AuditEntry, names: Names, seen: frozenset[str]) -> Any:
    from cyclonedx.model import Property
    from cyclonedx.model.component import Component, ComponentType, Pedigree
    from cyclonedx.model.license import LicenseAcknowledgement

    same = node.license_key == e.license.key
    name, url = names.get(node.license_key, (None, None))
    licence = None
    if node.license_key != "unknown":
        licence = _license(
            e.license.spdx if same else node.license_key,
            (e.license.name if same else name) or node.license_key,
            e.license.url if same else url,
            LicenseAcknowledgement.CONCLUDED,
        )
    props = [
        Property(name="compliance:relation", value=node.relation or "base"),
        Property(name="compliance:license_key", value=node.license_key),
        Property(name="compliance:license_class", value=node.license_class),
    ]
    if node.error:
        props.append(Property(name="compliance:error", value=node.error))
    key = f"{node.model}@{node.revision}"
    parents = [
        _ancestor(p, e, names, seen | {key})
        for p in node.parents
        if f"{p.model}@{p.revision}" not in seen
    ]
    return Component(
        type=ComponentType.MACHINE_LEARNING_MODEL,
        name=node.model,
        version=node.revision,
        purl=_purl(node.model, node.revision),
        licenses=[licence] if licence is not None else [],
        properties=props,
        pedigree=Pedigree(ancestors=parents) if parents else None,
    )


def _component(e: AuditEntry, names: Names) -> Any:
    from cyclonedx.model.component import Component, ComponentType, Pedigree
    from cyclonedx.model.contact import OrganizationalEntity

    facts = e.facts
    publisher = facts.publisher if facts else None
    supplier = (publisher.name or publisher.org) if publisher else None
    ancestors = [_ancestor(n, e, names, frozenset()) for n in (facts.lineage if facts else ())]
    group, _, name = e.model.rpartition("/") if "/" in e.model else ("", "", e.model)
    return Component(
        type=ComponentType.MACHINE_LEARNING_MODEL,
        bom_ref=_bom_ref(e.model, e.revision),
        group=group or None,
        name=name,
        version=e.revision,
        supplier=OrganizationalEntity(name=supplier) if supplier else None,
        purl=_purl(e.model, e.revision) if e.source != "closed-api" else None,
        licenses=_licenses(e, names),
        pedigree=Pedigree(ancestors=ancestors) if ancestors else None,
        properties=_properties(e),
        evidence=_evidence(e),
        external_references=_external_refs(e),
        description=f"compliance decision: {e.decision}",
    )


def _model_card(e: AuditEntry) -> dict[str, Any]:
    """The CycloneDX modelCard the library cannot build: task, plus the model facts that are
    about the model rather than its licence."""
    card: dict[str, Any] = {"bom-ref": "modelcard:" + _bom_ref(e.model, e.revision)}
    facts = e.facts
    if facts is not None and facts.pipeline_tag:
        card["modelParameters"] = {"task": facts.pipeline_tag}
    props = []
    if facts is not None:
        props.append({"name": "compliance:multimodal", "value": _text(facts.multimodal)})
        props += [
            {"name": "compliance:base_model", "value": f"{b.model} ({b.relation or 'base'})"}
            for b in facts.base_models
        ]
    if props:
        card["properties"] = props
    return card


def build_bom(report: AuditReport) -> Any:
    """The cyclonedx-python-lib Bom for the report (without model cards)."""
    import datetime as dt

    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType

    from .spdx import _created

    digest = hashlib.sha256(
        "\n".join(
            [report.generated_at, *(f"{e.model}@{e.revision}" for e in report.entries)]
        ).encode()
    ).hexdigest()
    bom = Bom(serial_number=uuid.uuid5(uuid.NAMESPACE_URL, "compliance-audit:" + digest))
    bom.metadata.timestamp = _created(report.generated_at).replace(tzinfo=dt.timezone.utc)
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name="compliance", version=report.tool_version)
    )
    used: set[str] = set()
    for e in report.entries:
        ref = _bom_ref(e.model, e.revision)
        if ref in used:  # the same model and revision twice: one component
            continue
        used.add(ref)
        bom.components.add(_component(e, report.license_names))
    return bom


def cyclonedx_json(report: AuditReport, spec_version: str = DEFAULT_SPEC_VERSION) -> dict[str, Any]:
    import warnings

    from cyclonedx.output import make_outputter
    from cyclonedx.output.json import JsonV1Dot6, JsonV1Dot7  # noqa: F401  (versions we write)
    from cyclonedx.schema import OutputFormat, SchemaVersion

    if spec_version not in SPEC_VERSIONS:
        raise ValueError(f"CycloneDX spec version {spec_version!r} is not one of {SPEC_VERSIONS}")
    version = SchemaVersion.from_version(spec_version)
    with warnings.catch_warnings():  # "no dependencies defined": models have none to declare
        warnings.simplefilter("ignore")
        text = make_outputter(build_bom(report), OutputFormat.JSON, version).output_as_string()
    data: dict[str, Any] = json.loads(text)
    cards = {_bom_ref(e.model, e.revision): _model_card(e) for e in report.entries}
    for component in data.get("components", []):
        card = cards.get(component.get("bom-ref", ""))
        if card is not None:
            component["modelCard"] = card
        occurrences = component.get("evidence", {}).get("occurrences")
        if occurrences:  # the library orders them by a random bom-ref: make the output stable
            occurrences.sort(
                key=lambda o: (o["location"], o.get("line", -1), o.get("additionalContext", ""))
            )
    return data


def render_cyclonedx(report: AuditReport, spec_version: str = DEFAULT_SPEC_VERSION) -> str:
    return json.dumps(cyclonedx_json(report, spec_version), indent=2, ensure_ascii=False) + "\n"

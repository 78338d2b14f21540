"""`audit --format spdx`: an SPDX 2.3 JSON document, built and validated with spdx-tools.

One package per model: name = the model id, version = the revision, supplier = the publisher
(Organization), download location = the Hub URL at that revision (NOASSERTION when the revision
is not a commit sha), licenseDeclared = the model's own licence, licenseConcluded = the effective
licence after lineage, both as SPDX ids or LicenseRefs. Each LicenseRef gets an
ExtractedLicensingInfo entry with its name and a one-line pointer ("See <url>"), never the text.
The facts the decision rests on go in the package comment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from .audit import AuditEntry, AuditReport

DOCUMENT_NAMESPACE = "https://spdx.org/spdxdocs/compliance-audit-"
HUB_SOURCES = ("hub", "mirror", "cache")  # a closed API model has no Hub page
_ID_CHARS = re.compile(r"[^A-Za-z0-9.\-]+")


class SpdxInvalid(Exception):
    """spdx-tools rejected the document: a bug in this module, never in the user's input."""


def _spdx_id(text: str) -> str:
    return _ID_CHARS.sub("-", text).strip("-") or "x"


def _license_id(spdx: str | None, key: str | None) -> str | None:
    """An SPDX id or LicenseRef for the licence; None when nothing is known."""
    if spdx:
        return spdx
    if key and key != "unknown":
        return f"LicenseRef-compliance-{_spdx_id(key)}"
    return None


def _created(generated_at: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(generated_at.replace("Z", "+00:00"))
    except ValueError:
        value = dt.datetime.now(dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).replace(microsecond=0, tzinfo=None)


def _comment(e: AuditEntry) -> str:
    lines = [f"compliance decision: {e.decision}."]
    if e.findings:
        lines.append(
            "Findings: " + "; ".join(f"{f.severity} {f.code}: {f.message}" for f in e.findings)
        )
    for row in e.fact_rows:
        if row.fact == "other":
            continue
        where = ", ".join(
            (f"{ev.model}: " if ev.model else "") + (f"{ev.file}:{ev.line}" if ev.line else ev.file)
            for ev in row.evidence
        )
        lines.append(f"{row.label}: {row.value}" + (f" (evidence: {where})" if where else ""))
    if e.lineage:
        lines.append("Lineage: " + "; ".join(str(line) for line in e.lineage))
    for x in e.exceptions:
        lines.append(
            f"Exception applied: {', '.join(x.rules) or 'all'} — {x.reason} (approved by"
            f" {x.approved_by}, expires {x.expires or 'never'})"
        )
    lines.append(f"Revision {e.revision_label}, read at {e.read_at or 'unknown'}.")
    return "\n".join(lines)


def build_document(report: AuditReport) -> Any:
    """The spdx-tools Document for the report."""
    from spdx_tools.common.spdx_licensing import spdx_licensing
    from spdx_tools.spdx.model import (
        Actor,
        ActorType,
        CreationInfo,
        Document,
        ExternalPackageRef,
        ExternalPackageRefCategory,
        ExtractedLicensingInfo,
        Package,
        Relationship,
        RelationshipType,
        SpdxNoAssertion,
    )

    digest = hashlib.sha256(
        "\n".join(
            [report.generated_at, *(f"{e.model}@{e.revision}" for e in report.entries)]
        ).encode()
    ).hexdigest()[:32]
    creation = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name="compliance model audit",
        document_namespace=DOCUMENT_NAMESPACE + digest,
        creators=[Actor(ActorType.TOOL, f"compliance-{report.tool_version}")],
        created=_created(report.generated_at),
        creator_comment="Licence review of AI models by compliance; see each package comment."
        + (f" Note: {report.date_note}" if report.date_note else ""),
    )
    packages: list[Package] = []
    relationships: list[Relationship] = []
    refs: dict[str, tuple[str | None, str | None]] = {}  # LicenseRef -> (name, url)
    used_ids: set[str] = set()
    for e in report.entries:
        spdx_id = "SPDXRef-Model-" + _spdx_id(e.model)
        while spdx_id in used_ids:
            spdx_id += "-x"
        used_ids.add(spdx_id)
        facts = e.facts
        declared_id = _license_id(facts.license.spdx, facts.license.key) if facts else None
        concluded_id = _license_id(e.license.spdx, e.license.key)
        for lid, name, url in (
            (
                declared_id,
                facts.license.declared_name if facts else None,
                facts.license.declared_link if facts else None,
            ),
            (concluded_id, e.license.name, e.license.url),
        ):
            if url is not None and not str(url).startswith(("https://", "http://")):
                url = None  # a cross reference must be a URL (spdx-tools rejects the rest)
            if lid and lid.startswith("LicenseRef-"):
                old = refs.get(lid, (None, None))
                refs[lid] = (old[0] or name, old[1] or url)
        publisher = facts.publisher if facts else None
        supplier_name = (publisher.name or publisher.org) if publisher else None
        pkg = Package(
            spdx_id=spdx_id,
            name=e.model,
            download_location=e.hub_url or SpdxNoAssertion(),
            version=e.revision or None,
            supplier=Actor(ActorType.ORGANIZATION, supplier_name)
            if supplier_name
            else SpdxNoAssertion(),
            files_analyzed=False,
            license_declared=spdx_licensing.parse(declared_id)
            if declared_id
            else SpdxNoAssertion(),
            license_concluded=spdx_licensing.parse(concluded_id)
            if concluded_id
            else SpdxNoAssertion(),
            copyright_text=SpdxNoAssertion(),
            homepage=f"https://huggingface.co/{e.model}" if e.source in HUB_SOURCES else None,
            comment=_comment(e),
            attribution_texts=[
                o.text for o in e.obligations if o.kind in ("notice", "name-prefix")
            ],
            external_references=(
                [
                    ExternalPackageRef(
                        ExternalPackageRefCategory.PACKAGE_MANAGER,
                        "purl",
                        f"pkg:huggingface/{e.model}@{e.revision}",
                    )
                ]
                if e.hub_url
                else []
            ),
        )
        packages.append(pkg)
        relationships.append(Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, spdx_id))
    extracted = [
        ExtractedLicensingInfo(
            license_id=lid,
            license_name=name or lid.removeprefix("LicenseRef-"),
            extracted_text=(
                f"See {url}"
                if url
                else f"Licence {name or lid} as identified by compliance; its text is not"
                " reproduced here."
            ),
            cross_references=[url] if url else [],
        )
        for lid, (name, url) in sorted(refs.items())
    ]
    return Document(
        creation_info=creation,
        packages=packages,
        relationships=relationships,
        extracted_licensing_info=extracted,
    )


def validate(document: Any) -> list[str]:
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    return [m.validation_message for m in validate_full_spdx_document(document)]


def spdx_json(report: AuditReport) -> dict[str, Any]:
    """The SPDX 2.3 JSON object; raises SpdxInvalid when spdx-tools rejects it."""
    from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter

    document = build_document(report)
    problems = validate(document)
    if problems:
        raise SpdxInvalid("; ".join(problems))
    data: dict[str, Any] = DocumentConverter().convert(document)
    return data


def render_spdx(report: AuditReport) -> str:
    import json

    return json.dumps(spdx_json(report), indent=2, ensure_ascii=False) + "\n"

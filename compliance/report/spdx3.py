"""`audit --format spdx3`: an SPDX 3.0.1 JSON-LD document with the AI profile.

Built with spdx-python-model (the SPDX project's generated bindings). One `ai_AIPackage` per
model (name, revision, Hub download location, pkg:huggingface purl, supplier, primary purpose
`model`); its declared licence (the model's own) and concluded licence (the one that governs
after lineage) are `simplelicensing_LicenseExpression` elements linked by `hasDeclaredLicense` /
`hasConcludedLicense` relationships. An expression holds SPDX License List ids only when they
are on the list; any other licence is a `LicenseRef-` id whose text URL is given in
`simplelicensing_customIdToUri`. The lineage: each ancestor is an `ai_AIPackage` with its own
concluded licence and an `ancestorOf` relationship to the model derived from it. A licence that
could not be established gets no licence relationship; the comment says so. The facts and the
decision go in the package's `comment`, as in the SPDX 2.3 report.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any

from ..facts.model import LineageNode
from .audit import AuditEntry, AuditReport
from .licenseids import spdx_expression

DOCUMENT_PREFIX = "https://spdx.org/spdxdocs/compliance-audit-"
_SHA = re.compile(r"[0-9a-f]{40}")
_REF_CHARS = re.compile(r"[^A-Za-z0-9.\-]+")
_LICENSE_REF = re.compile(r"LicenseRef-[A-Za-z0-9.\-]+")


def license_expression(spdx: str | None, key: str | None) -> str | None:
    """An SPDX 3 licence expression: SPDX-listed ids as they are, a well-formed LicenseRef as
    it is, any other known key as LicenseRef-compliance-<key>; None when unknown."""
    listed = spdx_expression(spdx)
    if listed:
        return listed
    if spdx and _LICENSE_REF.fullmatch(spdx):
        return spdx
    if key and key != "unknown":
        return "LicenseRef-compliance-" + (_REF_CHARS.sub("-", key).strip("-") or "x")
    return None


class _Builder:
    def __init__(self, report: AuditReport) -> None:
        from spdx_python_model import v3_0_1 as spdx

        self.spdx = spdx
        digest = hashlib.sha256(
            "\n".join(
                [report.generated_at, *(f"{e.model}@{e.revision}" for e in report.entries)]
            ).encode()
        ).hexdigest()[:32]
        self.base = DOCUMENT_PREFIX + digest
        self.names = report.license_names
        self.count = 0
        self.objects: list[Any] = []
        self.licenses: dict[tuple[str, str | None], Any] = {}
        self.agent = spdx.SoftwareAgent(
            _id=self.new_id("agent"), name=f"compliance {report.tool_version}"
        )
        self.info = spdx.CreationInfo(
            _id="_:creationinfo",
            specVersion="3.0.1",
            created=_created(report.generated_at),
            createdBy=[self.agent],
        )
        self.agent.creationInfo = self.info
        self.objects.append(self.agent)

    def new_id(self, kind: str) -> str:
        self.count += 1
        return f"{self.base}#{kind}-{self.count}"

    def add(self, obj: Any) -> Any:
        self.objects.append(obj)
        return obj

    def license(self, expression: str, url: str | None) -> Any:
        found = self.licenses.get((expression, url))
        if found is not None:
            return found
        spdx = self.spdx
        custom = []
        if url and url.startswith(("https://", "http://")):
            custom = [
                spdx.DictionaryEntry(key=ref, value=url)
                for ref in dict.fromkeys(_LICENSE_REF.findall(expression))
            ]
        obj = self.add(
            spdx.simplelicensing_LicenseExpression(
                _id=self.new_id("license"),
                creationInfo=self.info,
                simplelicensing_licenseExpression=expression,
                simplelicensing_customIdToUri=custom,
            )
        )
        self.licenses[(expression, url)] = obj
        return obj

    def relate(self, source: Any, kind: Any, targets: list[Any]) -> Any:
        return self.add(
            self.spdx.Relationship(
                _id=self.new_id("relationship"),
                creationInfo=self.info,
                from_=source,
                relationshipType=kind,
                to=targets,
            )
        )

    def package(self, model: str, revision: str | None, comment: str | None = None) -> Any:
        spdx = self.spdx
        pinned = bool(revision and _SHA.fullmatch(revision) and "/" in model)
        pkg = spdx.ai_AIPackage(
            _id=self.new_id("model"),
            creationInfo=self.info,
            name=model,
            software_primaryPurpose=spdx.software_SoftwarePurpose.model,
        )
        if revision:
            pkg.software_packageVersion = revision
        if pinned:
            pkg.software_downloadLocation = f"https://huggingface.co/{model}/tree/{revision}"
            org, name = model.split("/", 1)
            pkg.software_packageUrl = f"pkg:huggingface/{org}/{name}@{revision}"
        if comment:
            pkg.comment = comment
        return self.add(pkg)

    def ancestors(self, node: LineageNode, child: Any, e: AuditEntry, depth: int) -> Any:
        spdx = self.spdx
        pkg = self.package(
            node.model,
            node.revision,
            f"{node.relation or 'base'} of the model it is ancestor of; licence {node.license_key}"
            f" ({node.license_class})"
            + (f"; could not be read: {node.error}" if node.error else ""),
        )
        same = node.license_key == e.license.key
        expression = license_expression(e.license.spdx if same else None, node.license_key)
        if expression:
            url = e.license.url if same else self.names.get(node.license_key, (None, None))[1]
            lic = self.license(expression, url)
            self.relate(pkg, spdx.RelationshipType.hasConcludedLicense, [lic])
        self.relate(pkg, spdx.RelationshipType.ancestorOf, [child])
        if depth < 16:
            for parent in node.parents:
                self.ancestors(parent, pkg, e, depth + 1)
        return pkg

    def entry(self, e: AuditEntry) -> Any:
        from .spdx import _comment

        spdx = self.spdx
        pkg = self.package(e.model, e.revision, _comment(e))
        facts = e.facts
        publisher = facts.publisher if facts else None
        supplier = (publisher.name or publisher.org) if publisher else None
        if supplier:
            org = self.add(
                spdx.Organization(_id=self.new_id("org"), creationInfo=self.info, name=supplier)
            )
            pkg.suppliedBy = org
        attribution = [o.text for o in e.obligations if o.kind in ("notice", "name-prefix")]
        if attribution:
            pkg.software_attributionText = attribution
        if facts is not None:
            own = facts.license
            declared = license_expression(own.spdx, own.key)
            if declared:
                url = own.declared_link or (
                    e.license.url
                    if own.key == e.license.key
                    else self.names.get(own.key, (None, None))[1]
                )
                lic = self.license(declared, url)
                self.relate(pkg, spdx.RelationshipType.hasDeclaredLicense, [lic])
            for node in facts.lineage:
                self.ancestors(node, pkg, e, 1)
        concluded = license_expression(e.license.spdx, e.license.key)
        if concluded:
            lic = self.license(concluded, e.license.url)
            self.relate(pkg, spdx.RelationshipType.hasConcludedLicense, [lic])
        return pkg


def _created(generated_at: str) -> Any:
    import datetime as dt

    from .spdx import _created as naive

    return naive(generated_at).replace(tzinfo=dt.timezone.utc)


def spdx3_json(report: AuditReport) -> dict[str, Any]:
    """The SPDX 3.0.1 JSON-LD object for the report."""
    builder = _Builder(report)
    spdx = builder.spdx
    roots = [builder.entry(e) for e in report.entries]
    sbom = builder.add(
        spdx.software_Sbom(
            _id=builder.new_id("sbom"),
            creationInfo=builder.info,
            name="compliance model audit",
            rootElement=roots,
            software_sbomType=[spdx.software_SbomType.analyzed],
        )
    )
    document = spdx.SpdxDocument(
        _id=builder.base,
        creationInfo=builder.info,
        name="compliance model audit",
        rootElement=[sbom],
        profileConformance=[
            spdx.ProfileIdentifierType.core,
            spdx.ProfileIdentifierType.software,
            spdx.ProfileIdentifierType.ai,
            spdx.ProfileIdentifierType.simpleLicensing,
        ],
    )
    sbom.element = [o for o in builder.objects if o is not sbom]
    document.element = list(builder.objects)
    objects = spdx.SHACLObjectSet()
    for obj in [document, *builder.objects]:
        objects.add(obj)
    buffer = io.BytesIO()
    spdx.JSONLDSerializer().write(objects, buffer)
    data: dict[str, Any] = json.loads(buffer.getvalue().decode("utf-8"))
    return data


def render_spdx3(report: AuditReport) -> str:
    return json.dumps(spdx3_json(report), indent=2, ensure_ascii=False) + "\n"

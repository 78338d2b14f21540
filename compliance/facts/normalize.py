"""Snapshot -> ModelFacts: what the source states for certain (foundation version).

Facts not established here stay "unknown"/None; the licence registry and text detection fill
them (issue 3).
"""

from __future__ import annotations

from ..sources.interface import Snapshot
from .card import find_key_line, first_heading
from .lineage import declared_bases
from .model import Evidence, LicenseInfo, ModelFacts, Publisher

MULTIMODAL_PIPELINES = frozenset(
    {
        "image-text-to-text",
        "visual-question-answering",
        "any-to-any",
        "video-text-to-text",
        "image-to-text",
        "audio-text-to-text",
        "document-question-answering",
    }
)
TEXT_PIPELINES = frozenset(
    {
        "text-generation",
        "text2text-generation",
        "fill-mask",
        "feature-extraction",
        "sentence-similarity",
        "text-classification",
        "token-classification",
        "question-answering",
        "summarization",
        "translation",
        "zero-shot-classification",
        "text-ranking",
    }
)


def multimodal_of(pipeline_tag: str | None, tags: tuple[str, ...]) -> bool | None:
    if pipeline_tag in MULTIMODAL_PIPELINES or any(t in MULTIMODAL_PIPELINES for t in tags):
        return True
    if pipeline_tag in TEXT_PIPELINES:
        return False
    return None


def _str_or_none(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else ", ".join(str(v) for v in value)
    return str(value) if value not in (None, "") else None


def normalize(snapshot: Snapshot) -> ModelFacts:
    card = snapshot.card_data
    evidence: list[Evidence] = []
    card_file = snapshot.card
    if card_file is not None and card_file.text is not None:
        located = find_key_line(card_file.text, "license")
        if located is not None:
            evidence.append(Evidence("license.declared", "README.md", located[0], located[1]))
    for lic in snapshot.license_files:
        if lic.text is None:
            continue
        heading = first_heading(lic.text)
        if heading is not None:
            evidence.append(Evidence("license.file", lic.path, heading[0], heading[1]))
    org = snapshot.model.split("/", 1)[0]
    return ModelFacts(
        model=snapshot.model,
        revision=snapshot.revision,
        source="cache" if snapshot.from_cache else snapshot.source,
        license=LicenseInfo(
            declared=_str_or_none(card.get("license")),
            declared_name=_str_or_none(card.get("license_name")),
            declared_link=_str_or_none(card.get("license_link")),
        ),
        publisher=Publisher(org=org),
        gated=snapshot.gated,
        eu_gate_disallowed=bool(snapshot.gated and card.get("extra_gated_eu_disallowed") is True),
        multimodal=multimodal_of(snapshot.pipeline_tag, snapshot.tags),
        pipeline_tag=snapshot.pipeline_tag,
        base_models=declared_bases(snapshot),
        evidence=tuple(evidence),
        digest=snapshot.digest,
        fetched_at=snapshot.fetched_at,
        license_files=tuple(
            (f.path, f.sha256) for f in snapshot.license_files if f.sha256 is not None
        ),
        notes=snapshot.notes,
    )

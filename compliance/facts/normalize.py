"""Snapshot (+ registry) -> ModelFacts: which licence governs a model and what it says, with evidence.

A pure function of (Snapshot, Registry). Sources of the licence, strongest first:

1. the repo's licence files (LICENSE, USE_POLICY.md, ...) identified by their text (detect.py);
2. the card's `license:` id through the registry's Hub-id map; for `other`, the card's
   `license_name` (registry name map) and `license_link` (a file of the repo is read and detected;
   a known URL maps through the registry; any other URL is unknown: nothing is fetched here).

When the card and the files disagree the stricter terms govern and a `license-conflict` finding
says so. A use policy a licence incorporates folds in (its territory clauses add up). Nothing is
assumed: a fact the sources do not establish stays "unknown" / None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..sources.interface import Snapshot
from .card import find_key_line, first_heading
from .lineage import declared_bases
from .model import (
    CLASS_STRICTNESS,
    Evidence,
    Finding,
    LicenseInfo,
    ModelFacts,
    Publisher,
    TerritoryRestriction,
)
from .registry import LicenseRecord, Registry, Terms, eu_restricted_of, load_registry

MULTIMODAL_PIPELINES = frozenset(
    {
        "image-text-to-text",
        "visual-question-answering",
        "any-to-any",
        "video-text-to-text",
        "image-to-text",
        "audio-text-to-text",
        "document-question-answering",
        "text-to-image",
        "image-to-image",
        "text-to-video",
        "text-to-speech",
        "text-to-audio",
        "automatic-speech-recognition",
        "image-classification",
        "zero-shot-image-classification",
        "object-detection",
        "image-segmentation",
        "audio-classification",
        "video-classification",
        "depth-estimation",
        "mask-generation",
        "image-feature-extraction",
        "visual-document-retrieval",
        "text-to-3d",
        "image-to-3d",
        "image-to-video",
        "audio-to-audio",
        "voice-activity-detection",
    }
)
# Tags that say the model takes or makes something other than text.
MULTIMODAL_TAGS = frozenset(
    {
        "vision",
        "multimodal",
        "vlm",
        "vision-language",
        "image-text-to-text",
        "visual-question-answering",
        "any-to-any",
        "video-text-to-text",
        "image-to-text",
        "audio-text-to-text",
        "llava",
        "mllama",
        "audio",
        "speech",
        "omni",
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
        "table-question-answering",
    }
)
_MM_NAME = re.compile(r"(?:^|[-_./])(?:vision|vl|vlm|llava|omni|multimodal|mm)(?:$|[-_./\d])", re.I)
_MM_CONFIG_KEYS = (
    "vision_config",
    "audio_config",
    "vision_tower",
    "mm_vision_tower",
    "image_token_index",
)

# Closed API providers: provider/model names that are hosted proprietary models.
CLOSED_API_PROVIDERS = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "gemini": "Google",
    "google": "Google",
    "vertex_ai": "Google",
    "vertexai": "Google",
    "azure": "Microsoft Azure OpenAI",
    "azure_openai": "Microsoft Azure OpenAI",
    "bedrock": "Amazon Bedrock",
    "cohere": "Cohere",
    "mistral": "Mistral AI",
    "mistralai-api": "Mistral AI",
    "xai": "xAI",
    "groq": "Groq",
    "perplexity": "Perplexity",
    "deepseek-api": "DeepSeek",
}
_PROVIDER_COUNTRY = {
    "OpenAI": "US",
    "Anthropic": "US",
    "Google": "US",
    "Microsoft Azure OpenAI": "US",
    "Amazon Bedrock": "US",
    "Cohere": "CA",
    "Mistral AI": "FR",
    "xAI": "US",
    "Groq": "US",
    "Perplexity": "US",
    "DeepSeek": "CN",
}


# -- modality -------------------------------------------------------------------------------------
def multimodal_of(
    pipeline_tag: str | None,
    tags: tuple[str, ...] | list[str] = (),
    *,
    model: str | None = None,
    config: dict[str, Any] | None = None,
) -> bool | None:
    """True when any signal says the model handles more than text; False only when the pipeline
    says text and nothing says otherwise; None when nothing says."""
    low_tags = {str(t).lower() for t in tags}
    if pipeline_tag in MULTIMODAL_PIPELINES or low_tags & MULTIMODAL_TAGS:
        return True
    if any(t in MULTIMODAL_PIPELINES for t in low_tags):
        return True
    if config:
        if any(k in config for k in _MM_CONFIG_KEYS):
            return True
        archs = config.get("architectures") or []
        if isinstance(archs, list) and any(
            isinstance(a, str) and re.search(r"Vision|VL|Llava|Mllama|Omni|ImageText", a)
            for a in archs
        ):
            return True
    if model and _MM_NAME.search(model.split("/", 1)[-1]):
        return True
    if pipeline_tag in TEXT_PIPELINES:
        return False
    return None


def _config(snapshot: Snapshot) -> dict[str, Any] | None:
    f = snapshot.file("config.json")
    if f is None or not f.text:
        return None
    import json

    try:
        data = json.loads(f.text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    # Nested text_config-only models are still text; a vision_config anywhere counts.
    return data


# -- helpers --------------------------------------------------------------------------------------
def _str_or_none(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else ", ".join(str(v) for v in value)
    return str(value).strip() if value not in (None, "") else None


def _declared_ids(value: object) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [
            str(v).strip() for v in value if isinstance(v, (str, int, float)) and str(v).strip()
        ]
    return []


def _card_line(snapshot: Snapshot, key: str) -> tuple[int, str] | None:
    card = snapshot.card
    if card is None or card.text is None:
        return None
    return find_key_line(card.text, key)


def _is_url_file(path: str) -> bool:
    return path.startswith(("http://", "https://"))


def repo_file_of_link(link: str, model: str) -> str | None:
    """The repo file a `license_link` names (LICENSE, ./LICENSE.md, a Hub URL of this repo), or None."""
    link = link.strip()
    m = re.match(
        r"^https?://(?:www\.)?huggingface\.co/(?P<repo>[^/]+/[^/]+)/(?:blob|resolve|raw)/[^/]+/(?P<path>.+)$",
        link,
        re.I,
    )
    if m:
        return m.group("path") if m.group("repo").lower() == model.lower() else None
    if re.match(r"^[a-z][a-z0-9+.-]*:", link, re.I) or link.startswith("//"):
        return None
    path = link.lstrip("./").lstrip("/")
    return path or None


@dataclass(frozen=True)
class _Candidate:
    """One statement of which licence applies: from a file's text or the card."""

    record: LicenseRecord | None
    source: str  # "file:LICENSE", "card", "card:license_name", "card:license_link"
    confidence: float
    evidence: tuple[Evidence, ...]
    status: str = "exact"  # exact | modified (files) | declared (card)
    notes: tuple[str, ...] = ()


def _stricter(a: LicenseRecord, b: LicenseRecord) -> bool:
    """True when a is stricter than b (class order; then commercial use)."""
    ca, cb = CLASS_STRICTNESS.get(a.license_class, 99), CLASS_STRICTNESS.get(b.license_class, 99)
    if ca != cb:
        return ca > cb
    order = {"yes": 0, "conditional": 1, None: 2, "unknown": 2, "no": 3}
    return order.get(a.value("commercial_use"), 2) > order.get(b.value("commercial_use"), 2)


# -- closed API models ------------------------------------------------------------------------------
def closed_api_provider(name: str) -> str | None:
    provider = name.split("/", 1)[0].strip().lower() if "/" in name else ""
    return CLOSED_API_PROVIDERS.get(provider)


def closed_api_facts(name: str) -> ModelFacts:
    """Facts for a hosted proprietary model named provider/model: nothing is fetched."""
    provider = closed_api_provider(name) or name.split("/", 1)[0]
    return ModelFacts(
        model=name,
        revision=None,
        source="closed-api",
        license=LicenseInfo(
            key="proprietary",
            spdx=None,
            license_class="proprietary",
            source="closed-api",
            confidence=1.0,
        ),
        publisher=Publisher(
            org=name.split("/", 1)[0], name=provider, country=_PROVIDER_COUNTRY.get(provider)
        ),
        commercial_use="conditional",
        output_training="unknown",
        notes=(
            f"a hosted API model: {provider}'s terms of service govern its use; not read by this tool",
        ),
    )


# -- the main function ----------------------------------------------------------------------------------
def normalize(snapshot: Snapshot, registry: Registry | None = None) -> ModelFacts:
    reg = registry or load_registry()
    card = snapshot.card_data
    evidence: list[Evidence] = []
    findings: list[Finding] = []
    notes: list[str] = list(snapshot.notes)

    declared_raw = card.get("license")
    declared_ids = _declared_ids(declared_raw)
    declared_name = _str_or_none(card.get("license_name"))
    declared_link = _str_or_none(card.get("license_link"))
    lic_line = _card_line(snapshot, "license")
    if lic_line is not None:
        evidence.append(Evidence("license.declared", "README.md", lic_line[0], lic_line[1]))

    # 1. Licence files, identified by their text.
    from .detect import detect_text

    file_cands: list[_Candidate] = []
    policy_files: list[_Candidate] = []
    detected_paths: set[str] = set()
    files = [f for f in snapshot.license_files] + [
        f for f in snapshot.files if _is_url_file(f.path) and f not in snapshot.license_files
    ]

    def read_file(path: str, text: str) -> None:
        detected_paths.add(path)
        res = detect_text(text, path, registry=reg)
        heading = first_heading(text)
        if res.key is None:
            evidence.append(
                Evidence(
                    "license.file",
                    path,
                    heading[0] if heading else None,
                    heading[1] if heading else "",
                )
            )
            near = (
                f"; nearest known text {res.nearest} ({res.coverage:.0%} present)"
                if res.nearest
                else ""
            )
            notes.append(f"{path}: not a known licence text{near}")
            file_cands.append(_Candidate(None, f"file:{path}", 0.0, (), "unknown"))
            return
        record = reg.get(res.key)
        cand = _Candidate(
            record,
            f"file:{path}",
            res.confidence,
            tuple(
                Evidence("license.file" if e.fact == "license" else e.fact, e.file, e.line, e.quote)
                for e in res.evidence
            ),
            res.status,
            res.notes if res.status != "exact" else (),
        )
        (policy_files if res.document == "policy" else file_cands).append(cand)

    for f in files:
        if f.text is None:
            if f.skipped:
                notes.append(f"{f.path}: not read ({f.skipped})")
            continue
        read_file(f.path, f.text)

    # 2. The card's declaration.
    card_cands: list[_Candidate] = []
    for hid in declared_ids:
        rec = reg.by_hf_id(hid)
        ev = (
            (Evidence("license.declared", "README.md", lic_line[0], lic_line[1]),)
            if lic_line
            else ()
        )
        if rec is not None:
            card_cands.append(_Candidate(rec, "card", 0.8, ev, "declared"))
        elif hid.lower() in ("other", "unknown"):
            continue
        elif not reg.knows_hf_id(hid):
            notes.append(f"card licence id {hid!r} is not a Hub licence id this tool knows")
    if not declared_ids and not declared_name and not declared_link:
        body = _body_licence(snapshot, reg)
        if body is not None:
            rec, line_no, quote = body
            ev = (Evidence("license.declared", "README.md", line_no, quote),)
            evidence.extend(ev)
            card_cands.append(_Candidate(rec, "card:body", 0.5, ev, "declared"))
            notes.append(
                f"no `license:` in the card metadata; the card text says {rec.key} (line {line_no})"
            )
    if declared_name:
        rec = reg.by_name(declared_name)
        line = _card_line(snapshot, "license_name")
        ev = (Evidence("license.declared_name", "README.md", line[0], line[1]),) if line else ()
        if rec is not None:
            card_cands.append(_Candidate(rec, "card:license_name", 0.7, ev, "declared"))
            evidence.extend(ev)
        else:
            notes.append(f"license_name {declared_name!r} is not a licence this tool knows")
    if declared_link:
        line = _card_line(snapshot, "license_link")
        ev = (Evidence("license.declared_link", "README.md", line[0], line[1]),) if line else ()
        evidence.extend(ev)
        repo_path = repo_file_of_link(declared_link, snapshot.model)
        if repo_path is not None:
            target = snapshot.file(repo_path)
            if target is not None and target.text is not None:
                if repo_path not in detected_paths:
                    read_file(repo_path, target.text)
            else:
                notes.append(f"license_link names {repo_path!r}, which was not read from the repo")
        else:
            rec = reg.by_link(declared_link)
            fetched = next((f for f in snapshot.files if f.path == declared_link), None)
            if rec is not None:
                card_cands.append(_Candidate(rec, "card:license_link", 0.7, ev, "declared"))
            elif fetched is None or fetched.text is None:
                evidence.append(
                    Evidence("license.link", declared_link, None, "not fetched: unknown")
                )
                notes.append(
                    f"license_link {declared_link} is outside the repo and was not read (offline): unknown"
                )

    # 3. What governs.
    known_files = [c for c in file_cands if c.record is not None]
    unknown_files = [c for c in file_cands if c.record is None]
    governing: _Candidate | None = None
    for c in known_files:
        if governing is None or (
            governing.record and c.record and _stricter(c.record, governing.record)
        ):
            governing = c
    # Several different licence texts in the repo: a conflict too.
    keys_in_files = {c.record.key for c in known_files if c.record}
    if len(keys_in_files) > 1:
        findings.append(
            Finding(
                "license-conflict",
                "warn",
                f"the repo's licence files are different licences ({', '.join(sorted(keys_in_files))}); "
                f"the stricter ({governing.record.key if governing and governing.record else '?'}) governs",
                tuple(e for c in known_files for e in c.evidence[:1]),
            )
        )
    card_best: _Candidate | None = None
    for c in card_cands:
        if card_best is None or (
            card_best.record and c.record and _stricter(c.record, card_best.record)
        ):
            card_best = c
    if governing is not None and card_best is not None and card_best.record and governing.record:
        if card_best.record.key != governing.record.key and not _same_family(
            card_best.record, governing.record
        ):
            stricter_card = _stricter(card_best.record, governing.record)
            winner = card_best if stricter_card else governing
            findings.append(
                Finding(
                    "license-conflict",
                    "warn",
                    f"the card declares {card_best.record.key} but {governing.source.split(':', 1)[1]} "
                    f"is {governing.record.key}; the stricter terms ({winner.record.key if winner.record else '?'}) govern",
                    card_best.evidence[:1] + governing.evidence[:1],
                )
            )
            governing = winner
    elif governing is None and card_best is not None:
        governing = card_best
        if unknown_files:
            notes.append(
                "a licence file in the repo is not a known text and may add terms to the declared licence"
            )
            governing = _Candidate(
                card_best.record,
                card_best.source,
                min(card_best.confidence, 0.5),
                card_best.evidence,
                card_best.status,
            )
            findings.append(
                Finding(
                    "license-conflict",
                    "warn",
                    f"the card declares {card_best.record.key if card_best.record else '?'} but "
                    f"{unknown_files[0].source.split(':', 1)[1]} is not that licence's known text",
                    card_best.evidence[:1],
                )
            )

    if governing is None and not policy_files:
        if (
            any(i.lower() == "other" for i in declared_ids)
            and not declared_name
            and not declared_link
            and not file_cands
        ):
            notes.append(
                "the card declares `license: other` with no licence name, link or file: unknown"
            )
        elif not declared_ids and not file_cands:
            notes.append("no licence declared and no licence file found: unknown")

    # A use policy file beside the licence: its facts fold in (a policy on its own governs nothing).
    record = governing.record if governing else None
    if record is None and policy_files:
        lic = next(
            (
                reg.get(k)
                for c in policy_files
                if c.record
                for k in c.record.policy_for
                if reg.get(k)
            ),
            None,
        )
        if lic is not None and governing is None:
            notes.append(
                f"only the use policy {policy_files[0].record.key if policy_files[0].record else '?'} "
                f"was found; it belongs to {lic.key}, which is assumed"
            )
            record = lic
            governing = _Candidate(
                lic, policy_files[0].source, 0.6, policy_files[0].evidence, "inferred"
            )

    org = snapshot.model.split("/", 1)[0]
    pub = reg.publisher(org)
    publisher = Publisher(
        org=org,
        name=pub.name if pub else None,
        country=None if pub is None or pub.reuploader else pub.country,
        reuploader=bool(pub and pub.reuploader),
    )
    config = _config(snapshot)
    pipeline = snapshot.pipeline_tag or _str_or_none(card.get("pipeline_tag"))
    tags = tuple(snapshot.tags) + tuple(
        str(t) for t in (card.get("tags") or []) if isinstance(card.get("tags"), list)
    )
    multimodal = multimodal_of(pipeline, tags, model=snapshot.model, config=config)
    eu_gate = bool(snapshot.gated and card.get("extra_gated_eu_disallowed") is True)

    base = ModelFacts(
        model=snapshot.model,
        revision=snapshot.revision,
        source="cache" if snapshot.from_cache else snapshot.source,
        publisher=publisher,
        gated=snapshot.gated,
        eu_gate_disallowed=eu_gate,
        multimodal=multimodal,
        pipeline_tag=pipeline,
        base_models=declared_bases(snapshot),
        digest=snapshot.digest,
        fetched_at=snapshot.fetched_at,
        license_files=tuple(
            (f.path, f.sha256) for f in snapshot.license_files if f.sha256 is not None
        ),
    )
    info = LicenseInfo(
        declared=_str_or_none(declared_raw),
        declared_name=declared_name,
        declared_link=declared_link,
    )
    territory: list[TerritoryRestriction] = []
    eu: bool | None = None
    kw: dict[str, Any] = {}
    if record is not None and governing is not None:
        terms = reg.terms(record)
        # Policy files found beside the licence add their clauses (e.g. a USE_POLICY.md).
        for pc in policy_files:
            if pc.record is not None and pc.record.key != record.acceptable_use_policy:
                for t in pc.record.territory:
                    if t not in terms.territory_restrictions:
                        terms = _with_territory(terms, t, pc.record.key)
        info = LicenseInfo(
            declared=info.declared,
            declared_name=declared_name,
            declared_link=declared_link,
            key=record.key,
            spdx=record.spdx,
            license_class=record.license_class,
            source=governing.source
            + ("" if governing.status in ("exact", "declared") else f" ({governing.status})"),
            confidence=governing.confidence,
        )
        territory = list(terms.territory_restrictions)
        kw = dict(
            commercial_use=terms.commercial_use,
            mau_cap=terms.mau_cap,
            revenue_cap=terms.revenue_cap,
            output_training=terms.output_training,
            attribution=terms.attribution,
            acceptable_use_policy=terms.acceptable_use_policy,
            non_commercial=terms.non_commercial,
            research_only=terms.research_only,
        )
        evidence.extend(_fact_evidence(governing, terms, policy_files, lic_line))
        notes.extend(governing.notes)
        if terms.eu_restricted is None:
            eu = None
        else:
            eu = eu_restricted_of(territory, multimodal=multimodal)
            scoped = [
                t
                for t in territory
                if t.region.upper() in ("EU", "EEA") and t.scope == "multimodal"
            ]
            if scoped and multimodal is None:
                notes.append(
                    f"{record.key}: the {scoped[0].clause} withholds rights in the EU for multimodal "
                    "models and this model's modality is unknown: treated as restricted"
                )
            elif scoped and multimodal is False:
                notes.append(
                    f"{record.key}: the EU clause covers multimodal models only; this model is text-only"
                )
    if eu_gate:
        gate = TerritoryRestriction("EU", "all", "gate")
        if gate not in territory:
            territory.append(gate)
        eu = True
        line = _card_line(snapshot, "extra_gated_eu_disallowed")
        if line:
            # The gate is what makes eu_restricted true here: cite it first.
            evidence = [e for e in evidence if e.fact != "eu_restricted"]
            evidence.append(Evidence("territory_restrictions", "README.md", line[0], line[1]))
            evidence.append(Evidence("eu_restricted", "README.md", line[0], line[1]))
    if record is None and info.key == "unknown" and (file_cands or declared_ids):
        info = LicenseInfo(
            declared=info.declared,
            declared_name=declared_name,
            declared_link=declared_link,
            source=file_cands[0].source if file_cands else "card",
        )

    return ModelFacts(
        **{
            **base.__dict__,
            "license": info,
            "territory_restrictions": tuple(territory),
            "eu_restricted": eu,
            "evidence": tuple(_dedupe(evidence)),
            "findings": tuple(findings),
            "notes": tuple(dict.fromkeys(notes)),
            **kw,
        }
    )


_BODY_LICENCE = re.compile(r"^[\W_]*licen[cs]e[\W_]*[:=][\W_]*([A-Za-z0-9][A-Za-z0-9.\-]*)", re.I)


def _body_licence(snapshot: Snapshot, reg: Registry) -> tuple[LicenseRecord, int, str] | None:
    """A "License: apache-2.0" line in the card's text (cards without metadata)."""
    card = snapshot.card
    if card is None or card.text is None:
        return None
    for number, line in enumerate(card.text.splitlines(), 1):
        m = _BODY_LICENCE.match(line.strip())
        if m:
            rec = reg.by_hf_id(m.group(1)) or reg.by_name(m.group(1))
            if rec is not None:
                return rec, number, line.strip()[:200]
    return None


def _same_family(a: LicenseRecord, b: LicenseRecord) -> bool:
    """A card id and a file text that name the same terms (e.g. a licence and its policy)."""
    return a.acceptable_use_policy == b.key or b.acceptable_use_policy == a.key


def _with_territory(terms: Terms, t: TerritoryRestriction, origin: str) -> Terms:
    from dataclasses import replace

    territory = (*terms.territory_restrictions, t)
    org = dict(terms.origin)
    org["territory_restrictions"] = origin
    return replace(
        terms,
        territory_restrictions=territory,
        eu_restricted=eu_restricted_of(territory),
        origin=org,
    )


FACT_FIELDS = (
    "commercial_use",
    "mau_cap",
    "revenue_cap",
    "territory_restrictions",
    "eu_restricted",
    "output_training",
    "attribution",
    "non_commercial",
    "research_only",
)


def _fact_evidence(
    governing: _Candidate,
    terms: Terms,
    policy_files: list[_Candidate],
    lic_line: tuple[int, str] | None,
) -> list[Evidence]:
    out = list(governing.evidence)
    have = {e.fact for e in out}
    # Territory clauses that come from a policy file in the repo: cite that file.
    for pc in policy_files:
        for e in pc.evidence:
            if e.fact in ("territory_restrictions", "eu_restricted") or e.fact not in have:
                out.append(e)
                have.add(e.fact)
    # Facts the text does not pin to a line (or established from the card): cite the declaration.
    if governing.status == "declared" and governing.evidence:
        anchor = governing.evidence[0]
        for name in FACT_FIELDS:
            if name not in have:
                out.append(Evidence(name, anchor.file, anchor.line, anchor.quote))
    return out


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[str, str, int | None]] = set()
    out = []
    for e in evidence:
        k = (e.fact, e.file, e.line)
        if k in seen:
            continue
        seen.add(k)
        out.append(e)
    return out

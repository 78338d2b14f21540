"""Snapshot + registry -> ModelFacts: which licence governs a model, what it says, and where.

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
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..sources.card import Card, find_key_line, first_heading, parse_card
from ..sources.interface import Snapshot
from .bases import MAX_BASES, declared_bases_counted
from .model import (
    CLASS_STRICTNESS,
    DEFAULT_MIN_CONFIDENCE,
    BaseModelRef,
    Evidence,
    Finding,
    LicenseInfo,
    ModelFacts,
    Publisher,
    TerritoryRestriction,
)
from .registry import LicenseRecord, RecordTerms, Registry, eu_restricted_of, load_registry

if TYPE_CHECKING:
    from .clauses import ClauseFacts

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
# Tags that say the model takes or makes something other than text (besides pipeline names,
# which are also read from the tags).
MULTIMODAL_TAGS = frozenset(
    {
        "vision",
        "multimodal",
        "vlm",
        "vision-language",
        "llava",
        "mllama",
        "audio",
        "speech",
        "omni",
    }
)
_MULTIMODAL_TAG_WORDS = MULTIMODAL_TAGS | MULTIMODAL_PIPELINES
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


# -- modality --------------------------------------------------------------------------------------
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
    if pipeline_tag in MULTIMODAL_PIPELINES or low_tags & _MULTIMODAL_TAG_WORDS:
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


TEXT_ONLY_CONFIG = "multimodal.text_only_config"  # evidence fact: the weights' config is text-only
_TEXT_ARCH = re.compile(
    r"^[A-Za-z0-9]+For(?:CausalLM|ConditionalGeneration|SequenceClassification)$"
)


def _text_only_config(snapshot: Snapshot, config: dict[str, Any] | None) -> Evidence | None:
    """Evidence that the model's own config.json describes a text-only network: architectures
    that name no vision / audio part, and no vision or audio sub-config anywhere at the top."""
    if not config:
        return None
    archs = config.get("architectures")
    if not isinstance(archs, list) or not archs or not all(isinstance(a, str) for a in archs):
        return None
    if multimodal_of(None, (), config=config) or not all(_TEXT_ARCH.match(a) for a in archs):
        return None
    if any(re.search(r"vision|audio|image|video|visual|speech", str(k), re.I) for k in config):
        return None
    f = snapshot.file("config.json")
    text = f.text if f is not None and f.text else ""
    line = next((n for n, t in enumerate(text.splitlines(), 1) if '"architectures"' in t), None)
    return Evidence(TEXT_ONLY_CONFIG, "config.json", line, f"architectures: {', '.join(archs)}")


# -- helpers ---------------------------------------------------------------------------------------
def _str_or_none(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else ", ".join(str(v) for v in value)
    return str(value).strip() if value not in (None, "") else None


def _clipped(text: str | None, limit: int = 200) -> str | None:
    """A card value as reports and the policy input carry it: one line, bounded (a licence
    text pasted as `license:` is read as a file, not echoed whole)."""
    if text is None or (len(text) <= limit and "\n" not in text):
        return text
    return " ".join(text[: limit * 2].split())[:limit] + "…"


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
    """The repo file a `license_link` names (LICENSE, ./LICENSE.md, this repo's Hub URL) or None."""
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


def resolve_license_link(link: str, model: str, revision: str | None) -> str:
    """A `license_link` as a URL a reader can follow: a path inside the repo (`LICENSE`,
    `./LICENSE.md`) becomes the file's Hub URL at the revision read; URLs are kept."""
    path = repo_file_of_link(link, model)
    if path is None or _is_url_file(link.strip()):
        return link
    from urllib.parse import quote

    return f"https://huggingface.co/{model}/blob/{revision or 'main'}/{quote(path)}"


@dataclass(frozen=True)
class _Candidate:
    """One statement of which licence applies: from a file's text or the card."""

    record: LicenseRecord | None
    source: str  # "file:LICENSE", "card", "card:license_name", "card:license_link"
    confidence: float
    evidence: tuple[Evidence, ...]
    status: str = "exact"  # exact | modified (files) | declared (card)
    notes: tuple[str, ...] = ()
    terms: RecordTerms | None = (
        None  # a file's terms as detected (a modified text: changed facts unknown)
    )
    reading: ClauseFacts | None = None  # an unknown file's own clauses, as the reader read them


def _stricter(a: LicenseRecord, b: LicenseRecord) -> bool:
    """True when a is stricter than b (class order; then commercial use)."""
    ca, cb = CLASS_STRICTNESS.get(a.license_class, 99), CLASS_STRICTNESS.get(b.license_class, 99)
    if ca != cb:
        return ca > cb
    order = {"yes": 0, "conditional": 1, None: 2, "unknown": 2, "no": 3}
    return order.get(a.value("commercial_use"), 2) > order.get(b.value("commercial_use"), 2)


# -- the main function -----------------------------------------------------------------------------
def normalize(
    snapshot: Snapshot,
    registry: Registry | None = None,
    *,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> ModelFacts:
    """The facts of one model: a pure function of the snapshot, the registry and the confidence
    below which a licence text match is not trusted."""
    return _Normalizer(snapshot, registry or load_registry(), min_confidence).run()


class _Normalizer:
    """One normalisation: collects evidence, findings and notes while it reads the sources."""

    def __init__(self, snapshot: Snapshot, reg: Registry, min_confidence: float):
        self.snapshot = snapshot
        self.reg = reg
        self.min_confidence = min_confidence
        card = snapshot.card_data
        self.card = card
        self.evidence: list[Evidence] = []
        self.findings: list[Finding] = []
        self.notes: list[str] = list(snapshot.notes)
        self.declared_raw = card.get("license")
        self.declared_ids = _declared_ids(self.declared_raw)
        self.declared_name = _str_or_none(card.get("license_name"))
        self.declared_link = _str_or_none(card.get("license_link"))
        self.lic_line = _card_line(snapshot, "license")
        self.file_cands: list[_Candidate] = []  # licence texts found in files
        self.policy_files: list[_Candidate] = []  # use policies found in files
        self.card_cands: list[_Candidate] = []  # what the card declares
        self.detected_paths: set[str] = set()
        self._bases: tuple[BaseModelRef, ...] | None = None
        self._bases_stated = 0  # how many the repo declares; more than MAX_BASES are not read
        card_file = snapshot.card
        self.parsed_card = (
            parse_card(card_file.text) if card_file is not None and card_file.text else None
        )

    def bases(self) -> tuple[BaseModelRef, ...]:
        if self._bases is None:
            bases, self._bases_stated = declared_bases_counted(self.snapshot, self.parsed_card)
            self._bases = tuple(bases)
        return self._bases

    def run(self) -> ModelFacts:
        if self.lic_line is not None:
            self.evidence.append(
                Evidence("license.declared", "README.md", self.lic_line[0], self.lic_line[1])
            )
        self.read_files()
        self.read_pasted_licences()
        self.read_gate_prompt()
        self.read_card()
        self.check_front_matter()
        governing = self.choose()
        return self.build(governing)

    # -- 1. licence files, identified by their text -----------------------------------------
    def read_files(self) -> None:
        snap = self.snapshot
        files = list(snap.license_files) + [
            f for f in snap.files if _is_url_file(f.path) and f not in snap.license_files
        ]
        for f in files:
            if f.text is None:
                # Not read (too large, binary, a symlink, over the count cap...): what it says
                # is unknown, so the licence is too. Never dropped.
                why = f.skipped or "not read"
                self.notes.append(f"{f.path}: not read ({why})")
                ev = Evidence("license.file", f.path, None, f"not read: {why}")
                self.evidence.append(ev)
                self.file_cands.append(_Candidate(None, f"file:{f.path}", 0.0, (ev,), "unread"))
                continue
            self.read_file(f.path, f.text)

    def read_file(self, path: str, text: str) -> None:
        from .detect import detect_text

        self.detected_paths.add(path)
        res = detect_text(text, path, registry=self.reg, min_confidence=self.min_confidence)
        if res.key is None:
            from .textnorm import words_of

            heading = first_heading(text)
            self.evidence.append(
                Evidence(
                    "license.file",
                    path,
                    heading[0] if heading else None,
                    heading[1] if heading else "",
                )
            )
            near = (
                f"; nearest known text {res.nearest} ({res.coverage:.0%} present)"
                if res.nearest and res.coverage >= 0.1
                else ""
            )
            # A short file is a pointer or a stand-in ("see https://..."), not other terms,
            # unless it is empty or states terms of its own (a short non-commercial notice).
            # Only a short text can be a pointer (a megabyte of punctuation around one word is
            # not), and counting its words again is then cheap.
            words = len(words_of(text).words) if len(text) <= STUB_CHARS else STUB_WORDS
            if words == 0:
                status, kind = "empty", "empty"
            elif words < STUB_WORDS and _RESTRICTIVE.search(text):
                status, kind = "restrictive", "short, and it states terms of its own"
            elif words < STUB_WORDS:
                status, kind = "stub", "short, not a licence text"
            else:
                status, kind = "unknown", "not a known licence text"
            self.notes.append(f"{path}: {kind}{near}")
            ev = self.evidence[-1]
            self.file_cands.append(
                _Candidate(None, f"file:{path}", 0.0, (ev,), status, reading=res.clauses)
            )
            return
        record = self.reg.get(res.key)
        if record is not None and res.license_class != record.license_class:
            # The file's own clauses make it stricter than the known text it is a relative of.
            record = replace(record, license_class=res.license_class)
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
            res.terms,
        )
        (self.policy_files if res.document == "policy" else self.file_cands).append(cand)

    def read_pasted_licences(self) -> None:
        """Licence texts in the card: a text pasted as the `license:` value, and a known licence
        text pasted in the card body. Each is read like one more licence file."""
        pasted = [v for v in _declared_ids(self.declared_raw) if _is_pasted_text(v)]
        for number, value in enumerate(pasted, 1):
            name = CARD_LICENSE_VALUE if len(pasted) == 1 else f"{CARD_LICENSE_VALUE}[{number}]"
            self.read_file(name, value)
        self.declared_ids = [v for v in self.declared_ids if not _is_pasted_text(v)]
        body = self.card_body()
        if body is not None and "licen" in body.lower():
            self.read_body_text(body)

    def read_gate_prompt(self) -> None:
        """The card's `extra_gated_prompt` (what the Hub shows before granting access) often
        carries the licence: it is read as one more licence text. A prompt that is not a known
        text and in which the clause reader finds no terms (a request for contact details, a
        usage warning) is noted, not made a licence of its own."""
        prompt = self.card.get("extra_gated_prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            return
        before = len(self.file_cands)
        self.read_file(GATE_PROMPT, prompt)
        added = self.file_cands[before:]
        if not added or added[0].record is not None or added[0].status not in _GATE_READ:
            return
        cand = added[0]
        if cand.reading is not None and cand.reading.reported():
            return  # it states terms of its own: an unknown licence text (fail closed)
        self.file_cands[before] = replace(cand, status="stub")
        self.notes[-1] = (
            f"{GATE_PROMPT}: the card's extra_gated_prompt was read; it is not a known licence "
            "text and states no licence terms the clause reader recognises"
        )

    def card_body(self) -> str | None:
        """The card text after its front matter ('' when the front matter never closes)."""
        card_file, parsed = self.snapshot.card, self.parsed_card
        if card_file is None or not card_file.text or parsed is None:
            return None
        lines = card_file.text.lstrip("\ufeff").splitlines()
        return (
            "\n".join(lines[parsed.body_start - 1 :])
            if parsed.front_matter_lines
            else (card_file.text)
        )

    def read_body_text(self, body: str) -> None:
        """A known licence text pasted in the card body counts as a licence file (README.md):
        a card declaring apache-2.0 above a full CC-BY-NC text is governed by both."""
        from .detect import detect_text

        res = detect_text(body, CARD_FILE_NAME, registry=self.reg)
        if (
            res.key is None
            or res.document != "license"
            or res.status not in ("exact", "modified")
            or res.confidence < BODY_TEXT_CONFIDENCE
        ):
            return
        record = self.reg.get(res.key)
        if record is None:
            return
        offset = self.parsed_card.body_start - 1 if self.parsed_card else 0
        evidence = tuple(
            Evidence(
                "license.file" if e.fact == "license" else e.fact,
                e.file,
                e.line + offset if e.line is not None and self.parsed_card else e.line,
                e.quote,
            )
            for e in res.evidence
        )
        self.notes.append(f"the card text contains the licence text of {record.key}")
        self.file_cands.append(
            _Candidate(
                record,
                f"file:{CARD_FILE_NAME}",
                res.confidence,
                evidence,
                res.status,
                res.notes if res.status != "exact" else (),
                res.terms,
            )
        )

    def check_front_matter(self) -> None:
        """A card whose front matter cannot be read: its licence, bases and tags are unknown."""
        parsed = self.parsed_card
        if parsed is None or parsed.error is None:
            return
        first = parsed.front_matter_lines[0] if parsed.front_matter_lines else 1
        self.findings.append(
            Finding(
                "license-conflict",
                "unknown",
                f"the card's metadata could not be read ({parsed.error}): the licence and base "
                "models it declares are unknown",
                (Evidence("card", CARD_FILE_NAME, max(1, first - 1), "---"),),
            )
        )

    # -- 2. the card's declaration -----------------------------------------------------------
    def read_card(self) -> None:
        reg, snap = self.reg, self.snapshot
        for hid in self.declared_ids:
            rec = reg.by_hf_id(hid)
            ev = (
                (Evidence("license.declared", "README.md", self.lic_line[0], self.lic_line[1]),)
                if self.lic_line
                else ()
            )
            if rec is not None:
                rec = self.release_version(hid, rec)
                self.card_cands.append(_Candidate(rec, "card", 0.8, ev, "declared"))
            elif hid.lower() not in ("other", "unknown") and not reg.knows_hf_id(hid):
                # Not a Hub id: perhaps an SPDX / ScanCode id (license-expression's index).
                rec = reg.by_licence_id(hid)
                if rec is not None:
                    self.card_cands.append(_Candidate(rec, "card", 0.6, ev, "declared"))
                    self.notes.append(
                        f"card licence id {hid!r} is not a Hub licence id; read as the SPDX "
                        f"id of {rec.key}" + (f" ({rec.note})" if rec.inline and rec.note else "")
                    )
                else:
                    self.notes.append(
                        f"card licence id {hid!r} is not a Hub licence id this tool knows"
                    )
        broken = self.parsed_card is not None and self.parsed_card.error is not None
        if (
            not self.declared_ids
            and not self.declared_name
            and not self.declared_link
            and not broken
        ):
            body = _body_licence(snap, reg, self.parsed_card)
            if body is not None:
                rec, line_no, quote = body
                ev = (Evidence("license.declared", "README.md", line_no, quote),)
                self.evidence.extend(ev)
                self.card_cands.append(_Candidate(rec, "card:body", 0.5, ev, "declared"))
                self.notes.append(
                    f"no `license:` in the card metadata; the card text says {rec.key} "
                    f"(line {line_no})"
                )
        if self.declared_name:
            self.read_license_name(self.declared_name)
        if self.declared_link:
            self.read_license_link(self.declared_link)

    def release_version(self, generic: str, rec: LicenseRecord) -> LicenseRecord:
        """A generic id (`license: gemma`, `license_name: qwen`) names a family's terms, not a
        version: the family catalogue says which version the model's release line carries, by
        the repo id or its declared bases. Anything unclear keeps the id's usual record."""
        cat = self.reg.families
        if cat is None or generic.strip().lower() not in cat.generic_ids:
            return rec
        repos = (self.snapshot.model, *(b.model for b in self.bases()))
        found = cat.release_terms(generic, repos)
        if found is None:
            return rec
        target = self.reg.get(found.license)
        if target is None:
            placed = ", ".join(
                dict.fromkeys(
                    f"{m.line.key} ({m.license or 'licence unknown'})" for m in found.matches
                )
            )
            self.notes.append(
                f"card licence id {generic!r}: the family catalogue places this model in {placed}, "
                f"which does not settle a version of these terms; {rec.key} is kept"
            )
            return rec
        if target.key != rec.key:
            self.notes.append(
                f"card licence id {generic!r} names no version; this model is "
                f"{', '.join(found.lines)} (family catalogue of {cat.as_of}), released under "
                f"{target.key}"
            )
        return target

    def read_license_name(self, name: str) -> None:
        rec = self.reg.by_name(name)
        line = _card_line(self.snapshot, "license_name")
        ev = (Evidence("license.declared_name", "README.md", line[0], line[1]),) if line else ()
        if rec is not None:
            rec = self.release_version(name, rec)
            self.card_cands.append(_Candidate(rec, "card:license_name", 0.7, ev, "declared"))
            self.evidence.extend(ev)
        else:
            self.notes.append(f"license_name {name!r} is not a licence this tool knows")

    def read_license_link(self, link: str) -> None:
        snap = self.snapshot
        line = _card_line(snap, "license_link")
        ev = (Evidence("license.declared_link", "README.md", line[0], line[1]),) if line else ()
        self.evidence.extend(ev)
        repo_path = repo_file_of_link(link, snap.model)
        if repo_path is not None:  # a file of this repo: read it
            target = snap.file(repo_path)
            if target is not None and target.text is not None:
                if repo_path not in self.detected_paths:
                    self.read_file(repo_path, target.text)
            else:
                self.notes.append(
                    f"license_link names {repo_path!r}, which was not read from the repo"
                )
            return
        from ..sources.links import hub_link, is_pinned_file_of

        rec = self.reg.by_link(link)
        fetched = next(
            (f for f in snap.files if f.path == link or is_pinned_file_of(f.path, link)), None
        )
        if rec is not None:
            self.card_cands.append(_Candidate(rec, "card:license_link", 0.7, ev, "declared"))
        elif fetched is None:
            # Read in sources.links when it can be; here it was not: unknown, and said so. Like a
            # licence file that was not read, it may hold the terms that govern, whatever the
            # card's id says: the licence is unknown until it is read (fail closed).
            unread = Evidence("license.link", link, None, "not fetched: unknown")
            self.evidence.append(unread)
            self.file_cands.append(
                _Candidate(None, f"link:{link}", 0.0, (*ev, unread), "link-unread")
            )
            if hub_link(link) is not None:
                why = "names a file of another Hub repo, which was not read"
            else:
                why = (
                    "is outside the repo and was not read (offline); to read it, allow "
                    "fetching with --fetch-links or `source: {fetch_links: true}`"
                )
            self.notes.append(f"license_link {link} {why}: unknown")

    # -- 3. what governs ---------------------------------------------------------------------
    def choose(self) -> _Candidate | None:
        unresolved = [c for c in self.file_cands if c.record is None and c.status in _BLOCKING]
        if unresolved:
            self._unresolved_files(unresolved)
            return None
        known_files = [c for c in self.file_cands if c.record is not None]
        governing = _strictest(known_files)
        keys_in_files = {c.record.key for c in known_files if c.record}
        if len(keys_in_files) > 1:  # several different licence texts in the repo
            self.findings.append(
                Finding(
                    "license-conflict",
                    "warn",
                    f"the repo's licence files are different licences "
                    f"({', '.join(sorted(keys_in_files))}); the stricter "
                    f"({_key(governing)}) governs",
                    tuple(e for c in known_files for e in c.evidence[:1]),
                )
            )
        card_best = _strictest(self.card_cands)
        if governing is not None and card_best is not None:
            return self._card_against_file(card_best, governing)
        if governing is None and card_best is not None:
            return self._card_alone(card_best)
        if governing is None and not self.policy_files:
            self._say_why_unknown()
        if governing is None and self.policy_files:
            return self._licence_of_policy()
        return governing

    def _unresolved_files(self, unresolved: list[_Candidate]) -> None:  # governing: unknown
        """A licence file that was not read, is empty, or states terms no record covers: what
        governs is unknown (never the card alone, never the other files alone)."""
        paths = ", ".join(c.source.split(":", 1)[1] for c in unresolved[:5])
        more = f" and {len(unresolved) - 5} more" if len(unresolved) > 5 else ""
        reasons = sorted({_UNRESOLVED_WHY[c.status] for c in unresolved})
        self.notes.append(
            f"licence unknown: {paths}{more} {' / '.join(reasons)}; it may add terms to, or "
            "replace, any licence the card or other files declare"
        )
        self.findings.append(
            Finding(
                "license-conflict",
                "unknown",
                f"the repo's licence files include {paths}{more}, which "
                f"{' / '.join(reasons)}: the licence is unknown until it is read and reviewed",
                tuple(e for c in unresolved[:5] for e in c.evidence[:1]),
            )
        )

    def _card_against_file(self, card: _Candidate, file: _Candidate) -> _Candidate:
        assert card.record is not None and file.record is not None
        if card.record.key == file.record.key or _same_family(card.record, file.record):
            return file
        if _other_version(card.record, file.record):
            # e.g. `license: gemma` (the Hub's one id for the Gemma Terms of Use) beside a dated
            # copy of those terms: the text in the repo says which version governs.
            self.notes.append(
                f"the card's licence id names {card.record.name}; "
                f"{file.source.split(':', 1)[1]} is the version {file.record.key}, which governs"
            )
            return file
        winner = card if _stricter(card.record, file.record) else file
        self.findings.append(
            Finding(
                "license-conflict",
                "warn",
                f"the card declares {card.record.key} but {file.source.split(':', 1)[1]} is "
                f"{file.record.key}; the stricter terms ({_key(winner)}) govern",
                card.evidence[:1] + file.evidence[:1],
            )
        )
        return winner

    def _card_alone(self, card: _Candidate) -> _Candidate:
        unknown = [c for c in self.file_cands if c.record is None]
        substantial = [c for c in unknown if c.status == "unknown"]
        if not unknown:
            return card
        if not substantial:  # only pointers / stand-ins beside the declaration
            return replace(card, confidence=min(card.confidence, 0.7))
        self.notes.append(
            "a licence file in the repo is not a known text and may add terms to the declared "
            "licence"
        )
        self.findings.append(
            Finding(
                "license-conflict",
                "warn",
                f"the card declares {_key(card)} but {substantial[0].source.split(':', 1)[1]} "
                "is not that licence's known text",
                card.evidence[:1],
            )
        )
        return replace(card, confidence=min(card.confidence, 0.5))

    def _say_why_unknown(self) -> None:
        if self.file_cands:
            return
        if (
            any(i.lower() == "other" for i in self.declared_ids)
            and not self.declared_name
            and not self.declared_link
        ):
            self.notes.append(
                "the card declares `license: other` with no licence name, link or file: unknown"
            )
        elif not self.declared_ids:
            self.notes.append("no licence declared and no licence file found: unknown")

    def _licence_of_policy(self) -> _Candidate | None:
        """Only a use policy was found: the licence it belongs to is assumed (said in a note)."""
        for c in self.policy_files:
            for k in c.record.policy_for if c.record else ():
                lic = self.reg.get(k)
                if lic is not None:
                    self.notes.append(
                        f"only the use policy {_key(c)} was found; it belongs to {lic.key}, "
                        "which is assumed"
                    )
                    return _Candidate(lic, c.source, 0.6, c.evidence, "inferred")
        return None

    # -- 4. the facts ------------------------------------------------------------------------
    def build(self, governing: _Candidate | None) -> ModelFacts:
        snap, card = self.snapshot, self.card
        org = snap.model.split("/", 1)[0]
        pub = self.reg.publisher(org)
        # A quantiser's build of another publisher's model (it declares a base) is a re-upload:
        # its origin is the base's, never the quantiser's country.
        reupload = bool(pub and (pub.reuploader or (pub.quantizer and self.bases())))
        publisher = Publisher(
            org=org,
            name=pub.name if pub else None,
            country=None if pub is None or reupload else pub.country,
            reuploader=reupload,
        )
        pipeline = snap.pipeline_tag or _str_or_none(card.get("pipeline_tag"))
        card_tags = card.get("tags")
        tags = tuple(snap.tags) + (
            tuple(str(t) for t in card_tags) if isinstance(card_tags, list) else ()
        )
        config = _config(snap)
        multimodal = multimodal_of(pipeline, tags, model=snap.model, config=config)
        if multimodal is not True:
            proof = _text_only_config(snap, config)
            if proof is not None:  # lineage keeps a text-only derivative of a multimodal base
                self.evidence.append(proof)
        eu_gate = bool(snap.gated and card.get("extra_gated_eu_disallowed") is True)
        info = LicenseInfo(
            declared=_clipped(_str_or_none(self.declared_raw)),
            declared_name=self.declared_name,
            declared_link=resolve_license_link(self.declared_link, snap.model, snap.revision)
            if self.declared_link
            else None,
            source=(self.file_cands[0].source if self.file_cands else "card")
            if (self.file_cands or self.declared_ids)
            else None,
        )
        territory: list[TerritoryRestriction] = []
        eu: bool | None = None
        terms_kw: dict[str, Any] = {}
        record = governing.record if governing else None
        if record is not None and governing is not None:
            terms = governing.terms or self.reg.terms(record)
            # A policy file beside the licence adds its clauses (e.g. a USE_POLICY.md).
            for pc in self.policy_files:
                if pc.record is not None and pc.record.key != record.acceptable_use_policy:
                    for t in pc.record.territory:
                        if t not in terms.territory_restrictions:
                            terms = _with_territory(terms, t, pc.record.key)
            suffix = "" if governing.status in ("exact", "declared") else f" ({governing.status})"
            info = replace(
                info,
                key=record.key,
                spdx=record.spdx,
                license_class=record.license_class,
                source=governing.source + suffix,
                confidence=governing.confidence,
            )
            territory = list(terms.territory_restrictions)
            terms_kw = dict(
                commercial_use=terms.commercial_use,
                mau_cap=terms.mau_cap,
                revenue_cap=terms.revenue_cap,
                output_training=terms.output_training,
                attribution=terms.attribution,
                acceptable_use_policy=terms.acceptable_use_policy,
                non_commercial=terms.non_commercial,
                research_only=terms.research_only,
            )
            self.evidence.extend(_fact_evidence(governing, terms, self.policy_files))
            self.notes.extend(governing.notes)
            if terms.eu_restricted is not None:
                eu = eu_restricted_of(territory, multimodal=multimodal)
                self._note_modality(record, territory, multimodal)
        readings = [
            (c.source.split(":", 1)[1], c.reading)
            for c in self.file_cands
            if c.record is None and c.reading is not None
        ]
        if readings:
            from .amend import apply_readings

            base = dict(terms_kw, territory_restrictions=tuple(territory), eu_restricted=eu)
            known = record is not None
            values, cls, read_ev, read_notes = apply_readings(
                base, info.license_class, readings, known=known
            )
            territory = list(values.pop("territory_restrictions") or ())
            eu = values.pop("eu_restricted")
            if eu is not None and territory:
                eu = eu_restricted_of(territory, multimodal=multimodal)
            terms_kw = values
            info = replace(info, license_class=cls)
            self.evidence.extend(read_ev)
            self.notes.extend(read_notes)
        if eu_gate:
            territory, eu = self._eu_gate(territory), True
        bases, stated = self.bases(), self._bases_stated
        if stated > len(bases):
            self.findings.append(
                Finding(
                    "base-unavailable",
                    "deny",
                    f"the repo declares {stated} base models; only the first {MAX_BASES} are "
                    f"read, so the terms of the other {stated - len(bases)} are unknown, and "
                    "unknown is not permissive",
                )
            )
        return ModelFacts(
            model=snap.model,
            revision=snap.revision,
            source="cache" if snap.from_cache else snap.source,
            license=info,
            publisher=publisher,
            territory_restrictions=tuple(territory),
            eu_restricted=eu,
            gated=snap.gated,
            eu_gate_disallowed=eu_gate,
            multimodal=multimodal,
            pipeline_tag=pipeline,
            base_models=self.bases(),
            evidence=tuple(_dedupe(self.evidence)),
            findings=tuple(self.findings),
            digest=snap.digest,
            fetched_at=snap.fetched_at,
            license_files=tuple(
                (f.path, f.sha256) for f in snap.license_files if f.sha256 is not None
            ),
            notes=tuple(dict.fromkeys(self.notes)),
            **terms_kw,
        )

    def _note_modality(
        self, record: LicenseRecord, territory: list[TerritoryRestriction], mm: bool | None
    ) -> None:
        scoped = [
            t for t in territory if t.region.upper() in ("EU", "EEA") and t.scope == "multimodal"
        ]
        if scoped and mm is None:
            self.notes.append(
                f"{record.key}: the {scoped[0].clause} withholds rights in the EU for multimodal "
                "models and this model's modality is unknown: treated as restricted"
            )
        elif scoped and mm is False:
            self.notes.append(
                f"{record.key}: the EU clause covers multimodal models only; this model is "
                "text-only"
            )

    def _eu_gate(self, territory: list[TerritoryRestriction]) -> list[TerritoryRestriction]:
        """A gated repo whose card sets extra_gated_eu_disallowed: EU users get no access."""
        gate = TerritoryRestriction("EU", "all", "gate")
        if gate not in territory:
            territory = [*territory, gate]
        line = _card_line(self.snapshot, "extra_gated_eu_disallowed")
        if line:
            # The gate is what makes eu_restricted true here: cite it first.
            self.evidence = [e for e in self.evidence if e.fact != "eu_restricted"]
            self.evidence.append(Evidence("territory_restrictions", "README.md", line[0], line[1]))
            self.evidence.append(Evidence("eu_restricted", "README.md", line[0], line[1]))
        return territory


# Licence-file states that make the licence unknown, and how a message says why.
_UNRESOLVED_WHY = {
    "unread": "could not be read",
    "link-unread": "is a licence link that was not read",
    "empty": "is empty",
    "restrictive": "is a short notice with terms of its own",
    "unknown": "is not a known licence text",
}
_BLOCKING = frozenset(_UNRESOLVED_WHY)


def _key(c: _Candidate | None) -> str:
    return c.record.key if c is not None and c.record is not None else "?"


def _strictest(cands: list[_Candidate]) -> _Candidate | None:
    best: _Candidate | None = None
    for c in cands:
        if c.record is None:
            continue
        if best is None or (best.record is not None and _stricter(c.record, best.record)):
            best = c
    return best


STUB_WORDS = 120  # an unknown licence file shorter than this is a pointer, not other terms
STUB_CHARS = 4000  # ... and no longer than this many characters
# Words that make a short file terms of its own rather than a pointer to the declared licence.
_RESTRICTIVE = re.compile(
    r"(?i)non[\s_-]?commercial|\bcommercial\b|research|academic|evaluation|personal use|"
    r"prohibit|not permitted|not allowed|may not|must not|shall not|cannot be used|restrict|"
    r"proprietary|without (?:the )?(?:prior )?(?:written )?permission|"
    r"only for|solely|exclusively|terms of use|\bnc\b"
)
CARD_FILE_NAME = "README.md"
# A gate prompt in these states is an unknown licence text only when the clause reader finds
# terms in it; otherwise it is a pointer ("agree to the Gemma Terms of Use at ...") or a form.
_GATE_READ = frozenset({"unknown", "restrictive"})
GATE_PROMPT = "README.md (extra_gated_prompt)"  # the card's gate prompt, read as a licence text
CARD_LICENSE_VALUE = "README.md (license:)"  # a licence text pasted as the `license:` value
BODY_TEXT_CONFIDENCE = 0.8  # a licence text in the card body counts from this confidence
PASTED_TEXT_WORDS = 20  # a `license:` value this long is a text, not an id


def _is_pasted_text(value: str) -> bool:
    return "\n" in value.strip() or len(value.split()) >= PASTED_TEXT_WORDS


_BODY_LICENCE = re.compile(r"^[\W_]*licen[cs]e[\W_]*[:=][\W_]*([A-Za-z0-9][A-Za-z0-9.\-]*)", re.I)


_BIBTEX_FIELD = re.compile(r"(?i)^licen[cs]e\s*=\s*[{\"]")
_BIBTEX_START = re.compile(r"^\s*@[A-Za-z]+\s*[{(]")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _prose_lines(text: str, start: int = 1) -> list[tuple[int, str]]:
    """(number, line) of the card's lines from `start` on, outside code fences and BibTeX
    entries: a citation's `license = {...}` names a cited work's licence, not the model's."""
    out = []
    fence: str | None = None
    depth = 0
    for number, line in enumerate(text.splitlines()[start - 1 :], start):
        f = _FENCE.match(line)
        if fence is not None:
            if f and f.group(1) == fence:
                fence = None
            continue
        if f:
            fence = f.group(1)
            continue
        if depth > 0 or _BIBTEX_START.match(line):
            depth = max(
                0, depth + line.count("{") + line.count("(") - line.count("}") - line.count(")")
            )
            continue
        out.append((number, line))
    return out


def _body_licence(
    snapshot: Snapshot, reg: Registry, parsed: Card | None
) -> tuple[LicenseRecord, int, str] | None:
    """A "License: apache-2.0" line in the card's body (cards without metadata): never a line
    inside the front matter, a code block or a BibTeX citation."""
    card = snapshot.card
    if card is None or card.text is None:
        return None
    start = parsed.body_start if parsed is not None and parsed.front_matter_lines else 1
    for number, line in _prose_lines(card.text.lstrip("\ufeff"), start):
        m = _BODY_LICENCE.match(line.strip())
        if m and not _BIBTEX_FIELD.match(line.strip()):
            rec = reg.by_hf_id(m.group(1)) or reg.by_name(m.group(1))
            if rec is not None:
                return rec, number, line.strip()[:200]
    return None


def _other_version(a: LicenseRecord, b: LicenseRecord) -> bool:
    """Two dated versions of the same terms (same name, same licensor), e.g. the Gemma terms."""
    return (
        a.document == b.document == "license"
        and a.name == b.name
        and a.publisher is not None
        and a.publisher == b.publisher
    )


def _same_family(a: LicenseRecord, b: LicenseRecord) -> bool:
    """A card id and a file text that name the same terms (e.g. a licence and its policy)."""
    return a.acceptable_use_policy == b.key or b.acceptable_use_policy == a.key


def _with_territory(terms: RecordTerms, t: TerritoryRestriction, origin: str) -> RecordTerms:

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
    governing: _Candidate, terms: RecordTerms, policy_files: list[_Candidate]
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

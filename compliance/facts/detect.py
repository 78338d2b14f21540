"""Licence and use-policy text -> which known text it is, how exactly, and the facts it states.

Method: the text is reduced to words (textnorm: case, punctuation, markdown, HTML, wrapping and
encoding do not matter), cut into 5-word shingles and hashed. A sampled inverted index over the
registry's fingerprints names the candidate texts; for each candidate the densest run of shared
shingles is the region where the known text sits (so a licence pasted into a README is found),
and two counts decide:

* missing: shingles of the known text absent from the region (a deleted or changed passage);
* foreign: shingles of the region absent from the known text (an inserted or changed passage).

Both zero -> `exact`. Most of the known text present -> `modified`, with the differing passages
counted and their lines given. Otherwise -> `unknown`, class unknown, the nearest text named:
never a confident guess. Siblings (Llama 3.1 / 3.3, the dated Gemma terms, Qwen vs Qwen
Research...) differ in a few words, so the exact one scores highest.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import chain, compress
from typing import TYPE_CHECKING, Any

from .fingerprint import Fingerprints, Variant
from .model import DEFAULT_MIN_CONFIDENCE, Evidence
from .registry import LicenseRecord, Provenance, RecordTerms, Registry, load_registry
from .textnorm import (
    SHINGLE,
    Words,
    optional_positions,
    phrase_words,
    shingle_hashes,
    word_starts,
    words_of,
)

if TYPE_CHECKING:
    from .amend import Passage
    from .clauses import ClauseFacts

CLUSTER_GAP = 60  # shingles: matches further apart than this belong to different passages
MAX_CANDIDATES = 8
FULL_COMPARE = 3  # candidates compared in full (region, differences)
QUOTE_CHARS = 400  # a quote is whole sentences up to this length
ADJACENT_WORDS = 150  # words either side of a known text checked for extra terms
# Words of legal drafting (strong) and of restrictions in general (weak, also common in model
# cards: "may not be accurate", "must not be used for medical advice").
_STRONG_CUES = (
    "shall",
    "hereby",
    "licensee",
    "licensor",
    "notwithstanding",
    "in no event",
    "royalty",
    "sublicense",
    "derivative works",
    "this agreement",
    "terms and conditions",
)
_WEAK_CUES = (
    "provided that",
    "must not",
    "may not",
    "you agree",
    "prohibited",
    "not permitted",
    "restriction",
    "restrictions",
    "commercial",
)


@dataclass(frozen=True)
class Match:
    """One candidate known text compared with the file."""

    variant: Variant
    start: int  # first shingle of the region
    end: int  # last shingle of the region (inclusive)
    shared: int  # distinct shingles shared with the known text
    missing: int  # distinct required shingles of the known text absent from the region
    foreign: int  # distinct shingles of the region absent from the known text
    missing_runs: int
    foreign_runs: int
    difference_lines: tuple[int, ...]
    score: float  # shared / (known + foreign): 1.0 for an exact copy

    @property
    def coverage(self) -> float:
        return self.shared / max(1, len(self.variant.set))

    @property
    def differences(self) -> int:
        return max(self.missing_runs, self.foreign_runs)


@dataclass(frozen=True)
class DetectionResult:
    path: str
    document: str  # license | policy
    status: str  # exact | modified | unknown
    key: str | None  # None when unknown
    name: str | None
    spdx: str | None
    license_class: str
    confidence: float
    nearest: str | None = None  # the closest known text (also set when modified)
    differences: int = 0
    coverage: float = 0.0  # share of the known text present
    difference_lines: tuple[int, ...] = ()
    region: tuple[int, int] | None = None  # first and last line of the known text in the file
    terms: RecordTerms | None = None
    evidence: tuple[Evidence, ...] = ()
    notes: tuple[str, ...] = ()
    others: tuple[tuple[str, str], ...] = ()  # other known texts in the same file: (key, status)
    provenance: tuple[Provenance, ...] = ()  # where the known text was read (the record's)
    clauses: ClauseFacts | None = None  # an unknown text's own clauses, as the reader read them

    @property
    def known(self) -> bool:
        return self.key is not None

    def facts_json(self) -> dict[str, Any]:
        if self.terms is None and self.clauses is not None:
            return self.clauses.facts_json()
        if self.terms is None:
            return {
                "commercial_use": "unknown",
                "mau_cap": None,
                "revenue_cap": None,
                "eu_restricted": None,
                "territory_restrictions": [],
                "output_training": "unknown",
                "attribution": [],
                "non_commercial": None,
                "research_only": None,
                "acceptable_use_policy": None,
                "derivatives_inherit": None,
            }
        return self.terms.to_json()

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "document": self.document,
            "license": {
                "key": self.key,
                "name": self.name,
                "spdx": self.spdx,
                "class": self.license_class,
                "confidence": round(self.confidence, 3),
                "status": self.status,
                "nearest": self.nearest,
                "differences": self.differences,
                "coverage": round(self.coverage, 3),
                "difference_lines": list(self.difference_lines),
                "lines": list(self.region) if self.region else None,
                "provenance": [p.to_json() for p in self.provenance],
            },
            "facts": self.facts_json(),
            "evidence": [e.to_json() for e in self.evidence],
            "also_contains": [{"key": k, "status": s} for k, s in self.others],
            "clauses": [c.to_json() for c in self.clauses.reported()] if self.clauses else [],
            "notes": list(self.notes),
        }


@dataclass
class _Doc:
    words: Words
    hashes: list[int]
    optional: set[int]
    hash_set: frozenset[int] = frozenset()
    joined: str = ""
    offsets: list[int] = field(default_factory=list)

    def ensure_joined(self) -> None:
        if self.offsets or not self.words.words:
            return
        inner = " ".join(self.words.words)
        self.joined = " " + inner + " "
        self.offsets = word_starts(self.words.words, inner)[:-1]

    def find(self, phrase: str, lo_word: int = 0) -> int | None:
        """Index of the first word of `phrase` (normalised) at or after word lo_word."""
        self.ensure_joined()
        norm = phrase_words(phrase)
        if not norm or not self.offsets:
            return None
        # joined = " " + words + " ": the space before word i is at joined[offsets[i]].
        start = self.offsets[lo_word] if lo_word < len(self.offsets) else len(self.joined)
        at = self.joined.find(" " + norm + " ", start)
        if at < 0 and lo_word:
            at = self.joined.find(" " + norm + " ")
        if at < 0:
            return None
        return bisect.bisect_left(self.offsets, at)


def _runs(flags: Iterable[bool]) -> int:
    runs = 0
    prev = False
    for f in flags:
        if f and not prev:
            runs += 1
        prev = f
    return runs


def _best_cluster(positions: list[int]) -> tuple[int, int, int]:
    """(start, end, count) of the densest cluster of matched positions."""
    best = (positions[0], positions[0], 1)
    start = prev = positions[0]
    count = 1
    for p in positions[1:]:
        if p - prev > CLUSTER_GAP:
            if count > best[2]:
                best = (start, prev, count)
            start, count = p, 0
        count += 1
        prev = p
    if count > best[2]:
        best = (start, prev, count)
    return best


def _compare(doc: _Doc, v: Variant) -> Match | None:
    vset = v.set
    if vset.issuperset(doc.hash_set):  # the whole file is (part of) this text: the common case
        shared = len(doc.hash_set)
        missing = len(v.required) - len(v.required & doc.hash_set) if shared < len(vset) else 0
        score = shared / len(vset)
        return Match(v, 0, len(doc.hashes) - 1, shared, missing, 0, 0, 0, (), score)
    else:
        positions = list(compress(range(len(doc.hashes)), map(vset.__contains__, doc.hashes)))
        if not positions:
            return None
        start, end, _ = _best_cluster(positions)
    region = doc.hashes[start : end + 1]
    region_set = set(region)
    shared = len(vset & region_set)
    missing_set = v.required - region_set
    extra = region_set - vset
    if extra and doc.optional:
        extra -= {doc.hashes[i] for i in doc.optional if start <= i <= end}
    foreign = len(extra)
    score = shared / (len(vset) + foreign)
    return Match(v, start, end, shared, len(missing_set), foreign, 0, 0, (), score)


def _with_differences(doc: _Doc, m: Match) -> Match:
    """Count the differing passages (runs) and their lines: for the chosen match only."""
    if m.missing == 0 and m.foreign == 0:
        return m
    v = m.variant
    vset = v.set
    start = m.start
    region = doc.hashes[start : m.end + 1]
    region_set = set(region)
    missing_set = v.required - region_set
    opt = doc.optional
    foreign_flags = [(h not in vset) and (start + i not in opt) for i, h in enumerate(region)]
    missing_runs = _runs(h in missing_set for h in v.hashes) if missing_set else 0
    foreign_runs = _runs(foreign_flags) if m.foreign else 0
    lines: list[int] = []
    wl = doc.words.lines
    prev = False
    for i, f in enumerate(foreign_flags):
        if f and not prev:
            lines.append(wl[min(len(wl) - 1, start + i + SHINGLE - 1)])
        prev = f
    if missing_runs:
        # Where each gap sits in the file: after the last shared shingle before it (taking, for
        # a shingle that occurs more than once, its first occurrence after the previous one).
        where: dict[int, list[int]] = {}
        for i, h in enumerate(region):
            where.setdefault(h, []).append(start + i)
        prev = False
        last_seen = start
        for h in v.hashes:
            gone = h in missing_set
            if not gone and h in where:
                spots = where[h]
                j = bisect.bisect_left(spots, last_seen)
                last_seen = spots[j] if j < len(spots) else spots[-1]
            if gone and not prev:
                lines.append(wl[min(len(wl) - 1, last_seen + SHINGLE - 1)])
            prev = gone
    return replace(
        m,
        missing_runs=missing_runs,
        foreign_runs=foreign_runs,
        difference_lines=tuple(sorted(set(lines)))[:20],
    )


def _candidates(doc: _Doc, fps: Fingerprints, exclude: set[int] | None = None) -> list[int]:
    """Variants worth a full comparison, best first, from the sampled index's votes."""
    index = fps.index
    votes = Counter(
        chain.from_iterable(map(index.__getitem__, fps.index_keys.intersection(doc.hashes)))
    )
    if exclude:
        for i in exclude:
            votes.pop(i, None)
    if not votes:
        return []
    ranked = sorted(((n / max(1, fps.sampled[i]), i) for i, n in votes.items()), reverse=True)
    top = ranked[0][0]
    out = [i for est, i in ranked[:MAX_CANDIDATES] if est >= top * 0.8 or fps.sampled[i] < 24]
    return out[:MAX_CANDIDATES]


def _extra_terms(doc: _Doc, m: Match, skip: tuple[int, int] | None = None) -> bool:
    """Legal-looking words right before or after the known text (added terms?).

    `skip`: word range of another known text found in the file (it is reported, not extra)."""
    words = list(doc.words.words)
    if skip is not None:
        words[skip[0] : skip[1] + 1] = [""] * (skip[1] + 1 - skip[0])
    first_word = m.start
    last_word = m.end + SHINGLE - 1
    before = " ".join(w for w in words[max(0, first_word - ADJACENT_WORDS) : first_word] if w)
    after = " ".join(w for w in words[last_word + 1 : last_word + 1 + ADJACENT_WORDS] if w)
    for chunk in (before, after):
        if not chunk:
            continue
        padded = f" {chunk} "
        strong = sum(1 for cue in _STRONG_CUES if f" {cue} " in padded)
        weak = sum(1 for cue in _WEAK_CUES if f" {cue} " in padded)
        if strong >= 2 or (strong and weak):
            return True
    return False


def _marker_share(doc: _Doc, record: LicenseRecord | None) -> float:
    # A marker that is only a URL or e-mail address normalises to nothing: it cannot count.
    markers = [mk for mk in record.markers if phrase_words(mk)] if record else []
    if not markers:
        return 0.0
    found = sum(1 for mk in markers if doc.find(mk) is not None)
    return found / len(markers)


_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)")


def _find_anchor(text: str, hint: str | None) -> tuple[int, int] | None:
    """(start, end) of the anchor phrase in the raw line (words matched loosely), else of its
    first word."""
    words = hint.split() if hint else []
    if not words:
        return None
    loose = r"\W+".join(re.escape(w) for w in words[:12])
    m = re.search(loose, text, re.IGNORECASE)
    if m:
        return m.start(), m.end()
    at = text.lower().find(words[0])
    return (at, at + len(words[0])) if at >= 0 else None


def _quote(line: str, hint: str | None = None) -> str:
    """The words that make the fact: the whole line when short; else the whole sentence(s)
    holding the anchor, up to QUOTE_CHARS; else a window centred on the anchor."""
    text = line.strip()
    if len(text) <= QUOTE_CHARS:
        return text
    found = _find_anchor(text, hint)
    if found is None:
        return text[:QUOTE_CHARS].rsplit(" ", 1)[0] + "…"
    a_start, a_end = found
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    start = max([e for e in ends if e <= a_start], default=0)
    end = min([e for e in ends if e >= a_end], default=len(text))
    if end - start <= QUOTE_CHARS:
        # extend with the next sentence while it fits (the operative words may follow)
        for e in ends:
            if end < e and e - start <= QUOTE_CHARS * 0.75:
                end = e
        out = text[start:end].strip()
    else:
        middle = (a_start + a_end) // 2
        start = max(0, min(middle - QUOTE_CHARS * 2 // 5, len(text) - QUOTE_CHARS))
        end = min(len(text), start + QUOTE_CHARS)
        if start > 0 and " " in text[start:a_start]:
            start = text.index(" ", start) + 1
        if end < len(text) and " " in text[a_end:end]:
            end = text.rindex(" ", a_end, end)
        out = text[start:end].strip()
    return ("…" if start > 0 else "") + out + ("…" if end < len(text) else "")


def _evidence_at(doc: _Doc, fact: str, path: str, word: int, hint: str | None) -> Evidence:
    line = doc.words.lines[word]
    raw = doc.words.raw_lines[line - 1] if line - 1 < len(doc.words.raw_lines) else ""
    return Evidence(fact, path, line, _quote(raw, phrase_words(hint) if hint else None))


def _evidence(
    doc: _Doc, record: LicenseRecord, terms: RecordTerms, path: str, lo_word: int
) -> tuple[list[Evidence], list[str]]:
    out: list[Evidence] = []
    notes: list[str] = []
    # What identifies the text: its first marker found.
    for mk in record.markers:
        at = doc.find(mk, lo_word)
        if at is not None:
            out.append(_evidence_at(doc, "license", path, at, mk))
            break
    for f in record.facts:
        if not f.anchor:
            continue
        at = doc.find(f.anchor, lo_word)
        if at is None:
            notes.append(
                f"{f.name}: anchor phrase {f.anchor!r} ({record.key}) not found in the text"
            )
            continue
        out.append(_evidence_at(doc, f.name, path, at, f.anchor))
        if (
            f.name == "territory_restrictions"
            and terms.eu_restricted
            and terms.origin.get("eu_restricted") == record.key
        ):
            out.append(_evidence_at(doc, "eu_restricted", path, at, f.anchor))
    # Facts that come from the incorporated use policy: point at the incorporating line.
    policy = terms.policy
    if policy is not None and terms.origin.get("territory_restrictions") == policy.key:
        ref = None
        for phrase in ("acceptable use policy", "use policy", "prohibited use policy"):
            ref = doc.find(phrase, lo_word)
            if ref is not None:
                break
        if ref is not None:
            for name in ("territory_restrictions", "eu_restricted"):
                out.append(_evidence_at(doc, name, path, ref, "acceptable use policy"))
        pf = policy.fact("territory_restrictions")
        notes.append(
            f"territory_restrictions come from the incorporated policy {policy.key}"
            + (f" ({pf.section})" if pf and pf.section else "")
        )
    return out, notes


# Facts a modified text may have changed: unknown when the phrase that states them is gone.
_UNKNOWN_WHEN_CHANGED: dict[str, Any] = {
    "commercial_use": "unknown",
    "mau_cap": None,
    "revenue_cap": None,
    "output_training": "unknown",
    "non_commercial": None,
    "research_only": None,
    "derivatives_inherit": None,
}


def _unverified(
    terms: RecordTerms, record: LicenseRecord, found: set[str]
) -> tuple[RecordTerms, list[str]]:
    """Terms of a modified text: a fact whose anchor phrase is no longer in the text is unknown
    (never the known text's value, which the change may have altered). Territory clauses and
    duties are kept: dropping them would be the permissive error."""
    changes: dict[str, Any] = {}
    for f in record.facts:
        if f.anchor and f.name not in found and f.name in _UNKNOWN_WHEN_CHANGED:
            changes[f.name] = _UNKNOWN_WHEN_CHANGED[f.name]
    if not changes:
        return terms, []
    return replace(terms, **changes), sorted(changes)


def _decide(best: Match, extra: bool, markers: float) -> tuple[str, float]:
    """(status, confidence): exact only when nothing is missing, added inside, or added next to
    it; modified when most of the known text is there; else unknown (never a confident guess)."""
    if best.missing == 0 and best.foreign == 0 and not extra:
        return "exact", 1.0
    if (best.coverage >= 0.8 and best.score >= 0.5) or (
        best.coverage >= 0.5 and best.score >= 0.35 and markers >= 0.5
    ):
        return "modified", min(0.9, 0.5 + 0.4 * best.score)
    return "unknown", round(0.5 * best.score, 3)


def _guess_document(doc: _Doc) -> str:
    head = " ".join(doc.words.words[:80])
    if "use policy" in head or "prohibited use" in head or "usage policy" in head:
        return "policy"
    return "license"


def _prepare(text: str) -> _Doc:
    w = words_of(text)
    inner = " ".join(w.words)
    starts = word_starts(w.words, inner)
    hashes = shingle_hashes(w.words, joined=inner, starts=starts)
    doc = _Doc(w, hashes, optional_positions(w.optional, len(hashes)), frozenset(hashes))
    if w.words:
        doc.joined = " " + inner + " "
        starts.pop()
        doc.offsets = starts  # word i starts at joined[offsets[i] + 1]
    return doc


def _best(doc: _Doc, fps: Fingerprints, exclude: set[int] | None = None) -> Match | None:
    best: Match | None = None
    for i in _candidates(doc, fps, exclude):
        m = _compare(doc, fps.variants[i])
        if m is None:
            continue
        if best is None or (m.score, m.shared) > (best.score, best.shared):
            best = m
        if m.score == 1.0 and m.start == 0 and m.end == len(doc.hashes) - 1:
            break  # the whole file is exactly this text: nothing can match better
    return _with_differences(doc, best) if best is not None else None


def _incorporated(
    clauses: ClauseFacts, reg: Registry, path: str
) -> tuple[ClauseFacts, tuple[Evidence, ...], list[str]]:
    """Fold in the facts of known licences an unknown text says apply too."""
    from .amend import fold_incorporated

    evidence: list[Evidence] = []
    notes: list[str] = []
    for c in clauses.incorporates:
        record = _referenced(reg, str(c.value), c.attr("url"))
        if record is None:
            notes.append(
                f"line {c.line}: the terms of {c.value!r} apply too; that licence is not one this "
                "tool knows and was not read"
            )
            continue
        clauses, ev = fold_incorporated(clauses, reg.terms(record), record.license_class, path, c)
        evidence.extend(ev)
        notes.append(f"line {c.line}: the terms of {record.key} apply too; its facts are included")
    return clauses, tuple(evidence), notes


def _referenced(reg: Registry, name: str, url: str) -> LicenseRecord | None:
    """The record a licence reference names: by its address, else by its name ("llama 2")."""
    if url:
        rec = reg.by_link(url)
        if rec is not None:
            return rec
    words = name.split()
    for n in range(len(words)):
        flat = "".join(words[n:])
        for candidate in (reg.get(flat), reg.by_hf_id(flat), reg.by_name(" ".join(words[n:]))):
            if candidate is not None and not candidate.inline:
                return candidate
        for key in reg.records:
            if key.replace("-", "").replace(".", "") == flat and not reg.records[key].inline:
                return reg.records[key]
    return None


def _unknown(
    path: str,
    doc: Any,
    confidence: float,
    text: str | None = None,
    registry: Registry | None = None,
    **extra: Any,
) -> DetectionResult:
    """A text that is no known licence: its own clauses, read; class unknown unless they make
    it non-commercial, research-only or copyleft; never a guess."""
    document = _guess_document(doc)
    clauses = None
    evidence: tuple[Evidence, ...] = ()
    cls = "unknown"
    if text is not None and doc.words.words:
        from .clauses import GRANT, find_clauses, summarise

        found = find_clauses(text, document=document)
        if document == "policy" and any(c.kind == GRANT for c in found):
            document = "license"  # it grants rights: a licence that names its use policy early
        clauses = summarise(found, document=document)
        evidence = tuple(Evidence(f, path, c.line, c.quote) for f, c in clauses.evidence_for)
        if clauses.incorporates and registry is not None:
            clauses, more, said = _incorporated(clauses, registry, path)
            evidence += more
            extra["notes"] = (*extra.get("notes", ()), *said)
        cls = clauses.license_class
        if clauses.notes:
            extra["notes"] = (*extra.get("notes", ()), *clauses.notes)
        if clauses.clauses:
            extra["notes"] = (
                *extra.get("notes", ()),
                "facts read from the text's own clauses (not a known text): check them",
            )
    return DetectionResult(
        path=path,
        document=document,
        status="unknown",
        key=None,
        name=None,
        spdx=None,
        license_class=cls,
        confidence=confidence,
        clauses=clauses,
        evidence=evidence,
        **extra,
    )


def detect_text(
    text: str,
    path: str = "-",
    *,
    registry: Registry | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> DetectionResult:
    """Identify the licence or use policy in `text` (a file's content; `path` for evidence).

    A match below `min_confidence` is not trusted: the text is read as an unknown one."""
    reg = registry or load_registry()
    fps = reg.fingerprints()
    doc = _prepare(text)
    best = _best(doc, fps) if doc.hashes else None
    if best is not None and best.foreign and best.coverage >= 0.5:
        doc, best = _unbreak(text, doc, best)
    record = reg.get(best.variant.key) if best else None
    notes: list[str] = []
    if best is None or record is None:
        return _unknown(path, doc, 0.0, text, reg, notes=("no known licence text found",))
    others: list[tuple[str, str]] = []
    skip: tuple[int, int] | None = None  # words of another known text in the same file
    rest = _rest(doc, best)
    if rest is not None:
        other = _best(rest, fps, {i for i, v in enumerate(fps.variants) if v.key == record.key})
        if other is not None and other.coverage >= 0.8 and other.variant.key != record.key:
            st = "exact" if other.missing == 0 and other.foreign == 0 else "modified"
            others.append((other.variant.key, st))
            skip = (other.start, other.end + SHINGLE - 1)
    extra = _extra_terms(doc, best, skip)
    status, confidence = _decide(best, extra, _marker_share(doc, record))
    if status == "modified" and confidence < min_confidence:
        status = "unknown"
        notes.append(
            f"the match with {record.key} ({confidence:.2f}) is below the confidence threshold "
            f"({min_confidence:.2f})"
        )
    # Anything around or inside the known text that differs from it is read for terms.
    passages = _passages(doc, best, skip) if status != "unknown" else []
    found: tuple[Any, ...] = ()
    if passages:
        from .amend import adds_terms
        from .clauses import find_clauses

        found = find_clauses(text, document=record.document)
        beside = [
            c
            for c in found
            if adds_terms(c) and any(p.where == "outside" and p.holds(c) for p in passages)
        ]
        if beside and status == "exact":
            status, confidence = "modified", 0.9
            extra = True
        if beside:
            notes.append(
                f"other terms sit in the same file as the known text (line {beside[0].line}): "
                "the file is not just that text"
            )
    exact = status == "exact"
    differences = best.differences + (1 if extra else 0)
    if extra and status == "modified" and not found:
        notes.append("text that reads like additional terms sits next to the known licence text")
    wl = doc.words.lines
    region = (wl[best.start], wl[min(len(wl) - 1, best.end + SHINGLE - 1)])
    if status == "unknown":
        return _unknown(
            path,
            doc,
            confidence,
            text,
            reg,
            nearest=record.key,
            differences=differences,
            coverage=best.coverage,
            difference_lines=best.difference_lines,
            region=region,
            notes=(
                f"not a known text; nearest is {record.key} ({best.coverage:.0%} of it present, "
                f"{differences} differing passages)",
                *notes,
            ),
        )
    terms = reg.terms(record)
    license_class = record.license_class
    evidence, ev_notes = _evidence(doc, record, terms, path, best.start)
    notes.extend(ev_notes)
    for other_key, _ in others:
        other_rec = reg.get(other_key)
        if other_rec is None or other_key == record.acceptable_use_policy:
            continue  # a licence's own use policy is already folded into its terms
        from .amend import fold_terms

        before = (terms, license_class)
        terms, license_class = fold_terms(
            terms, license_class, reg.terms(other_rec), other_rec.license_class
        )
        if (terms, license_class) != before:
            notes.append(
                f"the file also holds {other_key}: the stricter terms of the two are given"
            )
    if status == "modified":
        terms, unsure = _unverified(terms, record, {e.fact for e in evidence})
        if unsure:
            notes.append(
                f"{', '.join(unsure)}: the text differs where {record.key} states "
                f"{'this' if len(unsure) == 1 else 'these'}: unknown"
            )
        if passages:
            from .amend import amend

            amended = amend(terms, license_class, found, passages, path)
            terms, license_class = amended.terms, amended.license_class
            changed = set(amended.changed)
            evidence = [e for e in evidence if e.fact not in changed] + list(amended.evidence)
            notes.extend(amended.notes)
    if status == "modified":
        notes.insert(
            0,
            f"text differs from {record.key} in {differences} passage(s)"
            + (
                f" (lines {', '.join(map(str, best.difference_lines[:8]))})"
                if best.difference_lines
                else ""
            )
            + "; facts are the known text's except where the differing passages say otherwise",
        )
    return DetectionResult(
        path=path,
        document=record.document,
        status=status,
        key=record.key,
        name=record.name,
        spdx=record.spdx,
        license_class=license_class,
        confidence=confidence,
        nearest=record.key,
        differences=0 if exact else differences,
        coverage=best.coverage,
        difference_lines=() if exact else best.difference_lines,
        region=region,
        terms=terms,
        evidence=tuple(evidence),
        notes=tuple(notes),
        others=tuple(others),
        provenance=record.provenance,
    )


def _unbreak(text: str, doc: _Doc, best: Match) -> tuple[_Doc, Match]:
    """Undo long-word breaks of a re-wrap (a URL cut in two at the wrap width).

    Only a line that is full (as long as the longest line, no trailing space) followed by a line
    that starts with a character can hold a broken chunk; the chunk is rejoined when that brings
    the text closer to the known one. Joining two real words never matches a known text, so a
    genuine change is never hidden. Line numbers are kept (the tail moves up a line).
    """
    raw = list(doc.words.raw_lines)
    wl = doc.words.lines
    first_line = wl[best.start]
    last_line = wl[min(len(wl) - 1, best.end + SHINGLE - 1)]
    width = max((len(x.rstrip("\r")) for x in raw[first_line - 1 : last_line]), default=0)
    if width < 20:
        return doc, best
    original = doc.words.raw_lines

    def full(k: int) -> bool:  # 0-based index; judged on the file as given
        x = original[k].rstrip("\r")
        return len(x) >= width - 1 and x == x.rstrip()

    current_doc, current = doc, best
    changed = False
    tried: set[int] = set()
    for _round in range(6):  # each rejoin can reveal the next break
        suspects: set[int] = set()
        for line in current.difference_lines:
            suspects.update(range(max(1, line - 3), line + 4))
        progress = False
        for n in sorted(suspects - tried):
            tried.add(n)
            if n >= len(raw) or not full(n - 1):
                continue
            trial = raw.copy()
            k = n  # 0-based index of the line whose head moves up
            joined = trial[n - 1].rstrip("\r")
            while k < len(trial) and trial[k] and not trial[k][0].isspace():
                was_full = full(k)
                head, sep, tail = trial[k].partition(" ")
                joined += head.rstrip("\r")
                trial[k] = tail
                if sep or not was_full:
                    break
                k += 1  # the whole line was one piece of the chunk: the chunk goes on
            if k == n and trial[n] == raw[n]:
                continue
            trial[n - 1] = joined
            trial_doc = _prepare("\n".join(trial))
            m = _compare(trial_doc, current.variant)
            if m is not None and m.missing + m.foreign < current.missing + current.foreign:
                raw, current_doc = trial, trial_doc
                current = _with_differences(trial_doc, m)
                changed = progress = True
                if m.missing == 0 and m.foreign == 0:
                    break
        if not progress or (current.missing == 0 and current.foreign == 0):
            break
    if not changed:
        return doc, best
    # Quotes come from the file as given.
    current_doc.words = replace(current_doc.words, raw_lines=doc.words.raw_lines)
    return current_doc, current


def _passages(doc: _Doc, m: Match, skip: tuple[int, int] | None) -> list[Passage]:
    """Where the file differs from the known text: changed runs inside the matched region, and
    the words before and after it (less `skip`, the licence's own use policy)."""
    words = doc.words.words
    if not words:
        return []
    wl = doc.words.lines
    last = len(words) - 1
    spans: list[tuple[int, int, str]] = []
    first_word, last_word = m.start, min(last, m.end + SHINGLE - 1)
    outside = [(0, first_word - 1), (last_word + 1, last)]
    for lo, hi in outside:
        if skip is not None and lo <= skip[1] and hi >= skip[0]:
            if lo < skip[0]:
                spans.append((lo, skip[0] - 1, "outside"))
            if hi > skip[1]:
                spans.append((skip[1] + 1, hi, "outside"))
        elif hi >= lo:
            spans.append((lo, hi, "outside"))
    spans = [
        (lo, hi, w)
        for lo, hi, w in spans
        if any(i not in doc.words.optional for i in range(lo, hi + 1))
    ]
    if m.foreign:
        vset = m.variant.set
        opt = doc.optional
        run_start = None
        for i in range(m.start, m.end + 2):
            foreign = i <= m.end and doc.hashes[i] not in vset and i not in opt
            if foreign and run_start is None:
                run_start = i
            elif not foreign and run_start is not None:
                a, b = run_start, i - 1
                lo, hi = (a + SHINGLE - 1, b) if b >= a + SHINGLE - 1 else (b, a + SHINGLE - 1)
                spans.append((max(0, lo), min(last, hi), "inside"))
                run_start = None
    if not spans:
        return []
    from .amend import Passage  # only when the file differs: the reader is not needed otherwise

    return [Passage(wl[lo], wl[hi], " ".join(words[lo : hi + 1]), where) for lo, hi, where in spans]


def _rest(doc: _Doc, m: Match) -> _Doc | None:
    """The file's shingles outside the matched region, when enough remain for another text."""
    before = doc.hashes[: max(0, m.start - SHINGLE + 1)]
    after = doc.hashes[m.end + SHINGLE :]
    if len(before) + len(after) < 100:
        return None
    # Keep positions (and lines) aligned: blank out the region.
    hashes = before + [0] * (len(doc.hashes) - len(before) - len(after)) + after
    return _Doc(doc.words, hashes, doc.optional, frozenset(hashes))


def detect_bytes(
    data: bytes,
    path: str = "-",
    *,
    registry: Registry | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> DetectionResult:
    from .textnorm import decode

    return detect_text(decode(data), path, registry=registry, min_confidence=min_confidence)

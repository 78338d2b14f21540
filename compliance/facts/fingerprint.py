"""registry/fingerprints.json: hashed word shingles of each known licence text.

Generated from the corpus of real texts (`python -m compliance.facts.fingerprint`); detection
compares a file's shingles with these. The file holds 32-bit CRCs of normalised 5-word runs
(in text order, so differences can be counted as passages), never words: it cannot be turned
back into the text.

Format (version 1):
    {"version": 1, "textnorm": <TEXTNORM_VERSION>, "shingle": 5, "hash": "crc32",
     "variants": [{"key": <record key>, "source": <corpus folder>, "sha256": <of the text>,
                   "hashes": <base64 of little-endian uint32, in text order>,
                   "optional": <base64 uint32: indexes of shingles on copyright-notice lines>,
                   "sample": <base64 uint32: the distinct hashes with (h & 7) == 0, sorted>}]}
A record may have several variants (e.g. apache-2.0 from three repositories).
"""

from __future__ import annotations

import base64
import functools
import json
import sys
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .textnorm import (
    SHINGLE,
    TEXTNORM_VERSION,
    decode,
    optional_positions,
    shingle_hashes,
    words_of,
)

FORMAT_VERSION = 1
SAMPLE_MASK = 7  # the candidate index keeps hashes with (h & 7) == 0: one in eight

# Corpus folder -> registry key, where the folder is not named after the record.
CORPUS_ALIASES: dict[str, str] = {
    "phi-mit": "mit",
    "spdx-mit": "mit",
    "gpt-oss-apache": "apache-2.0",
    "grok-1-apache": "apache-2.0",
    "spdx-apache-2.0": "apache-2.0",
    "spdx-cc-by-nc-4.0": "cc-by-nc-4.0",
    "cc-by-nc-4.0": "cc-by-nc-4.0",
    "spdx-cc-by-4.0": "cc-by-4.0",
    "xai-community-grok2": "grok-2-community",
}


def extra_corpora() -> list[Path]:
    """Folders of gathered licence texts named by $COMPLIANCE_LICENSE_TEXTS (outside the repo)."""
    import os

    raw = os.environ.get("COMPLIANCE_LICENSE_TEXTS", "")
    return [Path(p) for p in raw.split(os.pathsep) if p.strip()]


def default_corpus() -> Path:
    return Path(__file__).resolve().parents[3] / "shared" / "corpus" / "licenses"


@dataclass(frozen=True)
class Variant:
    key: str
    source: str
    hashes: array[int]  # uint32, in text order
    optional_idx: array[int]  # indexes into hashes of shingles on copyright-notice lines

    @functools.cached_property
    def set(self) -> frozenset[int]:
        return frozenset(self.hashes)

    @functools.cached_property
    def optional(self) -> frozenset[int]:
        """Hashes that may be missing (copyright notice lines)."""
        n = len(self.hashes)
        return frozenset(self.hashes[j] for j in self.optional_idx if j < n)

    @functools.cached_property
    def required(self) -> frozenset[int]:
        return self.set - self.optional if self.optional_idx else self.set


@dataclass(frozen=True)
class Fingerprints:
    variants: tuple[Variant, ...]
    index: dict[int, tuple[int, ...]]  # sampled hash -> variant indexes
    index_keys: frozenset[int] = frozenset()
    sampled: tuple[int, ...] = ()  # per variant: how many of its hashes the index holds

    def keys(self) -> set[str]:
        return {v.key for v in self.variants}


def _pack(values: list[int]) -> str:
    arr = array("I", values)
    if sys.byteorder == "big":
        arr.byteswap()
    return base64.b64encode(arr.tobytes()).decode("ascii")


def _unpack(text: str) -> array[int]:
    arr = array("I")
    arr.frombytes(base64.b64decode(text))
    if sys.byteorder == "big":
        arr.byteswap()
    return arr


def fingerprint_text(text: str) -> tuple[list[int], list[int]]:
    """(shingle hashes in order, indexes of optional shingles) of a text."""
    w = words_of(text)
    hashes = shingle_hashes(w.words)
    optional = set(w.optional)
    # The "how to apply this licence" appendix after the terms (Apache 2.0, GPL...) is left out
    # of many copies: it may be missing without making a copy "modified".
    joined = " " + " ".join(w.words) + " "
    at = joined.find(" end of terms and conditions ")
    if at >= 0:
        first = joined.count(" ", 0, at) + 5  # index of the first word after the phrase
        optional.update(range(first, len(w.words)))
    return hashes, sorted(optional_positions(optional, len(hashes)))


def corpus_key(folder: Path) -> str:
    if folder.name in CORPUS_ALIASES:
        return CORPUS_ALIASES[folder.name]
    source = folder / "SOURCE.txt"
    if source.is_file():
        for line in source.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("key:"):
                key = line.split(":", 1)[1].strip()
                return CORPUS_ALIASES.get(key, key)
    return folder.name


def build(
    corpus: Path | list[Path], known_keys: set[str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Fingerprints of every <folder>/LICENSE.txt under each corpus; returns (data, warnings).

    Several corpora may be given: the shared one and texts gathered from publishers' repositories,
    kept outside the project (their text must not be committed, only these hashes)."""
    import hashlib

    corpora = [corpus] if isinstance(corpus, Path) else list(corpus)
    variants: list[dict[str, Any]] = []
    warnings: list[str] = []
    folders = [p for root in corpora for p in sorted(root.iterdir()) if p.is_dir()]
    for folder in folders:
        text_path = folder / "LICENSE.txt"
        if not text_path.is_file():
            continue
        key = corpus_key(folder)
        if known_keys is not None and key not in known_keys:
            warnings.append(f"{folder.name}: no registry record `{key}`; skipped")
            continue
        data = text_path.read_bytes()
        hashes, optional = fingerprint_text(decode(data))
        sample = sorted({h for h in hashes if not h & SAMPLE_MASK})
        variants.append(
            {
                "key": key,
                "source": folder.name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "count": len(hashes),
                "hashes": _pack(hashes),
                "optional": _pack(optional),
                "sample": _pack(sample),
            }
        )
    out = {
        "version": FORMAT_VERSION,
        "textnorm": TEXTNORM_VERSION,
        "shingle": SHINGLE,
        "hash": "crc32",
        "variants": variants,
    }
    return out, warnings


def parse(data: dict[str, Any], where: str = "fingerprints.json") -> Fingerprints:
    from .registry import RegistryError

    if data.get("version") != FORMAT_VERSION or data.get("textnorm") != TEXTNORM_VERSION:
        raise RegistryError(
            "stale fingerprints: regenerate with `python -m compliance.facts.fingerprint`",
            file=where,
        )
    variants: list[Variant] = []
    index: dict[int, list[int]] = {}
    sampled: list[int] = []
    for i, raw in enumerate(data.get("variants") or []):
        variants.append(
            Variant(
                raw["key"],
                raw.get("source", ""),
                _unpack(raw["hashes"]),
                _unpack(raw.get("optional") or ""),
            )
        )
        sample = _unpack(raw["sample"])
        sampled.append(len(sample))
        for h in sample:
            if h in index:
                index[h].append(i)
            else:
                index[h] = [i]
    return Fingerprints(
        tuple(variants), {h: tuple(v) for h, v in index.items()}, frozenset(index), tuple(sampled)
    )


@functools.lru_cache(maxsize=8)
def load_fingerprints(path: Path) -> Fingerprints:
    from .registry import RegistryError

    if not path.is_file():
        return Fingerprints((), {}, frozenset())
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise RegistryError(f"cannot read fingerprints: {exc}", file=str(path)) from exc
    return parse(data, str(path))


def main(argv: list[str] | None = None) -> int:
    import argparse

    from ..resources import registry_dir
    from .registry import load_registry_from

    parser = argparse.ArgumentParser(
        prog="python -m compliance.facts.fingerprint",
        description="Generate registry/fingerprints.json from the corpus of licence texts.",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        default=None,
        help="a folder of <key>/LICENSE.txt (+ SOURCE.txt); repeatable. Default: ../shared/corpus/"
        "licenses plus every folder in $COMPLIANCE_LICENSE_TEXTS (os.pathsep-separated)",
    )
    parser.add_argument("--registry", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    reg_root = args.registry or registry_dir()
    registry = load_registry_from(reg_root)
    corpora: list[Path] = args.corpus or [default_corpus(), *extra_corpora()]
    for corpus in corpora:
        if not corpus.is_dir():
            print(f"no corpus at {corpus}", file=sys.stderr)
            return 2
    data, warnings = build(corpora, {k for k, r in registry.records.items() if not r.inline})
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    out = args.out or reg_root / "fingerprints.json"
    out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    missing = sorted(
        k
        for k, r in registry.records.items()
        if not r.inline and k not in {v["key"] for v in data["variants"]}
    )
    print(
        f"wrote {out}: {len(data['variants'])} texts, "
        f"{len({v['key'] for v in data['variants']})} keys"
    )
    if missing:
        print(f"records without a corpus text (not detectable by text): {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

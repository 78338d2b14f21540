"""`.env` files: `KEY=value` lines whose key names a model (`VLLM_MODEL`, `MODEL_ID`,
`EMBEDDING_MODEL`, `OLLAMA_MODEL` ...). Comments and blank values are ignored."""

from __future__ import annotations

import re
from pathlib import Path

from .model import ModelRef
from .normalize import classify
from .suffixes import has_source_suffix
from .tree import key_strength

NAME = "dotenv"
_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*?)\s*$")
_REV = re.compile(r"^(?:[A-Z0-9]+_)*REVISION$", re.IGNORECASE)


def matches(path: Path, head: str) -> bool:
    name = path.name.lower()
    if name.startswith(".env.") and has_source_suffix(path):
        return False  # .env.py, .env.json: the suffix decides
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def _value(raw: str) -> str:
    raw = raw.strip()
    if raw[:1] in ("'", '"'):
        q = raw[0]
        end = raw.find(q, 1)
        return raw[1:end] if end > 0 else raw[1:]
    return re.split(r"\s+#", raw, maxsplit=1)[0].strip()


def extract(path: Path, text: str, display: str) -> list[ModelRef]:
    refs: list[ModelRef] = []
    revision: str | None = None
    for no, line in enumerate(text.splitlines(), start=1):
        m = _LINE.match(line)
        if not m or line.lstrip().startswith("#"):
            continue
        key, value = m.group(1), _value(m.group(2))
        if not value:
            continue
        if _REV.match(key):
            revision = value
            continue
        if key_strength(key) is None:
            continue
        result = classify(
            value, "generic", provider_section="ollama" if "OLLAMA" in key.upper() else None
        )
        if result is None or (result.bare and result.kind == "unresolved"):
            continue  # `WHISPER_MODEL=base`: a size or alias, not a model we can name
        refs.append(
            ModelRef(
                display, no, value, result.kind, result.model, result.revision, result.note, NAME
            )
        )
    if revision:
        refs = [
            ModelRef(r.file, r.line, r.raw, r.kind, r.model, revision, r.note, r.format)
            if r.kind == "hf-repo" and r.revision is None
            else r
            for r in refs
        ]
    return refs

"""Ollama Modelfiles: `FROM` (and `ADAPTER`) lines.

`FROM hf.co/org/repo:Q8_0` is the Hub repo; `FROM llama3.1:8b` is an Ollama library tag, mapped to
its Hub base through registry/ollama.yaml (else `unresolved`); `FROM ./model.gguf` is a GGUF file;
a directory is a local path. `FROM user/name` is an Ollama namespace model, unless its name follows
Hub conventions for GGUF repos (`...-GGUF`), which users copy from the Hub without `hf.co/`.
"""

from __future__ import annotations

import re
from pathlib import Path

from .model import ModelRef
from .normalize import Classified, classify, hub_id_ok, looks_like_path, ollama_tag
from .suffixes import has_source_suffix

NAME = "modelfile"
_FROM = re.compile(r"^\s*(FROM|ADAPTER)\s+(\S+)", re.IGNORECASE)


def matches(path: Path, head: str) -> bool:
    if has_source_suffix(path) or head.startswith("#!"):
        return False  # `modelfile.py`, or a script that happens to be called Modelfile
    name = path.name.lower()
    return name == "modelfile" or name.startswith("modelfile.") or name.endswith(".modelfile")


def classify_from(value: str) -> Classified | None:
    v = value.strip().strip("\"'")
    low = v.lower()
    if low.startswith(("hf.co/", "huggingface.co/", "https://", "http://")):
        return classify(v, "cli")
    if looks_like_path(v) or v.startswith((".", "/", "~")):
        return classify(v, "cli")
    base = v.partition(":")[0]
    if "/" in base:
        if hub_id_ok(base) and "gguf" in base.split("/", 1)[1].lower():
            result = classify(base, "cli")
            if result is not None:
                return Classified(
                    result.kind,
                    result.model,
                    result.revision,
                    "Ollama namespace name that follows Hub GGUF repo naming; assumed the Hub repo",
                )
        return ollama_tag(v, "Ollama namespace model")
    return ollama_tag(v)


def extract(path: Path, text: str, display: str) -> list[ModelRef]:
    refs: list[ModelRef] = []
    in_triple = False
    for no, line in enumerate(text.splitlines(), start=1):
        if line.count('"""') % 2 == 1:
            in_triple = not in_triple
            continue
        if in_triple or line.lstrip().startswith("#"):
            continue
        m = _FROM.match(line)
        if not m:
            continue
        result = classify_from(m.group(2))
        if result is None:
            continue
        refs.append(
            ModelRef(
                display,
                no,
                m.group(2),
                result.kind,
                result.model,
                result.revision,
                result.note,
                NAME,
            )
        )
    return refs

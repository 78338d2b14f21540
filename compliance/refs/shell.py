"""Shell, PowerShell, batch scripts and Dockerfiles: `vllm serve X --revision R`, `--model`,
`--model-path` (SGLang), `--model-id` (TGI/TEI), `-hf org/repo:Q4_K_M` and `-m file.gguf`
(llama.cpp), `ollama run`, `huggingface-cli download`, and assignments such as `MODEL_ID=...`,
`export VLLM_MODEL=...`, `$env:MODEL = "..."`, `ENV MODEL_ID=...`.

A model given as a variable (`vllm serve $MODEL`) is reported where the variable is assigned in
the same file, else as `unresolved` at the command.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from . import argv
from .model import ModelRef
from .normalize import classify
from .suffixes import has_source_suffix
from .tree import key_strength

NAME = "shell"
SUFFIXES = (".sh", ".bash", ".zsh", ".ksh", ".ps1", ".psm1", ".bat", ".cmd", ".dockerfile")
_SHEBANG = re.compile(r"^#!.*\b(?:ba|z|k|da)?sh\b|^#!.*\bpwsh\b")

_SH_ASSIGN = re.compile(
    r"^\s*(?:export\s+|declare\s+(?:-\w+\s+)*|local\s+|readonly\s+|set\s+|ENV\s+|ARG\s+)?"
    r"\"?([A-Za-z_][A-Za-z0-9_]*)=(\S.*)?$",
    re.IGNORECASE,
)
_PS_ASSIGN = re.compile(r"^\s*\$(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$", re.IGNORECASE)
_DOCKER_ENV_SPACE = re.compile(
    r"^\s*ENV\s+([A-Za-z_][A-Za-z0-9_]*)\s+([^=\s]\S*)\s*$", re.IGNORECASE
)
_DEFAULTED = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*):?-")
_VAR_REF = re.compile(
    r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$|^\$env:([A-Za-z_][A-Za-z0-9_]*)$|^%([A-Za-z_][A-Za-z0-9_]*)%$",
    re.IGNORECASE,
)


def matches(path: Path, head: str) -> bool:
    name = path.name.lower()
    if name.endswith(SUFFIXES):
        return True
    if name == "dockerfile" or (name.startswith("dockerfile.") and not has_source_suffix(path)):
        return True
    return not path.suffix and bool(_SHEBANG.match(head))


def _first_value(raw: str) -> str:
    toks = argv.tokenize(raw, 0, comment_chars="#")
    return toks[0].text.rstrip(";") if toks else ""


def extract(path: Path, text: str, display: str) -> list[ModelRef]:
    ps = path.suffix.lower() in (".ps1", ".psm1")
    bat = path.suffix.lower() in (".bat", ".cmd")
    cont = "`" if ps else "^" if bat else "\\"
    comment = "" if bat else "#"
    found: dict[tuple[int, str], ModelRef] = {}
    assigned: dict[str, tuple[str, int]] = {}

    def add(
        raw: str,
        line: int,
        ctx: str,
        revision: str | None = None,
        hint: bool = False,
        weak: bool = False,
    ) -> None:
        result = classify(raw, ctx, provider_section="ollama" if hint else None)
        if result is None or (weak and result.bare and result.kind == "unresolved"):
            return
        rev = result.revision or (revision if result.kind == "hf-repo" else None)
        old = found.get((line, result.model))
        if old is not None:
            if rev and old.revision is None:
                found[(line, result.model)] = replace(old, revision=rev)
            return
        found[(line, result.model)] = ModelRef(
            display, line, raw, result.kind, result.model, rev, result.note, NAME
        )

    lines = text.splitlines()
    # pass 1: assignments
    for no, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.lower().startswith(("rem ", "::")):
            continue
        m = _PS_ASSIGN.match(line) if ps else None
        m = m or _SH_ASSIGN.match(line) or _DOCKER_ENV_SPACE.match(line)
        if not m or not m.group(2):
            continue
        value = _first_value(m.group(2))
        if not value:
            continue
        name = m.group(1)
        assigned[name.lower()] = (value, no)
        inner = _DEFAULTED.match(value)  # DRAFT=${DRAFT_MODEL:-org/name}
        if key_strength(name) is not None or (inner and key_strength(inner.group(1)) is not None):
            add(value, no, "generic", hint="ollama" in name.lower(), weak=True)

    # pass 2: commands, joined over continuation lines
    tokens: list[argv.Token] = []
    for no, line in enumerate(lines, start=1):
        stripped = line.rstrip()
        if bat and stripped.lstrip().lower().startswith(("rem ", "::")):
            continue
        continued = stripped.endswith(cont)
        body = stripped[:-1] if continued else stripped
        tokens.extend(argv.tokenize(body, no, comment_chars=comment))
        if not continued:
            _scan(tokens, assigned, add)
            tokens = []
    if tokens:
        _scan(tokens, assigned, add)
    return sorted(found.values(), key=lambda r: r.line)


def _scan(
    tokens: list[argv.Token],
    assigned: dict[str, tuple[str, int]],
    add: Callable[[str, int, str, str | None], None],
) -> None:
    if not tokens:
        return
    for hit in argv.scan(tokens):
        m = _VAR_REF.match(hit.raw)
        if m:
            name = (m.group(1) or m.group(2) or m.group(3)).lower()
            if name in assigned:
                value, line = assigned[name]
                add(value, line, hit.ctx, hit.revision)
                continue
        add(hit.raw, hit.line, hit.ctx, hit.revision)

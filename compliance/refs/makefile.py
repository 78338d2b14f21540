"""Makefiles (`Makefile`, `GNUmakefile`, `*.mk`): variable assignments (`MODEL ?= org/name`) and
recipe command lines (`vllm serve $(MODEL) --revision ...`), read by the shell extractor after a
line-for-line rewrite of make syntax into shell syntax (so line numbers stay those of the file)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from . import shell
from .model import ModelRef

NAME = "makefile"
_NAMES = {"makefile", "gnumakefile"}
_ASSIGN = re.compile(
    r"^(\s*(?:export\s+|override\s+)?)([A-Za-z_][A-Za-z0-9_]*)\s*(?:\?|:|::|\+|!)?=\s*(.*)$"
)
_PREFIX = re.compile(r"^(?:[@+]|-(?!-))+")  # not the first dash of a `--flag`
_MAKE_VAR = re.compile(r"\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]")


def matches(path: Path, head: str) -> bool:
    return path.name.lower() in _NAMES or path.suffix.lower() == ".mk"


def _as_shell(line: str) -> str:
    if line.startswith("\t"):  # a recipe line: drop make's echo/ignore-error prefixes
        body = _PREFIX.sub("", line[1:].lstrip()).lstrip()
    else:
        m = _ASSIGN.match(line)
        body = f"{m.group(1)}{m.group(2)}={m.group(3)}" if m else ""
    return _MAKE_VAR.sub(r"${\1}", body.replace("$$", "$"))


def extract(path: Path, text: str, display: str) -> list[ModelRef]:
    script = "\n".join(_as_shell(line) for line in text.splitlines())
    return [replace(r, format=NAME) for r in shell.extract(Path("Makefile.sh"), script, display)]

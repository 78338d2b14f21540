"""Jupyter notebooks (.ipynb): each code cell read as Python, its `!command` lines as shell; a
reference is reported at the line of the .ipynb file where its cell line is stored. Markdown
cells and outputs are not read (prose and printed text name models without using them)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import InputError
from . import python, shell
from .model import ModelRef

NAME = "notebook"


def matches(path: Path, head: str) -> bool:
    return path.suffix.lower() == ".ipynb"


def _cells(text: str, display: str) -> list[list[str]]:
    """The source lines of each code cell."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"not a valid notebook (JSON): {exc}", file=display, line=line) from None
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if not isinstance(cells, list):
        raise InputError("not a notebook: no `cells` list", file=display)
    out: list[list[str]] = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source: Any = cell.get("source", "")
        text_ = (
            "".join(s for s in source if isinstance(s, str)) if isinstance(source, list) else source
        )
        if isinstance(text_, str):
            out.append(text_.splitlines())
    return out


def _file_line(lines: list[str], cursor: int, source_line: str) -> int:
    """The 0-based index of the .ipynb line that stores `source_line`, searched from `cursor`."""
    if not source_line.strip():
        return cursor
    forms = {json.dumps(source_line, ensure_ascii=False)[1:-1], json.dumps(source_line)[1:-1]}
    for i in range(cursor, len(lines)):
        if any(f in lines[i] for f in forms):
            return i
    return cursor


def extract(path: Path, text: str, display: str) -> list[ModelRef]:
    file_lines = text.splitlines()
    refs: list[ModelRef] = []
    cursor = 0
    for cell in _cells(text, display):
        where: list[int] = []
        for source_line in cell:
            cursor = _file_line(file_lines, cursor, source_line)
            where.append(cursor + 1)
        magic = [line.lstrip().startswith(("!", "%")) for line in cell]
        code = "\n".join("" if m else line for m, line in zip(magic, cell, strict=True))
        commands = "\n".join(
            line.lstrip()[1:] if line.lstrip().startswith("!") else "" for line in cell
        )
        found = python.extract(path, code, display)
        if any(magic):
            found += shell.extract(Path("cell.sh"), commands, display)
        for r in found:
            line = where[r.line - 1] if 0 < r.line <= len(where) else (where[0] if where else 1)
            refs.append(replace(r, line=line, format=NAME))
    return sorted(refs, key=lambda r: r.line)

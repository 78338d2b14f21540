"""TOML settings (`pyproject.toml` `[tool.*]` tables, `settings.toml`, `config.toml` ...): parsed
with tomllib, then the shared walker finds models by key. tomllib keeps no positions, so each
string value's line is found in the text (searched forward, in document order)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import tomllib

from ..errors import InputError
from .model import ModelRef
from .tree import Ctx, Node, Walker, detect_dialect

NAME = "toml"
_AT_LINE = re.compile(r"\(at line (\d+)")


def matches(path: Path, head: str) -> bool:
    return path.suffix.lower() == ".toml"


class _Locator:
    """Finds where a string value is written, moving forward through the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def find(self, key: str, value: str) -> tuple[int, int, int]:
        """(line, start, end) of `value` written after `key`; line 1 and no span when not found."""
        for start_at in (self.pos, 0):
            for quoted in (f'"{value}"', f"'{value}'"):
                i = self.text.find(quoted, start_at)
                while i >= 0:
                    line_start = self.text.rfind("\n", 0, i) + 1
                    if key in self.text[line_start:i] or "=" not in self.text[line_start:i]:
                        self.pos = i + len(quoted)
                        line = self.text.count("\n", 0, i) + 1
                        return line, i + 1, i + 1 + len(value)
                    i = self.text.find(quoted, i + 1)
        return 1, 0, 0


def _node(value: Any, key: str, loc: _Locator) -> Node:
    if isinstance(value, dict):
        pairs = []
        for k, v in value.items():
            child = _node(v, str(k), loc)
            pairs.append((str(k), Node("scalar", child.line, value=str(k), is_str=True), child))
        return Node("map", pairs[0][2].line if pairs else 1, pairs=pairs)
    if isinstance(value, list):
        items = [_node(v, key, loc) for v in value]
        return Node("seq", items[0].line if items else 1, items=items)
    if isinstance(value, str):
        line, start, end = loc.find(key, value)
        return Node("scalar", line, value=value, is_str=True, start=start, end=end)
    return Node("scalar", 1, value=None if value is None else str(value))


def extract(path: Path, text: str, display: str) -> list[ModelRef]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _AT_LINE.search(str(exc))
        line = int(m.group(1)) if m else None
        raise InputError(f"invalid TOML: {exc}", file=display, line=line) from None
    root = _node(data, "", _Locator(text))
    dialect = detect_dialect(root, NAME)
    walker = Walker(text, dialect)
    walker.walk(root, Ctx(dialect=dialect))
    return list(walker.refs(display, dialect))

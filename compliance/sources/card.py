"""Model card (README.md) parsing: YAML front matter and where keys sit.

Real cards are messy: a comment or blank lines before the `---`, BOMs, CRLF, tabs, broken YAML.
A card that cannot be parsed yields no metadata (and a note), never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_FENCE = re.compile(r"^---\s*$")


@dataclass(frozen=True)
class Card:
    data: dict[str, Any]  # front matter, {} when absent or unparseable
    body_start: int  # 1-based line number where the body starts
    error: str | None = None  # why the front matter could not be read
    front_matter_lines: tuple[int, int] | None = None  # (first, last) 1-based, inside the fences


def split_front_matter(text: str) -> tuple[list[str], int, int] | None:
    """Return (yaml lines, first line no, last line no) of the front matter, or None."""
    lines = text.lstrip("\ufeff").splitlines()
    start = None
    for i, line in enumerate(lines[:50]):
        stripped = line.strip()
        if not stripped or stripped.startswith("<!--") or stripped.endswith("-->"):
            continue
        if _FENCE.match(line):
            start = i
        break
    if start is None:
        return None
    for j in range(start + 1, len(lines)):
        if _FENCE.match(lines[j]) or lines[j].strip() == "...":
            return lines[start + 1 : j], start + 2, j
    return None


# Real cards: duplicate keys and custom tags happen; they must not cost the whole front matter.
CARD_YAML_LIMITS_KW = {"allow_duplicate_keys": True, "plain_unknown_tags": True}


def load_lenient_yaml(text: str, *, source: str = "README.md", first_line: int = 1) -> object:
    """YAML from a repo file, bounded: libyaml directly when the text has no anchors or aliases
    (nothing can expand), else compliance.safeyaml, which bounds alias expansion and depth.
    Raises compliance.errors.InputError for anything that is not readable YAML."""
    import yaml

    from ..errors import InputError
    from ..safeyaml import YamlLimits, load_yaml

    if "&" not in text and "*" not in text:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        try:
            return yaml.load(text, Loader=loader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + first_line if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise InputError(f"invalid YAML: {problem}", file=source, line=line) from None
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            raise InputError(f"invalid YAML value: {exc}", file=source) from None
    limits = YamlLimits(**CARD_YAML_LIMITS_KW)
    return load_yaml(text, source=source, first_line=first_line, limits=limits)


def _unclosed_front_matter(text: str) -> tuple[int, int] | None:
    """(first, last) 1-based lines of a front matter that opens with `---` and never closes."""
    lines = text.lstrip("\ufeff").splitlines()
    for i, line in enumerate(lines[:50]):
        stripped = line.strip()
        if not stripped or stripped.startswith("<!--") or stripped.endswith("-->"):
            continue
        if not _FENCE.match(line):
            return None
        # A card that opens with a lone `---` and goes on with prose (a rule, as some templates
        # write) has no front matter; one that goes on with `key:` lines has a broken one.
        following = next((t for t in lines[i + 1 :] if t.strip()), "")
        return (i + 2, len(lines)) if _YAML_KEY_LINE.match(following) else None
    return None


_YAML_KEY_LINE = re.compile(r"^\s*[\"']?[A-Za-z_][\w .\"'-]*:(\s|$)")


def parse_card(text: str) -> Card:
    from ..errors import ComplianceError

    found = split_front_matter(text)
    if found is None:
        unclosed = _unclosed_front_matter(text)
        if unclosed is not None:  # everything after the fence is unreadable metadata, no body
            return Card({}, unclosed[1] + 1, "front matter has no closing `---`", unclosed)
        return Card({}, 1)
    yaml_lines, first, last = found
    try:
        data = load_lenient_yaml("\n".join(yaml_lines).replace("\t", "  "), first_line=first)
    except ComplianceError as exc:
        message = f"front matter is not valid YAML: {exc}"
        return Card({}, last + 1, message.splitlines()[0], (first, last))
    if not isinstance(data, dict):
        return Card({}, last + 1, "front matter is not a mapping", (first, last))
    return Card(data, last + 1, None, (first, last))


def find_key_line(text: str, key: str) -> tuple[int, str] | None:
    """(line number, stripped line) of a top-level `key:` in the front matter, if present."""
    found = split_front_matter(text)
    if found is None:
        return None
    yaml_lines, first, _ = found
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for offset, line in enumerate(yaml_lines):
        if pattern.match(line):
            return first + offset, line.strip()
    return None


def first_heading(text: str) -> tuple[int, str] | None:
    """The first non-empty line of a licence file (its title), with its line number."""
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        stripped = line.strip().strip("#").strip()
        if stripped:
            return number, stripped[:200]
    return None

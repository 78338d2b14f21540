"""Line-by-line reading for text that is YAML-shaped but not parseable as YAML until rendered
(Helm chart templates, Jinja): `key: value` lines with model keys, and command-line flags."""

from __future__ import annotations

import re

from . import argv
from .model import ModelRef
from .normalize import classify
from .tree import key_strength

_KEY_VALUE = re.compile(r"^\s*(?:-\s+)?([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\1\s*:\s*(.+?)\s*$")
_ENV_VALUE = re.compile(r"^\s*(?:-\s+)?value\s*:\s*(.+?)\s*$")
_ENV_NAME = re.compile(r"^\s*-\s+name\s*:\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?\s*$")


def _strip_comment(line: str) -> str:
    m = re.search(r"(^|\s)#", line)
    return line[: m.start()] if m else line


def extract_lines(text: str, display: str, fmt: str) -> list[ModelRef]:
    refs: list[ModelRef] = []
    lines = text.splitlines()
    pending_env: str | None = None
    for no, full in enumerate(lines, start=1):
        line = _strip_comment(full)
        if not line.strip():
            continue
        candidates: list[tuple[str, str, str]] = []  # raw, context, strength
        m_name = _ENV_NAME.match(line)
        if m_name:
            pending_env = m_name.group(1)
            continue
        m_val = _ENV_VALUE.match(line)
        if m_val and pending_env and key_strength(pending_env) == "strong":
            candidates.append((m_val.group(1).rstrip(",").strip(), "generic", "strong"))
        pending_env = None
        m = _KEY_VALUE.match(line)
        if m and not candidates:
            strength = key_strength(m.group(2))
            value = m.group(3).rstrip(",").strip()
            if strength and not value.startswith(("|", ">", "{{")):
                candidates.append((value, "generic", strength))
        if argv.LOOKS_LIKE_COMMAND.search(line):
            for hit in argv.scan(argv.tokenize(line, no)):
                candidates.append((hit.raw, hit.ctx, "strong"))
        for raw, ctx, strength in candidates:
            if "{{" in raw:
                continue  # a template expression: the rendered value is decided elsewhere
            result = classify(raw, ctx)
            if result is None or (strength == "weak" and result.bare):
                continue
            refs.append(
                ModelRef(
                    display,
                    no,
                    raw.strip("\"'"),
                    result.kind,
                    result.model,
                    result.revision,
                    result.note,
                    fmt,
                )
            )
    return refs

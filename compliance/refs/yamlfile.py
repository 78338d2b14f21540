"""YAML configs: LiteLLM, docker-compose, Kubernetes, Helm values, axolotl, LLaMA-Factory, TRL,
mergekit, LocalAI, llama-swap, app settings ... one line-preserving parse (`yaml.compose`, node
marks), then the shared walker (tree.py) with the dialect the top-level keys reveal.

Templated YAML (Helm `templates/`, anything with `{{ }}`) is not YAML until rendered: it is read
line by line instead (keys and command lines), never rejected.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from .model import ModelRef
from .tree import Ctx, Node, Walker, detect_dialect

log = logging.getLogger("compliance.refs")

NAME = "yaml"
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"


def matches(path: Path, head: str) -> bool:
    return path.suffix.lower() in (".yaml", ".yml")


def _loader() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def to_node(n: Any) -> Node:
    import yaml

    line = n.start_mark.line + 1
    if isinstance(n, yaml.ScalarNode):
        is_null = n.tag == _NULL_TAG
        return Node(
            "scalar",
            line,
            value=None if is_null else str(n.value),
            is_str=n.tag == _STR_TAG or (n.tag.startswith("!") and isinstance(n.value, str)),
            start=n.start_mark.index,
            end=n.end_mark.index,
        )
    if isinstance(n, yaml.SequenceNode):
        return Node("seq", line, items=[to_node(i) for i in n.value])
    merged: list[tuple[str, Node, Node]] = []
    pairs: list[tuple[str, Node, Node]] = []
    for k, v in n.value:
        key = str(k.value) if isinstance(k, yaml.ScalarNode) else ""
        if key == "<<" and isinstance(v, (yaml.MappingNode, yaml.SequenceNode)):
            merged.extend(_merged_pairs(v))
            continue
        pairs.append((key, to_node(k), to_node(v)))
    # YAML merge keys as the deployer resolves them: merged pairs come first so the mapping's
    # own keys win (lookups take the last pair); every value is still walked and reported.
    return Node("map", line, pairs=merged + pairs)


def _merged_pairs(v: Any) -> list[tuple[str, Node, Node]]:
    """The pairs a `<<` value brings: one mapping, or a list of them where earlier ones win
    (so they are placed last)."""
    import yaml

    sources = [v] if isinstance(v, yaml.MappingNode) else list(v.value)
    out: list[tuple[str, Node, Node]] = []
    for source in reversed(sources):
        if isinstance(source, yaml.MappingNode):
            out.extend(to_node(source).pairs)
    return out


def parse(text: str, display: str) -> list[Node]:
    """Every document of a YAML stream as a tree; InputError names the file and line.

    Composed through compliance.safeyaml, which refuses alias bombs and runaway nesting
    before any node is walked.
    """
    from ..safeyaml import YamlLimits, compose_yaml_all

    limits = YamlLimits(allow_duplicate_keys=True, plain_unknown_tags=True)
    nodes = compose_yaml_all(text, source=display, loader=_loader(), limits=limits)
    return [to_node(doc) for doc in nodes]


_TEMPLATED = re.compile(r"\{\{|\{%")


def extract(path: Path, text: str, display: str) -> list[ModelRef]:
    templated = bool(_TEMPLATED.search(text))
    if templated and "templates" in path.parts:  # a Helm chart template: values are expressions
        return _lines(text, display)
    try:
        docs = parse(text, display)
    except InputError:
        if templated:
            return _lines(text, display)
        raise
    refs: list[ModelRef] = []
    for doc in docs:
        dialect = detect_dialect(doc, "yaml")
        walker = Walker(text, dialect)
        walker.walk(doc, Ctx(dialect=dialect))
        refs.extend(walker.refs(display, dialect))
    return refs


def _lines(text: str, display: str) -> list[ModelRef]:
    from .linescan import extract_lines

    return extract_lines(text, display, "yaml-template")

"""JSON configs: transformers `config.json` (`_name_or_path`), PEFT `adapter_config.json`
(`base_model_name_or_path`), and any JSON with model keys. Parsed by a small line-tracking parser
(after `json.loads` has validated the text) so each value keeps its line; then the shared walker.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import InputError
from .model import ModelRef
from .tree import Ctx, Node, Walker, detect_dialect

NAME = "json"
# files that name models only as tokenizer or processor metadata, or are too big to matter
SKIP_NAMES = {
    "tokenizer_config.json",
    "tokenizer.json",
    "special_tokens_map.json",
    "generation_config.json",
    "preprocessor_config.json",
    "processor_config.json",
    "chat_template.json",
    "vocab.json",
    "added_tokens.json",
    "package-lock.json",
    "composer.lock",
    "model.safetensors.index.json",
}


def matches(path: Path, head: str) -> bool:
    name = path.name.lower()
    return (
        path.suffix.lower() == ".json"
        and name not in SKIP_NAMES
        and not name.endswith(".index.json")
        and not name.endswith("-lock.json")
    )


_WS = re.compile(r"[ \t\n\r]*")
_NUM = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def ws(self) -> None:
        m = _WS.match(self.text, self.pos)
        if m:
            self.line += m.group(0).count("\n")
            self.pos = m.end()

    def value(self) -> Node:
        self.ws()
        c = self.text[self.pos]
        line = self.line
        if c == "{":
            self.pos += 1
            pairs: list[tuple[str, Node, Node]] = []
            self.ws()
            if self.text[self.pos] == "}":
                self.pos += 1
                return Node("map", line, pairs=pairs)
            while True:
                self.ws()
                key = self.string()
                self.ws()
                self.pos += 1  # ':'
                val = self.value()
                pairs.append((key.value or "", key, val))
                self.ws()
                c = self.text[self.pos]
                self.pos += 1
                if c == "}":
                    return Node("map", line, pairs=pairs)
        if c == "[":
            self.pos += 1
            items: list[Node] = []
            self.ws()
            if self.text[self.pos] == "]":
                self.pos += 1
                return Node("seq", line, items=items)
            while True:
                items.append(self.value())
                self.ws()
                c = self.text[self.pos]
                self.pos += 1
                if c == "]":
                    return Node("seq", line, items=items)
        if c == '"':
            return self.string()
        for word in ("true", "false", "null"):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return Node("scalar", line, value=None if word == "null" else word)
        m = _NUM.match(self.text, self.pos)
        end = m.end() if m else self.pos + 1
        node = Node("scalar", line, value=self.text[self.pos : end])
        self.pos = end
        return node

    def string(self) -> Node:
        line = self.line
        start = self.pos
        decoder = json.JSONDecoder()
        value, end = decoder.raw_decode(self.text, start)
        self.line += self.text.count("\n", start, end)
        self.pos = end
        return Node("scalar", line, value=str(value), is_str=True, start=start, end=end)


def parse(text: str, display: str) -> Node:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", file=display, line=exc.lineno) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", file=display) from None
    return _Parser(text).value()


def extract(path: Path, text: str, display: str) -> list[ModelRef]:
    root = parse(text, display)
    dialect = detect_dialect(root, "json")
    walker = Walker(text, dialect)
    walker.walk(root, Ctx(dialect=dialect))
    return list(walker.refs(display, dialect))

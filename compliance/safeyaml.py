"""Safe YAML loading for every file the tool reads: bounded in size, time and memory.

    from compliance.safeyaml import load_yaml, load_yaml_file, YamlLimits

    data = load_yaml_file(Path("compliance.yaml"))              # InputError on any problem
    data = load_yaml_file(path, error=ConfigError)              # raise your own ComplianceError
    data = load_yaml(text, source="README.md", first_line=3)    # text or bytes; lines offset
    docs = load_yaml_all(text, source="k8s.yaml")               # multi-document streams
    data, lines = load_yaml_with_lines(text, source="x.yaml")   # lines[("models", 0, "id")] -> 7
    nodes = compose_yaml_all(text, source="x.yaml", loader=yaml.CSafeLoader)  # bounded nodes
    check_yaml_node(node, source="x.yaml")                      # bound a graph you composed

What it guarantees:
- Only plain data (PyYAML's SafeLoader: no Python objects).
- Size: text over `max_bytes` is refused before parsing (files are read at most max_bytes + 1,
  so /dev/zero or a growing file cannot exhaust memory); non-regular files are refused.
- Alias bombs ("billion laughs"): aliases are allowed (docker-compose relies on `<<: *defaults`),
  but the document's size *after* expanding every alias is counted on the node graph before any
  Python object is built, and refused over `max_nodes`. Recursive aliases are refused.
- Depth: nesting deeper than `max_depth` is refused (no RecursionError).
- Duplicate keys in one mapping are refused (PyYAML silently keeps the last one), unless
  `allow_duplicate_keys=True`.
- Encoding: bytes must be UTF-8 (a BOM is fine); NUL bytes mean "binary file".
- Every error is one ComplianceError (default InputError, exit 2) naming the file and the
  1-based line, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import ComplianceError, InputError

DEFAULT_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class YamlLimits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_nodes: int = 200_000  # nodes after alias expansion
    max_depth: int = 100
    allow_duplicate_keys: bool = False
    plain_unknown_tags: bool = False  # True: `!reset x` (compose), `!Ref x` (CFN) load as `x`
    # True: dates load as text, so the caller validates them with the other values and reports
    # a bad one (`2027-13-01`) with its line instead of the whole load failing.
    timestamps_as_text: bool = False


DEFAULT_LIMITS = YamlLimits()

ErrorFactory = Callable[..., ComplianceError]


class _Refused(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message = message
        self.line = line


def _line(node: Node | None) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def _check_graph(root: Node, limits: YamlLimits) -> None:
    """Count the nodes of the fully expanded document; refuse cycles, depth and duplicates.

    Memoised on node identity, so the walk costs the size of the graph, not of its expansion.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def walk(node: Node, depth: int) -> int:
        key = id(node)
        known = sizes.get(key)
        if known is not None:
            return known
        if depth > limits.max_depth:
            raise _Refused(f"nesting deeper than {limits.max_depth} levels", _line(node))
        if key in active:
            raise _Refused("recursive alias (a node that contains itself)", _line(node))
        active.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            for child in node.value:
                total += walk(child, depth + 1)
                if total > limits.max_nodes:
                    break
        elif isinstance(node, MappingNode):
            seen: dict[Any, int | None] = {}
            for k, v in node.value:
                total += walk(k, depth + 1) + walk(v, depth + 1)
                if total > limits.max_nodes:
                    break
                if (
                    not limits.allow_duplicate_keys
                    and isinstance(k, ScalarNode)
                    and k.tag != "tag:yaml.org,2002:merge"
                ):
                    ident = (k.tag, k.value)
                    if ident in seen:
                        raise _Refused(
                            f"duplicate key {k.value!r} (first at line {seen[ident]})", _line(k)
                        )
                    seen[ident] = _line(k)
        active.discard(key)
        if total > limits.max_nodes:
            raise _Refused(
                f"document too large once aliases are expanded (over {limits.max_nodes} nodes;"
                " an alias bomb?)",
                _line(node),
            )
        sizes[key] = total
        return total

    walk(root, 0)


def _printable(text: str) -> str:
    bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise _Refused(f"unacceptable character #x{ord(bad.group()[0]):04x} in YAML text", line)
    return text


def _decode(data: bytes | str, limits: YamlLimits) -> str:
    if isinstance(data, str):
        if len(data) > limits.max_bytes:
            raise _Refused(f"larger than the {limits.max_bytes}-byte cap", None)
        if "\x00" in data:
            line = data.count("\n", 0, data.index("\x00")) + 1
            raise _Refused("binary content (NUL characters), not YAML text", line)
        return _printable(data)
    if len(data) > limits.max_bytes:
        raise _Refused(f"larger than the {limits.max_bytes}-byte cap", None)
    if b"\x00" in data:
        raise _Refused(
            "binary file (NUL bytes), not YAML text", data[: data.index(b"\x00")].count(b"\n") + 1
        )
    try:
        return _printable(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _Refused(f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x})", line) from None


class _Loader(yaml.SafeLoader):
    """SafeLoader whose composer refuses nesting deeper than the limit (no RecursionError)."""

    max_depth = DEFAULT_LIMITS.max_depth
    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise _Refused(
                    f"nesting deeper than {self.max_depth} levels",
                    self.peek_event().start_mark.line + 1,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _PlainTagLoader(yaml.SafeLoader):
    pass


def _construct_plain(loader: yaml.SafeLoader, suffix: str, node: Node) -> Any:
    if isinstance(node, MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_PlainTagLoader.add_multi_constructor("!", _construct_plain)
_PlainTagLoader.add_multi_constructor("tag:", _construct_plain)


def _compose_all(text: str, limits: YamlLimits) -> list[Node | None]:
    loader = _Loader(text)
    loader.max_depth = limits.max_depth
    try:
        nodes: list[Node | None] = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                _check_graph(node, limits)
            nodes.append(node)
        return nodes
    finally:
        loader.dispose()


def _single_root(data: bytes | str, limits: YamlLimits) -> Node | None:
    """The node of a one-document stream (None when empty); several documents are refused."""
    nodes = _compose_all(_decode(data, limits), limits)
    if len(nodes) > 1:
        raise _Refused("expected one YAML document, found several", _line(nodes[1]))
    return nodes[0] if nodes else None


class _TextTimestampLoader(yaml.SafeLoader):
    pass


class _PlainTagTextTimestampLoader(_PlainTagLoader):
    pass


def _timestamp_as_text(loader: yaml.SafeLoader, node: Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_TextTimestampLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
_PlainTagTextTimestampLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _construct(node: Node | None, limits: YamlLimits) -> Any:
    if node is None:
        return None
    loader_class: type[yaml.SafeLoader] = {
        (False, False): yaml.SafeLoader,
        (True, False): _PlainTagLoader,
        (False, True): _TextTimestampLoader,
        (True, True): _PlainTagTextTimestampLoader,
    }[(limits.plain_unknown_tags, limits.timestamps_as_text)]
    loader = loader_class("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _run(func: Callable[[], Any], source: str, first_line: int, error: ErrorFactory) -> Any:
    offset = first_line - 1
    try:
        return func()
    except _Refused as exc:
        line = exc.line + offset if exc.line is not None else None
        raise error(exc.message, file=source, line=line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise error(f"invalid YAML: {problem}", file=source, line=line) from None
    except yaml.reader.ReaderError as exc:  # normally caught by _decode with its line
        raise error(f"invalid YAML: unacceptable character ({exc.reason})", file=source) from None
    except yaml.YAMLError as exc:
        text = str(exc).strip().splitlines()
        raise error(f"invalid YAML: {text[0] if text else 'unreadable'}", file=source) from None
    except RecursionError:
        raise error("invalid YAML: nesting too deep", file=source) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # A scalar that the constructor cannot build (e.g. a timestamp out of range).
        raise error(f"invalid YAML value: {exc}", file=source) from None


def load_yaml(
    data: bytes | str,
    *,
    source: str = "<string>",
    first_line: int = 1,
    limits: YamlLimits = DEFAULT_LIMITS,
    error: ErrorFactory = InputError,
) -> Any:
    """Parse one YAML document. `first_line` is the file line the text starts on (front matter)."""

    def go() -> Any:
        return _construct(_single_root(data, limits), limits)

    return _run(go, source, first_line, error)


def load_yaml_all(
    data: bytes | str,
    *,
    source: str = "<string>",
    first_line: int = 1,
    limits: YamlLimits = DEFAULT_LIMITS,
    error: ErrorFactory = InputError,
) -> list[Any]:
    """Parse every document of a `---`-separated stream (Kubernetes manifests)."""

    def go() -> list[Any]:
        return [_construct(node, limits) for node in _compose_all(_decode(data, limits), limits)]

    result: list[Any] = _run(go, source, first_line, error)
    return result


def load_yaml_with_lines(
    data: bytes | str,
    *,
    source: str = "<string>",
    first_line: int = 1,
    limits: YamlLimits = DEFAULT_LIMITS,
    error: ErrorFactory = InputError,
) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Like load_yaml, plus the 1-based line of every key and list item, by path.

    `lines[("models", 0, "id")]` is the line of the `id` key of the first item of `models`.
    """

    def go() -> tuple[Any, dict[tuple[Any, ...], int]]:
        root = _single_root(data, limits)
        lines: dict[tuple[Any, ...], int] = {}
        offset = first_line - 1
        stack: list[tuple[Node, tuple[Any, ...]]] = [(root, ())] if root is not None else []
        budget = limits.max_nodes
        while stack and budget > 0:
            node, path = stack.pop()
            budget -= 1
            if isinstance(node, MappingNode):
                for k, v in node.value:
                    if isinstance(k, ScalarNode):
                        child = (*path, k.value)
                        lines.setdefault(child, (_line(k) or 1) + offset)
                        stack.append((v, child))
            elif isinstance(node, SequenceNode):
                for i, item in enumerate(node.value):
                    child = (*path, i)
                    lines.setdefault(child, (_line(item) or 1) + offset)
                    stack.append((item, child))
        return _construct(root, limits), lines

    result: tuple[Any, dict[tuple[Any, ...], int]] = _run(go, source, first_line, error)
    return result


def check_yaml_node(
    node: Node,
    *,
    source: str = "<string>",
    first_line: int = 1,
    limits: YamlLimits = DEFAULT_LIMITS,
    error: ErrorFactory = InputError,
) -> None:
    """Refuse a composed node graph that is too large once aliases are expanded, recursive,
    nested too deep or (unless allowed) has duplicate keys. For code that walks nodes itself."""
    _run(lambda: _check_graph(node, limits), source, first_line, error)


def compose_yaml_all(
    data: bytes | str,
    *,
    source: str = "<string>",
    first_line: int = 1,
    limits: YamlLimits = DEFAULT_LIMITS,
    error: ErrorFactory = InputError,
    loader: Any = None,
) -> list[Node]:
    """The node graphs of every document, each checked (for line-preserving walkers).

    `loader` may be a faster Loader class (yaml.CSafeLoader); libyaml bounds nesting itself.
    """

    def go() -> list[Node]:
        text = _decode(data, limits)
        if loader is None:
            nodes = _compose_all(text, limits)
            return [n for n in nodes if n is not None]
        out = []
        for node in yaml.compose_all(text, Loader=loader):
            if node is not None:
                _check_graph(node, limits)
                out.append(node)
        return out

    result: list[Node] = _run(go, source, first_line, error)
    return result


def read_capped(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, error: ErrorFactory = InputError
) -> bytes:
    """Read a regular file, refusing one over `max_bytes` without reading it whole."""
    try:
        if not path.is_file():
            what = "does not exist" if not path.exists() else "is not a regular file"
            raise error(f"file {what}", file=str(path))
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror or exc}", file=str(path)) from None
    if len(data) > max_bytes:
        raise error(f"file is larger than the {max_bytes}-byte cap", file=str(path))
    return data


def load_yaml_file(
    path: Path,
    *,
    limits: YamlLimits = DEFAULT_LIMITS,
    error: ErrorFactory = InputError,
) -> Any:
    """Read and parse one YAML file (see load_yaml)."""
    data = read_capped(path, max_bytes=limits.max_bytes, error=error)
    return load_yaml(data, source=str(path), limits=limits, error=error)

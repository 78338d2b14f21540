"""Python sources: `X.from_pretrained("org/name", revision=...)`, `pipeline(model=...)`,
`SentenceTransformer(...)`, `CrossEncoder(...)`, `hf_hub_download(repo_id=...)`,
`snapshot_download(...)`, vLLM `LLM(model=...)`, and any call's `model=` / `model_name=` /
`model_id=` / `repo_id=` keyword; plus module constants whose name names a model
(`MODEL_ID = "org/name"`). Parsed with `ast` (no code runs); a file that does not parse is
read with regular expressions instead.

A call argument that is a variable is followed to its string assignment in the same file and
reported at the line where the string sits. `os.getenv("MODEL", "org/name")` resolves to its
default, with a note.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .model import ModelRef
from .normalize import Classified, classify
from .tree import key_strength

NAME = "python"

_FIRST_ARG_CALLS = {
    "from_pretrained",
    "SentenceTransformer",
    "CrossEncoder",
    "hf_hub_download",
    "snapshot_download",
    "LLM",
    "AutoModel",
    "load_checkpoint",
    "HuggingFaceEmbeddings",
    "HuggingFaceEmbedding",
    "SparseEncoder",
}
_MODEL_KWARGS = {
    "model",
    "model_name",
    "model_id",
    "repo_id",
    "model_name_or_path",
    "base_model",
    "pretrained_model_name_or_path",
    "model_path",
    "embedding_model",
    "llm_model",
    "base_model_name_or_path",
    "peft_model_id",
}
_NON_MODEL_REPO_TYPES = {"dataset", "space", "datasets", "spaces"}
# calls that write to a repo (outputs, not models in use) or read datasets
_WRITE_CALLS = {
    "create_repo",
    "upload_folder",
    "upload_file",
    "upload_large_folder",
    "push_to_hub",
    "delete_repo",
    "create_branch",
    "create_commit",
    "create_tag",
    "update_repo_settings",
    "move_repo",
    "duplicate_space",
    "load_dataset",
    "Dataset",
    "DatasetDict",
    "save_pretrained",
}
_REGEX_FALLBACK = re.compile(
    r"(?:from_pretrained|SentenceTransformer|CrossEncoder|hf_hub_download|snapshot_download)"
    r"\(\s*(?:repo_id\s*=\s*|pretrained_model_name_or_path\s*=\s*)?[\"']([^\"']+)[\"']"
    r"|\bmodel(?:_name|_id)?\s*=\s*[\"']([^\"']+)[\"']"
)


def matches(path: Path, head: str) -> bool:
    return path.suffix.lower() == ".py" or (
        not path.suffix and head.startswith("#!") and "python" in head.split("\n", 1)[0]
    )


def _func_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


class _Finder(ast.NodeVisitor):
    def __init__(self, display: str) -> None:
        self.display = display
        self.assign: dict[str, tuple[str, int]] = {}
        self.found: dict[tuple[int, str], ModelRef] = {}

    # pass 1: string constants bound to names (last binding wins; good enough for configs)
    def collect(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = node.value
                if value is None:
                    continue
                s = self._string(value)
                if s is None:
                    continue
                for t in targets:
                    name = (
                        t.id
                        if isinstance(t, ast.Name)
                        else t.attr
                        if isinstance(t, ast.Attribute)
                        else None
                    )
                    if name:
                        self.assign[name] = s
                        if key_strength(name) == "strong":
                            self.add(s[0], s[1], "generic")

    def _string(self, node: ast.expr) -> tuple[str, int] | None:
        """A literal string, or the default of os.getenv / os.environ.get."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value, node.lineno
        if (
            isinstance(node, ast.Call)
            and _func_name(node.func) in ("getenv", "get")
            and len(node.args) >= 2
        ):
            env = node.args[0]
            default = node.args[1]
            if (
                isinstance(env, ast.Constant)
                and isinstance(env.value, str)
                and isinstance(default, ast.Constant)
                and isinstance(default.value, str)
                and default.value
            ):
                return f"${{{env.value}:-{default.value}}}", default.lineno
        return None

    def add(
        self, raw: str, line: int, ctx: str, revision: str | None = None, weak: bool = False
    ) -> None:
        result: Classified | None = classify(raw, ctx)
        if result is None or (weak and result.bare and result.kind == "unresolved"):
            return
        rev = result.revision or (revision if result.kind == "hf-repo" else None)
        key = (line, result.model)
        old = self.found.get(key)
        if old is not None and (old.revision or not rev):
            return
        self.found[key] = ModelRef(
            self.display, line, raw, result.kind, result.model, rev, result.note, NAME
        )

    def visit_Call(self, node: ast.Call) -> None:
        name = _func_name(node.func)
        kwargs = {k.arg: k.value for k in node.keywords if k.arg}
        repo_type = kwargs.get("repo_type")
        if (
            isinstance(repo_type, ast.Constant)
            and str(repo_type.value).lower() in _NON_MODEL_REPO_TYPES
        ):
            self.generic_visit(node)
            return
        if name in _WRITE_CALLS:
            self.generic_visit(node)
            return
        revision = None
        rev_node = kwargs.get("revision")
        if isinstance(rev_node, ast.Constant) and isinstance(rev_node.value, str):
            revision = rev_node.value
        ctx = (
            "st" if name in ("SentenceTransformer", "CrossEncoder", "SparseEncoder") else "generic"
        )
        targets: list[tuple[ast.expr, bool]] = []
        if name in _FIRST_ARG_CALLS and node.args:
            targets.append((node.args[0], False))
        if name == "pipeline" and len(node.args) >= 2:
            targets.append((node.args[1], False))
        for k, v in kwargs.items():
            if k in _MODEL_KWARGS:
                targets.append((v, k in ("model", "model_name")))
        for expr, weak in targets:
            self._target(expr, node.lineno, ctx, revision, weak)
        self.generic_visit(node)

    def _target(
        self, expr: ast.expr, call_line: int, ctx: str, revision: str | None, weak: bool
    ) -> None:
        s = self._string(expr)
        if s is not None:
            self.add(s[0], s[1], ctx, revision, weak)
            return
        if isinstance(expr, ast.Name) and expr.id in self.assign:
            value, line = self.assign[expr.id]
            self.add(value, line, ctx, revision, weak)
            return
        if isinstance(expr, ast.Attribute) and expr.attr in self.assign:
            value, line = self.assign[expr.attr]
            self.add(value, line, ctx, revision, weak)
            return
        if isinstance(expr, ast.JoinedStr) and not weak:
            self.add("${" + ast.unparse(expr) + "}", call_line, ctx)


def extract(path: Path, text: str, display: str) -> list[ModelRef]:
    finder = _Finder(display)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return _regex(text, display)
    finder.collect(tree)
    finder.visit(tree)
    return sorted(finder.found.values(), key=lambda r: r.line)


def _regex(text: str, display: str) -> list[ModelRef]:
    refs: list[ModelRef] = []
    for no, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        for m in _REGEX_FALLBACK.finditer(line):
            raw = m.group(1) or m.group(2)
            result = classify(raw, "generic")
            if result is None or (result.bare and result.kind == "unresolved"):
                continue
            refs.append(
                ModelRef(
                    display, no, raw, result.kind, result.model, result.revision, result.note, NAME
                )
            )
    return refs

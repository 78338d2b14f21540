"""Model references in config files: which models a file names, and on which line.

    extract_file(path, display) -> list[ModelRef]     one file (display is how to name it)
    extract_paths(paths) -> list[ModelRef]            files and directories, as given

One module per format, chosen by file name and content through EXTRACTORS (name -> module), each
module exposing `matches(path, head) -> bool` and `extract(path, text, display)`. Modules are
imported on first use so that the pre-commit hook stays fast.

Skipped, with a warning on stderr (logging): binary files and files over MAX_BYTES.
Malformed YAML / JSON: when the file mentions models (a `model`-like key or flag) it raises
InputError naming the file and line, because an unreadable model config must not pass a check
silently; an unrelated malformed file (no model-like word in it) is skipped with a warning, so a
hook does not die on someone else's broken fixture. Templated YAML (Helm `templates/`, `{{ }}`) is
read line by line instead of parsed.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from ..errors import InputError
from .model import KINDS, ModelRef

__all__ = [
    "EXTRACTORS",
    "KINDS",
    "MAX_BYTES",
    "ModelRef",
    "choose",
    "extract_file",
    "extract_paths",
]

log = logging.getLogger("compliance.refs")

MAX_BYTES = 1024 * 1024
# name -> module (compliance.refs.<module>); the first whose `matches` accepts the file wins.
EXTRACTORS: dict[str, str] = {
    "modelfile": "modelfile",  # Ollama Modelfile: FROM / ADAPTER
    "dotenv": "dotenv",  # .env, .env.*, *.env
    "yaml": "yamlfile",  # LiteLLM, compose, Kubernetes, Helm, axolotl, mergekit, LocalAI ...
    "json": "jsonfile",  # config.json, adapter_config.json, any JSON with model keys
    "notebook": "notebook",  # Jupyter .ipynb: code cells as Python, `!` lines as shell
    "toml": "tomlfile",  # pyproject.toml [tool.*] and other TOML settings
    "makefile": "makefile",  # Makefile / GNUmakefile / *.mk: variables and recipes
    "python": "python",  # from_pretrained, pipeline, SentenceTransformer, hf_hub_download ...
    "shell": "shell",  # sh / bash / PowerShell / batch / Dockerfile command lines
}
# A suffix that decides the kind on its own, before any name pattern (`modelfile.py` is Python,
# `Modelfile.yaml` YAML); looked up without importing the other extractors (hook speed).
BY_SUFFIX: dict[str, str] = {
    ".py": "python",
    **dict.fromkeys((".yaml", ".yml"), "yaml"),
    ".json": "json",
    ".ipynb": "notebook",
    ".toml": "toml",
    ".mk": "makefile",
    **dict.fromkeys(
        (".sh", ".bash", ".zsh", ".ksh", ".ps1", ".psm1", ".bat", ".cmd", ".dockerfile"), "shell"
    ),
    ".env": "dotenv",
    ".modelfile": "modelfile",
}
SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".tox",
    ".nox",
    "site-packages",
    ".eggs",
    ".idea",
    ".vscode",
}
# The tool's own files and pre-commit's: they name models as policy (an exception, a hook's
# arguments), never as a use. Skipped wherever they are; a config under another name is passed
# in `exclude` by the caller (`--config`).
OWN_FILES = frozenset(
    {
        "compliance.yaml",
        "compliance.yml",
        "compliance.lock",
        ".pre-commit-config.yaml",
        ".pre-commit-config.yml",
        ".pre-commit-hooks.yaml",
    }
)
_MODELISH = re.compile(
    r"(?i)(?:\bmodels?\b|model_?(?:id|name|path)|_name_or_path|litellm_params|--model|base_model|"
    r"repo_id|hf_repo|\bFROM\b)"
)


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"compliance.refs.{EXTRACTORS[name]}")


def choose(path: Path, head: str = "") -> str | None:
    """The extractor for a file: by a deciding suffix, else by name pattern, else (files without
    a suffix) by their first line."""
    by_suffix = BY_SUFFIX.get(path.suffix.lower())
    if by_suffix is not None:
        return by_suffix if _module(by_suffix).matches(path, head) else None
    for name in EXTRACTORS:
        if _module(name).matches(path, head):
            return name
    return None


def _read(path: Path, display: str) -> str | None:
    """The text of a regular file, read with a cap: a FIFO, a device or a socket is refused
    without being opened for reading (no hang, no endless /dev/zero)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise InputError("not a regular file", file=display)
            if info.st_size > MAX_BYTES:
                log.warning("%s: skipped, larger than %d bytes", display, MAX_BYTES)
                return None
            data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:  # grew since fstat
            log.warning("%s: skipped, larger than %d bytes", display, MAX_BYTES)
            return None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=display) from None
    if b"\0" in data[:8192]:
        log.warning("%s: skipped, binary file", display)
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("%s: not UTF-8; read with replacement characters", display)
        return data.decode("utf-8", errors="replace")


def extract_file(path: Path, display: str | None = None) -> list[ModelRef]:
    """The model references in one file; [] when no extractor handles it."""
    display = display if display is not None else str(path)
    head = ""
    name = None
    if path.suffix:
        name = choose(path)
        if name is None:
            log.debug("%s: no extractor for this file type", display)
            return []
    text = _read(path, display)
    if text is None:
        return []
    if name is None:
        head = text[:512]
        name = choose(path, head)
        if name is None:
            log.debug("%s: no extractor for this file type", display)
            return []
    try:
        refs: list[ModelRef] = _module(name).extract(path, text, display)
    except InputError:
        if _MODELISH.search(text):
            raise
        log.warning("%s: skipped, malformed and names no model", display)
        return []
    return refs


def _ignored(specs: list[tuple[Path, object]], path: Path, is_dir: bool) -> bool:
    for base, spec in specs:
        try:
            rel = path.relative_to(base).as_posix()
        except ValueError:
            continue
        if is_dir:
            rel += "/"
        if spec.match_file(rel):  # type: ignore[attr-defined]
            return True
    return False


def _gitignore(directory: Path) -> object | None:
    gi = directory / ".gitignore"
    if not gi.is_file():
        return None
    import pathspec

    try:
        lines = gi.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _regular_in_tree(path: Path) -> bool:
    """True for a regular file (not a symlink: a link is never followed, in or out of the
    tree; not a FIFO, device or socket). Anything else is skipped with a warning."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    if stat.S_ISREG(mode):
        return True
    kind = "a symlink" if stat.S_ISLNK(mode) else "not a regular file"
    log.warning("%s: skipped, %s (not followed)", path, kind)
    return False


def iter_files(root: Path) -> list[Path]:
    """Files under `root` that an extractor may handle: .gitignore respected (each directory's
    own file), SKIP_DIRS and symlinked directories not entered, sorted for stable output."""
    out: list[Path] = []
    specs: list[tuple[Path, object]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        spec = _gitignore(here)
        if spec is not None:
            specs.append((here, spec))
        active = [(b, s) for b, s in specs if here == b or b in here.parents]
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in SKIP_DIRS and not _ignored(active, here / d, is_dir=True)
        )
        for f in sorted(filenames):
            p = here / f
            if _ignored(active, p, is_dir=False):
                continue
            if not _regular_in_tree(p):
                continue
            if p.suffix and choose(p) is None:
                continue
            out.append(p)
    return out


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def is_own_file(path: Path, exclude: frozenset[Path] = frozenset()) -> bool:
    """The policy, the lock or pre-commit's config: never a place where a model is used."""
    return path.name in OWN_FILES or (bool(exclude) and _resolved(path) in exclude)


def extract_paths(paths: list[str], exclude: Iterable[Path] = ()) -> list[ModelRef]:
    """References in every file named or found under the directories named. `file` in each
    reference is the path as given (a directory's files are joined onto the directory as
    given). The tool's own files (OWN_FILES) and the files in `exclude` (the config and lock
    in use, under any name) are skipped."""
    refs: list[ModelRef] = []
    seen: set[str] = set()
    skip = frozenset(_resolved(Path(e)) for e in exclude)
    for given in paths:
        p = Path(given)
        if p.is_dir():
            for f in iter_files(p):
                display = os.path.join(given, os.path.relpath(f, p))
                if display not in seen and not is_own_file(f, skip):
                    seen.add(display)
                    refs.extend(extract_file(f, display))
        elif p.exists():
            if given not in seen and not is_own_file(p, skip):
                seen.add(given)
                refs.extend(extract_file(p, given))
        else:
            raise InputError("no such file or directory", file=given)
    return refs

"""The hook you never notice: `compliance check a.py b.py` on a commit that names no model.

Most commits the pre-commit hook sees are a few Python files with no model in them. Starting
click, reading compliance.yaml and the registry for them costs ~10x a bare interpreter. So the
console script (entry.py) first asks this module, which imports nothing beyond the standard
library:

1. **Eligible?** `check` followed only by paths of regular `.py` files (no option at all).
2. **Names no model?** A cheap, conservative pre-scan: the file is ASCII, at most 1 MiB, and
   contains none of the words any model reference in Python needs (`model`, `repo`,
   `pretrained`, `LLM`, `Encoder`, `download`... see TRIGGERS; a test checks every reference
   the Python extractor finds in the corpus contains one). Anything else takes the full path.
3. **Replay.** The full path's output for "no model found" depends only on compliance.yaml, the
   date, the code and the environment; the first full run for a given such key records its
   stdout, stderr and exit code (only when it exited 0), and later runs replay them. A changed
   config, a new day, another version of the code or settings: a new key, a full run.

A file that might name a model, an option, a missing config record: the full path, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable

MAX_BYTES = 1024 * 1024  # as compliance.refs.MAX_BYTES: bigger files take the full path
# Lower-case words every model reference the Python extractor reports contains (call names,
# keyword names, constant names: compliance.refs.python and compliance.refs.tree key_strength).
TRIGGERS = (
    "model",
    "repo",
    "pretrained",
    "name_or_path",
    "reranker",
    "mmproj",
    "transformer",
    "encoder",
    "download",
    "llm",
    "checkpoint",
    "embed",
    "hf_",
    "hugging",
    "hub",
    "gguf",
    "ollama",
)
RECORDS = "fastpath"
_ENV_PREFIXES = ("COMPLIANCE_", "HF_", "NO_COLOR", "FORCE_COLOR", "TERM")


def _files(args: list[str]) -> list[str] | None:
    """The file arguments of an eligible command line, else None."""
    if len(args) < 2 or args[0] != "check":
        return None
    files = args[1:]
    for name in files:
        if name.startswith("-") or not name.endswith(".py"):
            return None
    return files


def names_no_model(path: str) -> bool:
    """True only when `path` certainly names no model for the Python extractor."""
    try:
        with open(path, "rb") as handle:
            if not os.path.isfile(path) or os.fstat(handle.fileno()).st_size > MAX_BYTES:
                return False
            data = handle.read(MAX_BYTES + 1)
    except OSError:
        return False
    if len(data) > MAX_BYTES or not data.isascii() or b"\0" in data:
        return False
    text = data.decode("ascii").lower()
    return not any(word in text for word in TRIGGERS)


def _code_stamp() -> str:
    """Names, sizes and mtimes of the package's files: another code, another record."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    h = hashlib.sha256()
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith((".py", ".rego", ".yaml", ".json")):
                st = os.stat(os.path.join(folder, name))
                h.update(f"{folder}/{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _key() -> str | None:
    """What a no-model run's output depends on, as a digest; None when it cannot be known."""
    import datetime as dt

    from .. import __version__
    from .replay import _discovery

    # config discovery looks from here up to the git root: every compliance.yaml (and .git) on
    # the way is in the key, as cli.replay keys it
    try:
        found = _discovery(os.getcwd())
    except OSError:
        return None
    if any(state == "other" for _, _, state in found):
        return None
    config = json.dumps(found).encode("utf-8", "surrogateescape")
    env = sorted((k, v) for k, v in os.environ.items() if k.startswith(_ENV_PREFIXES))
    h = hashlib.sha256()
    for part in (
        __version__,
        sys.version,
        os.getcwd(),
        dt.date.today().isoformat(),
        dt.datetime.now(dt.timezone.utc).date().isoformat(),
        json.dumps(env),
        _code_stamp(),
    ):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    h.update(config)
    return h.hexdigest()


def _record_path(key: str) -> str:
    base = os.environ.get("COMPLIANCE_CACHE_DIR")
    if not base:
        from ..fileio import default_cache_dir

        base = str(default_cache_dir())
    return os.path.join(base, RECORDS, f"{key}.json")


def replay(args: list[str]) -> int | None:
    """The recorded answer for an eligible no-model command line, written out; else None."""
    files = _files(args)
    if files is None or not all(names_no_model(f) for f in files):
        return None
    try:
        key = _key()
        if key is None:
            return None
        with open(_record_path(key), encoding="utf-8") as handle:
            record = json.load(handle)
        out, err, code = record["stdout"], record["stderr"], record["code"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (isinstance(out, str) and isinstance(err, str) and code == 0):
        return None
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
        sys.stderr.write(err)
    except BrokenPipeError:  # as the full path: a closed pipe is not an error
        pass
    return 0


def run_and_record(args: list[str], run: Callable[[list[str]], int]) -> int:
    """Run the full path; for an eligible no-model command line that exits 0, record its
    output for replay()."""
    files = _files(args)
    key = None
    if files is not None and all(names_no_model(f) for f in files):
        try:
            key = _key()
        except OSError:  # no working directory, an unreadable package file: no record
            key = None
    if key is None:
        return run(args)
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(args)
    sys.stdout.write(out.getvalue())
    sys.stdout.flush()
    sys.stderr.write(err.getvalue())
    if code == 0:
        from pathlib import Path

        from ..fileio import atomic_write_text

        record = {"stdout": out.getvalue(), "stderr": err.getvalue(), "code": code}
        with contextlib.suppress(OSError):
            atomic_write_text(Path(_record_path(key)), json.dumps(record))
    return code

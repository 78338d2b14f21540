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
import os
import sys

from . import inputs

TYPE_CHECKING = False  # typing itself costs an import on this path
if TYPE_CHECKING:
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
FORMAT = "2"  # of the record and the key; 1 was JSON
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


def _key() -> str | None:
    """What a no-model run's output depends on, as a digest; None when it cannot be known."""
    from .. import __version__

    # config discovery looks from here up to the git root: every compliance.yaml (and .git) on
    # the way is in the key, as cli.replay keys it
    try:
        cwd = os.getcwd()
        found = inputs.discovery(cwd)
    except OSError:
        return None
    if any(state == "other" for _, _, state in found):
        return None
    env = sorted((k, v) for k, v in os.environ.items() if k.startswith(_ENV_PREFIXES))
    h = hashlib.sha256()
    for part in (
        FORMAT,
        __version__,
        sys.version,
        cwd,
        *inputs.dates(),
        repr(env),
        inputs.code_stamp(),
        repr(found),
    ):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return h.hexdigest()


def _record_path(key: str, *, reading: bool) -> str:
    return os.path.join(inputs.records_folder(RECORDS, reading=reading), f"{key}.txt")


def _encode(out: str, err: str) -> str:
    """A record: a header line, then stdout and stderr (json would cost its import here)."""
    return f"{FORMAT} {len(out)} {len(err)}\n{out}{err}"


def _decode(text: str) -> tuple[str, str] | None:
    header, newline, rest = text.partition("\n")
    fields = header.split(" ")
    if not newline or len(fields) != 3 or fields[0] != FORMAT:
        return None
    if not (fields[1].isdigit() and fields[2].isdigit()):
        return None
    n_out, n_err = int(fields[1]), int(fields[2])
    if n_out + n_err != len(rest):  # truncated or altered: the full path
        return None
    return rest[:n_out], rest[n_out:]


def replay(args: list[str]) -> int | None:
    """The recorded answer for an eligible no-model command line, written out; else None."""
    files = _files(args)
    if files is None or not all(names_no_model(f) for f in files):
        return None
    try:
        key = _key()
        if key is None:
            return None
        with open(_record_path(key, reading=True), encoding="utf-8", newline="") as handle:
            record = _decode(handle.read())
    except (OSError, ValueError):
        return None
    if record is None:
        return None
    out, err = record
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

        record = _encode(out.getvalue(), err.getvalue())
        with contextlib.suppress(OSError, UnicodeError):  # e.g. a lone surrogate: no record
            atomic_write_text(Path(_record_path(key, reading=False)), record)
    return code

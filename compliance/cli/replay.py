"""The warm hook: `compliance check FILE...` again on inputs that have not changed.

A warm `check` of a few pinned models reads nothing but local files (the config, compliance.yaml,
the policy packs, the registry, the snapshot, facts and policy caches) and spends its time
importing and computing what it computed last time. So, as fastpath.py does for commits that
name no model, the console script replays the recorded answer of an identical earlier run, and
only when EVERYTHING the answer depends on is unchanged:

1. **The key** (before anything is read): the command line, the working folder, the whole
   environment, today's date (local and UTC: exceptions expire), the interpreter, the tool's
   version and code (inputs.code_stamp), the installed distributions, which
   compliance.yaml / .git exist from here up (config discovery only looks, it opens nothing),
   and the content of the files named on the command line.
2. **The observations** (checked at every replay): while the recorded run ran, an audit hook
   (sys.addaudithook) saw every file it opened and every folder it listed. The record keeps each
   file's sha256 (or that it was absent), each folder's entries with their sizes and mtimes,
   and whether each path the code only looked at exists (sys.audit(PROBE, path): a local model
   file beside the config). So: the config files, the lock, the policy packs, the registry
   folders, every snapshot and facts cache entry of every model, the policy result cache.
   One changed byte: the full path.
3. **Only quiet runs are recorded**: exit 0 or 1, no network connection, no subprocess, no file
   written, renamed or removed (a run that filled a cache is recorded by the next one), stdout
   and stderr not terminals (colour), a bounded number of files. A file that changed while
   the run read it is not recorded.

Anything else, or any doubt (an unreadable record, an unknown option): the full path.
Library code (the interpreter's and the environment's) is covered by the key, not observed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import inputs

if TYPE_CHECKING:
    from pathlib import Path

FORMAT = 1
RECORDS = "replay"
MAX_FILES = 2000  # more than this (a large inventory): not recorded, and tracking stops
MAX_BYTES = 64 * 1024 * 1024  # total size of the files hashed for one record
PROBE = "compliance.probe"  # sys.audit(PROBE, path): an existence test the answer depends on
MAX_RECORDS = 256  # beyond this, the oldest records are deleted when one is written
FLAGS = frozenset({"--locked", "-q", "--quiet"})
VALUED = frozenset({"--lock-file", "--fail-on", "--config", "--today", "--format"})
FORMATS = frozenset({"text", "github", "json", "sarif"})
# Set by the shell or the hook runner, and read by no code path of `check`.
VOLATILE_ENV = frozenset({"_", "OLDPWD", "SHLVL", "PWD"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_MUTATIONS = frozenset(
    {
        "os.remove",
        "os.rename",
        "os.rmdir",
        "os.truncate",
        "os.link",
        "os.symlink",
        "shutil.rmtree",
        "shutil.move",
        "os.utime",
    }
)
_OUTSIDE = frozenset(
    {
        "socket.connect",
        "socket.getaddrinfo",
        "socket.bind",
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.startfile",
        "urllib.Request",
    }
)


def eligible(args: list[str]) -> bool:
    """`check`, paths and the few options whose effect is fully in the key (no -o: a written
    file is not an answer that can be replayed; no -v: its log has timings)."""
    if len(args) < 2 or args[0] != "check" or not all(isinstance(a, str) for a in args):
        return False
    rest = iter(args[1:])
    paths = 0
    for arg in rest:
        name, eq, value = arg.partition("=")
        if arg in FLAGS:
            continue
        if name in VALUED:
            value = value if eq else next(rest, "")
            if not value or (name == "--format" and value not in FORMATS):
                return False
            continue
        if arg.startswith("-") or not arg:
            return False
        paths += 1
    return paths > 0


# -- the key --------------------------------------------------------------------------------


def _distributions() -> list[str]:
    """The installed distributions (their dist-info names carry the versions)."""
    names: list[str] = []
    for entry in sys.path:
        if entry.endswith("site-packages") and os.path.isdir(entry):
            names.extend(n for n in os.listdir(entry) if n.endswith((".dist-info", ".pth")))
    return sorted(names)


def key(args: list[str]) -> str | None:
    """Digest of what the answer depends on before any file is read; None: not replayable."""
    from .. import __version__

    if sys.stdout.isatty() or sys.stderr.isatty():  # colour and progress follow the terminal
        return None
    cwd = os.getcwd()
    env = sorted((k, v) for k, v in os.environ.items() if k not in VOLATILE_ENV)
    parts = [
        FORMAT,
        __version__,
        sys.version,
        sys.executable,
        args,
        cwd,
        inputs.dates(),
        env,
        inputs.code_stamp(),
        _distributions(),
        inputs.discovery(cwd),
        # the named files' contents: one record per version of a config (they are also
        # observed, as every file the run opens)
        [inputs.file_state(a) for a in args[1:] if not a.startswith("-")],
    ]
    text = json.dumps(parts, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def record_path(digest: str, *, reading: bool) -> str:
    return os.path.join(inputs.records_folder(RECORDS, reading=reading), f"{digest}.json")


# -- observations ---------------------------------------------------------------------------


def _dir_state(path: str) -> str:
    """Digest of a folder's entries with their kind, size and mtime; 'absent' when missing."""
    rows = []
    try:
        with os.scandir(path) as it:
            for entry in it:
                st = entry.stat(follow_symlinks=False)
                rows.append(f"{entry.name}\0{st.st_mode}\0{st.st_size}\0{st.st_mtime_ns}")
    except (FileNotFoundError, NotADirectoryError):
        return "absent"
    return hashlib.sha256("\n".join(sorted(rows)).encode("utf-8", "surrogateescape")).hexdigest()


def _observe(kind: str, path: str) -> str:
    if kind == "exists":
        return str(os.path.exists(path))
    return inputs.file_state(path) if kind == "file" else _dir_state(path)


class _Tracker:
    """What one run opens and lists, from the audit events; `spoiled` once it did anything
    that makes its answer unfit to replay."""

    def __init__(self) -> None:
        self.active = False
        self.files: dict[str, tuple[int, int, int] | None] = {}  # path -> stat when opened
        self.dirs: set[str] = set()
        self.probes: set[str] = set()
        self.spoiled = ""
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
        self.ignored = tuple(os.path.join(p, "") for p in (*prefixes, here))

    def _path(self, value: Any) -> str | None:
        if isinstance(value, int):  # an fd: its file was opened (and seen) by path first
            return None
        try:
            path = os.path.abspath(os.fsdecode(value))
        except (TypeError, ValueError):
            self.spoiled = "an unreadable path"
            return None
        if path.startswith(self.ignored):  # library and package code: in the key
            return None
        return path

    def _read(self, found: str) -> None:
        """Note a file the run reads, with its stat then (observations() compares it after)."""
        if found in self.files:
            return
        if len(self.files) >= MAX_FILES:
            self.spoiled = "too many files"
            return
        try:
            st = os.stat(found)
            self.files[found] = (st.st_size, st.st_mtime_ns, st.st_ino)
        except OSError:
            self.files[found] = None

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.active or self.spoiled:
            return
        if event == "open":
            path, mode, flags = (*args, None, None, None)[:3]
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            found = self._path(path)
            if found is None or found.endswith((".py", ".pyc")):  # code: in the key
                return
            if writes:
                self.spoiled = "a file was written"
                return
            self._read(found)
        elif event == "sqlite3.connect":
            # the mirror's file index (sources.fileindex): an input like any file read; a run
            # that writes it changes its size or mtime, and observations() then records nothing
            found = self._path(args[0] if args else None)
            if found is None:
                self.spoiled = "an unnamed database"
            else:
                self._read(found)
        elif event == PROBE:  # code that only looks whether a path exists says so
            found = self._path(args[0])
            if found is not None:
                self.probes.add(found)
        elif event in ("os.listdir", "os.scandir"):
            found = self._path(args[0] if args and args[0] is not None else ".")
            if found is not None:
                self.dirs.add(found)
        elif event in _MUTATIONS or event.startswith(tuple(_OUTSIDE)):
            self.spoiled = event

    def observations(self) -> list[list[str]] | None:
        """[kind, path, state] of everything seen, or None when a file changed while the run
        was reading it (or the files are too large to hash)."""
        seen: list[list[str]] = []
        total = 0
        for path, before in sorted(self.files.items()):
            try:
                st = os.stat(path)
                now: tuple[int, int, int] | None = (st.st_size, st.st_mtime_ns, st.st_ino)
                total += st.st_size
            except OSError:
                now = None
            if now != before or total > MAX_BYTES:
                return None
            seen.append(["file", path, inputs.file_state(path)])
        seen.extend(["dir", path, _dir_state(path)] for path in sorted(self.dirs))
        seen.extend(["exists", path, _observe("exists", path)] for path in sorted(self.probes))
        return seen


_tracker: _Tracker | None = None


def _start() -> _Tracker:
    global _tracker
    if _tracker is None:  # an audit hook cannot be removed: one per process, switched on and off
        _tracker = _Tracker()
        sys.addaudithook(_tracker)
    _tracker.files, _tracker.dirs, _tracker.probes, _tracker.spoiled = {}, set(), set(), ""
    _tracker.active = True
    return _tracker


def _prune(folder: Path) -> None:
    """Keep the newest MAX_RECORDS records (each commit's staged files make a new key)."""
    records = [p for p in folder.glob("*.json") if p.is_file()]
    if len(records) <= MAX_RECORDS:
        return
    records.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for path in records[MAX_RECORDS:]:
        path.unlink(missing_ok=True)


# -- replay and record ----------------------------------------------------------------------


def replay(args: list[str]) -> int | None:
    """The recorded answer when the key and every observation still match, written out;
    else None (the caller runs the full path)."""
    if not eligible(args):
        return None
    try:
        digest = key(args)
        if digest is None:
            return None
        with open(record_path(digest, reading=True), encoding="utf-8") as handle:
            record = json.load(handle)
        if record.get("format") != FORMAT or record.get("key") != digest:
            return None
        out, err, code, seen = record["stdout"], record["stderr"], record["code"], record["seen"]
        if not (isinstance(out, str) and isinstance(err, str) and code in (0, 1)):
            return None
        if not isinstance(seen, list) or not seen:
            return None
        for kind, path, state in seen:
            if _observe(kind, path) != state:
                return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
        sys.stderr.write(err)
        sys.stderr.flush()
    except BrokenPipeError:  # as the full path: a closed pipe is not an error
        pass
    return int(code)


def run_and_record(args: list[str], run: Callable[[list[str]], int]) -> int:
    """Run the full path; when the run is fit to replay (see the module's docstring), record
    its answer with what it depended on."""
    if not eligible(args):
        return run(args)
    try:
        digest = key(args)
    except OSError:  # no working folder, an unreadable package file: no record
        digest = None
    if digest is None:
        return run(args)
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    tracker = _start()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(args)
    finally:
        tracker.active = False
        sys.stdout.write(out.getvalue())
        sys.stdout.flush()
        sys.stderr.write(err.getvalue())
    if code not in (0, 1) or tracker.spoiled:
        return code
    try:
        seen = tracker.observations()
        if seen:
            from pathlib import Path

            from ..fileio import atomic_write_text

            record = {
                "format": FORMAT,
                "key": digest,
                "stdout": out.getvalue(),
                "stderr": err.getvalue(),
                "code": code,
                "seen": seen,
            }
            path = Path(record_path(digest, reading=False))
            atomic_write_text(path, json.dumps(record, ensure_ascii=False))
            _prune(path.parent)
    except (OSError, UnicodeError):  # a record is an optimisation: never a failure (nor a lone
        pass  # surrogate in the output, which UTF-8 cannot write)
    return code

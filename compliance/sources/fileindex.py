"""What a mirror's files were when last read, so a warm run need not read them again.

For each repo folder the index keeps, per file read, its stat signature (device, inode, size,
mtime and ctime in nanoseconds) and what reading it gave (sha256, size, skipped). A file whose
signature is unchanged is not read again: its digest goes into the facts cache key as before.
Any write to a file changes its ctime (which no user call can set back), so a changed file is
always read. As git does for its index, a file changed too shortly before it was read ("racy":
a second write in the same clock tick would keep its signature) is never recorded, and an
entry is only trusted under the code stamp that wrote it.

A point lookup costs a read transaction (file locks, a header read) per folder; once a run has
made PRELOAD_AFTER of them it is a large run, and the current stamp's rows under the index's
folder are read in one query instead (each row used once, then dropped). A preloaded row is as
good as one looked up: a row only ever says what a file with that exact signature held.

One SQLite file in the compliance cache folder. Anything wrong with it (locked, corrupt,
unwritable) only means files are read: it never stands in for a read it cannot vouch for.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

from .interface import RepoFile

log = logging.getLogger("compliance")

NAME = "mirror-files.sqlite"
# A file changed less than this long before it was read is not recorded (see module doc).
RACY_NS = 2_000_000_000
FLUSH_EVERY = 500
# Point lookups (~10 us each) after which a run reads the rest of its folders' rows in one
# query (~1.3 us a row): high enough that a run over a small part of a large mirror rarely
# loads rows it will not use.
PRELOAD_AFTER = 1000
Signature = tuple[int, int, int, int, int]


def signature(st: os.stat_result) -> Signature | None:
    """The stat signature of a regular file (None for anything else)."""
    if not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class FileIndex:
    def __init__(self, path: Path, stamp: str, under: str = ""):
        """`under`: a prefix of every folder this index will be asked about (a mirror's root
        and a separator), which bounds what a large run preloads."""
        self.path = path
        self.stamp = stamp
        self.under = under
        self._db: Any = None
        self._broken = False
        self._pending: dict[str, str] = {}
        self._lock = threading.Lock()
        self._lookups = 0
        self._preloaded: dict[str, str] = {}  # folder -> files, this stamp's rows, unused yet

    def _connect(self) -> Any:
        if self._db is None and not self._broken:
            import sqlite3

            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=0.5, check_same_thread=False)
                db.execute(
                    "CREATE TABLE IF NOT EXISTS folders"
                    " (folder TEXT PRIMARY KEY, stamp TEXT NOT NULL, files TEXT NOT NULL)"
                )
                db.commit()
                self._db = db
            except (sqlite3.Error, OSError) as exc:
                self._fail(exc)
        return self._db

    def _fail(self, exc: BaseException) -> None:
        """The index is set aside for this run: every file is read."""
        log.warning("mirror file index %s unusable (%s); reading every file", self.path, exc)
        self._broken = True
        self._pending.clear()
        self._preloaded.clear()
        import sqlite3

        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            self._close()
            with contextlib.suppress(OSError):
                self.path.unlink()  # corrupt: rebuilt by the next run

    def known(self, folder: str) -> dict[str, tuple[Signature, RepoFile]]:
        """name -> (signature, the file as read: no text) recorded for a folder."""
        files = self._files(folder)
        if files is None:
            return {}
        try:
            out = {}
            for name, sig, sha, size, skipped in json.loads(files):
                if not isinstance(name, str) or len(sig) != 5:
                    raise ValueError("bad entry")
                out[name] = (tuple(map(int, sig)), RepoFile(name, None, sha, size, skipped))
            return out  # type: ignore[return-value]
        except (ValueError, TypeError) as exc:
            log.warning("mirror file index entry for %s is corrupt (%s); reading", folder, exc)
            return {}

    def _files(self, folder: str) -> str | None:
        """The files column of a folder's row under this stamp, else None."""
        import sqlite3

        with self._lock:
            files = self._preloaded.pop(folder, None)
            if files is not None:
                return files
            db = self._connect()
            if db is None:
                return None
            try:
                self._lookups += 1
                if self._lookups == PRELOAD_AFTER:
                    self._preload(db)
                    files = self._preloaded.pop(folder, None)
                    if files is not None:
                        return files
                row = db.execute(
                    "SELECT stamp, files FROM folders WHERE folder = ?", (folder,)
                ).fetchone()
            except sqlite3.Error as exc:
                self._fail(exc)
                return None
        if row is None or row[0] != self.stamp:
            return None
        return str(row[1])

    def _preload(self, db: Any) -> None:
        """This stamp's rows under `under`, in one query (a folder missing from them is looked
        up alone: it may be recorded since)."""
        if self.under:
            # Text compares as UTF-8 bytes, in code point order: the range is the prefix.
            end = self.under[:-1] + chr(ord(self.under[-1]) + 1)
            rows = db.execute(
                "SELECT folder, files FROM folders WHERE folder >= ? AND folder < ? AND stamp = ?",
                (self.under, end, self.stamp),
            )
        else:
            rows = db.execute("SELECT folder, files FROM folders WHERE stamp = ?", (self.stamp,))
        self._preloaded = {folder: files for folder, files in rows}

    def record(self, folder: str, files: dict[str, tuple[Signature, RepoFile]]) -> None:
        """Remember a folder's files as just read (signature, digest, size, skipped)."""
        rows = [[name, list(sig), f.sha256, f.size, f.skipped] for name, (sig, f) in files.items()]
        with self._lock:
            if self._broken:
                return
            self._preloaded.pop(folder, None)  # the next lookup sees this record once written
            self._pending[folder] = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
            if len(self._pending) >= FLUSH_EVERY:
                self._flush()

    def flush(self) -> None:
        with self._lock:
            self._flush()

    def _flush(self) -> None:
        import sqlite3

        if not self._pending:
            return
        db = self._connect()
        if db is None:
            return
        pending, self._pending = self._pending, {}
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO folders (folder, stamp, files) VALUES (?, ?, ?)",
                    [(folder, self.stamp, files) for folder, files in pending.items()],
                )
        except sqlite3.OperationalError as exc:  # locked by another run: next time
            log.info("mirror file index not updated (%s)", exc)
        except sqlite3.Error as exc:
            self._fail(exc)

    def _close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(Exception):
                self._db.close()
            self._db = None

    def close(self) -> None:
        with self._lock:
            self._flush()
            self._close()


def settled(sig: Signature, started_ns: int) -> bool:
    """Whether a file with this signature, read after `started_ns`, may be recorded: its last
    change (ctime, and mtime) is well before the read began."""
    return max(sig[3], sig[4]) < started_ns - RACY_NS


def now_ns() -> int:
    return time.time_ns()


def code_stamp() -> str:
    """The code an entry was written by: the tool version and the reading modules' sizes and
    mtimes (how a file is read, capped and digested)."""
    import hashlib

    from .. import __version__

    here = Path(__file__).resolve().parent
    h = hashlib.sha256(__version__.encode())
    for path in (
        here / "fileindex.py",
        here / "reading.py",
        here / "interface.py",
        here / "mirror.py",
        here.parent / "textcodec.py",
    ):
        with contextlib.suppress(OSError):
            st = path.stat()
            h.update(f"{path.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def default_index(under: str = "") -> FileIndex:
    """The index in the compliance cache folder (its owner closes it); `under`: see FileIndex."""
    from ..fileio import default_cache_dir

    return FileIndex(default_cache_dir() / NAME, code_stamp(), under)

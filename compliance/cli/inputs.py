"""What a recorded answer is keyed on and where records live, read before anything else.

fastpath.py and replay.py answer a `check` from a record when nothing it depends on changed.
They run on every commit the hook sees, before click, so this module imports only os, sys,
stat, time and hashlib: not json, pathlib, typing, datetime or platformdirs (each costs a few
milliseconds, and platformdirs ~20, against ~12 for the bare interpreter).
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import time

APP = "compliance"  # the folder platformdirs gives the user cache (fileio.default_cache_dir)


def code_stamp() -> str:
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


def file_state(path: str) -> str:
    """sha256 of a regular file's bytes, 'absent', or 'other' (a folder, a device...)."""
    try:
        with open(path, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return "other"
            h = hashlib.sha256()
            while chunk := handle.read(1 << 20):
                h.update(chunk)
            return h.hexdigest()
    except FileNotFoundError:
        return "absent"
    except IsADirectoryError:
        return "other"


def discovery(cwd: str) -> list[list[object]]:
    """What config discovery (config.find_config) would see: which compliance.yaml and .git
    exist in the working folder and every parent."""
    seen: list[list[object]] = []
    folder = cwd
    while True:
        config = os.path.join(folder, "compliance.yaml")
        seen.append([folder, os.path.lexists(os.path.join(folder, ".git")), file_state(config)])
        parent = os.path.dirname(folder)
        if parent == folder:
            return seen
        folder = parent


def dates() -> list[str]:
    """Today, local and UTC: an exception that expires, expires at a date."""
    return [time.strftime("%Y-%m-%d"), time.strftime("%Y-%m-%d", time.gmtime())]


def _guessed_cache_dir() -> str | None:
    """The user cache folder as platformdirs gives it on Linux (XDG_CACHE_HOME when absolute,
    else ~/.cache), without importing platformdirs; None elsewhere or when HOME is unusual."""
    if not sys.platform.startswith("linux"):
        return None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return os.path.join(xdg, APP)
    home = os.environ.get("HOME", "")
    return os.path.join(home, ".cache", APP) if os.path.isabs(home) else None


def records_folder(kind: str, *, reading: bool) -> str:
    """Where records of `kind` live. Written under the cache folder platformdirs names; read
    from a guess of it when the guess is cheap. A wrong guess finds no record, so the full path
    runs: it costs time, never a wrong answer (a test keeps the guess equal to platformdirs)."""
    base = os.environ.get("COMPLIANCE_CACHE_DIR") or (_guessed_cache_dir() if reading else None)
    if not base:
        from ..fileio import default_cache_dir

        base = str(default_cache_dir())
    return os.path.join(base, kind)

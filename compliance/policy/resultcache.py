"""On-disk cache of built-in policy results, one file per compiled policy.

The built-in rules are a pure function of the policy modules, `data` (the organisation's
settings) and the model's policy input (they read no clock, and not the model's name: see
`PolicyEngine`). So a result is stored under a stamp of everything but the input (modules'
names and texts, data, the tool version, and the regopy build) and the sha256 of the input's
memo key. A warm run whose inputs were all seen before compiles nothing.

The file is written atomically and carries a sha256 of its content; one that does not parse or
does not match is deleted and the results are evaluated again. Custom packs are never cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger("compliance")

FORMAT = 1
MAX_ENTRIES = 50_000  # beyond this, the file is started again with this run's results
MAX_FILE_BYTES = 64 * 1024 * 1024


def policy_stamp(data: dict[str, Any], modules: Sequence[Any]) -> str:
    from importlib.util import find_spec

    from .. import __version__

    h = hashlib.sha256(f"{FORMAT}\0{__version__}\n".encode())
    spec = find_spec("regopy")
    for origin in (spec.origin if spec else None,):
        with contextlib.suppress(OSError, TypeError):
            folder = Path(origin).parent  # type: ignore[arg-type]
            for path in sorted(folder.iterdir()):
                st = path.stat()
                h.update(f"{path.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    h.update(json.dumps(data, sort_keys=True, default=str).encode())
    for module in modules:
        h.update(f"\n{module.name}\0{module.package}\0".encode())
        h.update(module.text.encode("utf-8"))
    return h.hexdigest()


def input_key(memo_key: str) -> str:
    return hashlib.sha256(memo_key.encode("utf-8")).hexdigest()


class ResultCache:
    def __init__(self, root: Path, stamp: str):
        self.path = root / "policy" / f"{stamp}.json"
        self.stamp = stamp
        self._results: dict[str, list[dict[str, str]]] | None = None
        self._new: dict[str, list[dict[str, str]]] = {}

    def _load(self) -> dict[str, list[dict[str, str]]]:
        if self._results is not None:
            return self._results
        self._results = {}
        try:
            if self.path.stat().st_size > MAX_FILE_BYTES:
                raise ValueError("file too large")
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return self._results
        except (OSError, ValueError) as exc:
            log.warning("policy cache %s unreadable (%s); evaluating again", self.path, exc)
            self._drop()
            return self._results
        try:
            head, sep, body = raw.partition(b"\n")
            header = json.loads(head) if sep else None
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise ValueError("another format")
            if header.get("stamp") != self.stamp:
                raise ValueError("another policy")
            if header.get("sha256") != hashlib.sha256(body).hexdigest():
                raise ValueError("checksum mismatch")
            results = json.loads(body)
            if not isinstance(results, dict):
                raise ValueError("not a results object")
            self._results = results
        except (ValueError, UnicodeDecodeError) as exc:
            log.warning("policy cache %s is corrupt (%s); evaluating again", self.path, exc)
            self._drop()
        return self._results

    def _drop(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()

    def get(self, memo_key: str) -> list[Any] | None:
        """The cached hits (as RuleHits) for an input, or None."""
        from .engine import RuleHit

        items = self._load().get(input_key(memo_key))
        if not isinstance(items, list):
            return None
        try:
            hits = [RuleHit(**item) for item in items]
        except TypeError:
            return None
        if not all(
            isinstance(getattr(h, f), str) for h in hits for f in RuleHit.__dataclass_fields__
        ):
            return None
        return hits

    def put(self, memo_key: str, hits: Sequence[Any]) -> None:
        self._new[input_key(memo_key)] = [h.to_json() for h in hits]

    def save(self) -> None:
        """Write the results gathered in this run (a failed write is only a warning)."""
        if not self._new:
            return
        from ..fileio import atomic_write_text

        results = self._load()
        if len(results) + len(self._new) > MAX_ENTRIES:
            results = {}
        results.update(self._new)
        self._results = results
        self._new = {}
        body = json.dumps(results, ensure_ascii=False, separators=(",", ":"))
        header = json.dumps(
            {
                "format": FORMAT,
                "stamp": self.stamp,
                "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
            }
        )
        try:
            atomic_write_text(self.path, header + "\n" + body)
        except OSError as exc:
            log.warning("could not write the policy cache %s (%s)", self.path, exc)

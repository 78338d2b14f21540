"""Stamps: digests of what cached results depend on, cheap to compute (a few stat calls).

Kept apart from compliance.facts.registry so that checking a cache entry does not import the
registry code.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def registry_stamp(root: Path) -> str:
    """Digest of what the loaded registry depends on: its files' names, sizes and mtimes, and
    the code that reads them."""
    from .. import __version__

    h = hashlib.sha256(f"{__version__}\0{root}".encode())
    here = Path(__file__).resolve().parent
    paths = [
        here / n
        for n in ("registry.py", "families.py", "fingerprint.py", "textnorm.py", "model.py")
    ]
    paths.append(here.parent / "textcodec.py")  # textnorm decodes with it
    for folder in (root, root / "licenses"):
        try:
            with os.scandir(folder) as it:
                paths.extend(Path(e.path) for e in it if e.name.endswith((".yaml", ".json")))
        except OSError:
            pass
    for p in sorted(paths):
        try:
            st = p.stat()
        except OSError:
            continue
        h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:32]

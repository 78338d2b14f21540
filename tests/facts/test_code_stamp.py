"""The facts cache's code stamp covers every module that shapes facts (else a parser change
could serve stale facts from the cache)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from treepaths import REPO

from compliance.facts.cache import code_stamp, stamped_files

MIRROR = REPO / "examples" / "mirror"

# Normalise every example model and apply lineage, then list the compliance modules loaded.
SCRIPT = """
import json, sys
from pathlib import Path
from compliance.facts.lineage import apply_lineage
from compliance.facts.normalize import normalize
from compliance.modelid import ModelId
from compliance.sources.mirror import MirrorSource

root = Path(sys.argv[1])
source = MirrorSource(root)
def own(mid):
    return normalize(source.fetch(mid))
for org in sorted(root.iterdir()):
    for repo in sorted(org.iterdir()):
        apply_lineage(own(ModelId(f"{org.name}/{repo.name}")), own)
files = [m.__file__ for n, m in list(sys.modules.items())
         if n.startswith("compliance") and getattr(m, "__file__", None)]
print(json.dumps(sorted(files)))
"""


def test_every_module_loaded_while_reading_facts_is_stamped() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(MIRROR)],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert proc.returncode == 0, proc.stderr
    loaded = {Path(f).resolve() for f in json.loads(proc.stdout)}
    assert any(p.name == "safeyaml.py" for p in loaded)  # the card's YAML was really parsed
    package = REPO / "compliance"
    version_only = {package / "__init__.py"}  # its __version__ is in the stamp itself
    stamped = {p.resolve() for p in stamped_files()}
    missing = sorted(str(p.relative_to(REPO)) for p in loaded - stamped - version_only)
    assert missing == []


def test_a_change_to_safeyaml_changes_the_stamp(tmp_path: Path) -> None:
    target = REPO / "compliance" / "safeyaml.py"
    before = code_stamp.__wrapped__()
    st = target.stat()
    try:
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        after = code_stamp.__wrapped__()
    finally:
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert after != before

"""`compliance detect` on the 57 corpus licence texts, against ScanCode on the same files.

    .venv/bin/python bench/detect.py [--runs 5] [--corpus ../shared/corpus/licenses]

Times the whole `compliance detect FILE...` process (median of --runs, after one warm-up run
that builds the registry cache), then `scancode --license` on the same files when `scancode`
is on PATH (one run: it is slow), else prints the published figure for this machine (19.4 s).
Floor (issue 9): compliance >= 30x faster than ScanCode.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _common import COMPLIANCE, CORPUS, fmt_times, median_time, offline_env, run

SCANCODE_PUBLISHED = 19.4  # seconds, scancode-toolkit on these 57 files on this machine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    files = sorted(
        str(p) for p in args.corpus.glob("*/*") if p.is_file() and p.name != "SOURCE.txt"
    )
    if not files:
        print(f"no corpus texts under {args.corpus}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-detect-") as tmp:
        env = offline_env(COMPLIANCE_CACHE_DIR=str(Path(tmp) / "cache"))
        cmd = [*COMPLIANCE, "detect", "--format", "json", *files]
        run(cmd, env)  # warm-up: registry index cache
        ours, times = median_time(cmd, env, args.runs)
        scancode = shutil.which("scancode")
        if scancode:
            out = Path(tmp) / "scancode.json"
            start = time.perf_counter()
            run([scancode, "--license", "--json", str(out), "-n", "2", *files], env)
            theirs, label = time.perf_counter() - start, "measured"
        else:
            theirs, label = SCANCODE_PUBLISHED, "published (scancode not installed)"
    print(f"compliance detect, {len(files)} files: median {ours:.3f} s ({fmt_times(times)})")
    print(f"scancode --license, same files: {theirs:.1f} s [{label}]")
    speedup = theirs / ours
    print(f"speed-up: {speedup:.0f}x (floor >= 30x: {'met' if speedup >= 30 else 'NOT met'})")
    return 0 if speedup >= 30 else 1


if __name__ == "__main__":
    sys.exit(main())

"""The pre-commit hook path: `compliance check` on a LiteLLM config naming 10 pinned models.

    .venv/bin/python bench/hook.py [--runs 15]

Ten repos are generated and served by tests/fakehub.FakeHub on 127.0.0.1; one run warms the
cache, then the timed runs must make no request at all. Prints the median wall time of the whole
process next to `python3 -c pass` measured in the same run, and their ratio.
Floors (issue 9): <= 0.3 s and <= 15x `python3 -c pass`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from _common import COMPLIANCE, fmt_times, hook_setup, run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-hook-") as tmp:
        root = Path(tmp)
        with hook_setup(root) as (config, hub, env):
            cmd = [*COMPLIANCE, "check", str(config)]
            run(cmd, env, cwd=root)  # cold: fills the snapshot cache
            cold_requests = len(hub.requests)
            run(cmd, env, cwd=root)  # first read from the cache: facts of the cached snapshot
            hub.clear()
            bare_cmd = [sys.executable, "-c", "pass"]
            bare_times, hook_times = [], []
            for _ in range(args.runs):  # interleaved, so both see the same machine load
                bare_times.append(run(bare_cmd, env))
                hook_times.append(run(cmd, env, cwd=root))
            bare, hook = statistics.median(bare_times), statistics.median(hook_times)
            warm_requests = len(hub.requests)
    ratio = hook / bare
    print(f"python -c pass          median {bare:.3f} s   ({fmt_times(bare_times)})")
    print(f"compliance check (hook) median {hook:.3f} s   ({fmt_times(hook_times)})")
    print(f"ratio                   {ratio:.1f}x")
    print(f"requests: warm-up {cold_requests}, timed runs {warm_requests}")
    ok = hook <= 0.3 and ratio <= 15 and warm_requests == 0
    print(f"floor (<= 0.3 s, <= 15x, no request): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

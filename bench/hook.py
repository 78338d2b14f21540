"""The pre-commit hook path, two commits side by side, each next to `python3 -c pass`:

    .venv/bin/python bench/hook.py [--runs 15]

1. `compliance check` on 20 `.py` files that name no model (the common commit), with the
   example compliance.yaml in the folder: after one recording run, no click, yaml or registry.
2. `compliance check` on a LiteLLM config naming 10 models pinned to their sha, warm: ten repos
   are generated and served by tests/fakehub.FakeHub on 127.0.0.1; the timed runs must make no
   request at all. Unchanged inputs: the recorded answer is replayed (compliance.cli.replay).
3. The same config with one comment line changed before each run (a commit that edits it):
   the full warm path, from the snapshot, facts and policy caches (and a new record written).

Prints the median wall time of each whole process and its ratio to `python3 -c pass`, measured
interleaved in the same run. Targets (issue 19): <= 3x for (1), <= 6x for (2); floors of
issue 9: (2) <= 0.3 s and <= 15x.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from _common import COMPLIANCE, ROOT, fmt_times, hook_setup, run

PLAIN = "import os\n\n\ndef helper_{n}(path):\n    return os.path.join(os.getcwd(), path)\n"


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
            commit = root / "commit"
            commit.mkdir()
            shutil.copy(ROOT / "examples" / "compliance.yaml", commit / "compliance.yaml")
            py_files = []
            for n in range(20):
                (commit / f"mod_{n}.py").write_text(PLAIN.format(n=n), encoding="utf-8")
                py_files.append(f"mod_{n}.py")
            plain_cmd = [*COMPLIANCE, "check", *py_files]
            run(plain_cmd, env, cwd=commit)  # records the answer for this config, today
            hub.clear()
            bare_cmd = [sys.executable, "-c", "pass"]
            text = config.read_text(encoding="utf-8")
            bare_times, hook_times, plain_times, edit_times = [], [], [], []
            for n in range(args.runs):  # interleaved, so all see the same machine load
                bare_times.append(run(bare_cmd, env))
                plain_times.append(run(plain_cmd, env, cwd=commit))
                hook_times.append(run(cmd, env, cwd=root))
                config.write_text(f"{text}# edit {n}\n", encoding="utf-8")
                edit_times.append(run(cmd, env, cwd=root))
                config.write_text(text, encoding="utf-8")
            bare, hook = statistics.median(bare_times), statistics.median(hook_times)
            plain, edit = statistics.median(plain_times), statistics.median(edit_times)
            warm_requests = len(hub.requests)
    ratio, plain_ratio = hook / bare, plain / bare
    print(f"python -c pass               median {bare:.3f} s   ({fmt_times(bare_times)})")
    print(f"20 .py files, no model       median {plain:.3f} s   ({fmt_times(plain_times)})")
    print(f"10 models pinned, warm       median {hook:.3f} s   ({fmt_times(hook_times)})")
    print(f"  the same, config edited    median {edit:.3f} s   ({fmt_times(edit_times)})")
    print(f"ratio no-model commit        {plain_ratio:.1f}x   (target <= 3x)")
    print(f"ratio 10 warm models         {ratio:.1f}x   (target <= 6x; issue 9 floor <= 15x)")
    print(f"ratio the same, edited       {edit / bare:.1f}x   (the full warm path)")
    print(f"requests: warm-up {cold_requests}, timed runs {warm_requests}")
    ok = hook <= 0.3 and ratio <= 15 and warm_requests == 0
    print(f"floor (<= 0.3 s, <= 15x, no request): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

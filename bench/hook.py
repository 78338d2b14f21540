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

from _common import COMPLIANCE, TESTS, fmt_times, generate, offline_env, run, sha_for

# Models whose facts need no base model: a fine-tune's base is named without a revision, so
# its lineage costs one metadata request per run (the base's current terms), by design.
HOOK_KINDS = ("apache", "mit", "llama", "gemma", "qwen", "nc")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    sys.path.insert(0, str(TESTS))
    from fakehub import FakeHub

    with tempfile.TemporaryDirectory(prefix="bench-hook-") as tmp:
        root = Path(tmp)
        ids = generate(root / "hub", 10, hub_meta=True, prefix="hook", kinds=HOOK_KINDS)
        config = root / "litellm-config.yaml"
        lines = ["model_list:"]
        for n, repo_id in enumerate(ids):
            lines += [
                f"  - model_name: m{n}",
                "    litellm_params:",
                f"      model: huggingface/{repo_id}@{sha_for(repo_id)}",
            ]
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        hub = FakeHub(root / "hub").start()
        try:
            env = offline_env(
                HF_ENDPOINT=hub.url,
                HF_HOME=str(root / "hf-home"),
                COMPLIANCE_CACHE_DIR=str(root / "cache"),
            )
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
        finally:
            hub.stop()
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

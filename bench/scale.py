"""`compliance check --models-from` over 250, 1,000 and 10,000 generated mirror models, warm.

    .venv/bin/python bench/scale.py [--sizes 250,1000,10000] [--runs 3]

Each size gets its own generated mirror (mixed licences: apache-2.0, mit, llama3.1, gemma,
qwen via license_name, cc-by-nc-4.0, fine-tunes / adapters / quantisations of generated bases;
some with licence texts copied from ../shared/corpus/licenses at bench time, else stand-ins).
One run warms the cache; the median of --runs whole-process runs is printed, with the growth
ratio time(1000)/time(250).
Floors (issue 9): 1,000 <= 5 s; time(1000)/time(250) <= 4.4; 10,000 <= 10 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _common import COMPLIANCE, fmt_times, generate, median_time, offline_env, run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        root = Path(tmp)
        for size in sizes:
            mirror = root / f"mirror-{size}"
            ids = generate(mirror, size)
            models = root / f"models-{size}.txt"
            models.write_text("\n".join(ids) + "\n", encoding="utf-8")
            env = offline_env(COMPLIANCE_CACHE_DIR=str(root / f"cache-{size}"))
            cmd = [
                *COMPLIANCE,
                "check",
                "--models-from",
                str(models),
                "--source",
                f"mirror:{mirror}",
            ]
            cold = run(cmd, env, cwd=root)  # warms the cache
            median, times = median_time(cmd, env, args.runs, cwd=root)
            results[size] = median
            print(
                f"{size:>6} models: cold {cold:.2f} s; warm median {median:.2f} s"
                f" ({fmt_times(times)}); {size / median:,.0f} models/s",
                flush=True,
            )
    ok = True
    if 1000 in results:
        ok &= results[1000] <= 5
        print(f"1,000 warm <= 5 s: {'met' if results[1000] <= 5 else 'NOT met'}")
    if 250 in results and 1000 in results:
        growth = results[1000] / results[250]
        ok &= growth <= 4.4
        verdict = "met" if growth <= 4.4 else "NOT met"
        print(f"growth time(1000)/time(250) = {growth:.2f} (<= 4.4: {verdict})")
    if 10000 in results:
        ok &= results[10000] <= 10
        print(f"10,000 warm <= 10 s: {'met' if results[10000] <= 10 else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

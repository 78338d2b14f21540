"""`compliance check --models-from` over large generated mirror inventories, warm: time and
peak memory.

    .venv/bin/python bench/scale.py [--sizes 250,1000,25000,100000] [--runs 3]

Each size gets its own generated mirror (mixed licences: apache-2.0, mit, llama3.1, gemma,
qwen via license_name, cc-by-nc-4.0, fine-tunes / adapters / quantisations of generated bases;
some with licence texts copied from ../shared/corpus/licenses at bench time, else stand-ins).
One run warms the cache; the median of --runs whole-process runs is printed with the peak RSS
of the process (from wait4), and the growth ratios.
Targets: issue 9: 1,000 <= 5 s, time(1000)/time(250) <= 4.4, 10,000 <= 10 s;
issue 19: 100,000 <= 20 s, time(100k)/time(25k) <= 4.4, peak RSS <= 1 GB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import COMPLIANCE, generate, offline_env


def run_measured(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int]:
    """(wall seconds, peak RSS in bytes) of one whole process; exit 2 or 3 stops the bench."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            err.seek(0)
            tail = err.read()[-2000:].decode(errors="replace")
            raise SystemExit(f"bench: exited {proc.returncode}\n{tail}")
    return elapsed, usage.ru_maxrss * 1024  # kilobytes on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,1000,25000,100000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, float] = {}
    peaks: dict[int, int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        root = Path(tmp)
        for size in sizes:
            mirror = root / f"mirror-{size}"
            ids = generate(mirror, size)
            models = root / f"models-{size}.txt"
            models.write_text("\n".join(ids) + "\n", encoding="utf-8")
            env = offline_env(COMPLIANCE_CACHE_DIR=str(root / f"cache-{size}"))
            cmd = [*COMPLIANCE, "check", "--models-from", str(models), "--source"]
            cmd.append(f"mirror:{mirror}")
            cold, _ = run_measured(cmd, env, root)  # warms the cache
            samples = [run_measured(cmd, env, root) for _ in range(args.runs)]
            times = [t for t, _ in samples]
            results[size] = statistics.median(times)
            peaks[size] = max(p for _, p in samples)
            print(
                f"{size:>7} models: cold {cold:.2f} s; warm median {results[size]:.2f} s"
                f" ({', '.join(f'{t:.2f}' for t in times)}); {size / results[size]:,.0f} models/s;"
                f" peak RSS {peaks[size] / 2**20:.0f} MiB",
                flush=True,
            )
            # the mirror and caches of a size are not needed for the next one
            import shutil

            shutil.rmtree(mirror, ignore_errors=True)
            shutil.rmtree(root / f"cache-{size}", ignore_errors=True)
    ok = True

    def check(label: str, value: float, limit: float, unit: str = "") -> None:
        nonlocal ok
        met = value <= limit
        ok &= met
        print(f"{label}: {value:.2f}{unit} (<= {limit:g}{unit}: {'met' if met else 'NOT met'})")

    if 1000 in results:
        check("1,000 warm", results[1000], 5, " s")
    if 250 in results and 1000 in results:
        check("growth time(1000)/time(250)", results[1000] / results[250], 4.4)
    if 10000 in results:
        check("10,000 warm", results[10000], 10, " s")
    if 100000 in results:
        check("100,000 warm", results[100000], 20, " s")
        check("peak RSS at 100,000", peaks[100000] / 2**20, 1024, " MiB")
    if 25000 in results and 100000 in results:
        check("growth time(100k)/time(25k)", results[100000] / results[25000], 4.4)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

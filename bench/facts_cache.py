"""A warm facts cache hit (compliance.facts.cache.FactsCache.get), in process: µs per hit.

    .venv/bin/python bench/facts_cache.py [--models 2000] [--passes 5] [--cache DIR]

Without --cache, generated mirror models (bench/_common.generate) are checked once to fill a
temporary cache; with --cache, the entries of that (warm) cache folder are read. Each pass gets
every entry once, facts dropped as they come (as the streamed check drops each chunk's); the
median pass is printed, with what one hit's stages cost alone (read, checksum, load).
Target (issue 19, this stage): <= 40 µs per hit.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from _common import COMPLIANCE, generate, offline_env

TARGET_US = 40.0


def _fill(root: Path, count: int) -> Path:
    mirror = root / "mirror"
    models = root / "models.txt"
    models.write_text("\n".join(generate(mirror, count)) + "\n", encoding="utf-8")
    cache = root / "cache"
    cmd = [*COMPLIANCE, "check", "--models-from", str(models), "--source", f"mirror:{mirror}"]
    env = offline_env(COMPLIANCE_CACHE_DIR=str(cache))
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"bench: the cold run exited {proc.returncode}\n{proc.stderr[-2000:]}")
    return cache


def _per_item_us(fn: Callable[[Any], Any], items: Sequence[Any]) -> float:
    start = time.perf_counter()
    for item in items:
        fn(item)
    return (time.perf_counter() - start) * 1e6 / len(items)


def measure(cache_dir: Path, passes: int) -> float:
    from compliance.facts import cache, packed

    store = cache.FactsCache(cache_dir)
    keys = sorted(p.name[:64] for p in (cache_dir / cache.FACTS).glob(f"*/*{cache.SUFFIX}"))
    if not keys:
        raise SystemExit(f"bench: no facts cache entries under {cache_dir}")
    if any(store.get(k) is None for k in keys):
        raise SystemExit("bench: an entry did not load")
    hits = [_per_item_us(lambda k: store.get(k, fetched_at="now"), keys) for _ in range(passes)]
    paths = [store._path(k) for k in keys]
    raws = [cache._read(p) for p in paths]
    bodies = [raw[cache._DIGEST :] for raw in raws]
    stages = {
        "read": _per_item_us(cache._read, paths),
        "checksum": _per_item_us(
            lambda kb: cache._digest(*kb), list(zip(keys, bodies, strict=True))
        ),
        "load": _per_item_us(packed.loads, bodies),
    }
    median = statistics.median(hits)
    print(
        f"{len(keys)} entries: {median:.1f} µs per hit (passes: "
        f"{', '.join(f'{h:.1f}' for h in hits)}); alone: "
        + ", ".join(f"{name} {us:.1f} µs" for name, us in stages.items())
    )
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--cache", type=Path)
    args = parser.parse_args()
    if args.cache is not None:
        median = measure(args.cache, args.passes)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-facts-cache-") as tmp:
            median = measure(_fill(Path(tmp), args.models), args.passes)
    met = median <= TARGET_US
    print(f"target <= {TARGET_US:.0f} µs per hit: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

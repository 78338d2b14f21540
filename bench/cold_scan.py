"""Cold scan: `compliance scan` of 500 repos from the fake Hub with 50 ms latency per request.

    .venv/bin/python bench/cold_scan.py [--models 500] [--latency 0.05] [--runs 3]

The repos (mixed licences, fine-tunes of generated bases, licence texts) are served by
tests/fakehub.FakeHub on 127.0.0.1, which sleeps `latency` seconds before every answer. Each run
starts with an empty compliance cache and an empty huggingface_hub cache. Prints models/s
(median), the requests per model, then re-scans every model pinned to its sha with the cache
warm and prints the request count, which must be 0.
Floors (issue 9): >= 40 models/s; the warm pinned re-scan makes no request.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from _common import COMPLIANCE, TESTS, generate, offline_env, run, sha_for


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(TESTS))
    from fakehub import FakeHub

    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        root = Path(tmp)
        ids = generate(root / "hub", args.models, hub_meta=True, prefix="cold")
        hub = FakeHub(root / "hub").start()
        try:
            rates, per_model = [], []
            for n in range(args.runs):
                cache, hf_home = root / f"cache-{n}", root / f"hf-home-{n}"
                env = offline_env(
                    HF_ENDPOINT=hub.url, HF_HOME=str(hf_home), COMPLIANCE_CACHE_DIR=str(cache)
                )
                hub.clear()
                hub.latency = args.latency
                seconds = run([*COMPLIANCE, "scan", *ids], env, cwd=root)
                rates.append(len(ids) / seconds)
                per_model.append(len(hub.requests) / len(ids))
                print(
                    f"run {n + 1}: {len(ids)} models in {seconds:.2f} s ="
                    f" {len(ids) / seconds:.1f} models/s; {len(hub.requests)} requests",
                    flush=True,
                )
                if n < args.runs - 1:
                    shutil.rmtree(cache)
                    shutil.rmtree(hf_home)
            hub.clear()
            hub.latency = args.latency
            pinned = [f"{i}@{sha_for(i)}" for i in ids]
            warm = run([*COMPLIANCE, "scan", "--no-lineage", *pinned], env, cwd=root)
            warm_requests = len(hub.requests)
        finally:
            hub.stop()
    rate = statistics.median(rates)
    print(
        f"cold scan: median {rate:.1f} models/s at {args.latency * 1000:.0f} ms per request"
        f" ({statistics.median(per_model):.1f} requests per model)"
    )
    print(f"warm pinned re-scan: {warm:.2f} s, {warm_requests} requests")
    ok = rate >= 40 and warm_requests == 0
    print(f"floor (>= 40 models/s; 0 requests warm): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Fuzz the parsers: at least 10,000 cases over the targets of tests/test_property.py.

    .venv/bin/python bench/fuzz.py                 # 10,000 cases, spread over every target
    .venv/bin/python bench/fuzz.py --cases 50000   # more
    .venv/bin/python bench/fuzz.py --only card,refs --seed 7

Prints, per target: cases run, time, and the first failing input (minimised by hypothesis)
with its exception. Exit 1 when any target failed. Run by hand; not part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))


def _counting(func: Any, counter: list[int]) -> Any:
    def counted(value: Any) -> None:
        counter[0] += 1
        func(value)

    return counted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000, help="total cases (default 10000)")
    parser.add_argument("--only", default="", help="comma-separated target names")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    args = parser.parse_args(argv)

    import logging

    from hypothesis import HealthCheck, Phase, given, seed, settings
    from test_property import TARGETS  # type: ignore[import-not-found]

    logging.disable(logging.WARNING)  # the parsers warn about skipped input; keep output short
    targets = [t for t in TARGETS if not args.only or t[0] in args.only.split(",")]
    if not targets:
        parser.error(f"no target among: {', '.join(t[0] for t in TARGETS)}")
    per_target = max(1, -(-args.cases // len(targets)))
    failed = 0
    total = 0
    print(f"fuzzing {len(targets)} targets x {per_target} cases")
    for name, strategy, func in targets:
        counter = [0]
        counted = _counting(func, counter)

        test = settings(
            max_examples=per_target,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate, Phase.shrink],
        )(given(strategy)(counted))
        if args.seed is not None:
            test = seed(args.seed)(test)
        start = time.perf_counter()
        try:
            test()
            status = "ok"
        except Exception as exc:  # hypothesis re-raises the minimised failure
            failed += 1
            status = f"FAILED: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            notes = getattr(exc, "__notes__", [])
            for note in notes:
                print(f"    {note[:400]}")
            tb = traceback.extract_tb(exc.__traceback__)
            if tb:
                frame = tb[-1]
                print(f"    at {frame.filename}:{frame.lineno} in {frame.name}")
        elapsed = time.perf_counter() - start
        count = counter[0]
        total += count
        print(f"{name:12} {count:6d} cases {elapsed:7.1f} s  {status}")
    print(f"total {total} cases; {failed} target(s) failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Import time of the CLI: `python -X importtime` of `compliance --version` and of the hook.

    .venv/bin/python bench/importtime.py [--top 15]

Runs each command once to compile bytecode, then once under `-X importtime`; prints the total
import time, the top modules by cumulative time, and whether any module the warm, pinned path
must not load (huggingface_hub, jinja2, spdx-tools, regopy, httpx2) was imported. The hook
command is `check` on a LiteLLM config naming 10 pinned models with a warm cache (as in
bench/hook.py).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import hook_setup, run

FORBIDDEN = ("huggingface_hub", "jinja2", "spdx_tools", "regopy", "httpx2")


def importtime(args: list[str], env: dict[str, str], cwd: Path) -> list[tuple[int, int, str]]:
    cmd = [sys.executable, "-X", "importtime", "-m", "compliance.cli.main", *args]
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative, name = line[len("import time:") :].split("|")
        rows.append((int(self_us), int(cumulative), name.rstrip()))
    return rows


def report(title: str, rows: list[tuple[int, int, str]], top: int) -> None:
    total = sum(r[0] for r in rows)
    print(f"\n{title}: {len(rows)} modules, {total / 1000:.1f} ms of imports")
    for _, cumulative, name in sorted(rows, key=lambda r: -r[1])[:top]:
        print(f"  {cumulative / 1000:7.1f} ms  {name}")
    loaded = sorted({n.strip().split(".")[0] for _, _, n in rows} & set(FORBIDDEN))
    print(f"  not to be loaded here: {', '.join(loaded) if loaded else 'none loaded'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        root = Path(tmp)
        with hook_setup(root) as (config, _hub, env):
            compliance = [sys.executable, "-m", "compliance.cli.main"]
            run([*compliance, "--version"], env, cwd=root)
            for _ in range(2):  # the snapshot cache, then the facts of the cached snapshots
                run([*compliance, "check", str(config)], env, cwd=root)
            version = importtime(["--version"], env, root)
            hook = importtime(["check", str(config)], env, root)
    report("compliance --version", version, args.top)
    report("compliance check <10 pinned models> (warm)", hook, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())

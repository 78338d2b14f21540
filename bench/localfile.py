"""Local model file headers: time and peak memory of reading a GGUF header, broken or real-sized.

Each case runs in its own process (`compliance scan FILE --no-lineage --format json`) and reports
wall time and the child's peak RSS (ru_maxrss). Cases: a real-sized header (a 256k-token
vocabulary with scores and merges, 1 GB of sparse tensor space after it), and the broken files
the tests use (truncated, not GGUF, a huge array / string / key-count claim). Floor: every
broken file is a per-file error (exit 3, no traceback) read in < 1 s and < 100 MB (the read
itself; the whole CLI process adds Python start-up and imports, ~0.3-1 s on this machine).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "sources"))
from test_localfile import (  # noqa: E402
    FINETUNE,
    HUGE_ARRAY,
    HUGE_KEY_COUNT,
    HUGE_STRING,
    HUGE_STRING_ARRAY,
    write_gguf,
)

CLI = str(Path(sys.executable).with_name("compliance"))


def big_vocabulary(path: Path) -> Path:
    tokens = [f"tok{i}" for i in range(256_000)]
    kv = {
        **FINETUNE,
        "tokenizer.ggml.tokens": tokens,
        "tokenizer.ggml.scores": [float(i) for i in range(256_000)],
        "tokenizer.ggml.merges": [f"a{i} b{i}" for i in range(250_000)],
    }
    write_gguf(path, kv)
    with open(path, "r+b") as fh:  # 1 GB of sparse tensor space: never read
        fh.truncate(path.stat().st_size + 1024**3)
    return path


def run(path: Path) -> tuple[int, float, float, str]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [CLI, "scan", str(path), "--no-lineage", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = usage.ru_maxrss / 1024  # max over children so far (KiB on Linux)
    what = (
        "ok" if proc.returncode == 0 else (json.loads(out)["errors"] or [{}])[0].get("message", "")
    )
    assert "Traceback" not in err, err
    return proc.returncode, elapsed, peak_mb, what[:70]


_READ = """
import json, resource, sys, time
from pathlib import Path
import gguf, numpy  # imported before the baseline: the reading is measured, not the imports
from compliance.errors import SourceError
from compliance.sources.localfile import read_local
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    read_local(Path(sys.argv[1]))
except SourceError:
    pass
took = time.perf_counter() - start
grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
print(json.dumps({"read_s": took, "grew_mb": grew / 1024, "base_mb": base / 1024}))
"""


def read_only(path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _READ, str(path)], capture_output=True, text=True, check=True
    ).stdout
    data: dict[str, float] = json.loads(out)
    return data


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        valid = write_gguf(root / "valid.gguf", FINETUNE)
        data = valid.read_bytes()
        cases = {
            "valid (small)": valid,
            "truncated": root / "truncated.gguf",
            "not gguf": root / "text.gguf",
            "huge array claim": root / "huge-array.gguf",
            "huge string-array claim": root / "huge-string-array.gguf",
            "huge string claim": root / "huge-string.gguf",
            "huge key-count claim": root / "huge-keys.gguf",
        }
        cases["truncated"].write_bytes(data[: data.index(b"general.source")])
        cases["not gguf"].write_bytes(b"hello\n" * 100)
        cases["huge array claim"].write_bytes(HUGE_ARRAY)
        cases["huge string-array claim"].write_bytes(HUGE_STRING_ARRAY)
        cases["huge string claim"].write_bytes(HUGE_STRING)
        cases["huge key-count claim"].write_bytes(HUGE_KEY_COUNT)
        cases["256k vocabulary + 1 GB tensors"] = big_vocabulary(root / "big.gguf")
        print(f"{'case':32} {'exit':>4} {'cli s':>6} {'read s':>7} {'+RSS MB':>7}  result")
        for name, path in cases.items():
            code, elapsed, _peak, what = run(path)
            inner = read_only(path)
            broken = name not in ("valid (small)", "256k vocabulary + 1 GB tensors")
            if broken and (code != 3 or inner["read_s"] >= 1.0 or inner["grew_mb"] >= 100):
                ok = False
            print(
                f"{name:32} {code:>4} {elapsed:>6.3f} {inner['read_s']:>7.4f}"
                f" {inner['grew_mb']:>7.1f}  {what}"
            )
        print(
            "cli s: the whole `compliance scan` process; read s / +RSS MB: read_local alone, peak"
            " RSS growth over the process after imports"
        )
    print("floor met" if ok else "FLOOR NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())

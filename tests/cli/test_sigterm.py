"""SIGTERM during a large cold scan: the run stops with exit 143 and a message, like SIGINT's
130, and the child processes (prefetch workers, multiprocessing's resource tracker) go with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakehub import Fault


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out: set[int] = set()
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in out:
                out.add(child)
                stack.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(
    not Path("/proc").is_dir() or (os.cpu_count() or 1) < 2,
    reason="needs Linux /proc and 2 or more cores",
)
def test_sigterm_during_a_cold_scan_exits_143_and_ends_the_children(fake_hub, tmp_path):
    fake_hub.add_fault(r"^/api/models/", Fault(hang=20))
    models = [f"acme/model-{i}" for i in range(80)]  # over prefetch.MIN_MODELS
    proc = subprocess.Popen(
        [sys.executable, "-m", "compliance", "scan", *models, "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COMPLIANCE_HUB_RETRY_BUDGET": "60"},
        start_new_session=True,
    )
    try:
        # wait until the prefetch children are asking the (hanging) Hub
        for _ in range(300):
            if len(fake_hub.requests) >= 2:
                break
            time.sleep(0.1)
        assert fake_hub.requests, "the scan never reached the Hub"
        family = _descendants(proc.pid)
        assert family, "no child processes were started"
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)  # stdout is closed: nothing holds it open
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 143, err
    assert b"terminated" in err
    assert b"Traceback" not in err
    for _ in range(100):
        if not any(_alive(p) for p in family):
            break
        time.sleep(0.1)
    assert not [p for p in family if _alive(p)]

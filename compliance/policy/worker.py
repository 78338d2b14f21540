"""`python -m compliance.policy.worker`: evaluates policy in a child process.

Used when custom packs are configured, so that a crash inside rego-cpp ends this process, not
the caller's: the parent sees the pipe close and reports an error, never an allow. Protocol:
JSON lines on stdin/stdout (see engine.WorkerEvaluator).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ..errors import PolicyError
from .engine import InProcessEvaluator, Module


def _send(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main() -> int:
    setup_line = sys.stdin.readline()
    if not setup_line:
        return 2
    setup = json.loads(setup_line)
    modules = [Module(**m) for m in setup["modules"]]
    try:
        evaluator = InProcessEvaluator(setup["data"], modules)
    except PolicyError as exc:
        column = getattr(exc, "column", None)
        _send({"error": exc.message, "file": exc.file, "line": exc.line, "column": column})
        return 2
    _send({"ok": True})
    for line in sys.stdin:
        if not line.strip():
            continue
        facts = json.loads(line)
        try:
            hits = evaluator.evaluate(facts)
        except PolicyError as exc:
            _send({"error": str(exc)})
            continue
        _send({"hits": [h.to_json() for h in hits]})
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`compliance policy test`: run the `test_*` rules of a pack's `*_test.rego` files (as
`conftest verify` does).

Every module of the pack (and the built-in packages it imports) is loaded into one regopy
interpreter in a child process (`python -m compliance.policy.verify`): rego-cpp can crash on
some programs, and a crash must be reported as one, never read as a pass. The child prints one
JSON line per test before running it and one with its result, so a crash names the test.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ComplianceError, ExitCode, PolicyError
from .engine import Module

_TEST_RULE = re.compile(r"^(test_[A-Za-z0-9_]+)\b", re.MULTILINE)
TIMEOUT_S = 120


class PolicyCrash(ComplianceError):
    exit_code = ExitCode.RUNTIME


@dataclass(frozen=True)
class TestResult:
    file: str
    package: str
    rule: str
    passed: bool
    detail: str = ""  # "false", "undefined", or an error


def test_rules(modules: Sequence[Module]) -> list[tuple[str, str, str]]:
    """(file, package, rule) of every `test_*` rule in the `*_test.rego` modules."""
    out = []
    for m in modules:
        if m.name.endswith("_test.rego"):
            for rule in dict.fromkeys(_TEST_RULE.findall(m.text)):
                out.append((m.name, m.package, rule))
    return out


def run_tests(modules: Sequence[Module], data: dict[str, Any]) -> list[TestResult]:
    """Run every test rule in a child process; PolicyError (exit 2) when a module does not
    compile, PolicyCrash (exit 3) when the engine dies."""
    tests = test_rules(modules)
    if not tests:
        return []
    setup = {
        "modules": [m.__dict__ for m in modules],
        "data": data,
        "tests": tests,
    }
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "compliance.policy.verify"],
            input=json.dumps(setup),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PolicyCrash(f"policy tests did not finish within {TIMEOUT_S} s") from None
    results: list[TestResult] = []
    running: list[Any] | None = None
    for line in proc.stdout.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue  # rego-cpp may print to stdout
        if not isinstance(msg, dict):
            continue
        if "compile_error" in msg:
            raise PolicyError(str(msg["compile_error"]), file=msg.get("file"), line=msg.get("line"))
        if "running" in msg:
            running = msg["running"]
        elif "result" in msg:
            file, package, rule, passed, detail = msg["result"]
            results.append(TestResult(file, package, rule, bool(passed), detail))
            running = None
    if proc.returncode != 0 or running is not None or len(results) != len(tests):
        where = f" while running {running[1]}.{running[2]} ({running[0]})" if running else ""
        raise PolicyCrash(
            f"the policy engine stopped (exit status {proc.returncode}){where}; the tests did not"
            " all run"
        )
    return results


def _child() -> int:
    import regopy

    setup = json.loads(sys.stdin.read())
    interp = regopy.Interpreter()
    interp.log_level = regopy.LogLevel.NONE
    modules = [Module(**m) for m in setup["modules"]]
    try:
        for m in modules:
            interp.add_module(m.name, m.text)
        interp.add_data_json(json.dumps(setup["data"]))
    except Exception as exc:
        _emit_compile_error(exc, modules)
        return 2
    for file, package, rule in setup["tests"]:
        _emit({"running": [file, package, rule]})
        try:
            output = interp.query(f"x = data.{package}.{rule}")
            results = output.results
            value = results[0].bindings.get("x") if results else None
        except Exception as exc:
            if "(error" in str(exc) and "|" in str(exc):  # a compile error, reported lazily
                _emit_compile_error(exc, modules)
                return 2
            _emit({"result": [file, package, rule, False, f"error: {str(exc)[:300]}"]})
            continue
        passed = value is True
        detail = "" if passed else ("undefined" if value is None else f"got {value!r}")
        _emit({"result": [file, package, rule, passed, detail]})
    return 0


def _emit_compile_error(exc: Exception, modules: Sequence[Module]) -> None:
    from .engine import compile_error

    err = compile_error(exc, modules)
    column = getattr(err, "column", None)
    where = f":{column}" if column is not None and err.line is not None else ""
    _emit({"compile_error": err.message + where, "file": err.file, "line": err.line})


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def modules_for(paths: Sequence[Path], *, builtin: bool) -> list[Module]:
    """The pack modules under `paths` (tests included) with the built-in packages (their tests
    only when `builtin`)."""
    from .engine import builtin_modules, pack_modules

    return builtin_modules(include_tests=builtin) + pack_modules(list(paths), include_tests=True)


if __name__ == "__main__":
    sys.exit(_child())

"""Rego evaluation with regopy (rego-cpp): one interpreter, one compiled bundle, one query a model.

Why this shape (see /work/shared/notes/regopy.md):
- A single query over all models is quadratic in rego-cpp; one query per model on a reused
  interpreter is linear. A plain `query()` recompiles the program every call, so the modules,
  the data and the query are compiled once into a bundle and each model runs `query_bundle`.
- Compile errors are printed to stdout by the C++ library: `log_level = NONE` silences them and
  the RegoError text (module name, byte offset) becomes `file:line:col`.
- Custom packs are code loaded into the process and rego-cpp can crash (segfault) on some
  programs. When packs are configured, evaluation runs in a child process
  (`python -m compliance.policy.worker`) and a crash becomes a PolicyCrash (exit 3), never an
  allow.
- Any result that is not the expected JSON object is an error, never an empty finding list.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ExitCode, PolicyError
from ..resources import policies_dir

log = logging.getLogger("compliance")

if TYPE_CHECKING:
    from ..facts.model import ModelFacts
    from .resultcache import ResultCache

RESULT_PACKAGE = "compliance_result"
RESULT_QUERY = f"x = data.{RESULT_PACKAGE}.result"
SETS = ("deny", "warn", "info", "unknown")
_PACKAGE_RE = re.compile(
    r"^[ \t]*package[ \t]+([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
)
# A rule head for one of the finding sets: the set's name starting a line (after `default`).
# A false positive only costs a lookup (it defaults to empty); a miss would drop findings, so
# the pattern is deliberately loose.
_SET_HEAD_RE = re.compile(r"^[ \t]*(?:default[ \t]+)?(deny|warn|info|unknown)\b", re.MULTILINE)
_RESERVED_PACKAGES = {"compliance.config", "compliance.regions", "compliance.countries"}
# `opa.runtime()` hands a pack the process environment (tokens included). Rego has no dynamic
# calls, so a pack can only reach it by naming it: such a pack is refused.
_RUNTIME_RE = re.compile(r"\bopa\s*\.\s*runtime\b")
# Time budgets for custom packs (seconds), unless the configuration sets others.
SECONDS_PER_MODEL = 2.0
SECONDS_PER_RUN = 600.0
# Starting the worker and compiling the packs is not a model's evaluation: its own allowance.
SECONDS_TO_LOAD = 30.0


class PolicyCrash(PolicyError):
    """Policy evaluation died (a crash in rego-cpp): a runtime failure, never an allow."""

    exit_code = ExitCode.RUNTIME


class PolicyEvaluationError(PolicyError):
    """A rule raised an error while evaluating one model: a runtime failure (exit 3)."""

    exit_code = ExitCode.RUNTIME


class PolicyTimeout(PolicyCrash):
    """A custom pack ran past its time budget; the worker was killed (exit 3)."""


class PolicyCompileError(PolicyError):
    """A module does not compile: printed as `file:line:col: message` (exit 2)."""

    def __init__(self, message: str, *, file: str, line: int, column: int):
        super().__init__(message, file=file, line=line)
        self.column = column

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True)
class RuleHit:
    """One finding as a rule produced it: `severity` is deny | warn | info | unknown."""

    code: str
    severity: str
    message: str
    package: str

    def to_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "package": self.package,
        }


@dataclass(frozen=True)
class Module:
    name: str  # the file path (or policies/<file> for built-ins); rego-cpp reports it
    text: str
    package: str
    builtin: bool

    @property
    def sets(self) -> frozenset[str]:
        """The finding sets this module defines rules for."""
        return frozenset(_SET_HEAD_RE.findall(self.text))


# ---------------------------------------------------------------------------------------------
# Loading modules


def builtin_modules(*, include_tests: bool = False) -> list[Module]:
    root = policies_dir()
    out = []
    for path in sorted(root.glob("*.rego")):
        if path.name.endswith("_test.rego") and not include_tests:
            continue
        text = path.read_text(encoding="utf-8")
        out.append(Module(f"policies/{path.name}", text, package_of(text, str(path)), True))
    return out


def pack_modules(packs: Sequence[Path], *, include_tests: bool = False) -> list[Module]:
    """The .rego files of each pack (a file or a folder, searched recursively)."""
    out = []
    for pack in packs:
        if pack.is_dir():
            files = sorted(p for p in pack.rglob("*.rego") if p.is_file())
            if not files:
                raise PolicyError("policy pack folder contains no .rego files", file=str(pack))
        elif pack.is_file():
            files = [pack]
        else:
            raise PolicyError("policy pack not found", file=str(pack))
        for path in files:
            if path.name.endswith("_test.rego") and not include_tests:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise PolicyError(f"cannot read policy pack: {exc}", file=str(path)) from exc
            package = package_of(text, str(path))
            _check_pack(text, package, str(path))
            out.append(Module(str(path), text, package, False))
    return out


def builtin_packages() -> frozenset[str]:
    """The packages of the shipped policies (tests included): reserved for them."""
    return frozenset(m.package for m in builtin_modules(include_tests=True))


def _check_pack(text: str, package: str, where: str) -> None:
    """A pack may only add a package of its own: never extend or shadow a built-in one (that
    could redefine its helpers and switch core rules off), never read the environment."""
    if not package.startswith("compliance.") or package in _RESERVED_PACKAGES:
        raise PolicyError(
            f"package {package} is not allowed: packs declare `package compliance.<name>`"
            " (not compliance.config, compliance.regions or compliance.countries)",
            file=where,
            line=_package_line(text),
        )
    for reserved in sorted(builtin_packages() | _RESERVED_PACKAGES):
        if package == reserved or package.startswith(reserved + "."):
            raise PolicyError(
                f"package {package} is reserved for the built-in policies: a pack may add"
                " findings in a package of its own, never change the built-in rules",
                file=where,
                line=_package_line(text),
            )
    for number, line in enumerate(text.splitlines(), 1):
        if _RUNTIME_RE.search(line):
            raise PolicyError(
                "opa.runtime is not available to policy packs (it exposes the environment)",
                file=where,
                line=number,
            )


def package_of(text: str, where: str) -> str:
    for line in text.splitlines():
        match = _PACKAGE_RE.match(line)
        if match:
            return match.group(1)
    raise PolicyError("no `package` declaration", file=where)


def _package_line(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if _PACKAGE_RE.match(line):
            return number
    return None


def result_module(modules: Iterable[Module]) -> str:
    """The generated module that gathers every package's finding sets into one object.

    Only the sets a package defines are referenced: in rego-cpp, looking up a rule a package
    does not have evaluates the whole package, which multiplied the cost per model. Each set
    still has a `default`, so an empty one never makes the whole result undefined.
    """
    by_package: dict[str, set[str]] = {}
    for module in modules:
        by_package.setdefault(module.package, set()).update(module.sets)
    lines = [f"package {RESULT_PACKAGE}", "", "import rego.v1", ""]
    entries = []
    for index, (package, sets) in enumerate(sorted(by_package.items())):
        if not sets:
            continue
        fields = []
        for name in sorted(sets):
            var = f"p{index}_{name}"
            lines += [f"default {var} := []", f"{var} := data.{package}.{name}", ""]
            fields.append(f'"{name}": {var}')
        entries.append(f'"{package}": {{{", ".join(fields)}}}')
    lines.append("result := {" + ", ".join(entries) + "}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Errors from rego-cpp

_ERROR_RE = re.compile(r"\(error \d+:(?P<name>[^\n]*?)\|(?P<offset>\d+)\|(?P<length>\d+)")
_ERRMSG_RE = re.compile(r"\(errormsg \d+:(?P<msg>[^\n]*)\)")


def locate(text: str, offset: int) -> tuple[int, int]:
    """A byte offset into `text` -> (line, column), both 1-based; the column counts characters."""
    data = text.encode("utf-8")
    offset = max(0, min(offset, len(data)))
    before = data[:offset]
    line = before.count(b"\n") + 1
    col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
    return line, col


def compile_error(exc: Exception, modules: Sequence[Module]) -> PolicyError:
    """Turn a RegoError into a PolicyError naming file:line:col and rego-cpp's message."""
    raw = str(exc)
    by_name = {m.name: m for m in modules}
    message_match = _ERRMSG_RE.search(raw)
    message = message_match.group("msg").strip() if message_match else raw.strip()[:300]
    for match in _ERROR_RE.finditer(raw):
        module = by_name.get(match.group("name"))
        if module is None:
            continue
        line, col = locate(module.text, int(match.group("offset")))
        return PolicyCompileError(
            f"policy does not compile: {message}", file=module.name, line=line, column=col
        )
    return PolicyError(f"policy does not compile: {message}")


# ---------------------------------------------------------------------------------------------
# Evaluation


def parse_result(result: Any, model: str) -> list[RuleHit]:
    """The result object -> RuleHits. Anything malformed is an error or a deny, never dropped."""
    if not isinstance(result, dict):
        raise PolicyEvaluationError(f"policy result for {model} is not an object")
    hits: list[RuleHit] = []
    for package, sets in sorted(result.items()):
        if not isinstance(sets, dict):
            raise PolicyEvaluationError(
                f"policy result for {model}: package {package} is malformed"
            )
        for severity in SETS:
            if severity not in sets:
                continue
            items = sets[severity]
            if not isinstance(items, list):
                # A set rule that is not a set (e.g. `deny := true`) is a pack bug; fail closed.
                hits.append(
                    RuleHit(
                        "invalid-finding",
                        "deny",
                        f"{package}.{severity} is not a set of {{code, msg}} objects",
                        package,
                    )
                )
                continue
            for item in items:
                hits.append(_hit(item, severity, package))
    return sorted(hits, key=lambda h: (h.code, h.severity, h.message))


def _hit(item: Any, severity: str, package: str) -> RuleHit:
    if isinstance(item, dict) and isinstance(item.get("code"), str) and item["code"]:
        msg = item.get("msg", item.get("message"))
        return RuleHit(item["code"], severity, msg if isinstance(msg, str) else str(msg), package)
    text = item if isinstance(item, str) else json.dumps(item, sort_keys=True)
    # conftest-style string findings keep their set's severity; anything else denies
    return RuleHit(
        "invalid-finding",
        severity if isinstance(item, str) and severity != "info" else "deny",
        f"{package}.{severity}: {text}",
        package,
    )


class InProcessEvaluator:
    """One regopy interpreter and one compiled bundle, reused for every model."""

    def __init__(self, data: dict[str, Any], modules: Sequence[Module]):
        import regopy

        self._modules = list(modules)
        self._interp = regopy.Interpreter()
        self._interp.log_level = regopy.LogLevel.NONE
        all_modules = [*self._modules]
        gather = Module(
            f"<{RESULT_PACKAGE}>",
            result_module(self._modules),
            RESULT_PACKAGE,
            True,
        )
        all_modules.append(gather)
        try:
            for module in all_modules:
                self._interp.add_module(module.name, module.text)
            self._interp.add_data_json(json.dumps(data))
            self._bundle = self._interp.build(RESULT_QUERY, [f"{RESULT_PACKAGE}/result"])
        except regopy.RegoError as exc:
            raise compile_error(exc, all_modules) from exc

    def evaluate(self, facts: dict[str, Any]) -> list[RuleHit]:
        import regopy

        model = str(facts.get("model"))
        try:
            # JSON text, not regopy.Input(): rego-cpp writes strings that came in through
            # Input() back out unescaped, so a quote in a licence name would break the result.
            self._interp.set_input_term(json.dumps(facts))
            output = self._interp.query_bundle(self._bundle)
        except regopy.RegoError as exc:
            raise PolicyEvaluationError(f"policy evaluation failed for {model}: {exc}") from exc
        except json.JSONDecodeError as exc:
            # rego-cpp reports runtime errors inside the result, which is then not JSON
            raise PolicyEvaluationError(
                f"policy evaluation failed for {model}: a rule raised an error ({exc.msg})"
            ) from exc
        results = output.results
        if len(results) != 1 or "x" not in results[0].bindings:
            raise PolicyEvaluationError(
                f"policy evaluation failed for {model}: {str(output)[:300]}"
            )
        return parse_result(results[0].bindings["x"], model)

    def close(self) -> None:
        pass


WORKER_COMMAND: list[str] = [sys.executable, "-m", "compliance.policy.worker"]


def worker_environment() -> dict[str, str]:
    """The policy worker's whole environment: where this package lives, and UTF-8 I/O."""
    package_root = Path(__file__).resolve().parents[2]
    return {"PYTHONPATH": str(package_root), "PYTHONUTF8": "1", "PYTHONIOENCODING": "utf-8"}


class WorkerEvaluator:
    """The same evaluation in a child process, for configurations with custom packs.

    Protocol (JSON lines): parent sends {"data", "modules"}; the worker answers {"ok": true} or
    {"error", "file", "line"}; then one facts object per line in, one {"hits"} or {"error"} out.
    """

    def __init__(
        self,
        data: dict[str, Any],
        modules: Sequence[Module],
        *,
        seconds_per_model: float = SECONDS_PER_MODEL,
        seconds_per_run: float = SECONDS_PER_RUN,
    ):
        import subprocess
        import tempfile
        import time

        self._packs = sorted({m.name for m in modules if not m.builtin})
        self._per_model = seconds_per_model
        self._run_ends = time.monotonic() + seconds_per_run
        self._per_run = seconds_per_run
        self._pending = b""
        # stderr goes to a file, not a pipe nobody reads (a full pipe would block the worker)
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        # Packs are untrusted code: the worker gets an empty environment (no tokens), only
        # what Python needs to find this package.
        self._proc = subprocess.Popen(
            WORKER_COMMAND,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=worker_environment(),
        )
        setup = {
            "data": data,
            "modules": [
                {"name": m.name, "text": m.text, "package": m.package, "builtin": m.builtin}
                for m in modules
            ],
        }
        try:
            reply = self._exchange(
                json.dumps(setup), "loading the policy", max(self._per_model, SECONDS_TO_LOAD)
            )
        except PolicyError:
            self.close()
            raise
        if "error" in reply:
            self.close()
            if reply.get("file") and reply.get("line") and reply.get("column"):
                raise PolicyCompileError(
                    reply["error"], file=reply["file"], line=reply["line"], column=reply["column"]
                )
            raise PolicyError(reply["error"], file=reply.get("file"), line=reply.get("line"))

    def _exchange(self, line: str, what: str, budget: float | None = None) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        try:
            self._proc.stdin.write(line.encode("utf-8") + b"\n")
            self._proc.stdin.flush()
            answer = self._read_line(what, budget)
        except (BrokenPipeError, OSError):
            answer = b""
        if not answer:
            raise self._crashed(what)
        try:
            reply: dict[str, Any] = json.loads(answer)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise PolicyCrash(f"policy worker sent an unreadable answer while {what}") from exc
        return reply

    def _read_line(self, what: str, budget: float | None = None) -> bytes:
        """One answer line, within the model's budget (or `budget`) and what is left of the
        run's; past either, the worker is killed and the run stops (exit 3) naming what it was
        doing."""
        import os
        import selectors
        import time

        assert self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        now = time.monotonic()
        allowed = self._per_model if budget is None else budget
        per_run = self._run_ends <= now + allowed
        deadline = min(now + allowed, self._run_ends)
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._pending:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise self._timed_out(what, per_run)
                chunk = os.read(fd, 65536)
                if not chunk:
                    return b""
                self._pending += chunk
        answer, _, self._pending = self._pending.partition(b"\n")
        return answer

    def _timed_out(self, what: str, per_run: bool) -> PolicyTimeout:
        self._proc.kill()
        self._proc.wait()
        budget = (
            f"the time budget of {self._per_run:g} s per run"
            if per_run
            else f"the time budget of {self._per_model:g} s per model"
        )
        packs = ", ".join(self._packs) or "none"
        return PolicyTimeout(
            f"policy evaluation exceeded {budget} while {what}; custom packs: {packs}."
            " No decision was made: treat the models as not approved"
        )

    def _crashed(self, what: str) -> PolicyCrash:
        import subprocess

        try:
            code = self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            code = self._proc.wait()
        self._stderr.seek(0)
        stderr = self._stderr.read(65536).decode("utf-8", errors="replace").strip()
        how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        if code == -11:
            how += " (segmentation fault in rego-cpp)"
        detail = f"; stderr: {stderr.splitlines()[-1][:200]}" if stderr else ""
        packs = ", ".join(self._packs) or "none"
        return PolicyCrash(
            f"policy evaluation crashed ({how}) while {what}; custom packs: {packs}{detail}."
            " No decision was made: treat the models as not approved"
        )

    def evaluate(self, facts: dict[str, Any]) -> list[RuleHit]:
        model = str(facts.get("model"))
        reply = self._exchange(json.dumps(facts), f"evaluating {model}")
        if "error" in reply:
            raise PolicyEvaluationError(str(reply["error"]))
        return [RuleHit(**hit) for hit in reply["hits"]]

    def close(self) -> None:
        """Idempotent: ends the worker (closing its stdin ends its loop) and frees the pipes."""
        import subprocess

        if self._proc.stdin is not None and not self._proc.stdin.closed:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        if self._proc.poll() is None:
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._stderr.close()


class PolicyEngine:
    """Built-in policies plus custom packs, evaluated one model at a time."""

    def __init__(
        self,
        data: dict[str, Any],
        packs: Sequence[Path] = (),
        *,
        include_tests: bool = False,
        isolate: bool | None = None,
        result_cache: Path | None = None,
        seconds_per_model: float = SECONDS_PER_MODEL,
        seconds_per_run: float = SECONDS_PER_RUN,
    ):
        self.data = data
        self._budget = {"seconds_per_model": seconds_per_model, "seconds_per_run": seconds_per_run}
        self.modules = builtin_modules(include_tests=include_tests) + pack_modules(
            packs, include_tests=include_tests
        )
        self.isolated = bool(packs) if isolate is None else isolate
        self._evaluator_obj: InProcessEvaluator | WorkerEvaluator | None = None
        # Custom packs may read anything, including the model's name: no memo with packs.
        self._memo: dict[str, list[RuleHit]] | None = None if packs else {}
        # Built-in rules only: results kept on disk (compliance.policy.resultcache); the
        # interpreter is then compiled only when an input was not seen before.
        self._results: ResultCache | None = None
        if result_cache is not None and self._memo is not None:
            from .resultcache import ResultCache, policy_stamp

            self._results = ResultCache(result_cache, policy_stamp(data, self.modules))
        else:
            self._evaluator_obj = self._make_evaluator()

    def _make_evaluator(self) -> InProcessEvaluator | WorkerEvaluator:
        if self.isolated:
            return WorkerEvaluator(self.data, self.modules, **self._budget)
        return InProcessEvaluator(self.data, self.modules)

    @property
    def _evaluator(self) -> InProcessEvaluator | WorkerEvaluator:
        if self._evaluator_obj is None:
            self._evaluator_obj = self._make_evaluator()
        return self._evaluator_obj

    def _lookup(self, key: str) -> list[RuleHit] | None:
        """The memo's hits for an input key, else the result cache's (then memoised)."""
        assert self._memo is not None
        hits = self._memo.get(key)
        if hits is None and self._results is not None:
            hits = self._results.get(key)
            if hits is not None:
                self._memo[key] = hits
        return hits

    def _remember(self, key: str, hits: list[RuleHit]) -> None:
        assert self._memo is not None
        self._memo[key] = hits
        if self._results is not None:
            self._results.put(key, hits)

    @classmethod
    def from_config(cls, config: Any, **kwargs: Any) -> PolicyEngine:
        pol = config.policy
        kwargs.setdefault("seconds_per_model", pol.pack_seconds_per_model)
        kwargs.setdefault("seconds_per_run", pol.pack_seconds_per_run)
        return cls(policy_data(config), pol.packs, **kwargs)

    def evaluate(self, facts: dict[str, Any]) -> list[RuleHit]:
        """Evaluate one policy input (see `policy_input`)."""
        if self._memo is None:
            return self._evaluator.evaluate(facts)
        # Built-in rules never read the model's name, revision or source, so models with the
        # same terms get the same findings: evaluate each distinct set of terms once.
        key = _memo_key(facts)
        hits = self._lookup(key)
        if hits is None:
            hits = self._evaluator.evaluate(facts)
            self._remember(key, hits)
        return list(hits)

    def evaluate_facts(self, facts: ModelFacts) -> list[RuleHit]:
        if self._memo is not None:  # built-in rules only
            return self.evaluate(builtin_input(facts))
        return self.evaluate(policy_input(facts))

    def evaluate_facts_many(self, facts: Sequence[ModelFacts]) -> list[list[RuleHit]]:
        """Findings for many models, in order. Built-in rules only: each distinct input is
        evaluated once, and when there are many, spread over helper processes (one query per
        model in each), since rego-cpp runs one query at a time per interpreter."""
        if self._memo is None:
            return [self.evaluate(policy_input(f)) for f in facts]
        inputs = [builtin_input(f) for f in facts]
        keys = [_memo_key(i) for i in inputs]
        pending: dict[str, dict[str, Any]] = {}
        for key, item in zip(keys, inputs, strict=True):
            if key not in pending and self._lookup(key) is None:
                pending[key] = item
        distinct = len(set(keys))
        log.info(
            "policy: %d distinct input(s) for %d model(s): %d from the memo or result cache,"
            " %d evaluated",
            distinct,
            len(keys),
            distinct - len(pending),
            len(pending),
        )
        helpers = _helper_count(len(pending))
        if helpers:
            results = _evaluate_spread(self, list(pending.values()), helpers)
            for key, hits in zip(pending, results, strict=True):
                self._remember(key, hits)
        else:
            for key, item in pending.items():
                self._remember(key, self._evaluator.evaluate(item))
        if self._results is not None:
            self._results.save()
        return [list(self._memo[key]) for key in keys]

    def close(self) -> None:
        if self._results is not None:
            self._results.save()
        if self._evaluator_obj is not None:
            self._evaluator_obj.close()

    def __enter__(self) -> PolicyEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_IDENTITY = ("model", "revision", "source")
# Spread evaluation over helper processes from this many distinct inputs on (each helper costs
# a Python start and a compile, ~0.3 s); at most this many helpers.
PARALLEL_MIN = 2000
MAX_HELPERS = 7


def _memo_key(facts: dict[str, Any]) -> str:
    return json.dumps(
        {k: v for k, v in facts.items() if k not in _IDENTITY}, sort_keys=True, default=str
    )


def _helper_count(pending: int) -> int:
    import os

    if pending < PARALLEL_MIN:
        return 0
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(0, min((cpus or 1) - 1, MAX_HELPERS, pending // (PARALLEL_MIN // 2) - 1))


def _evaluate_spread(
    engine: PolicyEngine, items: list[dict[str, Any]], helpers: int
) -> list[list[RuleHit]]:
    """Evaluate `items` here and in `helpers` worker processes at once; results in order.

    Each worker has its own interpreter; the calling thread keeps one share for the in-process
    interpreter (regopy releases the GIL inside rego-cpp). Any worker failure is raised.
    """
    import threading

    shares = helpers + 1
    chunks = [items[i::shares] for i in range(shares)]
    out: list[list[list[RuleHit]] | None] = [None] * shares
    errors: list[BaseException] = []
    # built-in rules only here (trusted, ~1 ms a model): no run budget
    workers = [
        WorkerEvaluator(engine.data, engine.modules, seconds_per_run=float("inf"))
        for _ in range(helpers)
    ]

    def run(index: int, evaluator: WorkerEvaluator) -> None:
        try:
            out[index] = [evaluator.evaluate(item) for item in chunks[index]]
        except BaseException as exc:  # re-raised in the caller
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(i + 1, w), daemon=True) for i, w in enumerate(workers)
    ]
    try:
        for thread in threads:
            thread.start()
        out[0] = [engine._evaluator.evaluate(item) for item in chunks[0]]
        for thread in threads:
            thread.join()
    finally:
        for worker in workers:
            worker.close()
    if errors:
        raise errors[0]
    results: list[list[RuleHit]] = [[] for _ in items]
    for share, chunk in enumerate(out):
        assert chunk is not None
        for offset, hits in enumerate(chunk):
            results[share + offset * shares] = hits
    return results


# Bulky fields no rule needs; the rest of ModelFacts.to_json() is the policy input for packs.
_NOT_INPUT = ("evidence", "lineage", "license_files", "notes", "fetched_at", "digest")


def policy_input(facts: ModelFacts) -> dict[str, Any]:
    """The Rego `input` for one model: its facts JSON with `effective` terms, minus evidence."""
    data = facts.to_json()
    for key in _NOT_INPUT:
        data.pop(key, None)
    data["findings"] = [
        {"code": f.code, "severity": f.severity, "message": f.message} for f in facts.findings
    ]
    data["effective"] = _with_family(data["effective"])
    return data


def _with_family(terms: dict[str, Any]) -> dict[str, Any]:
    """The effective terms with `license_family` (the key without date or version) added."""
    from .family import license_family

    return {**terms, "license_family": license_family(terms.get("license_key"))}


def builtin_input(facts: ModelFacts) -> dict[str, Any]:
    """The part of the input the built-in rules read (tests check they read nothing else).

    Smaller input is cheaper for rego-cpp, and models with the same terms share one evaluation.
    """
    terms = _with_family(facts.effective_terms().to_json())
    return {
        "model": facts.model,  # for error messages; not part of the memo key, rules don't read it
        "license": {"declared": facts.license.declared},
        "publisher": {"country": facts.publisher.country},
        "multimodal": facts.multimodal,
        "eu_gate_disallowed": facts.eu_gate_disallowed,
        "effective": terms,
        "findings": [
            {"code": f.code, "severity": f.severity, "message": f.message} for f in facts.findings
        ],
    }


def policy_data(config: Any) -> dict[str, Any]:
    """data.compliance for a Config: organisation, policy settings, region tables."""
    from .regions import ISO_COUNTRIES, as_data, regions_of

    org = config.organization
    pol = config.policy
    return {
        "compliance": {
            "config": {
                "organization": {
                    "domicile": org.domicile,
                    "regions": list(regions_of(org.domicile)),
                    "monthly_active_users": org.monthly_active_users,
                    "annual_revenue_usd": org.annual_revenue_usd,
                    "use": org.use,
                    "trains_on_outputs": org.trains_on_outputs,
                },
                "policy": {
                    "allow_classes": list(pol.effective_allow_classes(org.use)),
                    "deny_origins": list(pol.deny_origins),
                    "unknown": pol.unknown,
                },
            },
            "regions": as_data(),
            "countries": dict.fromkeys(sorted(ISO_COUNTRIES), True),
        }
    }

"""The GitHub Action's check step: `python -m compliance.github_action`.

Runs `compliance check` over the same inputs, as a user would: with `--format sarif` (written to
the SARIF file the upload step sends to code scanning, unless `upload-sarif: false`), with
`--format github` (printed: workflow commands that annotate the lines whether or not SARIF is
uploaded) and with `--format json`, from which it appends a Markdown table (model, file:line,
decision, codes) to $GITHUB_STEP_SUMMARY and writes the allow / warn / deny counts to
$GITHUB_OUTPUT. With
--bom-file it also runs `compliance audit --format cyclonedx --output FILE` (the same models and
decisions) for the upload-artifact step.

Exit status: 0 when no decision reaches --fail-on, 1 when one does, and check's own code (2 usage
or config error, 3 runtime error) when the tool could not decide; then the SARIF file still
holds a valid log that records the failure, so the upload step (`if: always()`) has a file.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .report.escape import code_fence, guard_lines, markdown_code, text_block
from .report.markdown import cell
from .report.sarif import failed_run

FAIL_ON = ("deny", "warn", "never")
DEFAULT_CONFIG = "compliance.yaml"
DECISION_MARK = {"allow": "✅ allow", "warn": "⚠️ warn", "deny": "⛔ deny"}


def check_argv(paths: str, config: str) -> list[str]:
    """`check` arguments: the paths input split like a shell would; --config when it applies.

    The default config name is passed only when the file exists, so a repository without one
    still gets the tool's defaults; any other name is passed as is (a missing file is an error).
    """
    argv = ["check", *shlex.split(paths or ".")]
    if config and (config != DEFAULT_CONFIG or Path(config).is_file()):
        argv += ["--config", config]
    return argv


def run_check(argv: Sequence[str], fmt: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compliance", *argv, "--format", fmt],
        capture_output=True,
        text=True,
        check=False,
    )


def annotate(argv: Sequence[str]) -> None:
    """Print `check --format github`: workflow commands (`::error file=,line=::`) that annotate
    the lines, so a run without the SARIF upload still points at them."""
    result = run_check(argv, "github")
    if result.stdout.lstrip().startswith("::"):  # only workflow commands, never a stray line
        sys.stdout.write(result.stdout)
        sys.stdout.flush()


def run_bom(argv: Sequence[str], path: Path) -> subprocess.CompletedProcess[str]:
    """`compliance audit ... --format cyclonedx --output PATH` over the check's inputs."""
    return subprocess.run(
        [
            *(sys.executable, "-m", "compliance", "audit", *argv[1:]),
            *("--format", "cyclonedx", "--output", str(path)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def write_bom(argv: Sequence[str], path: Path) -> str | None:
    """Write the CycloneDX file; the reason when it could not be written, else None."""
    if path.parent != Path():
        path.parent.mkdir(parents=True, exist_ok=True)
    proc = run_bom(argv, path)
    sys.stderr.write(proc.stderr)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return (
            proc.stderr.strip()
            or f"compliance audit wrote no CycloneDX file (exit {proc.returncode})"
        )
    if not isinstance(data, dict) or data.get("bomFormat") != "CycloneDX":
        return "compliance audit wrote something that is not a CycloneDX document"
    return None


def _locations(raw: Any) -> list[tuple[str | None, int | None]]:
    out: list[tuple[str | None, int | None]] = []
    for loc in raw or ():
        if isinstance(loc, dict):
            out.append((loc.get("file"), loc.get("line")))
        elif isinstance(loc, (list, tuple)) and loc:
            out.append((loc[0], loc[1] if len(loc) > 1 else None))
    return out


def decisions_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The decisions in a `compliance.check/v1` JSON document."""
    raw = data.get("decisions")
    if raw is None:
        raw = data.get("models", [])
    return [d for d in raw if isinstance(d, dict)]


def summary_table(decisions: Sequence[dict[str, Any]]) -> list[list[str]]:
    rows: list[list[str]] = []
    for d in decisions:
        deciding = d.get("codes")  # check's deciding codes: not waived, not info
        if not isinstance(deciding, list):
            deciding = [f.get("code", "?") for f in d.get("findings", []) if isinstance(f, dict)]
        codes = ", ".join(dict.fromkeys(str(c) for c in deciding))
        rev = f"@{d['revision']}" if d.get("revision") else ""
        model = f"{d.get('model', '?')}{rev}"
        places = _locations(d.get("locations")) or [(None, None)]
        for file, line in places:
            while file and file.startswith("./"):  # as SARIF and annotations name it
                file = file[2:]
            where = "command line" if not file else (f"{file}:{line}" if line else str(file))
            rows.append([model, where, str(d.get("decision", "?")), codes or "—"])
    return rows


def counts_of(decisions: Sequence[dict[str, Any]]) -> dict[str, int]:
    counts = {"allow": 0, "warn": 0, "deny": 0}
    for d in decisions:
        key = str(d.get("decision"))
        counts[key] = counts.get(key, 0) + 1
    return counts


def reaches(counts: dict[str, int], fail_on: str) -> bool:
    if fail_on == "never":
        return False
    if fail_on == "warn":
        return counts.get("warn", 0) + counts.get("deny", 0) > 0
    return counts.get("deny", 0) > 0


def render_summary(decisions: Sequence[dict[str, Any]], fail_on: str, failed: bool) -> str:
    counts = counts_of(decisions)
    lines = [
        "## Model licence compliance",
        "",
        f"{len(decisions)} model(s): {counts['allow']} allow, {counts['warn']} warn,"
        f" {counts['deny']} deny (fails on {fail_on}): **{'failed' if failed else 'passed'}**",
        "",
    ]
    if decisions:
        lines += ["| Model | File:line | Decision | Codes |", "|---|---|---|---|"]
        for model, where, decision, codes in summary_table(decisions):
            lines.append(
                f"| {markdown_code(model)} | {markdown_code(where)}"
                f" | {DECISION_MARK.get(decision, cell(decision))} | {cell(codes)} |"
            )
    return "\n".join(lines) + "\n\n"


def _append(path: str | None, text: str) -> None:
    if not path:
        sys.stdout.write(guard_lines(text))  # the runner reads stdout
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text)


def _tool_version() -> str:
    from . import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m compliance.github_action")
    parser.add_argument("--paths", default=".")
    parser.add_argument("--config", default=DEFAULT_CONFIG)
    parser.add_argument("--fail-on", default="deny", choices=FAIL_ON)
    parser.add_argument("--sarif-file", default="compliance.sarif")
    parser.add_argument("--bom-file", default="")
    args = parser.parse_args(argv)

    base = check_argv(args.paths, args.config)
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    output_path = os.environ.get("GITHUB_OUTPUT")
    sarif_path = Path(args.sarif_file)
    if sarif_path.parent != Path():
        sarif_path.parent.mkdir(parents=True, exist_ok=True)

    sarif = run_check(base, "sarif")
    # the runner reads stderr too: nothing the repository names may start a workflow command
    sys.stderr.write(guard_lines(text_block(sarif.stderr)))
    tool_error: tuple[int, str] | None = None
    try:
        json.loads(sarif.stdout)
        sarif_path.write_text(sarif.stdout, encoding="utf-8")
    except ValueError:
        tool_error = (
            sarif.returncode or 3,
            sarif.stderr.strip() or "compliance check produced no SARIF",
        )
        log = failed_run(tool_error[1], tool_version=_tool_version())
        sarif_path.write_text(json.dumps(log, indent=2) + "\n", encoding="utf-8")

    decisions: list[dict[str, Any]] = []
    if tool_error is None:
        annotate(base)
        report = run_check(base, "json")
        try:
            decisions = decisions_of(json.loads(report.stdout))
        except ValueError:
            tool_error = (
                report.returncode or 3,
                report.stderr.strip() or "compliance check produced no JSON",
            )
    bom_path = Path(args.bom_file) if args.bom_file else None
    if bom_path is not None and tool_error is None:
        problem = write_bom(base, bom_path)
        if problem is not None:
            tool_error = (3, problem)
    counts = counts_of(decisions)
    failed = tool_error is not None or reaches(counts, args.fail_on)

    summary = render_summary(decisions, args.fail_on, failed)
    if tool_error is not None:
        code, message = tool_error
        summary += f"**compliance could not decide** (exit {code}):\n\n{code_fence(message)}\n\n"
    elif bom_path is not None:
        summary += f"AI bill of materials (CycloneDX 1.6): `{cell(str(bom_path))}`\n\n"
    _append(summary_path, summary)
    outputs = "".join(f"{k}={v}\n" for k, v in counts.items())
    outputs += f"total={len(decisions)}\nfailed={'true' if failed else 'false'}\n"
    outputs += f"sarif-file={sarif_path}\n"
    outputs += f"bom-file={bom_path or ''}\n"
    if output_path:
        _append(output_path, outputs)

    if tool_error is not None:
        print(f"::error title=compliance::compliance check failed (exit {tool_error[0]})")
        return tool_error[0]
    if failed:
        print(
            f"::error title=compliance::{counts['deny']} deny, {counts['warn']} warn:"
            f" a decision reached fail-on={args.fail_on}"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

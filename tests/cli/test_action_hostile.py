"""The Action's driver: nothing a repository names (file names, card text) reaches the runner
as a workflow command, and the job summary keeps its table and code fences intact."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from compliance import github_action as GA

WORKFLOW = re.compile(r"^[ \t]*(::|##\[)", re.MULTILINE)
EVIL_FILE = "deploy/x```\n::add-mask::hunter2\n| a | b |\n<!-- hide -->\n<script>x</script>.yaml"


def test_summary_table_escapes_file_names_and_codes() -> None:
    decisions = [
        {
            "model": "acme/evil",
            "decision": "deny",
            "codes": ["license-unknown", "x|<img src=x onerror=alert(1)>"],
            "locations": [{"file": EVIL_FILE, "line": 3}],
        },
        {"model": "acme/next", "decision": "deny", "codes": ["eu-restricted"], "locations": []},
    ]
    text = GA.render_summary(decisions, "deny", True)
    # outside code spans (where Markdown shows text literally) no raw HTML is left
    outside = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", text)
    assert "<script" not in outside and "<img" not in outside and "<!--" not in outside
    assert "<script" in text  # the file name is still shown, inside its code span
    assert not WORKFLOW.search(text)
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert len(rows) == 4  # header, rule, two models: no row broken by the file name
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) == 5, row
    assert "acme/next" in rows[3]


def _fake_run(stderr: str, stdout: str, code: int):
    def run(argv, fmt):
        return subprocess.CompletedProcess(argv, code, stdout=stdout, stderr=stderr)

    return run


def test_driver_neutralises_workflow_commands_on_stderr(
    monkeypatch, tmp_path: Path, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    stderr = f"compliance: skipped {EVIL_FILE}\n::error::fake\n\x1b[2Jcleared\n"
    monkeypatch.setattr(GA, "run_check", _fake_run(stderr, "not json", 2))
    code = GA.main(["--paths", "."])
    out = capsys.readouterr()
    assert code == 2
    assert not WORKFLOW.search(out.err)
    assert "\x1b" not in out.err
    # our own error annotation is the only command on stdout
    assert [line for line in out.out.splitlines() if WORKFLOW.match(line)] == [
        "::error title=compliance::compliance check failed (exit 2)"
    ]
    text = summary.read_text(encoding="utf-8")
    fences = re.findall(r"^`{3,}$", text, re.MULTILINE)
    assert len(fences) == 2 and fences[0] == fences[1] and len(fences[0]) > 3
    assert "\x1b" not in text


@pytest.mark.parametrize("name", ["a\nb.yaml", "x\r::error::y.yaml"])
def test_stderr_lines_from_the_cli_fold_file_names(name: str) -> None:
    from compliance.cli.common import stderr_line

    line = stderr_line(f"compliance: skipped {name}")
    assert "\n" not in line and "\r" not in line
    assert not WORKFLOW.search(line)


def test_a_hostile_file_name_reaches_stderr_escaped(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x\n::error::pwn\x1b[2J.yaml").write_text("model: [\n", encoding="utf-8")
    code, out, err = cli("check", ".")
    assert code == 2
    assert "pwn" in err  # named, but as text
    assert not WORKFLOW.search(err) and "\x1b" not in err
    assert not WORKFLOW.search(out)


def test_log_messages_are_escaped() -> None:
    import logging

    from compliance.cli.verbosity import _EscapeLogs

    record = logging.LogRecord(
        "compliance", logging.WARNING, "f", 1, "skipped %s", ("a\n::x",), None
    )
    assert _EscapeLogs().filter(record)
    assert record.getMessage() == "skipped a ::x"

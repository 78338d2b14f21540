"""The README is the user's manual: its quick-start output and command list must stay true."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_demo_output_shown_in_the_readme_is_what_the_demo_prints(cli, monkeypatch):
    monkeypatch.chdir(REPO / "examples")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code, out, _ = cli(
        "check", "litellm-config.yaml", "docker-compose.yaml", "--config", "compliance.yaml"
    )
    assert code == 1  # models are denied, as the README says
    block = README.split("## Quick start", 1)[1].split("```")[3]
    shown = [line for line in block.splitlines() if line and not line.startswith("  ")]
    assert len(shown) >= 5
    printed = out.splitlines()
    for line in shown:
        assert line in printed, line


def test_every_command_in_the_readme_table_exists(cli):
    code, out, _ = cli("--help")
    assert code == 0
    listed = set(re.findall(r"^\| `compliance (\w+)", README, flags=re.M))
    assert {
        "scan",
        "detect",
        "refs",
        "check",
        "explain",
        "audit",
        "lock",
        "cache",
        "init",
    } <= listed
    for name in listed:
        assert f"  {name} " in out, name


def test_quick_start_is_exactly_the_two_make_commands():
    block = README.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in block.splitlines()[1:] if line.strip()]
    assert commands == ["make demo", "make test"]
    makefile = (REPO / "Makefile").read_text()
    assert "\ndemo:" in makefile and "\ntest:" in makefile
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_shortlist_output_shown_in_the_readme_is_what_the_command_prints(cli, monkeypatch):
    monkeypatch.chdir(REPO / "examples")
    section = README.split("### shortlist", 1)[1]
    command = section.split("```sh\n", 1)[1].split("\n", 1)[0]
    assert command.startswith("compliance shortlist --config examples/compliance.yaml ")
    args = command.split()[1:]
    args[args.index("--config") + 1] = "compliance.yaml"
    code, out, _ = cli(*args)
    assert code == 0
    after = section.split("```sh\n", 1)[1].split("```", 1)[1]  # past the command block
    block = after.split("```", 2)[1]  # the next block: the output
    shown = [line for line in block.splitlines() if line.strip() and line.strip() != "..."]
    assert len(shown) >= 10
    printed = out.splitlines()
    for line in shown:
        assert line in printed, line

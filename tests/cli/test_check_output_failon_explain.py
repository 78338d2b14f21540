"""`check -o/--output FILE`, `--fail-on never` (as the Action accepts), and `explain`'s exit code
on a deny: 1, as `check` (documented in its --help and the README)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NC = "---\nlicense: cc-by-nc-4.0\npipeline_tag: text-generation\n---\n# NC\n"
OPEN = "---\nlicense: apache-2.0\npipeline_tag: text-generation\n---\n# Open\n"


@pytest.fixture()
def mirror(tmp_path: Path) -> str:
    for name, card in (("nc", NC), ("open", OPEN)):
        folder = tmp_path / "mirror" / "acme" / name
        folder.mkdir(parents=True)
        (folder / "README.md").write_text(card)
    return f"mirror:{tmp_path / 'mirror'}"


def test_check_output_writes_the_report_to_a_file(tmp_path: Path, cli, mirror: str) -> None:
    target = tmp_path / "reports" / "check.json"
    target.parent.mkdir()
    code, out, err = cli(
        "check", "--model", "acme/nc", "--source", mirror, "--format", "json", "-o", str(target)
    )
    assert code == 1
    assert out == ""
    assert f"wrote {target}" in err
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["schema"] == "compliance.check/v1"
    assert doc["decisions"][0]["decision"] == "deny"


def test_check_output_to_an_unwritable_place_is_exit_2(tmp_path: Path, cli, mirror: str) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = cli(
        "check", "--model", "acme/open", "--source", mirror, "--output", str(blocker / "r.txt")
    )
    assert code == 2 and "cannot write report" in err


def test_fail_on_never_reports_denies_and_exits_0(cli, mirror: str) -> None:
    code, out, _ = cli("check", "--model", "acme/nc", "--source", mirror, "--fail-on", "never")
    assert code == 0
    assert "deny" in out


def test_fail_on_never_still_exits_3_when_a_model_cannot_be_read(cli, mirror: str) -> None:
    code, _, _ = cli("check", "--model", "acme/absent", "--source", mirror, "--fail-on", "never")
    assert code == 3


def test_explain_exits_1_on_a_deny_and_0_on_an_allow(cli, mirror: str) -> None:
    assert cli("explain", "acme/nc", "--source", mirror)[0] == 1
    assert cli("explain", "acme/nc", "--source", mirror, "--format", "json")[0] == 1
    assert cli("explain", "acme/open", "--source", mirror)[0] == 0


def test_explain_help_documents_the_exit_code(cli) -> None:
    code, out, _ = cli("explain", "--help")
    assert code == 0 and "Exit 0 allow" in out and "1 deny" in out

"""check's text output options (issue 17 items 4, 5, 7): -q, --color, -v after the subcommand,
and what -v says (source, cache hits, files read at which sha, how long the Hub took)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from compliance.cli.common import use_color

MODEL = "meta-llama/Llama-3.2-1B-Instruct"
EU = "version: 1\norganization: {domicile: DE, monthly_active_users: 1000}\n"
DENIED = "meta-llama/Llama-3.2-11B-Vision-Instruct"  # eu-restricted for an EU company


@pytest.fixture()
def config(tmp_path: Path) -> Path:
    path = tmp_path / "compliance.yaml"
    path.write_text(EU, encoding="utf-8")
    return path


def test_verbose_after_the_subcommand_says_source_files_sha_and_hub_time(
    fake_hub, cli, config: Path
) -> None:
    code, _out, err = cli("check", "--config", str(config), "--model", MODEL, "-v")
    assert code in (0, 1), err
    assert re.search(r"source: hub http://127\.0\.0\.1:\d+ \(cache ", err), err
    assert re.search(rf"{MODEL}: the Hub answered in \d+\.\d\d s: commit [0-9a-f]{{40}}", err)
    assert re.search(rf"{MODEL}: read .*LICENSE.* at [0-9a-f]{{40}} from the Hub", err), err
    sha = re.search(r"commit ([0-9a-f]{40})", err).group(1)  # type: ignore[union-attr]
    assert "HTTP Request" not in err  # one line per request is -vv detail
    # pinned to that commit, twice: both caches answer, no request
    cli("check", "--config", str(config), "--model", f"{MODEL}@{sha}")
    fake_hub.clear()
    code, _out, err = cli("check", "--config", str(config), "--model", f"{MODEL}@{sha}", "-v")
    assert f"{MODEL}@{sha}: snapshot cache hit at {sha} (no request)" in err
    assert f"{MODEL}: facts cache hit" in err
    assert "policy: 1 distinct input(s) for 1 model(s): 1 from the memo or result cache" in err
    assert fake_hub.requests == []


def test_verbose_counts_add_up_before_and_after(cli, config: Path, fake_hub) -> None:
    _, _, err = cli("-v", "check", "--config", str(config), "--model", MODEL, "-v")
    assert "source: hub" in err
    assert "HTTP Request: GET" in err  # -v -v is -vv


def test_without_verbose_stderr_is_quiet(cli, config: Path, fake_hub) -> None:
    _, _, err = cli("check", "--config", str(config), "--model", MODEL)
    assert "source: hub" not in err and "Hub answered" not in err


def test_quiet_flag(cli, config: Path, fake_hub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_test_granted_token")  # the fake Hub's gate
    code, out, _ = cli("check", "--config", str(config), "--model", MODEL, "--model", DENIED, "-q")
    assert code == 1
    lines = out.splitlines()
    assert re.fullmatch(rf"{DENIED}@[0-9a-f]{{12}}: deny \(eu-restricted\)", lines[0]), lines
    assert all(line.startswith("  deny ") for line in lines[1:]), lines
    assert MODEL not in out and "summary" not in out


def test_color_always_and_never(
    cli, config: Path, fake_hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_test_granted_token")
    args = ("check", "--config", str(config), "--model", DENIED)
    assert "\033[31mdeny\033[0m" in cli(*args, "--color", "always")[1]
    assert "\033[" not in cli(*args, "--color", "never")[1]
    assert "\033[" not in cli(*args)[1]  # auto, and stdout is not a terminal here


def test_use_color_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color("auto", None) is True
    assert use_color("auto", Path("report.txt")) is False  # a file is not a terminal
    assert use_color("never", None) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color("auto", None) is False
    assert use_color("always", None) is True  # asked for explicitly
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    monkeypatch.delenv("NO_COLOR")
    assert use_color("auto", None) is False


def test_check_help_golden(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "report"))
    from test_report_helpers import assert_golden

    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = cli("check", "--help")
    assert code == 0
    assert_golden("check-help.txt", out)


def test_quiet_says_nothing_when_all_pass(cli, tmp_path: Path, fake_hub, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "compliance.yaml").write_text(EU, encoding="utf-8")
    code, out, err = cli("check", "--model", MODEL, "-q")
    assert (code, out, err) == (0, "", "")
    _, _, err = cli("check", "--model", MODEL)
    assert "using config" in err  # without -q the discovered config is named

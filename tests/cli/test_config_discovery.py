"""Config discovery: without --config, compliance.yaml is looked for in the working folder and
its parents up to the git root (as pre-commit and ruff do), and stderr says which file is used,
or that none was found (defaults)."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.config import find_config

CONFIG = """\
version: 1
source: {mirror: mirror}
organization: {domicile: US, monthly_active_users: 10}
policy: {unknown: warn}
"""


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "mirror").mkdir()
    (repo / "compliance.yaml").write_text(CONFIG, encoding="utf-8")
    (repo / "deploy" / "prod").mkdir(parents=True)
    return repo


def test_found_in_a_parent_up_to_the_git_root(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    assert find_config(repo / "deploy" / "prod") == repo / "compliance.yaml"
    assert find_config(repo) == repo / "compliance.yaml"


def test_not_looked_for_above_the_git_root(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / "compliance.yaml").unlink()
    (tmp_path / "compliance.yaml").write_text(CONFIG, encoding="utf-8")
    assert find_config(repo / "deploy") is None


def test_outside_a_git_repo_only_the_working_folder(tmp_path: Path) -> None:
    (tmp_path / "compliance.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    assert find_config(tmp_path) == tmp_path / "compliance.yaml"
    assert find_config(tmp_path / "sub") is None


def test_check_from_a_subfolder_uses_the_repo_config_and_says_so(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(tmp_path)
    monkeypatch.chdir(repo / "deploy" / "prod")
    code, out, err = cli("explain", "acme/absent", "--format", "json")
    assert "compliance.yaml" in err and "using config" in err
    assert str(repo / "compliance.yaml") in err or "../../compliance.yaml" in err
    assert '"domicile": "US"' in out  # the repo's organisation, not the defaults
    assert code == 3  # the model is not in the (empty) mirror the repo config names


def test_no_config_found_is_said(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    code, _, err = cli("check", "--model", "acme/absent", "--source", "mirror:.")
    assert "no compliance.yaml found" in err and "defaults" in err
    assert code == 3

"""`compliance init`: the folder is created, failures are one line (exit 2), and the template
guesses nothing about the organisation: every fact is left unset (never a pass) with a comment
saying what it decides, and every key the config knows is present."""

from __future__ import annotations

from pathlib import Path

from compliance.config import EXCEPTION_KEYS, ORG_KEYS, POLICY_KEYS, TOP_KEYS, load_config


def test_init_creates_missing_folders(tmp_path: Path, cli) -> None:
    target = tmp_path / "config" / "deep" / "compliance.yaml"
    code, _, err = cli("init", str(target))
    assert code == 0, err
    assert target.is_file() and "internal error" not in err


def test_init_into_an_unusable_folder_is_one_line_exit_2(tmp_path: Path, cli) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, _, err = cli("init", str(blocker / "compliance.yaml"))
    assert code == 2
    assert err.startswith("compliance: error: ") and len(err.strip().splitlines()) == 1
    assert "internal error" not in err


def test_template_leaves_organisation_facts_unset(tmp_path: Path, cli) -> None:
    target = tmp_path / "compliance.yaml"
    assert cli("init", str(target))[0] == 0
    org = load_config(target).organization
    assert org.domicile is None
    assert org.monthly_active_users is None
    assert org.annual_revenue_usd is None
    assert org.use == "commercial"  # the strictest use
    assert org.trains_on_outputs is True  # the strict answer until confirmed


def test_template_names_every_key_with_what_it_decides(tmp_path: Path, cli) -> None:
    target = tmp_path / "compliance.yaml"
    assert cli("init", str(target))[0] == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    for key in (*TOP_KEYS, *ORG_KEYS, *POLICY_KEYS, *EXCEPTION_KEYS):
        assert any(f"{key}:" in line for line in lines), key
    for key in ORG_KEYS:
        line = next(line for line in lines if line.lstrip("# ").startswith(f"{key}:"))
        assert "decides" in line, line

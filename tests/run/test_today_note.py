"""`--today` moves the date exceptions are checked against (it can revive an expired
exception), so every output made with it says so, visibly; without it, nothing is said."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTE = "--today 2030-01-01"


@pytest.fixture(autouse=True)
def _mirror(tmp_path: Path, monkeypatch) -> None:
    """One MIT model in a mirror, named by a config in the working folder."""
    repo = tmp_path / "mirror" / "acme" / "mit-model"
    repo.mkdir(parents=True)
    (repo / "README.md").write_text("---\nlicense: mit\n---\n# A model\n", encoding="utf-8")
    (tmp_path / "compliance.yaml").write_text(
        f"version: 1\nsource: {{mirror: {tmp_path / 'mirror'}}}\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--model", "acme/mit-model", "--format", "text"),
        ("check", "--model", "acme/mit-model", "--format", "json"),
        ("check", "--model", "acme/mit-model", "--format", "sarif"),
        ("check", "--model", "acme/mit-model", "--format", "github"),
        ("audit", "--model", "acme/mit-model", "--format", "markdown"),
        ("audit", "--model", "acme/mit-model", "--format", "html"),
        ("audit", "--model", "acme/mit-model", "--format", "json"),
        ("explain", "acme/mit-model"),
    ],
    ids=lambda a: "-".join(a[::2]),
)
def test_every_output_made_with_today_says_so(cli, args) -> None:
    code, out, err = cli(*args, "--today", "2030-01-01")
    assert code in (0, 1), err
    assert NOTE in out
    assert NOTE in err  # and on stderr, for formats read by machines
    code, out, err = cli(*args)
    assert "--today" not in out and "--today" not in err


def test_json_outputs_carry_the_override_as_a_field(cli) -> None:
    args = ("check", "--model", "acme/mit-model", "--format", "json")
    _code, out, _err = cli(*args, "--today", "2030-01-01")
    summary = json.loads(out)["summary"]
    assert summary["date"] == "2030-01-01"
    assert summary["date_overridden"] is True
    _code, out, _err = cli(*args)
    assert "date_overridden" not in json.loads(out)["summary"]


def test_spdx_says_so_in_its_creator_comment(cli) -> None:
    for fmt in ("spdx",):
        code, _out, err = cli(
            "audit", "--model", "acme/mit-model", "--format", fmt, "--today", "2030-01-01"
        )
        assert code in (0, 1), err
        assert NOTE in err

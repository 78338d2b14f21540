"""`compliance shortlist`: formats, filters, exit codes, --help golden."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from compliance.facts.registry import load_registry

EU_YAML = "version: 1\norganization: {domicile: DE, monthly_active_users: 2000000}\n"


@pytest.fixture()
def eu_config(tmp_path: Path) -> str:
    path = tmp_path / "compliance.yaml"
    path.write_text(EU_YAML, encoding="utf-8")
    return str(path)


def test_text_shows_the_catalogue_date_rows_and_their_sources(cli, eu_config: str) -> None:
    code, out, _ = cli("shortlist", "--config", eu_config, "--modality", "vision-language")
    assert code == 0
    as_of = load_registry().families.as_of
    assert f"Catalogue as of {as_of}" in out.splitlines()[1]
    assert "domicile DE; 2,000,000 MAU" in out.splitlines()[0]
    block = out.split("Llama 3.2 Vision", 1)[1].split("\n\n", 1)[0]
    assert out.split("Llama 3.2 Vision", 1)[0].endswith("deny  ")
    assert "(eu-restricted)" in block and "meta-llama, US; licence llama-3.2 (restricted)" in block
    assert "territory EU (multimodal)" in block
    assert "source: registry/licenses/llama-3.2.yaml, read from https://github.com/" in block


def test_json_with_filters(cli, eu_config: str) -> None:
    code, out, _ = cli(
        "shortlist", "--config", eu_config, "--format", "json",
        "--modality", "text", "--max-params", "8B", "--allowed-only",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == "compliance.shortlist/v1"
    assert data["filters"] == {
        "modality": "text",
        "max_params": 8_000_000_000,
        "allowed_only": True,
    }
    assert data["rows"] and data["summary"]["deny"] == 0
    for row in data["rows"]:
        assert row["decision"] == "allow" and row["modality"] == "text"
        assert all(s["params"] <= 8_000_000_000 for s in row["sizes"])
        assert row["publisher"]["org"] and row["license"]["key"]
        assert row["license"]["source"]["provenance"][0]["sha256"]
    assert "llama-3.1" in {r["line"] for r in data["rows"]}


def test_markdown_and_html(cli, eu_config: str) -> None:
    code, out, _ = cli("shortlist", "--config", eu_config, "--format", "markdown")
    assert code == 0
    assert out.startswith("# Model family shortlist\n")
    row = next(line for line in out.splitlines() if "| Llama 4 |" in line)
    assert row.startswith("| ⛔ deny (eu-restricted) |")
    code, out, _ = cli("shortlist", "--config", eu_config, "--format", "html")
    assert code == 0
    assert "<title>Model family shortlist" in out and '<span class="badge deny">deny</span>' in out
    assert "<script" not in out


def test_bad_options_exit_2(cli, eu_config: str) -> None:
    code, _, err = cli("shortlist", "--config", eu_config, "--max-params", "huge")
    assert code == 2 and "--max-params" in err
    code, _, _ = cli("shortlist", "--modality", "smell")
    assert code == 2


def test_shortlist_help_golden(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = cli("shortlist", "--help")
    assert code == 0
    golden = Path(__file__).parent.parent / "golden" / "shortlist-help.txt"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")
    code, out, _ = cli("--help")
    assert "  shortlist " in out

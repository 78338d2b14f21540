"""`compliance scan ./model.gguf` and a config naming a GGUF file (`check`, `audit`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "sources"))
from test_localfile import FINETUNE, HUGE_ARRAY, write_gguf

LLAMA_SWAP = """models:
  local-llama:
    cmd: llama-server --port 9999 -m ./ft.gguf
"""


def test_scan_a_gguf_file(tmp_path: Path, cli, fake_hub) -> None:  # type: ignore[no-untyped-def]
    path = write_gguf(tmp_path / "ft.gguf", FINETUNE)
    code, out, err = cli("scan", str(path), "--format", "json")
    assert code == 0, err
    (model,) = json.loads(out)["models"]
    assert model["model"] == str(path) and model["source"] == "local-file"
    assert model["license"]["declared"] == "llama3.1"
    assert "license-conflict" in {f["code"] for f in model["findings"]}


@pytest.mark.parametrize("content", [HUGE_ARRAY, b"not gguf", b""])
def test_scan_a_broken_gguf_is_a_per_file_error(tmp_path: Path, cli, content: bytes) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.gguf"
    path.write_bytes(content)
    code, out, err = cli("scan", str(path), "--format", "json")
    assert code == 3
    (error,) = json.loads(out)["errors"]
    assert error["model"] == str(path) and error["kind"] == "source-error"
    assert "Traceback" not in err


def test_check_reads_the_gguf_a_config_names(tmp_path: Path, cli, fake_hub, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    write_gguf(tmp_path / "ft.gguf", FINETUNE)
    (tmp_path / "llama-swap.yaml").write_text(LLAMA_SWAP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("check", "llama-swap.yaml", "--format", "json")
    (decision,) = json.loads(out)["decisions"]
    assert decision["model"] == "./ft.gguf"
    codes = {f["code"] for f in decision["findings"]}
    assert "license-conflict" in codes
    # no organisation facts are set here: the Llama cap cannot be checked (a missing fact)
    assert codes & {"mau-cap-exceeded", "license-unknown", "organization-fact-missing"}
    quotes = {(e["file"], e["quote"]) for f in decision["findings"] for e in f["evidence"]}
    assert ("./ft.gguf", "general.license = llama3.1") in quotes  # the header was read
    assert decision["decision"] == "deny"
    assert decision["locations"] == [{"file": "llama-swap.yaml", "line": 3}]
    assert code == 1, err


def test_check_a_broken_gguf_is_that_models_error(tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "ft.gguf").write_bytes(HUGE_ARRAY)
    (tmp_path / "llama-swap.yaml").write_text(LLAMA_SWAP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("check", "llama-swap.yaml", "--format", "json")
    (decision,) = json.loads(out)["decisions"]
    assert decision["decision"] == "deny"
    assert "source-error" in {f["code"] for f in decision["findings"]}
    assert code == 3 and "Traceback" not in err


def test_a_missing_gguf_stays_license_unknown(tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "llama-swap.yaml").write_text(LLAMA_SWAP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _code, out, _err = cli("check", "llama-swap.yaml", "--format", "json")
    (decision,) = json.loads(out)["decisions"]
    assert "license-unknown" in {f["code"] for f in decision["findings"]}
    assert decision["decision"] != "allow"


def test_audit_cyclonedx_of_a_gguf_validates(tmp_path: Path, cli, fake_hub, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    write_gguf(tmp_path / "ft.gguf", FINETUNE)
    (tmp_path / "llama-swap.yaml").write_text(LLAMA_SWAP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _code, out, err = cli("audit", "llama-swap.yaml", "--format", "cyclonedx")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(out) is None, err
    (component,) = json.loads(out)["components"]
    assert "purl" not in component  # a local file has no Hub purl
    ancestors = {a["name"] for a in component["pedigree"]["ancestors"]}
    assert ancestors == {"acme/apache-finetune", "meta-llama/Llama-3.2-1B-Instruct"}
    locations = {o["location"] for o in component["evidence"]["occurrences"]}
    assert "./ft.gguf" in locations


def test_check_reads_a_safetensors_file_a_config_names(tmp_path: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from test_localfile import write_safetensors

    write_safetensors(tmp_path / "w.safetensors", {"license": "cc-by-nc-4.0"})
    (tmp_path / "swap.yaml").write_text(
        "models:\n  x:\n    cmd: llama-server -m ./w.safetensors\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("check", "swap.yaml", "--format", "json")
    (decision,) = json.loads(out)["decisions"]
    assert decision["model"] == "./w.safetensors"
    assert decision["decision"] == "deny", err
    quotes = {e["quote"] for f in decision["findings"] for e in f["evidence"]}
    assert "general.license = cc-by-nc-4.0" in quotes
    assert code == 1

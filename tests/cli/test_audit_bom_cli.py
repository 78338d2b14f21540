"""`compliance audit --format cyclonedx|spdx3` end to end over the README's example (the
examples mirror): each document validates against its schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from treepaths import REPO

CONFIGS = ("litellm-config.yaml", "docker-compose.yaml")


@pytest.fixture()
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ws = tmp_path / "examples"
    shutil.copytree(REPO / "examples", ws)
    monkeypatch.chdir(ws)
    return ws


@pytest.mark.parametrize("version", ["1.6", "1.7"])
def test_audit_cyclonedx_of_the_readme_example_validates(examples: Path, cli, version: str) -> None:  # type: ignore[no-untyped-def]
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    check_code, check_out, _ = cli(
        "check", *CONFIGS, "--config", "compliance.yaml", "--format", "json"
    )
    args = ["audit", *CONFIGS, "--config", "compliance.yaml", "--format", "cyclonedx"]
    if version != "1.6":
        args += ["--spec-version", version]
    code, out, err = cli(*args)
    assert code == check_code, err
    assert JsonStrictValidator(SchemaVersion.from_version(version)).validate_str(out) is None
    data = json.loads(out)
    assert data["specVersion"] == version
    names = {f"{c.get('group', '')}/{c['name']}".lstrip("/") for c in data["components"]}
    assert names == {d["model"] for d in json.loads(check_out)["decisions"]}
    assert all(c["type"] == "machine-learning-model" for c in data["components"])


def test_spec_version_only_with_cyclonedx(examples: Path, cli) -> None:  # type: ignore[no-untyped-def]
    code, _out, err = cli(
        "audit",
        *CONFIGS,
        "--config",
        "compliance.yaml",
        "--format",
        "json",
        "--spec-version",
        "1.7",
    )
    assert code == 2 and "--spec-version" in err


def test_audit_spdx3_of_the_readme_example_validates(examples: Path, cli) -> None:  # type: ignore[no-untyped-def]
    import jsonschema_rs

    schema = json.loads((REPO / "tests" / "schemas" / "spdx-3.0.1.schema.json").read_text())
    check_code, check_out, _ = cli(
        "check", *CONFIGS, "--config", "compliance.yaml", "--format", "json"
    )
    code, out, err = cli("audit", *CONFIGS, "--config", "compliance.yaml", "--format", "spdx3")
    assert code == check_code, err
    data = json.loads(out)
    errors = [e.message for e in jsonschema_rs.Draft202012Validator(schema).iter_errors(data)]
    assert errors == []
    models = {d["model"] for d in json.loads(check_out)["decisions"]}
    packages = {n["name"] for n in data["@graph"] if n["type"] == "ai_AIPackage"}
    assert models <= packages

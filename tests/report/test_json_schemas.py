"""Every `compliance.<kind>/v1` output has a JSON Schema in docs/schemas/ (shipped in the wheel,
see test_packaging), and every format's output validates against it: the audit golden file and
the JSON of check, scan, explain, detect, refs, cache info and the lock file, produced offline
from the bundled examples. A schema that accepted anything would not catch a renamed field, so
each is also shown to reject one."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from compliance.report import schemas
from compliance.resources import schemas_dir

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden"
KINDS = sorted(v.split(".", 1)[1].split("/")[0] for k, v in vars(schemas).items() if k.isupper())


def _schema(kind: str) -> dict[str, Any]:
    return json.loads((schemas_dir() / f"{kind}.schema.json").read_text(encoding="utf-8"))


def _validate(kind: str, doc: Any) -> None:
    jsonschema.Draft202012Validator(_schema(kind)).validate(doc)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_valid_schema_naming_it(kind: str) -> None:
    schema = _schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema"] == {"const": f"compliance.{kind}/v1"}
    assert "schema" in schema["required"]


def test_schemas_folder_holds_only_known_kinds() -> None:
    assert sorted(p.name.split(".")[0] for p in schemas_dir().glob("*.schema.json")) == KINDS


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("examples")
    shutil.copytree(REPO / "examples", work, dirs_exist_ok=True)
    return work


@pytest.fixture(scope="module")
def outputs(examples: Path) -> dict[str, Any]:
    from compliance.cli.main import main

    config = ("--config", "compliance.yaml")
    lock = examples / "out.lock"

    def run(*args: str, parse: bool = True) -> Any:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
        assert code in (0, 1, 2, 3) and "Traceback" not in err.getvalue(), err.getvalue()
        return json.loads(out.getvalue()) if parse else None

    (examples / "bin.dat").write_bytes(b"\x00\x01binary")
    before = Path.cwd()
    os.chdir(examples)
    try:
        docs = {
            "check": run("check", "litellm-config.yaml", *config, "--format", "json"),
            "audit": run("audit", "litellm-config.yaml", *config, "--format", "json"),
            "scan": run(
                "scan",
                "meta-llama/Llama-3.2-11B-Vision-Instruct",
                "deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
                "acme/absent",
                *config,
                "--format",
                "json",
            ),
            "explain": run(
                "explain", "meta-llama/Llama-3.2-11B-Vision-Instruct", *config, "--format", "json"
            ),
            "detect": run(
                "detect",
                "mirror/meta-llama/Llama-3.1-8B-Instruct/LICENSE",
                "bin.dat",
                "--format",
                "json",
            ),
            "refs": run("refs", "litellm-config.yaml", "docker-compose.yaml", "--format", "json"),
            "cache": run("cache", "info", "--format", "json"),
            "policy-test": run("policy", "test", "--builtin", *config, "--format", "json"),
            "shortlist": run("shortlist", *config, "--format", "json"),
        }
        run("lock", "litellm-config.yaml", *config, "--lock-file", str(lock), parse=False)
    finally:
        os.chdir(before)
    docs["lock"] = json.loads(lock.read_text(encoding="utf-8"))
    return docs


def test_every_output_validates(outputs: dict[str, Any]) -> None:
    assert sorted(outputs) == KINDS
    for kind, doc in outputs.items():
        assert doc["schema"] == f"compliance.{kind}/v1"
        _validate(kind, doc)
    # the run reached the interesting shapes: an error entry, a deny, an unread model
    assert any("error" in f for f in outputs["detect"]["files"])
    assert outputs["scan"]["errors"] and outputs["scan"]["models"]
    assert any(d["decision"] == "deny" for d in outputs["check"]["decisions"])


def test_the_audit_golden_file_validates() -> None:
    _validate("audit", json.loads((GOLDEN / "audit.json").read_text(encoding="utf-8")))


def _rename(doc: dict[str, Any], path: list[Any], new: str) -> dict[str, Any]:
    doc = json.loads(json.dumps(doc))
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    parent[new] = parent.pop(path[-1])
    return doc


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("check", ["decisions", 0, "decision"]),
        ("audit", ["models", 0, "license"]),
        ("scan", ["models", 0, "effective"]),
        ("explain", ["facts", "license"]),
        ("detect", ["files", 0, "license"]),
        ("refs", ["refs", 0, "line"]),
        ("cache", ["parts"]),
        ("lock", ["models"]),
    ],
)
def test_a_renamed_field_is_rejected(outputs: dict[str, Any], kind: str, path: list[Any]) -> None:
    broken = _rename(outputs[kind], path, "renamed")
    with pytest.raises(jsonschema.ValidationError):
        _validate(kind, broken)


def test_schema_enums_follow_the_code() -> None:
    from compliance.facts.model import COMMERCIAL_USE, LICENSE_CLASSES, OUTPUT_TRAINING, RELATIONS
    from compliance.refs.model import KINDS as REF_KINDS

    facts = _schema("scan")["$defs"]["facts"]["properties"]
    assert facts["license"]["properties"]["class"]["enum"] == list(LICENSE_CLASSES)
    assert facts["commercial_use"]["enum"] == list(COMMERCIAL_USE)
    assert facts["output_training"]["enum"] == list(OUTPUT_TRAINING)
    assert facts["base_models"]["items"]["properties"]["relation"]["enum"] == list(RELATIONS)
    refs = _schema("refs")["properties"]["refs"]["items"]["properties"]
    assert refs["kind"]["enum"] == list(REF_KINDS)
    decision = _schema("check")["$defs"]["decision"]["properties"]
    assert decision["decision"]["enum"] == ["allow", "warn", "deny"]

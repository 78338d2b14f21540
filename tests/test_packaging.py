"""The wheel ships policies/ and registry/, and the installed CLI finds them with no checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("model_compliance-*.whl")
    return built


def test_wheel_contains_policies_and_registry(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert any(
        n.startswith("compliance/_data/registry/licenses/") and n.endswith(".yaml") for n in names
    )
    assert any(n.startswith("compliance/_data/policies/") and n.endswith(".rego") for n in names)
    assert "compliance/cli/main.py" in names
    from compliance.report import schemas

    kinds = {v.split(".", 1)[1].split("/")[0] for k, v in vars(schemas).items() if k.isupper()}
    for kind in kinds:  # a JSON Schema for every compliance.<kind>/v1 output
        assert f"compliance/_data/schemas/{kind}.schema.json" in names, kind
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert (
        "compliance = compliance.cli.entry:main"
        in zipfile.ZipFile(wheel).read(entry_points).decode()
    )


def test_installed_package_finds_its_data_without_a_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = (
        "import compliance, compliance.resources as r;"
        "print(compliance.__file__); print(r.registry_dir()); print(r.policies_dir());"
        "print(r.schemas_dir())"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    module, registry, policies, schemas = run.stdout.split()
    assert module.startswith(str(target))
    assert registry.startswith(str(target)) and Path(registry, "licenses").is_dir()
    assert policies.startswith(str(target)) and any(Path(policies).glob("*.rego"))
    assert schemas.startswith(str(target)) and Path(schemas, "check.schema.json").is_file()
    version = subprocess.run(
        [sys.executable, "-m", "compliance", "--version"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert version.returncode == 0 and "compliance, version" in version.stdout

"""The hook path on commits that name no model: no click, yaml or registry, same output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compliance.cli import fastpath, inputs
from compliance.refs import extract_file, tree
from compliance.refs import python as python_refs

ROOT = Path(__file__).resolve().parents[2]
PLAIN = "import os\n\n\ndef cwd():\n    return os.getcwd()  # nothing to see\n"
HEAVY = ("click", "yaml", "compliance.facts.registry", "compliance.config", "huggingface_hub")


def _commit(folder: Path, count: int = 3) -> list[str]:
    names = []
    for n in range(count):
        (folder / f"mod{n}.py").write_text(PLAIN.replace("cwd", f"cwd{n}"), encoding="utf-8")
        names.append(f"mod{n}.py")
    return names


def _run(
    folder: Path, *args: str, importtime: bool = False, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "compliance"]
    return subprocess.run(
        [*cmd, *args],
        cwd=folder,
        env=env if env is not None else {**os.environ},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _imported(stderr: str) -> set[str]:
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def _output(proc: subprocess.CompletedProcess[str]) -> tuple[int, str, list[str]]:
    err = [line for line in proc.stderr.splitlines() if not line.startswith("import time:")]
    return proc.returncode, proc.stdout, err


@pytest.mark.parametrize("with_config", [False, True], ids=["no-config", "config-with-exception"])
def test_a_commit_naming_no_model_replays_the_full_answer_without_heavy_imports(
    tmp_path, with_config
):
    if with_config:
        shutil.copy(ROOT / "examples" / "compliance.yaml", tmp_path / "compliance.yaml")
    files = _commit(tmp_path)
    full = _run(tmp_path, "check", *files, importtime=True)
    assert "click" in _imported(full.stderr)  # the first run is the full path
    fast = _run(tmp_path, "check", *files, importtime=True)
    assert _output(fast) == _output(full)
    assert _output(fast)[0] == 0
    loaded = _imported(fast.stderr)
    assert "compliance.cli.fastpath" in loaded
    assert not [m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY]
    if with_config:  # the config's note on its unused exception is part of the answer
        assert "was not used" in fast.stdout


def test_with_the_default_cache_folder_the_replay_imports_only_the_lightest_modules(tmp_path):
    """A user who sets nothing has the cache where platformdirs puts it: the replay finds its
    record there without importing platformdirs, json, pathlib, typing or datetime."""
    env = {k: v for k, v in os.environ.items() if k != "COMPLIANCE_CACHE_DIR"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    work = tmp_path / "work"
    work.mkdir()
    files = _commit(work)
    full = _run(work, "check", *files, env=env)
    fast = _run(work, "check", *files, importtime=True, env=env)
    assert _output(fast) == _output(full)
    assert list((tmp_path / "xdg" / "compliance" / "fastpath").iterdir())  # recorded there
    loaded = {m.split(".")[0] for m in _imported(fast.stderr)}
    assert "compliance" in loaded
    assert not loaded & {"json", "platformdirs", "pathlib", "typing", "datetime", "click"}


@pytest.mark.parametrize("xdg", [None, "relative/cache", "absolute"])
def test_records_are_read_from_the_folder_they_are_written_to(tmp_path, monkeypatch, xdg):
    monkeypatch.delenv("COMPLIANCE_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if xdg is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg") if xdg == "absolute" else xdg)
    written = inputs.records_folder("fastpath", reading=False)  # platformdirs' folder
    assert inputs.records_folder("fastpath", reading=True) == written
    assert written.startswith(str(tmp_path))


def test_a_damaged_record_takes_the_full_path(tmp_path):
    files = _commit(tmp_path)
    full = _run(tmp_path, "check", *files)
    (record,) = (Path(os.environ["COMPLIANCE_CACHE_DIR"]) / "fastpath").iterdir()
    record.write_text(record.read_text(encoding="utf-8")[:-1], encoding="utf-8")  # truncated
    again = _run(tmp_path, "check", *files, importtime=True)
    assert "click" in _imported(again.stderr)
    assert _output(again) == _output(full)


def test_a_changed_config_is_read_again(tmp_path):
    shutil.copy(ROOT / "examples" / "compliance.yaml", tmp_path / "compliance.yaml")
    files = _commit(tmp_path)
    assert _run(tmp_path, "check", *files).returncode == 0
    (tmp_path / "compliance.yaml").write_text("version: 1\npolicy: {unknown: nonsense}\n")
    broken = _run(tmp_path, "check", *files, importtime=True)
    assert broken.returncode == 2, broken.stderr
    assert "yaml" in _imported(broken.stderr)


def test_a_changed_config_in_a_parent_folder_is_read_again(tmp_path):
    """The full path finds compliance.yaml up to the git root: the replay's key does too."""
    (tmp_path / ".git").mkdir()
    shutil.copy(ROOT / "examples" / "compliance.yaml", tmp_path / "compliance.yaml")
    work = tmp_path / "pkg"
    work.mkdir()
    files = _commit(work)
    for _ in range(2):  # recorded, then replayed
        assert _run(work, "check", *files).returncode == 0
    (tmp_path / "compliance.yaml").write_text("version: 1\npolicy: {unknown: nonsense}\n")
    broken = _run(work, "check", *files, importtime=True)
    assert broken.returncode == 2, broken.stderr
    assert "yaml" in _imported(broken.stderr)


def test_a_file_naming_a_model_takes_the_full_path(tmp_path):
    files = _commit(tmp_path)
    (tmp_path / "serve.py").write_text('m = AutoModel.from_pretrained("acme/nope")\n')
    assert _run(tmp_path, "check", *files).returncode == 0  # recorded: no model
    proc = _run(tmp_path, "check", *files, "serve.py", "--source", "mirror:.", importtime=True)
    assert "click" in _imported(proc.stderr)
    assert "acme/nope" in proc.stdout + proc.stderr


def test_options_missing_files_and_other_types_are_not_eligible(tmp_path):
    files = _commit(tmp_path, 1)
    os.chdir(tmp_path)
    assert fastpath._files(["check", *files]) == files
    assert fastpath._files(["check", "--format", "json", *files]) is None
    assert fastpath._files(["check", "config.yaml"]) is None
    assert fastpath._files(["scan", *files]) is None
    assert fastpath._files(["check"]) is None
    assert not fastpath.names_no_model("missing.py")
    (tmp_path / "odd.py").write_text("x = 'caf\u00e9'\n", encoding="utf-8")
    assert not fastpath.names_no_model("odd.py")  # non-ASCII: NFKC identifiers, full path


def _snippets() -> list[str]:
    """One Python line per way the Python extractor finds a model, from its own tables."""
    lines = [f'x = {name}("acme/some-model-7b")' for name in python_refs._FIRST_ARG_CALLS]
    lines += [f'x = run({kw}="acme/some-model-7b")' for kw in python_refs._MODEL_KWARGS]
    for key in tree._STRONG | tree._WEAK:
        lines.append(f'{key.upper()} = "acme/some-model-7b"')
        camel = key.split("_")[0] + "".join(p.title() for p in key.split("_")[1:])
        lines.append(f'{camel} = "acme/some-model-7b"')
    lines += [f'{p}MODEL = "acme/some-model-7b"' for p in ("CHAT_", "MY_", "X_")]
    lines.append('name = os.getenv("MODEL", "acme/some-model-7b")\nLLM(name)')
    return lines


def test_every_reference_the_python_extractor_finds_fails_the_pre_scan(tmp_path):
    candidates = [tmp_path / f"s{n}.py" for n, _ in enumerate(_snippets())]
    for path, line in zip(candidates, _snippets(), strict=True):
        path.write_text(line + "\n", encoding="utf-8")
    candidates += sorted((ROOT / "tests" / "fixtures").rglob("*.py"))
    candidates += sorted((ROOT / "compliance").rglob("*.py"))
    candidates += sorted((ROOT / "tests").glob("**/test_*.py"))
    found = 0
    for path in candidates:
        if extract_file(path):
            found += 1
            assert not fastpath.names_no_model(str(path)), path
    assert found >= len(_snippets()) // 2  # the extractor really found models in the snippets

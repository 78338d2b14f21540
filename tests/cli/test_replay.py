"""The warm hook (compliance.cli.replay): an identical `check` on unchanged inputs replays the
recorded answer without click or the registry; any change to what the answer depends on runs
the full path again, whose answer is then the one given."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compliance.cli import fastpath, inputs, replay

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("click", "yaml", "compliance.facts.registry", "compliance.config", "regopy")
PACK = """package compliance.acme

import rego.v1

deny contains {"code": "acme-no-apache", "msg": "Apache is not approved here"} if {
	input.effective.license_key == "%s"
}
"""


def _imported(stderr: str) -> set[str]:
    return {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def _check(folder: Path, *args: str) -> tuple[tuple[int, str, list[str]], bool]:
    """((exit code, stdout, stderr lines), replayed?) of one `compliance check` process."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "compliance", "check", *args],
        cwd=folder,
        env={**os.environ, "COMPLIANCE_CACHE_DIR": str(folder.parent / "cache")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    err = [line for line in proc.stderr.splitlines() if not line.startswith("import time:")]
    loaded = _imported(proc.stderr)
    replayed = not [m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY]
    return (proc.returncode, proc.stdout, err), replayed


def _warm(folder: Path, *args: str) -> tuple[int, str, list[str]]:
    """Run until the answer is recorded (a run that fills a cache is not): the full answer."""
    answer, replayed = _check(folder, *args)
    assert not replayed
    for attempt in range(5):
        if attempt >= 1:
            # the mirror's file index does not vouch for a file changed < 2 s before it was
            # read (sources.fileindex): until it can, each run writes it, and is not recorded
            time.sleep(1.0)
        again, replayed = _check(folder, *args)
        assert again == answer
        if replayed:
            return answer
    raise AssertionError("the warm run was never replayed")


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The shipped example: a LiteLLM config, compliance.yaml with an exception, a mirror."""
    folder = tmp_path / "work"
    shutil.copytree(ROOT / "examples", folder)
    return folder


def test_a_warm_rerun_replays_the_full_answer(example):
    full = _warm(example, "litellm-config.yaml")
    assert full[0] == 1 and "deny" in full[1]  # the example denies some models
    again, replayed = _check(example, "litellm-config.yaml")
    assert replayed and again == full


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _drop_last_model(folder: Path) -> None:
    config = folder / "litellm-config.yaml"
    lines = config.read_text(encoding="utf-8").rstrip("\n").split("\n")
    start = max(i for i, line in enumerate(lines) if line.strip().startswith("- model_name"))
    config.write_text("\n".join(lines[:start]) + "\n", encoding="utf-8")


CHANGES = {
    "config file": _drop_last_model,
    "compliance.yaml": lambda f: _edit(f / "compliance.yaml", "domicile: DE", "domicile: US"),
    "exception expiry": lambda f: _edit(
        f / "compliance.yaml", "expires: 2027-06-30", "expires: 2020-06-30"
    ),
    "model's licence in the mirror": lambda f: next(
        (f / "mirror").glob("*/*/README.md")
    ).write_text("---\nlicense: cc-by-nc-4.0\n---\n# changed\n", encoding="utf-8"),
    "the same licence file edited in place, same size": lambda f: _same_size(
        next((f / "mirror").glob("*/*/README.md")), "---\nlicense: cc-by-nc-4.0\n---\n# changed\n"
    ),
}


def _same_size(path: Path, text: str) -> None:
    """Overwrite `path` with `text` padded to its old size (the mirror's file index keys on
    stat; the replay must still see the change)."""
    size = path.stat().st_size
    assert len(text) <= size
    path.write_text(text + " " * (size - len(text)), encoding="utf-8")
    assert path.stat().st_size == size


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_ingredient_changed_runs_the_full_path_and_changes_the_answer(example, change):
    before = _warm(example, "litellm-config.yaml")
    CHANGES[change](example)
    after, replayed = _check(example, "litellm-config.yaml")
    assert not replayed
    assert after != before
    for _ in range(2):  # and the new answer is the one replayed
        again, replayed = _check(example, "litellm-config.yaml")
        assert again == after
    assert replayed


def test_the_lock_is_an_ingredient(example):
    lock = subprocess.run(
        [sys.executable, "-m", "compliance", "lock", "litellm-config.yaml"],
        cwd=example,
        env={**os.environ, "COMPLIANCE_CACHE_DIR": str(example.parent / "cache")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (example / "compliance.lock").is_file(), lock.stderr
    before = _warm(example, "litellm-config.yaml", "--locked")
    (example / "compliance.lock").unlink()
    after, replayed = _check(example, "litellm-config.yaml", "--locked")
    assert not replayed and after[0] == 2 and after != before  # a missing lock: exit 2


def test_a_custom_pack_is_never_replayed(example):
    """Custom packs run in a worker process, may read the clock and are never cached: every
    run is the full path."""
    (example / "packs").mkdir()
    (example / "packs" / "acme.rego").write_text(PACK % "apache-2.0", encoding="utf-8")
    _edit(example / "compliance.yaml", "policy:\n", "policy:\n  packs: [packs]\n")
    answers = []
    for _ in range(3):
        answer, replayed = _check(example, "litellm-config.yaml")
        assert not replayed
        answers.append(answer)
    assert answers[0] == answers[1] == answers[2]
    assert not (example.parent / "cache" / replay.RECORDS).exists()


def test_a_changed_builtin_policy_runs_the_full_path(example, tmp_path, monkeypatch, capsys):
    from compliance.cli.main import main
    from compliance.policy import engine

    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    monkeypatch.setattr(engine, "policies_dir", lambda: policies)
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(example)
    args = ["check", "litellm-config.yaml"]
    for _ in range(3):
        code = replay.run_and_record(args, main)
        full = capsys.readouterr()
        if replay.replay(args) is not None:
            break
    else:
        raise AssertionError("never recorded")
    assert capsys.readouterr() == full and code == 1
    _edit(policies / "license.rego", "does not include", "leaves out")
    assert replay.replay(args) is None
    assert replay.run_and_record(args, main) == code
    changed = capsys.readouterr()
    assert "leaves out" in changed.out and changed != full


def test_another_day_is_another_key(monkeypatch):
    """Of both recorded answers: an exception that expires, expires at a date."""
    args = ["check", "litellm-config.yaml"]
    today = replay.key(args), fastpath._key()
    monkeypatch.setattr(inputs, "dates", lambda: ["2099-01-01", "2099-01-01"])
    assert replay.key(args) not in (None, today[0])
    assert fastpath._key() not in (None, today[1])


def test_config_discovery_is_in_the_key(tmp_path, monkeypatch):
    """A compliance.yaml created (or changed) here or higher up, or a .git that moves the
    discovery's root: another key, before anything is read."""
    work = tmp_path / "repo" / "sub"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    args = ["check", "a.yaml"]
    keys = [replay.key(args)]
    (tmp_path / "compliance.yaml").write_text("version: 1\n", encoding="utf-8")
    keys.append(replay.key(args))
    (tmp_path / "repo" / ".git").mkdir()
    keys.append(replay.key(args))
    (tmp_path / "compliance.yaml").write_text("version: 1\norganization: {use: research}\n")
    keys.append(replay.key(args))
    assert None not in keys and len(set(keys)) == len(keys)


@pytest.mark.parametrize(
    ("args", "ok"),
    [
        (["check", "a.yaml"], True),
        (["check", "a.yaml", "b.py", "--locked", "--lock-file", "x.lock", "-q"], True),
        (["check", "--format=json", "--fail-on", "warn", "a.yaml"], True),
        (["check"], False),
        (["check", "--locked"], False),
        (["check", "a.yaml", "-o", "out.txt"], False),
        (["check", "a.yaml", "-v"], False),
        (["check", "a.yaml", "--format", "spdx"], False),
        (["check", "a.yaml", "--source", "mirror:x"], False),
        (["check", "a.yaml", "--fail-on"], False),
        (["scan", "a.yaml"], False),
    ],
)
def test_only_options_the_key_covers_are_replayed(args, ok):
    assert replay.eligible(args) is ok


# -- the tracker, in process --------------------------------------------------------------


@pytest.fixture
def records(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.yaml").write_text("model: a/b\n", encoding="utf-8")
    return tmp_path


def _reader(path: Path, code: int = 1):
    def run(args: list[str]) -> int:
        print(path.read_text(encoding="utf-8"))
        return code

    return run


def test_a_file_read_by_the_run_is_observed(records, capsys):
    args = ["check", "in.yaml"]
    assert replay.run_and_record(args, _reader(records / "in.yaml")) == 1
    full = capsys.readouterr()
    assert replay.replay(args) == 1
    assert capsys.readouterr() == full
    (records / "in.yaml").write_text("model: a/c\n", encoding="utf-8")
    assert replay.replay(args) is None


def test_a_file_absent_when_recorded_is_observed(records, capsys):
    args = ["check", "in.yaml"]

    def run(argv: list[str]) -> int:
        print((records / "in.yaml").exists(), os.path.exists(records / "other.yaml"))
        with contextlib.suppress(FileNotFoundError):  # an open that fails
            (records / "other.yaml").read_bytes()
        return 0

    assert replay.run_and_record(args, run) == 0
    assert replay.replay(args) == 0
    (records / "other.yaml").write_text("x\n", encoding="utf-8")
    assert replay.replay(args) is None


def _listening() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


@pytest.mark.parametrize("what", ["writes a file", "connects", "exit 2", "exit 3", "removes"])
def test_a_run_unfit_to_replay_is_not_recorded(records, what):
    args = ["check", "in.yaml"]
    server = _listening()

    def run(argv: list[str]) -> int:
        (records / "in.yaml").read_bytes()
        if what == "writes a file":
            (records / "cache-entry").write_text("x", encoding="utf-8")
        elif what == "connects":
            socket.create_connection(server.getsockname()).close()
        elif what == "removes":
            (records / "in.yaml").rename(records / "moved.yaml")
        return {"exit 2": 2, "exit 3": 3}.get(what, 1)

    try:
        replay.run_and_record(args, run)
    finally:
        server.close()
    assert replay.replay(args) is None
    assert not (records / "cache" / replay.RECORDS).exists()


def test_a_terminal_is_never_replayed(records, monkeypatch):
    args = ["check", "in.yaml"]
    replay.run_and_record(args, _reader(records / "in.yaml"))
    assert replay.replay(args) == 1
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert replay.replay(args) is None


def test_a_damaged_record_runs_the_full_path(records):
    args = ["check", "in.yaml"]
    replay.run_and_record(args, _reader(records / "in.yaml"))
    (path,) = (records / "cache" / replay.RECORDS).iterdir()
    path.write_text('{"format": 1, "key": "x"', encoding="utf-8")
    assert replay.replay(args) is None


def test_old_records_are_pruned_and_cache_clear_removes_them(records, monkeypatch, cli):
    monkeypatch.setattr(replay, "MAX_RECORDS", 2)
    folder = records / "cache" / replay.RECORDS
    for n in range(3):  # three command lines, three keys
        (records / f"in{n}.yaml").write_text(f"model: a/b{n}\n", encoding="utf-8")
        replay.run_and_record(["check", f"in{n}.yaml"], _reader(records / f"in{n}.yaml"))
    assert len(list(folder.iterdir())) == 2
    assert replay.replay(["check", "in0.yaml"]) is None  # the oldest went
    assert replay.replay(["check", "in2.yaml"]) == 1
    code, _, err = cli("cache", "clear")
    assert code == 0 and not (folder.exists() and list(folder.iterdir())), err


def test_each_version_of_a_named_file_has_its_own_record(records, capsys):
    args = ["check", "in.yaml"]
    path = records / "in.yaml"
    answers = {}
    for text in ("model: a/b\n", "model: a/c\n"):
        path.write_text(text, encoding="utf-8")
        replay.run_and_record(args, _reader(path))
        answers[text] = capsys.readouterr()
    for text in ("model: a/b\n", "model: a/c\n"):  # back and forth: each answer replayed
        path.write_text(text, encoding="utf-8")
        assert replay.replay(args) == 1
        assert capsys.readouterr() == answers[text]


def test_a_path_only_looked_at_is_observed(records, capsys):
    """A local model file named in a config is looked for beside the config first: one that
    appears there later changes the answer."""
    from compliance.run.localfile import resolve_path

    (records / "sub").mkdir()
    (records / "model.gguf").write_bytes(b"here")
    args = ["check", "in.yaml"]

    def run(argv: list[str]) -> int:
        print(resolve_path("model.gguf", str(records / "sub" / "in.yaml")).read_bytes())
        return 0

    assert replay.run_and_record(args, run) == 0
    assert replay.replay(args) == 0
    (records / "sub" / "model.gguf").write_bytes(b"beside")
    assert replay.replay(args) is None

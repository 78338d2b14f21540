"""compliance.lock and `check --locked`: an approval is for one revision and one licence text."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from fakehub import load_repo

from compliance.errors import InputError
from compliance.policy.lock import (
    LOCK_SCHEMA,
    Lock,
    LockedModel,
    build_lock,
    compare,
    merge_lock,
    read_lock,
    summary,
    write_lock,
)

MODEL = "acme/plain"
MIT = b"MIT License\n\nCopyright (c) 2024 Acme\n\nPermission is hereby granted, free of charge...\n"
CARD = b"---\nlicense: mit\npipeline_tag: text-generation\n---\n# Plain model\n"
CONFIG = """version: 1
organization: {domicile: US, monthly_active_users: 1000, use: commercial}
policy: {allow_classes: [permissive], unknown: deny}
"""


def _serve(fake_hub, root: Path, files: dict[str, bytes], sha: str | None = None) -> str:
    folder = root / "hub" / MODEL
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    if sha is not None:
        (folder / "_hub.yaml").write_text(f"sha: {sha}\n")
    repo = load_repo(folder, MODEL)
    fake_hub.repos[MODEL] = repo
    return repo.sha


@pytest.fixture()
def project(fake_hub, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "compliance.yaml").write_text(CONFIG)
    (tmp_path / "litellm.yaml").write_text(
        "model_list:\n  - model_name: plain\n    litellm_params:\n"
        f"      model: huggingface/{MODEL}\n"
    )
    sha = _serve(fake_hub, tmp_path, {"README.md": CARD, "LICENSE": MIT})
    return tmp_path, sha


def _decisions(out: str) -> dict[str, dict]:
    return {d["model"]: d for d in json.loads(out)["decisions"]}


def test_lock_records_revision_hashes_key_decision_and_date(project, cli):
    root, sha = project
    code, out, err = cli("lock", "--model", MODEL)
    assert code == 0, err
    assert f"locked: {MODEL}" in out
    data = json.loads((root / "compliance.lock").read_text())
    assert data["schema"] == LOCK_SCHEMA
    entry = data["models"][MODEL]
    assert entry["revision"] == sha
    assert entry["license_files"] == {"LICENSE": hashlib.sha256(MIT).hexdigest()}
    assert entry["license_key"] == "mit"
    assert entry["decision"] in ("allow", "warn", "deny")
    assert entry["locked_at"] == dt.date.today().isoformat()
    assert entry["source"] == "hub"


def test_lock_reads_models_from_config_files(project, cli):
    root, _ = project
    code, _, err = cli("lock", "litellm.yaml")
    assert code == 0, err
    assert MODEL in json.loads((root / "compliance.lock").read_text())["models"]


def test_check_locked_passes_when_nothing_moved(project, cli):
    assert cli("lock", "--model", MODEL)[0] == 0
    plain = cli("check", "--model", MODEL, "--format", "json")
    locked = cli("check", "--model", MODEL, "--format", "json", "--locked")
    assert locked[0] == plain[0]
    decision = _decisions(locked[1])[MODEL]
    assert "license-drift" not in decision["codes"]
    assert decision["decision"] == _decisions(plain[1])[MODEL]["decision"]


def test_licence_change_after_locking_is_caught(project, cli, fake_hub):
    root, old_sha = project
    assert cli("lock", "--model", MODEL)[0] == 0
    changed = MIT.replace(b"free of charge", b"for non-commercial use only")
    new_sha = _serve(fake_hub, root, {"README.md": CARD, "LICENSE": changed})
    assert new_sha != old_sha
    code, out, err = cli("check", "--model", MODEL, "--format", "json", "--locked")
    assert code == 1, err
    decision = _decisions(out)[MODEL]
    assert decision["decision"] == "deny"
    drift = next(f for f in decision["findings"] if f["code"] == "license-drift")
    assert drift["severity"] == "deny"
    assert f"revision moved from {old_sha[:12]} to {new_sha[:12]}" in drift["message"]
    assert "licence file LICENSE changed" in drift["message"]
    assert "compliance lock --update" in drift["message"]
    assert any(e["file"] == "LICENSE" for e in drift["evidence"])
    # Text output names it too.
    code, out, _ = cli("check", "--model", MODEL, "--locked")
    assert code == 1 and "license-drift" in out

    # `lock` without --update refuses to accept the drift, and leaves the file alone.
    before = (root / "compliance.lock").read_text()
    code, out, err = cli("lock", "--model", MODEL)
    assert code == 1
    assert "drift: acme/plain: licence file LICENSE changed" in out
    assert (root / "compliance.lock").read_text() == before
    # --update records the new state; the check passes the lock again.
    code, out, err = cli("lock", "--model", MODEL, "--update")
    assert code == 0, err
    assert f"updated: {MODEL}" in out
    entry = json.loads((root / "compliance.lock").read_text())["models"][MODEL]
    assert entry["revision"] == new_sha
    assert entry["license_files"]["LICENSE"] == hashlib.sha256(changed).hexdigest()
    code, out, _ = cli("check", "--model", MODEL, "--format", "json", "--locked")
    assert "license-drift" not in _decisions(out)[MODEL]["codes"]


def test_new_licence_file_or_moved_revision_alone_is_drift(project, cli, fake_hub):
    root, _ = project
    assert cli("lock", "--model", MODEL)[0] == 0
    _serve(fake_hub, root, {"README.md": CARD, "LICENSE": MIT, "USE_POLICY.md": b"Do no harm.\n"})
    code, out, _ = cli("check", "--model", MODEL, "--format", "json", "--locked")
    assert code == 1
    message = _decisions(out)[MODEL]["findings"][0]["message"]
    assert "licence file USE_POLICY.md appeared" in message and "revision moved" in message
    # Same files, new commit (a README edit): the revision alone reopens the approval.
    assert cli("lock", "--model", MODEL, "--update")[0] == 0
    _serve(
        fake_hub,
        root,
        {"README.md": CARD + b"\nMore docs.\n", "LICENSE": MIT, "USE_POLICY.md": b"Do no harm.\n"},
    )
    code, out, _ = cli("check", "--model", MODEL, "--format", "json", "--locked")
    assert code == 1
    assert "revision moved" in _decisions(out)[MODEL]["findings"][0]["message"]


def test_model_missing_from_the_lock_is_drift(project, cli):
    assert cli("lock", "--model", "meta-llama/Llama-3.2-1B-Instruct")[0] == 0
    code, out, _ = cli("check", "--model", MODEL, "--format", "json", "--locked")
    assert code == 1
    drift = _decisions(out)[MODEL]["findings"][0]
    assert drift["code"] == "license-drift" and "not in compliance.lock" in drift["message"]
    # `lock` (no --update) adds a new model without touching the others.
    code, _, err = cli("lock", "--model", MODEL)
    assert code == 0 and "added 1 model" in err


def test_mirror_licence_edit_without_git_is_drift(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "mirror" / MODEL
    folder.mkdir(parents=True)
    (folder / "README.md").write_bytes(CARD)
    (folder / "LICENSE").write_bytes(MIT)
    args = ("--model", MODEL, "--source", f"mirror:{tmp_path / 'mirror'}")
    assert cli("lock", *args)[0] == 0
    (folder / "LICENSE").write_bytes(MIT + b"Additional restriction: no EU use.\n")
    code, out, _ = cli("check", *args, "--format", "json", "--locked")
    assert code == 1
    message = _decisions(out)[MODEL]["findings"][0]["message"]
    assert "licence file LICENSE changed" in message


def test_lock_writes_nothing_when_a_model_cannot_be_read(project, cli):
    root, _ = project
    code, _, err = cli("lock", "--model", MODEL, "--model", "acme/does-not-exist")
    assert code == 3
    assert "acme/does-not-exist" in err and "not written" in err
    assert not (root / "compliance.lock").exists()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "no lock file"),
        ('{"schema": "compliance.lock/v1",\n "models": [\n', ":3: invalid JSON"),
        ('{"schema": "compliance.lock/v9", "models": {}}', "v9"),
        ('{"models": {}}', "not a compliance.lock"),
        ('{"schema": "compliance.lock/v1", "models": {"a/b": {"model": "../x"}}}', "model id"),
        (
            '{"schema": "compliance.lock/v1",'
            ' "models": {"a/b": {"model": "a/b", "revision": "main"}}}',
            "40-hex",
        ),
        (
            '{"schema": "compliance.lock/v1", "models": {"a/b": {"model": "a/b",'
            ' "license_files": {"LICENSE": "x"}}}}',
            "sha256",
        ),
        ("[" * 100_000, "invalid JSON"),
        ("\udcff", "UTF-8"),
    ],
)
def test_broken_lock_is_exit_2_naming_the_file(project, cli, fake_hub, content, fragment):
    root, _ = project
    path = root / "compliance.lock"
    if content is not None:
        path.write_bytes(content.encode("utf-8", errors="surrogateescape"))
    fake_hub.requests.clear()
    code, _, err = cli("check", "--model", MODEL, "--locked")
    assert code == 2, err
    assert "compliance.lock" in err and fragment in err and "Traceback" not in err
    assert fake_hub.requests == []  # refused before any request
    code, _, err = cli("lock", "--model", MODEL)
    if content is not None:
        assert code == 2 and fragment in err


def test_exception_pinned_to_a_revision_stops_applying_when_it_moves(project, cli, fake_hub):
    root, sha = project
    base = _decisions(cli("check", "--model", MODEL, "--format", "json")[1])[MODEL]
    codes = [f["code"] for f in base["findings"] if f["severity"] in ("deny", "warn")]
    if not codes:  # make a finding to waive: a licence class the policy does not allow
        (root / "compliance.yaml").write_text(CONFIG.replace("[permissive]", "[copyleft]"))
        base = _decisions(cli("check", "--model", MODEL, "--format", "json")[1])[MODEL]
        codes = [f["code"] for f in base["findings"] if f["severity"] in ("deny", "warn")]
    assert codes
    config = (root / "compliance.yaml").read_text() + (
        "exceptions:\n"
        f"  - model: {MODEL}\n"
        f"    revision: {sha}\n"
        f"    rules: [{', '.join(sorted(set(codes)))}]\n"
        "    reason: reviewed by legal, ticket 1\n"
        "    approved_by: legal@example.com\n"
        "    expires: 2999-01-01\n"
    )
    (root / "compliance.yaml").write_text(config)
    code, out, err = cli("check", "--model", MODEL, "--format", "json", "--fail-on", "warn")
    assert code == 0, out + err
    assert _decisions(out)[MODEL]["decision"] == "allow"
    _serve(fake_hub, root, {"README.md": CARD + b"\nnew commit\n", "LICENSE": MIT})
    code, out, _ = cli("check", "--model", MODEL, "--format", "json", "--fail-on", "warn")
    decision = _decisions(out)[MODEL]
    assert code == 1 and decision["decision"] != "allow", out
    assert "exception-unused" in decision["codes"]
    assert set(codes) <= set(decision["codes"])  # the waived findings stand again


# -- the pure core ----------------------------------------------------------------------------
def _entry(**kw) -> LockedModel:
    base = dict(
        model="a/b",
        revision="1" * 40,
        license_key="mit",
        license_files=(("LICENSE", "a" * 64),),
        decision="allow",
        locked_at="2026-01-01",
    )
    base.update(kw)
    return LockedModel(**base)  # type: ignore[arg-type]


def test_compare_kinds_and_summary():
    old = _entry()
    assert compare(old, _entry(locked_at="2027-01-01", decision="warn")) == []
    drifts = compare(
        old,
        _entry(
            revision="2" * 40,
            license_key="apache-2.0",
            license_files=(("LICENSE", "b" * 64), ("NOTICE", "c" * 64)),
        ),
    )
    assert [d.kind for d in drifts] == ["revision", "license-file", "license-file", "license-key"]
    text = summary(drifts)
    assert "111111111111 to 222222222222" in text and "NOTICE appeared" in text
    assert "licence changed from mit to apache-2.0" in text
    gone = compare(old, _entry(license_files=()))
    assert gone[0].message.startswith("licence file LICENSE is gone")
    assert compare(None, old)[0].kind == "unlocked"


def test_round_trip_and_dates_kept_when_unchanged(tmp_path):
    path = tmp_path / "compliance.lock"
    lock = build_lock([_entry(), _entry(model="c/d", revision=None, digest="sha256:x")])
    write_lock(path, lock)
    again = read_lock(path)
    assert again.to_json() == lock.to_json()
    rebuilt = build_lock([_entry(locked_at="2030-01-01")], again)
    assert rebuilt.models["a/b"].locked_at == "2026-01-01"
    merged, drifts = merge_lock(again, [_entry(revision="3" * 40)])
    assert merged.models["a/b"].revision == "1" * 40 and drifts[0].kind == "revision"
    two = build_lock([_entry(), _entry(revision="4" * 40)])
    assert set(two.models) == {"a/b", f"a/b@{'4' * 40}"}
    assert two.lookup("a/b", "4" * 40).revision == "4" * 40  # type: ignore[union-attr]
    with pytest.raises(InputError):
        read_lock(tmp_path / "missing.lock")
    assert isinstance(Lock().to_json()["models"], dict)


BASE = "acme/base"
CHILD_CARD = b"---\nlicense: mit\nbase_model: acme/base\n---\n# A fine-tune of acme/base\n"


def _serve_repo(fake_hub, root: Path, model: str, files: dict[str, bytes]) -> str:
    folder = root / "hub" / model
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    repo = load_repo(folder, model)
    fake_hub.repos[model] = repo
    return repo.sha


def test_a_base_models_licence_change_is_drift_naming_the_base(project, cli, fake_hub):
    root, _ = project
    _serve_repo(fake_hub, root, BASE, {"README.md": CARD, "LICENSE": MIT})
    _serve(fake_hub, root, {"README.md": CHILD_CARD, "LICENSE": MIT})
    code, _, err = cli("lock", "--model", MODEL)
    assert code == 0, err
    entry = json.loads((root / "compliance.lock").read_text())["models"][MODEL]
    assert set(entry["ancestors"]) == {BASE}
    assert entry["ancestors"][BASE]["license_files"] == {"LICENSE": hashlib.sha256(MIT).hexdigest()}
    assert cli("check", "--model", MODEL, "--locked")[0] == 0
    # the base's licence text changes; the child does not move
    changed = MIT.replace(b"free of charge", b"for non-commercial use only")
    _serve_repo(fake_hub, root, BASE, {"README.md": CARD, "LICENSE": changed})
    code, out, err = cli("check", "--model", MODEL, "--format", "json", "--locked")
    assert code == 1, err
    drift = next(f for f in _decisions(out)[MODEL]["findings"] if f["code"] == "license-drift")
    assert f"licence file LICENSE of base {BASE} changed" in drift["message"]
    assert any(e["file"] == "LICENSE" and e.get("model") == BASE for e in drift["evidence"])
    # --update accepts the move: no drift any more, but the changed text is judged as it reads
    # (a non-commercial clause in a modified MIT text is never an allow)
    assert cli("lock", "--model", MODEL, "--update")[0] == 0
    code, out, err = cli("check", "--model", MODEL, "--format", "json", "--locked")
    assert code == 1, err
    codes = {f["code"] for f in _decisions(out)[MODEL]["findings"]}
    assert "license-drift" not in codes
    assert _decisions(out)[MODEL]["decision"] == "deny"


def test_a_lock_under_another_name_is_not_read_as_references(project, cli):
    root, _ = project
    assert cli("lock", "--model", MODEL, "--lock-file", "approvals.json")[0] == 0
    data = json.loads((root / "approvals.json").read_text())
    data["models"]["acme/gone"] = {"model": "acme/gone"}  # kept from an earlier approval
    (root / "approvals.json").write_text(json.dumps(data))
    code, out, err = cli("lock", ".", "--lock-file", "approvals.json")
    assert code == 0, out + err
    code, out, _ = cli(
        "check", ".", "--locked", "--lock-file", "approvals.json", "--format", "json"
    )
    (decision,) = json.loads(out)["decisions"]
    assert [loc["file"] for loc in decision["locations"]] == ["./litellm.yaml"]

"""Mirror source, the CLI skeleton and `init`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from compliance.errors import RepoNotFound, RevisionNotFound
from compliance.modelid import parse_model_id
from compliance.sources.mirror import MirrorSource, git_head

CARD = "---\nlicense: apache-2.0\npipeline_tag: image-text-to-text\n---\n# Demo\n"


def _repo(root: Path, repo_id: str = "acme/demo") -> Path:
    folder = root / repo_id
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(CARD)
    (folder / "LICENSE").write_text("Apache License\nVersion 2.0, January 2004\n")
    (folder / "weights.bin").write_bytes(b"\0" * 10)
    return folder


def test_mirror_without_git_has_no_revision_but_a_content_digest(tmp_path):
    _repo(tmp_path)
    snap = MirrorSource(tmp_path).fetch(parse_model_id("acme/demo"))
    assert snap.revision is None
    assert snap.digest.startswith("sha256:") and len(snap.digest) == 71
    assert [f.path for f in snap.files] == ["README.md", "LICENSE"]
    assert snap.card_data["license"] == "apache-2.0"
    assert snap.pipeline_tag == "image-text-to-text"
    # the digest changes with the content
    (tmp_path / "acme/demo/LICENSE").write_text("changed\n")
    assert MirrorSource(tmp_path).fetch(parse_model_id("acme/demo")).digest != snap.digest


def test_mirror_git_clone_revision_is_head(tmp_path):
    folder = _repo(tmp_path)
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
        "PATH": "/usr/bin:/bin",
    }
    for cmd in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "x"]):
        subprocess.run(cmd, cwd=folder, check=True, env=env)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert git_head(folder) == head
    source = MirrorSource(tmp_path)
    assert source.fetch(parse_model_id("acme/demo")).revision == head
    assert source.fetch(parse_model_id(f"acme/demo@{head}")).revision == head
    with pytest.raises(RevisionNotFound):
        source.fetch(parse_model_id("acme/demo@" + "0" * 40))


def test_mirror_missing_model_and_escape_attempts(tmp_path):
    _repo(tmp_path)
    (tmp_path.parent / "outside").mkdir(exist_ok=True)
    with pytest.raises(RepoNotFound):
        MirrorSource(tmp_path).fetch(parse_model_id("acme/nothing"))


def test_mirror_oversized_and_binary_licence_files_are_skipped_with_a_note(tmp_path):
    folder = _repo(tmp_path)
    (folder / "LICENSE").write_bytes(b"x" * (1024 * 1024 + 1))
    (folder / "NOTICE").write_bytes(b"\x00\x01binary")
    snap = MirrorSource(tmp_path).fetch(parse_model_id("acme/demo"))
    skipped = {f.path: f.skipped for f in snap.files if f.skipped}
    assert skipped["LICENSE"].startswith("too-large")
    assert skipped["NOTICE"] == "binary"
    assert any("LICENSE skipped" in n for n in snap.notes)


def test_scan_mirror_json(tmp_path, cli):
    _repo(tmp_path)
    code, out, err = cli("scan", "acme/demo", "--source", f"mirror:{tmp_path}", "--format", "json")
    assert code == 0, err
    (model,) = json.loads(out)["models"]
    assert model["source"] == "mirror" and model["revision"] is None
    assert model["license"]["declared"] == "apache-2.0"
    assert model["multimodal"] is True
    assert {
        "fact": "license.file",
        "file": "LICENSE",
        "line": 1,
        "quote": "Apache License",
    } in model["evidence"]


def test_source_from_config_file(tmp_path, cli, monkeypatch):
    _repo(tmp_path / "mirror")
    (tmp_path / "compliance.yaml").write_text("version: 1\nsource: {mirror: mirror}\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("scan", "acme/demo", "--format", "json")
    assert code == 0
    assert json.loads(out)["models"][0]["source"] == "mirror"


def test_bad_source_flag_is_usage_error(cli):
    code, _, err = cli("scan", "acme/demo", "--source", "ftp://x")
    assert code == 2 and "invalid source" in err


def test_future_config_version_is_reported_first(tmp_path, cli):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("version: 99\nsource: {nonsense: 1}\n")
    code, _, err = cli("scan", "acme/demo", "--config", str(cfg))
    assert code == 2 and "newer than this tool understands" in err


def test_version_and_help(cli):
    code, out, _ = cli("--version")
    assert code == 0 and out.startswith("compliance, version ")
    code, out, _ = cli("--help")
    assert code == 0
    for name in ("scan", "init"):
        assert f"  {name} " in out


def test_unknown_flag_is_usage_error(cli):
    code, _, err = cli("scan", "--bogus")
    assert code == 2 and "No such option" in err


def test_init_writes_a_loadable_template_and_refuses_to_overwrite(tmp_path, cli):
    from compliance.config import load_config

    target = tmp_path / "compliance.yaml"
    assert cli("init", str(target))[0] == 0
    config = load_config(target)
    assert config.version == 1 and config.source.kind == "hub"
    assert config.organization.domicile is None  # never guessed
    code, _, err = cli("init", str(target))
    assert code == 2 and "exists" in err
    assert cli("init", str(target), "--force")[0] == 0


def test_installed_console_script_runs(tmp_path):
    import shutil
    import sys

    exe = shutil.which("compliance", path=str(Path(sys.executable).parent))
    assert exe, "the console script is installed beside the interpreter"
    run = subprocess.run([exe, "scan", "not-an-id"], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "compliance: error: invalid model id 'not-an-id': expected org/name or org/name@revision"
    ]

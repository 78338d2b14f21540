"""A mirror resolves branch and tag names (`@main`, `@v1`) by reading the clone's refs and
packed-refs, without running git; a missing mirror folder is a usage error (exit 2) and a
relative mirror path is shown resolved."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from compliance.errors import RevisionNotFound
from compliance.modelid import parse_model_id
from compliance.sources.mirror import MirrorSource

ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@e",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@e",
    "PATH": "/usr/bin:/bin",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}


def _git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=folder, check=True, env=ENV, capture_output=True, text=True
    )
    return done.stdout.strip()


def _clone(root: Path) -> tuple[Path, str, str]:
    """acme/demo with two commits on `main`: (folder, first sha, head sha); tags on both."""
    folder = root / "acme" / "demo"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\n# Demo\n")
    _git(folder, "init", "-q", "-b", "main")
    _git(folder, "add", ".")
    _git(folder, "commit", "-qm", "one")
    first = _git(folder, "rev-parse", "HEAD")
    _git(folder, "tag", "old")
    (folder / "README.md").write_text("---\nlicense: mit\n---\n# Demo\n")
    _git(folder, "commit", "-qam", "two")
    _git(folder, "tag", "light")
    _git(folder, "tag", "-a", "annotated", "-m", "release")
    _git(folder, "branch", "other", first)
    return folder, first, _git(folder, "rev-parse", "HEAD")


@pytest.mark.parametrize("packed", [False, True], ids=["loose-refs", "packed-refs"])
@pytest.mark.parametrize("name", ["main", "light", "annotated", "refs/heads/main"])
def test_branch_and_tag_names_resolve_to_the_head_commit(tmp_path, packed, name) -> None:
    folder, _, head = _clone(tmp_path)
    if packed:
        _git(folder, "pack-refs", "--all")
        _git(folder, "gc", "-q")  # the annotated tag object is packed too
        assert not (folder / ".git" / "refs" / "tags" / "annotated").exists()
    snap = MirrorSource(tmp_path).fetch(parse_model_id(f"acme/demo@{name}"))
    assert snap.revision == head


@pytest.mark.parametrize("packed", [False, True], ids=["loose-refs", "packed-refs"])
@pytest.mark.parametrize("name", ["other", "old"])
def test_a_name_at_another_commit_is_not_the_mirror_copy(tmp_path, packed, name) -> None:
    folder, first, head = _clone(tmp_path)
    if packed:
        _git(folder, "pack-refs", "--all")
    with pytest.raises(RevisionNotFound) as info:
        MirrorSource(tmp_path).fetch(parse_model_id(f"acme/demo@{name}"))
    assert first in str(info.value) and head in str(info.value)


def test_an_unknown_name_is_revision_not_found(tmp_path) -> None:
    _clone(tmp_path)
    with pytest.raises(RevisionNotFound, match="no branch or tag"):
        MirrorSource(tmp_path).fetch(parse_model_id("acme/demo@nosuch"))


def test_check_with_a_revision_name_offline(tmp_path, cli, monkeypatch) -> None:
    _clone(tmp_path / "mirror")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(
        "check", "--model", "acme/demo@main", "--source", "mirror:mirror", "--format", "json"
    )
    assert code == 0, err
    assert '"source_error": true' not in out


def test_missing_mirror_folder_is_a_usage_error(tmp_path, cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("check", "--model", "acme/demo", "--source", "mirror:nowhere")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert lines[-1].startswith("compliance: error: ") and "mirror" in lines[-1]
    assert str(tmp_path.resolve() / "nowhere") in lines[-1]  # the relative path, resolved


def test_missing_mirror_folder_named_by_the_config_is_a_config_error(tmp_path, cli) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("version: 1\nsource: {mirror: ./absent}\n", encoding="utf-8")
    code, _, err = cli("scan", "acme/demo", "--config", str(config))
    assert code == 2
    assert str(tmp_path.resolve() / "absent") in err


def test_relative_mirror_path_is_shown_resolved(tmp_path, cli, monkeypatch) -> None:
    (tmp_path / "mirror").mkdir()
    monkeypatch.chdir(tmp_path)
    code, _, err = cli("scan", "acme/demo", "--source", "mirror:./mirror")
    assert code == 3
    assert f"not in the mirror {tmp_path.resolve() / 'mirror'}" in err

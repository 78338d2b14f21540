"""Issue 14, item 13: the scanned tree and the mirror are read as regular files only: a
symlink (in or out of the tree) is never followed, a FIFO or device is never opened for
reading, and every read is capped."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from compliance.modelid import parse_model_id
from compliance.sources.mirror import MirrorSource

LITELLM = "model_list:\n  - model_name: m\n    litellm_params:\n      model: huggingface/acme/{}\n"


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "litellm.yaml").write_text(LITELLM.format("inside"))
    return root


def refs(cli, *paths: str) -> tuple[int, list[str], str]:
    code, out, err = cli("refs", *paths, "--format", "json")
    data = json.loads(out) if out.strip() else {"refs": []}
    return code, [r["model"] for r in data["refs"]], err


def test_symlinks_to_devices_and_outside_files_are_not_followed(cli, tree, tmp_path, caplog):
    outside = tmp_path / "outside.yaml"
    outside.write_text(LITELLM.format("outside"))
    os.symlink(outside, tree / "config.yaml")
    os.symlink("/dev/zero", tree / "zero.yaml")
    os.symlink("/dev/zero", tree / "model.safetensors")
    code, models, err = refs(cli, str(tree))
    assert code == 0, err
    assert models == ["acme/inside"]
    assert "zero.yaml: skipped, a symlink" in caplog.text
    assert "config.yaml: skipped, a symlink" in caplog.text


def test_a_fifo_in_the_tree_is_skipped_without_blocking(cli, tree, caplog):
    os.mkfifo(tree / "pipe.yaml")
    code, models, _ = refs(cli, str(tree))
    assert code == 0 and models == ["acme/inside"]
    assert "pipe.yaml: skipped, not a regular file" in caplog.text


def test_a_device_named_on_the_command_line_is_refused_not_read(cli, tree):
    os.symlink("/dev/zero", tree / "zero.yaml")
    code, _, err = refs(cli, str(tree / "zero.yaml"))
    assert code == 2 and "not a regular file" in err


def test_mirror_fifo_and_device_links_are_never_opened(tmp_path):
    folder = tmp_path / "acme" / "m"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("---\nlicense: mit\n---\n")
    os.mkfifo(folder / "NOTICE")
    os.symlink("/dev/zero", folder / "config.json")
    snap = MirrorSource(tmp_path).fetch(parse_model_id("acme/m"))
    skipped = {f.path: f.skipped for f in snap.files if f.skipped}
    assert skipped == {"NOTICE": "not a regular file", "config.json": "symlink (not followed)"}

"""Bad input: exit 2 with one message naming the file (and line), no traceback, bounded time.

Files a model repo serves (cards, licences) are not the user's input: one over its cap, binary
or not UTF-8 is skipped or decoded with a warning and a note, never a crash.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from fakehub import load_repo

from compliance.errors import InputError
from compliance.modelid import parse_model_id
from compliance.safeyaml import YamlLimits, load_yaml, load_yaml_file, load_yaml_with_lines

MODEL = "acme/apache-finetune"

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


def _config(tmp_path: Path, content: bytes | str, name: str = "compliance.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def _one_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


CONFIGS = [
    pytest.param("version: 1\nsource: [hub\n", ":3:", "invalid YAML", id="malformed-yaml"),
    pytest.param(BOMB, ":", "alias", id="alias-bomb"),
    pytest.param("version: 1\nversion: 1\n", ":2:", "duplicate key", id="duplicate-key"),
    pytest.param("a: " + "[" * 5000 + "]" * 5000 + "\n", ":1:", "nesting", id="deep-nesting"),
    pytest.param("version: 99\n", "compliance.yaml", "newer", id="future-version"),
    pytest.param(
        "x: 1\n" + "y: " + "z" * (1024 * 1024) + "\n", "compliance.yaml", "larger", id="too-big"
    ),
    pytest.param(b"version: 1\x00\x01\x02binary\n", ":1:", "binary", id="binary"),
    pytest.param(b"version: 1\nname: caf\xe9\n", "compliance.yaml", "UTF-8", id="not-utf8"),
    pytest.param("version: 1\nbell: \x07\n", ":2:", "character", id="control-char"),
    pytest.param(
        "!!python/object/apply:os.system [echo hi]\n", ":1:", "constructor", id="python-tag"
    ),
]


@pytest.mark.parametrize(("content", "where", "what"), CONFIGS)
def test_bad_config_is_exit_2_naming_the_file(fake_hub, cli, tmp_path, content, where, what):
    path = _config(tmp_path, content.encode() if isinstance(content, str) else content)
    code, out, err = cli("scan", MODEL, "--config", str(path))
    assert code == 2, err
    line = _one_error(err)
    assert str(path) in line and where in line and what in line, line
    assert out == ""
    assert fake_hub.requests == []  # nothing was fetched on a bad config


def test_config_that_is_a_directory_or_missing_is_exit_2(fake_hub, cli, tmp_path):
    for target in (tmp_path, tmp_path / "missing.yaml"):
        code, _, err = cli("scan", MODEL, "--config", str(target))
        assert code == 2, err
        assert str(target) in err and "Traceback" not in err
    assert fake_hub.requests == []


@pytest.mark.parametrize(
    "bad",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "org/..",
        "../org/name",
        "org/name/../../x",
        "org\\..\\x/y",
        "org/name@../../../etc",
        "org/name@..",
        "org/name@/abs",
        "org/na\x00me",
        "org/name\n/x",
        "org/ｎａｍｅ",
        "org/" + "n" * 97,
        "~/x",
        "org/name@",
        "",
    ],
)
def test_invalid_model_id_never_reaches_hub_cache_or_filesystem(fake_hub, cli, bad, tmp_path):
    code, _out, err = cli("scan", bad)
    assert code == 2, err
    assert "invalid" in _one_error(err)
    assert fake_hub.requests == []
    code, _, err = cli("scan", bad, "--source", f"mirror:{tmp_path}")
    assert code == 2, err


def test_cache_paths_are_built_only_from_valid_ids(tmp_path):
    from compliance.sources.cache import SnapshotCache

    cache = SnapshotCache(tmp_path / "cache")
    for model, sha in [("../x", "a" * 40), ("a/b", "../../" + "a" * 34), ("a/b\n", "a" * 40)]:
        assert cache.get(model, sha) is None
        with pytest.raises(ValueError):
            cache._path(model, sha)
    assert cache.latest("../../etc") is None
    assert not (tmp_path / "cache").exists()


def test_mirror_symlink_out_of_the_mirror_is_refused(tmp_path):
    from compliance.errors import RepoNotFound
    from compliance.sources.mirror import MirrorSource

    outside = tmp_path / "outside" / "secret"
    outside.mkdir(parents=True)
    (outside / "README.md").write_text("---\nlicense: mit\n---\n")
    mirror = tmp_path / "mirror"
    (mirror / "acme").mkdir(parents=True)
    (mirror / "acme" / "evil").symlink_to(outside)
    with pytest.raises(RepoNotFound):
        MirrorSource(mirror).fetch(parse_model_id("acme/evil"))


# -- files served by a model repo -------------------------------------------------------------
def _serve(fake_hub, tmp_path: Path, repo_id: str, files: dict[str, bytes]) -> None:
    folder = tmp_path / "hub" / repo_id
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    fake_hub.repos[repo_id.lower()] = load_repo(folder, repo_id)


def test_oversized_binary_and_latin1_licence_files_are_skipped_or_decoded(
    fake_hub, cli, tmp_path, caplog
):
    card = b"---\nlicense: other\nlicense_name: custom\n---\n# Model\n"
    _serve(
        fake_hub,
        tmp_path,
        "acme/odd-files",
        {
            "README.md": card,
            "LICENSE": b"Permission is granted " * 60_000,  # ~1.3 MB, over the 1 MiB cap
            "NOTICE": b"\x00\x01\x02\x03 binary",
            "LICENSE-MODEL.txt": b"Copyright \xa9 2024 Acme. All rights reserved.\n",
        },
    )
    caplog.set_level(logging.WARNING, logger="compliance")
    code, out, err = cli("scan", "acme/odd-files", "--no-lineage", "--format", "json")
    assert code == 0, err
    (model,) = json.loads(out)["models"]
    notes = "\n".join(model["notes"])
    assert "LICENSE skipped: too-large" in notes
    assert "NOTICE skipped: binary" in notes
    assert any("LICENSE" in r.getMessage() and "cap" in r.getMessage() for r in caplog.records)
    # The cp1252 file was read, its hash taken over the raw bytes.
    files = {f["file"] for f in model["license_files"]}
    assert "LICENSE-MODEL.txt" in files


def test_oversized_card_is_skipped_with_a_note(fake_hub, cli, tmp_path):
    card = b"---\nlicense: mit\n---\n" + b"x" * (2 * 1024 * 1024 + 10)
    _serve(fake_hub, tmp_path, "acme/huge-card", {"README.md": card})
    code, out, err = cli("scan", "acme/huge-card", "--no-lineage", "--format", "json")
    assert code == 0, err
    (model,) = json.loads(out)["models"]
    assert any("README.md skipped: too-large" in n for n in model["notes"])


# -- the safe YAML loader itself --------------------------------------------------------------
def test_safe_yaml_refuses_bombs_quickly_and_names_the_line():
    with pytest.raises(InputError) as info:  # refused by its alias count, before expanding it
        load_yaml(BOMB, source="bomb.yaml")
    assert info.value.file == "bomb.yaml" and info.value.line is not None
    assert "alias" in str(info.value)


def test_safe_yaml_allows_ordinary_anchors_and_merge_keys():
    text = "x: &base {image: vllm, gpu: 1}\nsvc:\n  <<: *base\n  gpu: 2\nlist: [*base, *base]\n"
    data = load_yaml(text, source="compose.yaml")
    assert data["svc"] == {"image": "vllm", "gpu": 2}
    assert data["list"] == [{"image": "vllm", "gpu": 1}] * 2


def test_safe_yaml_recursive_alias_and_limits():
    with pytest.raises(InputError, match="recursive"):
        load_yaml("a: &a [*a]\n")
    with pytest.raises(InputError, match="cap"):
        load_yaml("a: 1\n" * 10, limits=YamlLimits(max_bytes=10))
    assert load_yaml("a: 1\na: 2\n", limits=YamlLimits(allow_duplicate_keys=True)) == {"a": 2}
    assert load_yaml("x: !reset [1]\n", limits=YamlLimits(plain_unknown_tags=True)) == {"x": [1]}


def test_safe_yaml_line_offsets_and_key_lines():
    with pytest.raises(InputError) as info:
        load_yaml("a: [\n", source="README.md", first_line=5)
    assert info.value.line == 6
    data, lines = load_yaml_with_lines("a:\n  b:\n    - c: 1\n")
    assert data == {"a": {"b": [{"c": 1}]}}
    assert lines[("a", "b", 0, "c")] == 3


def test_safe_yaml_file_reads_at_most_the_cap(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: 1\n" * 1000)
    with pytest.raises(InputError, match="cap") as info:
        load_yaml_file(big, limits=YamlLimits(max_bytes=1024))
    assert info.value.file == str(big)
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)  # would block a naive reader forever
    for target in (Path("/dev/zero"), tmp_path, fifo):
        with pytest.raises(InputError, match="regular file"):
            load_yaml_file(target)


def test_rego_pack_that_does_not_compile_is_exit_2(fake_hub, cli, tmp_path):
    pack = tmp_path / "broken.rego"
    pack.write_text("package compliance.custom\n\ndeny contains x if {\n  x := \n}\n")
    config = _config(tmp_path, f"version: 1\npolicy:\n  packs: [{pack}]\n", name="with-pack.yaml")
    code, out, err = cli("check", "--model", MODEL, "--config", str(config))
    assert code == 2, err
    assert "broken.rego" in err and "Traceback" not in err
    assert "allow" not in out


# -- parsers of repo files and configs go through compliance.safeyaml ---------------------------
def test_alias_bomb_in_a_config_file_is_exit_2_quickly(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "docker-compose.yaml"
    path.write_text(BOMB.replace("a: &a", "model: &a", 1))
    try:
        result = subprocess.run(
            [sys.executable, "-m", "compliance", "refs", str(path)],
            capture_output=True,
            text=True,
            timeout=3,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("refs did not finish within 3 s on an alias bomb")
    assert result.returncode == 2
    assert str(path) in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("README.md", "---\nlicense: mit\nreleased: 2024-13-45\n---\n# x\n"),
        ("README.md", "---\nlicense: mit\nx: " + "[" * 3000 + "]" * 3000 + "\n---\n"),
        ("mergekit_config.yml", "models:\n  - model: a/b\nx: 2024-13-45\n"),
    ],
    ids=["card-timestamp", "card-deep", "mergekit-timestamp"],
)
def test_strange_repo_yaml_is_never_an_internal_error(cli, tmp_path, name, content):
    folder = tmp_path / "mirror" / "acme" / "odd"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("---\nlicense: mit\n---\n")
    (folder / name).write_text(content)
    code, _, err = cli("scan", "acme/odd", "--source", f"mirror:{tmp_path / 'mirror'}")
    assert "internal error" not in err, err
    assert code in (0, 2, 3)

"""The mirror's fast read path gives what the plain one gave: the folder realpath names (or
RepoNotFound, for anything a symlink would lead out of the mirror), the same licence-file
matching, the same errors in the same order, the same fetched_at."""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import os
from pathlib import Path

import pytest

from compliance.errors import RepoNotFound, RevisionNotFound, SourceError
from compliance.modelid import ModelId, parse_model_id
from compliance.sources import mirror as mirror_module
from compliance.sources.interface import LICENSE_FILE_PATTERNS, is_license_file, wanted_files
from compliance.sources.mirror import MirrorSource


def realpath_folder(root: Path, org: str, name: str) -> str | None:
    """The model folder as the mirror found it before: realpath, then inside-the-root checks."""
    base = os.path.realpath(root)
    folder = os.path.realpath(os.path.join(base, org, name))
    inside = base if base.endswith(os.sep) else base + os.sep
    if not folder.startswith(inside) or folder == base or not os.path.isdir(folder):
        return None
    return folder


@pytest.fixture()
def layout(tmp_path: Path) -> Path:
    """A mirror with real folders, symlinks that stay inside it, and symlinks that leave it."""
    outside = tmp_path / "outside"
    (outside / "m").mkdir(parents=True)
    (outside / "m" / "LICENSE").write_text("MIT License\n")
    root = tmp_path / "mirror"
    (root / "real" / "m").mkdir(parents=True)
    (root / "real" / "m" / "LICENSE").write_text("MIT License\n")
    (root / "real" / "afile").write_text("not a folder\n")
    os.symlink(root / "real", root / "linkorg")  # org symlink back inside
    os.symlink("real", root / "relorg")  # relative, inside
    os.symlink(outside, root / "outorg")  # org symlink out of the mirror
    os.symlink(tmp_path, root / "parentorg")  # org symlink to the mirror's parent
    os.symlink(root / "real" / "m", root / "real" / "linkm")  # model symlink back inside
    os.symlink("../real/m", root / "real" / "relm")
    os.symlink(outside / "m", root / "real" / "outm")  # model symlink out of the mirror
    os.symlink(root, root / "real" / "rootm")  # model symlink to the mirror root itself
    os.symlink(tmp_path / "nowhere", root / "real" / "dangling")
    os.symlink("loop", root / "real" / "loop")
    (root / "real" / "nested" / "deeper").mkdir(parents=True)
    os.symlink(root / "real" / "nested" / "deeper", root / "real" / "via")
    return root


CASES = [
    ("real", "m"),
    ("real", "afile"),
    ("real", "missing"),
    ("missing", "m"),
    ("linkorg", "m"),
    ("relorg", "m"),
    ("relorg", "linkm"),
    ("outorg", "m"),
    ("parentorg", "mirror"),
    ("parentorg", "outside"),
    ("real", "linkm"),
    ("real", "relm"),
    ("real", "outm"),
    ("real", "rootm"),
    ("real", "dangling"),
    ("real", "loop"),
    ("real", "via"),
    ("real", "nested"),
    (".", "real"),
    ("real", "."),
    ("real", ".."),
    ("", "real"),
]


@pytest.mark.parametrize(("org", "name"), CASES)
def test_the_model_folder_is_the_one_realpath_names(layout, org, name):
    source = MirrorSource(layout)
    try:
        found: str | None = source._model_folder(ModelId(f"{org}/{name}"))
    except RepoNotFound:
        found = None
    assert found == realpath_folder(layout, org, name)


def test_symlinks_out_of_the_mirror_are_not_found_and_ones_back_inside_are_read(layout):
    source = MirrorSource(layout, file_index=False)
    for model in ("outorg/m", "real/outm", "real/rootm", "parentorg/mirror"):
        with pytest.raises(RepoNotFound):
            source.fetch(parse_model_id(model))
    for model in ("linkorg/m", "real/linkm", "relorg/relm"):
        snapshot = source.fetch(parse_model_id(model))
        assert [f.path for f in snapshot.files] == ["LICENSE"]


def test_a_mirror_root_given_through_a_symlink_is_resolved_once(layout, tmp_path):
    os.symlink(layout, tmp_path / "alias")
    source = MirrorSource(tmp_path / "alias", file_index=False)
    assert source._model_folder(ModelId("real/m")) == str(layout.resolve() / "real" / "m")
    with pytest.raises(RepoNotFound):
        source._model_folder(ModelId("outorg/m"))


NAMES = [
    "LICENSE",
    "license",
    "License.txt",
    "LICENCE.md",
    "LICENSE-MODEL",
    "license-model.md",
    "MODEL_LICENSE",
    "model_license.txt",
    "llama_license_agreement.pdf",
    "THE-LICENSE_AGREEMENT",
    "USE_POLICY.md",
    "use_policy",
    "NOTICE",
    "notice.txt",
    "COPYING",
    "copying.lesser",
    "README.md",
    "config.json",
    "mylicense",
    "license\n",
    "\nlicense",
    "lic*ense",
    "LICENSES/MIT.txt",
    "licences/Apache-2.0.txt",
    "LICENSES/sub/MIT.txt",
    "LICENSES/",
    "docs/LICENSE",
    "ｌｉｃｅｎｓｅ",
    "",
]


@pytest.mark.parametrize("name", NAMES)
def test_licence_file_matching_is_fnmatch(name):
    lower = name.lower()
    if "/" in lower:
        folder, _, rest = lower.partition("/")
        expected = folder in ("licenses", "licences") and bool(rest) and "/" not in rest
    else:
        expected = any(fnmatch.fnmatchcase(lower, pat) for pat in LICENSE_FILE_PATTERNS)
    assert is_license_file(name) is expected


def test_wanted_files_keeps_at_most_the_first_licence_files():
    siblings = [f"LICENSE-{i:02d}" for i in range(40)] + ["README.md", "config.json", "x.bin"]
    wanted = wanted_files(siblings)
    assert wanted[0] == "README.md"
    assert wanted[1:] == ["config.json"] + [f"LICENSE-{i:02d}" for i in range(32)]
    assert wanted_files(["b", "LICENSE", "README.md"]) == ["README.md", "LICENSE"]


def test_an_unlistable_folder_is_reported_after_the_revision_checks(layout, monkeypatch):
    def unlistable(folder: str, irregular: list[str]) -> tuple[list[str], bool]:
        raise PermissionError(13, "Permission denied", folder)

    monkeypatch.setattr(mirror_module, "_listing", unlistable)
    source = MirrorSource(layout, file_index=False)
    with pytest.raises(RevisionNotFound):
        source.fetch(parse_model_id("real/m@main"))
    with pytest.raises(SourceError, match=r"cannot read the mirror copy: .*Permission denied"):
        source.fetch(parse_model_id("real/m"))


def test_a_git_entry_is_found_by_the_listing_and_never_listed(layout):
    folder = layout / "real" / "m"
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("a" * 40 + "\n")
    (folder / ".git" / "LICENSE").write_text("not the repo's\n")
    source = MirrorSource(layout, file_index=False)
    snapshot = source.fetch(parse_model_id("real/m"))
    assert snapshot.revision == "a" * 40
    assert snapshot.siblings == ("LICENSE",)
    (folder / "sub").mkdir()
    (folder / "sub" / ".git").write_text("a nested file named .git is a file of the repo\n")
    assert source.fetch(parse_model_id("real/m")).siblings == ("LICENSE", "sub/.git")


def test_key_material_is_the_sorted_json_of_the_read(layout):
    (layout / "real" / "m" / "README.md").write_text("# Modèle\n")
    read = MirrorSource(layout, file_index=False)._read(parse_model_id("real/m"))
    expected = {
        "source": "mirror",
        "model": "real/m",
        "author": "real",
        "revision": None,
        "siblings": ["LICENSE", "README.md"],
        "files": [[f.path, f.sha256, f.size, f.skipped] for f in read.files],
        "notes": [],
    }
    assert read.key_material() == json.dumps(expected, sort_keys=True, ensure_ascii=False)


def test_fetched_at_is_now_to_the_second():
    for _ in range(5):  # a second may tick between the two clocks
        before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        got = mirror_module._utc_now_seconds()
        after = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        if before == after:
            assert got == before
            return
    pytest.fail("the clock ticked every time")


def clone(folder: Path, head: str, ref: str | None = None) -> None:
    (folder / ".git" / "refs" / "heads").mkdir(parents=True)
    (folder / ".git" / "HEAD").write_text(head)
    if ref is not None:
        (folder / ".git" / "refs" / "heads" / "main").write_text(ref)


def test_git_files_are_read_whole_up_to_their_cap(tmp_path, monkeypatch):
    sha = "0123456789abcdef0123456789abcdef01234567"
    clone(tmp_path, "ref: refs/heads/main\n", sha + "\n")
    assert mirror_module.git_head(tmp_path) == sha
    monkeypatch.setattr(mirror_module, "MAX_GIT_FILE_BYTES", len(sha) + 1)
    assert mirror_module.git_head(tmp_path) == sha  # exactly at the cap
    (tmp_path / ".git" / "refs" / "heads" / "main").write_text(sha + "\n\n")
    assert mirror_module.git_head(tmp_path) is None  # one byte over


def test_a_git_file_longer_than_one_read_is_read_whole(tmp_path):
    sha = "89abcdef0123456789abcdef0123456789abcdef"
    packed = "".join(f"{i:040x} refs/tags/t{i}\n" for i in range(3000)) + f"{sha} refs/heads/x\n"
    assert len(packed) > 65536 * 2
    clone(tmp_path, "ref: refs/heads/x\n")
    (tmp_path / ".git" / "packed-refs").write_text(packed)
    assert mirror_module.git_head(tmp_path) == sha


def test_a_fifo_for_head_is_not_waited_on(tmp_path):
    clone(tmp_path, "")
    (tmp_path / ".git" / "HEAD").unlink()
    os.mkfifo(tmp_path / ".git" / "HEAD")
    assert mirror_module._git_text(tmp_path / ".git" / "HEAD") is None
    assert mirror_module.git_head(tmp_path) is None


def test_a_file_longer_than_one_read_is_read_whole_and_one_over_its_cap_is_not(tmp_path):
    from compliance.sources.interface import MAX_CARD_BYTES
    from compliance.sources.reading import read_repo_file

    text = "".join(f"line {i}\n" for i in range(30000))
    assert 3 * 65536 < len(text) < MAX_CARD_BYTES
    (tmp_path / "README.md").write_text(text)
    assert read_repo_file("README.md", tmp_path / "README.md").text == text
    (tmp_path / "README.md").write_text("x" * MAX_CARD_BYTES)
    assert read_repo_file("README.md", tmp_path / "README.md").size == MAX_CARD_BYTES
    (tmp_path / "README.md").write_text("x" * (MAX_CARD_BYTES + 1))
    assert read_repo_file("README.md", tmp_path / "README.md").skipped.startswith("too-large")

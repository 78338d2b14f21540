"""A large run reads the file index's rows under its mirror in one query: what it is told is
what point lookups tell, a row written since is still seen, and nothing else is loaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compliance.sources import fileindex
from compliance.sources.fileindex import FileIndex
from compliance.sources.interface import RepoFile

SIG = (1, 2, 3, 4, 5)


def entry(n: int) -> dict[str, tuple[fileindex.Signature, RepoFile]]:
    return {"LICENSE": ((1, n, 3, 4, 5), RepoFile("LICENSE", None, f"{n:064x}", n, None))}


@pytest.fixture()
def path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(fileindex, "PRELOAD_AFTER", 3)
    index = FileIndex(tmp_path / "index.sqlite", "stamp")
    for n in range(10):
        index.record(f"/m/org/model-{n}", entry(n))
    index.record("/other/org/model-0", entry(99))
    index.close()
    old = FileIndex(tmp_path / "index.sqlite", "an older stamp")
    old.record("/m/org/old", entry(50))
    old.close()
    return tmp_path / "index.sqlite"


def preloaded(path: Path) -> FileIndex:
    """An index of the mirror /m/ that has made its PRELOAD_AFTER (3) point lookups."""
    index = FileIndex(path, "stamp", "/m/")
    for n in range(3):
        index.known(f"/m/org/model-{n}")
    return index


def queries(index: FileIndex) -> list[str]:
    seen: list[str] = []
    db = index._connect()
    db.set_trace_callback(seen.append)
    return seen


def test_preloaded_rows_give_what_point_lookups_give(path):
    plain = FileIndex(path, "stamp")  # under "": never preloads before PRELOAD_AFTER lookups
    expected = [plain.known(f"/m/org/model-{n}") for n in range(2)]
    index = FileIndex(path, "stamp", "/m/")
    sql = queries(index)
    got = [index.known(f"/m/org/model-{n}") for n in range(10)]
    assert got[:2] == expected
    assert got == [entry(n) for n in range(10)]
    selects = [q for q in sql if q.startswith("SELECT")]
    assert len(selects) == 3  # two point lookups, then one preload for the rest
    assert "folder >= '/m/' AND folder < '/m0'" in selects[2]


def test_only_this_stamp_and_this_mirror_are_preloaded(path):
    index = preloaded(path)
    # the third lookup preloaded every row under /m/ with this stamp, and took its own
    assert sorted(index._preloaded) == [f"/m/org/model-{n}" for n in range(10) if n != 2]
    assert index.known("/m/org/old") == {}
    assert index.known("/other/org/model-0") == entry(99)  # looked up alone


def test_a_row_written_after_the_preload_is_seen(path):
    index = preloaded(path)
    other = FileIndex(path, "stamp")  # another run, writing meanwhile
    other.record("/m/org/new", entry(7))
    other.close()
    assert index.known("/m/org/new") == entry(7)


def test_a_folder_recorded_after_the_preload_is_not_served_from_it(path):
    index = preloaded(path)
    index.record("/m/org/model-5", entry(55))
    index.flush()
    assert index.known("/m/org/model-5") == entry(55)


def test_each_preloaded_row_is_used_once_then_looked_up(path):
    index = preloaded(path)
    assert index.known("/m/org/model-4") == entry(4)
    assert "/m/org/model-4" not in index._preloaded
    assert index.known("/m/org/model-4") == entry(4)


def test_a_corrupt_preloaded_row_means_reading(path):
    import sqlite3

    db = sqlite3.connect(path)
    with db:
        db.execute(
            "UPDATE folders SET files = ? WHERE folder = ?",
            (json.dumps([["LICENSE", [1, 2], "x", 1, None]]), "/m/org/model-6"),
        )
    db.close()
    index = preloaded(path)
    assert "/m/org/model-6" in index._preloaded
    assert index.known("/m/org/model-6") == {}


def test_a_mirror_source_scopes_its_index_to_its_root(tmp_path, monkeypatch):
    from compliance.sources.mirror import MirrorSource

    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "mirror").mkdir()
    index = MirrorSource(tmp_path / "mirror")._file_index()
    assert index is not None
    assert index.under == str((tmp_path / "mirror").resolve()) + "/"
    index.close()

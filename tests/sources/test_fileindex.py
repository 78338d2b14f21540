"""The mirror's file index (compliance.sources.fileindex): a warm run does not read a file the
index saw unchanged, yet a changed file always changes the result, and a broken index only
means files are read."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from treepaths import REPO

from compliance.config import SourceSpec
from compliance.modelid import parse_model_id
from compliance.run.scan import Scanner, make_source
from compliance.sources import fileindex, reading

EXAMPLES = REPO / "examples" / "mirror"
MODEL = "Qwen/Qwen2.5-72B-Instruct"


@pytest.fixture()
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "mirror"
    shutil.copytree(EXAMPLES, root)
    # the files were just written: trust them at once (the racy margin is tested apart)
    monkeypatch.setattr(fileindex, "RACY_NS", -(10**12))
    return root


@pytest.fixture()
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from compliance.sources import mirror as mirror_module

    seen: list[str] = []
    real = reading.read_repo_file

    def counting(name, local, **kw):
        seen.append(name)
        return real(name, local, **kw)

    monkeypatch.setattr(mirror_module, "read_repo_file", counting)
    return seen


def _facts(mirror: Path, model: str = MODEL):
    source = make_source(SourceSpec.parse(f"mirror:{mirror}"))
    outcome = Scanner(source, lineage=False).scan([parse_model_id(model)])[0]
    assert source._index is not None
    source._index.close()  # what the process does at exit
    assert outcome.facts is not None, outcome.error
    return _undated(outcome.facts)


def _undated(facts):
    """Facts without fetched_at, which is this run's clock (not part of any key)."""
    from dataclasses import replace

    return replace(facts, fetched_at=None)


def test_a_warm_run_reads_no_unchanged_file_and_decides_the_same(mirror, reads):
    cold = _facts(mirror)
    assert sorted(reads) == ["LICENSE", "README.md"]
    reads.clear()
    warm = _facts(mirror)
    assert reads == []  # the index vouched for both files, the facts cache had the facts
    assert warm == cold


def test_a_changed_licence_changes_the_result(mirror, reads):
    before = _facts(mirror)
    licence = mirror / MODEL / "LICENSE"
    licence.write_text(
        "Permission is granted for non-commercial research purposes only.\n", encoding="utf-8"
    )
    reads.clear()
    after = _facts(mirror)
    assert "LICENSE" in reads
    assert after.license != before.license or after.commercial_use != before.commercial_use
    fresh = _facts_without_index(mirror)
    assert after == fresh


def test_a_same_size_edit_is_read_again(mirror, reads):
    licence = mirror / MODEL / "LICENSE"
    _facts(mirror)
    text = licence.read_bytes()
    time.sleep(0.05)  # a later clock tick: the file's ctime moves
    licence.write_bytes(text.replace(b"Qwen", b"Qwe\xf1", 1))
    reads.clear()
    after = _facts(mirror)
    assert reads[0] == "LICENSE"  # keying read it (README.md only when the facts are rebuilt)
    assert after == _facts_without_index(mirror)


def _facts_without_index(mirror: Path):
    from compliance.sources.mirror import MirrorSource

    outcome = Scanner(MirrorSource(mirror, file_index=False), lineage=False).scan(
        [parse_model_id(MODEL)]
    )[0]
    assert outcome.facts is not None
    return _undated(outcome.facts)


def test_a_file_changed_just_before_it_was_read_is_not_recorded(tmp_path, monkeypatch, reads):
    root = tmp_path / "mirror"
    shutil.copytree(EXAMPLES, root)  # just written: inside the racy margin
    _facts(root)
    reads.clear()
    _facts(root)
    assert sorted(reads) == ["LICENSE", "README.md"]  # read again, never vouched for


def test_a_corrupt_index_is_set_aside_and_files_are_read(mirror, reads, tmp_path):
    import os

    cold = _facts(mirror)
    db = Path(os.environ["COMPLIANCE_CACHE_DIR"]) / fileindex.NAME
    assert db.is_file()
    db.write_bytes(b"not a database" * 100)
    reads.clear()
    again = _facts(mirror)
    assert sorted(reads) == ["LICENSE", "README.md"]
    assert again == cold


def test_a_file_changed_between_keying_and_building_is_keyed_by_what_was_read(mirror, monkeypatch):
    """The key comes from the index; on a facts-cache miss the files are read: if one changed
    meanwhile, the facts are stored under the key of the content read, not the stale one."""
    from compliance.facts import cache as facts_cache
    from compliance.sources.mirror import MirrorSource

    _facts(mirror)
    source = MirrorSource(mirror)
    material, _, build = source.fetch_keyed(parse_model_id(MODEL))
    (mirror / MODEL / "LICENSE").write_text("All rights reserved.\n", encoding="utf-8")
    with pytest.raises(facts_cache.MaterialChanged) as moved:
        build()
    assert moved.value.material != material
    assert "All rights reserved" in str(
        [f.text for f in moved.value.build().files if f.path == "LICENSE"]
    )


def test_cache_clear_removes_the_index(mirror):
    import os

    from compliance.facts.cache import clear_derived

    _facts(mirror)
    root = Path(os.environ["COMPLIANCE_CACHE_DIR"])
    assert (root / fileindex.NAME).is_file()
    assert clear_derived(root) >= 2  # the facts entry and the index
    assert not (root / fileindex.NAME).exists()

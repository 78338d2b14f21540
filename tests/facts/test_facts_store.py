"""The facts cache's store and codec (compliance.facts.cache, compliance.facts.packed): exact,
and anything wrong with an entry (damaged, foreign, of another shape, not a file, too large,
raced by other processes) is a miss, never wrong facts and never an exception."""

from __future__ import annotations

import enum
import marshal
import multiprocessing
import os
import pickle
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from compliance.facts import cache as facts_cache
from compliance.facts import packed
from compliance.facts.cache import FactsCache, clear_derived, key_for
from compliance.facts.model import (
    BaseModelRef,
    Evidence,
    Finding,
    LicenseInfo,
    LineageNode,
    ModelFacts,
    Publisher,
    Terms,
    TerritoryRestriction,
)

KEY = key_for("acme/demo", "stamp")
OTHER = key_for("acme/other", "stamp")


def _facts(model: str = "acme/demo") -> ModelFacts:
    quote = "You may not use the Materials for any commercial purpose."
    evidence = Evidence("commercial_use", "LICENSE", 7, quote)
    return ModelFacts(
        model=model,
        revision="a" * 40,
        source="mirror",
        license=LicenseInfo(declared="other", key="acme-1.0", confidence=0.97),
        publisher=Publisher(org="acme", country="FR"),
        commercial_use="no",
        mau_cap=700_000_000,
        territory_restrictions=(TerritoryRestriction("EU", "multimodal", "policy"),),
        eu_restricted=True,
        attribution=("Built with Acme",),
        base_models=(BaseModelRef("acme/base", "finetune"),),
        lineage=(
            LineageNode(
                "acme/base",
                "finetune",
                parents=(LineageNode("acme/root", None, error="not found"),),
                license_files=(("LICENSE", "b" * 64),),
            ),
        ),
        effective=Terms(license_key="acme-1.0", mau_cap=700_000_000),
        evidence=(evidence, replace(evidence, line=None, model="acme/base")),
        findings=(Finding("non-commercial", "deny", "no commercial use", (evidence,)),),
        fetched_at="2026-01-01T00:00:00Z",
        license_files=(("LICENSE", "c" * 64),),
        notes=("a note",),
    )


def _entry(root: Path, key: str = KEY) -> Path:
    return root / "facts" / key[:2] / f"{key}{facts_cache.SUFFIX}"


def test_codec_is_exact_and_interns_strings():
    facts = _facts()
    again = packed.loads(packed.dumps(facts))
    assert again == facts
    assert type(again.lineage[0].parents) is tuple and type(again.license_files[0]) is tuple
    assert sys.intern(again.evidence[0].quote) is again.evidence[0].quote
    # one copy of each string across entries
    assert packed.loads(packed.dumps(facts)).evidence[0].quote is again.evidence[0].quote
    assert packed.loads(packed.dumps(facts), fetched_at="later").fetched_at == "later"
    # rebuilt objects behave as built ones: hashed, replaced, pickled (to another process)
    assert hash(again) == hash(facts) and replace(again, model="x") == replace(facts, model="x")
    assert pickle.loads(pickle.dumps(again)) == facts


def test_codec_refuses_what_marshal_would_not_give_back_exactly():
    class Level(str, enum.Enum):
        HIGH = "high"

    with pytest.raises(ValueError):
        packed.dumps(replace(_facts(), commercial_use=Level.HIGH))  # type: ignore[arg-type]


def _tree() -> dict:
    tree = marshal.loads(packed.dumps(_facts()))
    assert isinstance(tree, dict)
    return tree


@pytest.mark.parametrize(
    "reshape",
    [
        lambda t: t.pop("notes"),  # a field missing
        lambda t: t.update(extra=1),  # a field too many
        lambda t: t["license"].pop("key"),  # nested
        lambda t: t["lineage"][0]["parents"][0].update(extra=1),  # recursive
        lambda t: t.update(license="mit"),  # a scalar where a dataclass belongs
    ],
)
def test_codec_refuses_a_tree_of_another_shape(reshape):
    tree = _tree()
    reshape(tree)
    with pytest.raises(TypeError):
        packed.loads(marshal.dumps(tree))


def test_get_returns_what_was_put_with_the_read_time_replaced(tmp_path: Path):
    cache = FactsCache(tmp_path)
    assert cache.get(KEY) is None
    cache.put(KEY, _facts())
    assert _entry(tmp_path).read_bytes().startswith(facts_cache.MAGIC)
    assert cache.get(KEY) == _facts()
    assert cache.get(KEY, fetched_at="now") == replace(_facts(), fetched_at="now")
    assert cache.get(OTHER) is None


def test_a_key_that_is_not_a_sha256_is_refused(tmp_path: Path):
    with pytest.raises(ValueError):
        FactsCache(tmp_path).get("../" + KEY[3:])
    with pytest.raises(ValueError):
        FactsCache(tmp_path).get(KEY.upper())


def _signed(key: str, body: bytes) -> bytes:
    """An entry whose checksum is right for `key`, whatever its body."""
    return facts_cache.MAGIC + facts_cache._digest(key, body) + body


@pytest.mark.parametrize(
    "entry",
    [
        lambda raw: raw[: len(facts_cache.MAGIC) + 10],  # cut inside the checksum
        lambda raw: raw[:-1],  # truncated body
        lambda raw: raw[:-1] + bytes([raw[-1] ^ 1]),  # one bit flipped
        lambda raw: _signed(KEY, marshal.dumps(["not", "a", "dict"])),
        lambda raw: _signed(KEY, marshal.dumps({"model": "acme/demo"})),  # another shape
        lambda raw: _signed(KEY, b"\xff\x00garbage"),  # not marshal data
        lambda raw: _signed(KEY, b""),
    ],
    ids=["cut", "truncated", "bit-flip", "list", "shape", "not-marshal", "no-body"],
)
def test_a_damaged_entry_is_a_miss_and_is_removed(tmp_path: Path, entry, caplog):
    cache = FactsCache(tmp_path)
    cache.put(KEY, _facts())
    path = _entry(tmp_path)
    path.write_bytes(entry(path.read_bytes()))
    assert cache.get(KEY) is None
    assert not path.exists()
    assert "corrupt" in caplog.text
    cache.put(KEY, _facts())
    assert cache.get(KEY) == _facts()


def test_an_entry_copied_under_another_key_is_a_miss(tmp_path: Path):
    cache = FactsCache(tmp_path)
    cache.put(KEY, _facts())
    foreign = _entry(tmp_path, OTHER)
    foreign.parent.mkdir(parents=True, exist_ok=True)
    foreign.write_bytes(_entry(tmp_path).read_bytes())
    assert cache.get(OTHER) is None
    assert not foreign.exists()
    assert cache.get(KEY) == _facts()


def test_an_entry_of_the_other_interpreter_is_a_miss(tmp_path: Path, monkeypatch):
    cache = FactsCache(tmp_path)
    cache.put(KEY, _facts())
    monkeypatch.setattr(facts_cache, "MAGIC", b"compliance-facts 2 cpython-399/marshal-9\n")
    assert cache.get(KEY) is None


def test_an_oversized_entry_is_a_miss(tmp_path: Path, monkeypatch, caplog):
    cache = FactsCache(tmp_path)
    cache.put(KEY, _facts())
    monkeypatch.setattr(facts_cache, "MAX_ENTRY_BYTES", 100)
    assert cache.get(KEY) is None
    assert "too large" in caplog.text and not _entry(tmp_path).exists()


def test_a_folder_where_an_entry_belongs_is_a_miss(tmp_path: Path):
    _entry(tmp_path).mkdir(parents=True)
    assert FactsCache(tmp_path).get(KEY) is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_where_an_entry_belongs_is_a_miss_without_blocking(tmp_path: Path):
    path = _entry(tmp_path)
    path.parent.mkdir(parents=True)
    os.mkfifo(path)  # no writer: a blocking open would hang
    got: list[object] = []
    reader = threading.Thread(target=lambda: got.append(FactsCache(tmp_path).get(KEY)))
    reader.daemon = True  # if it hangs, the test fails and the run still ends
    reader.start()
    reader.join(timeout=10)
    assert got == [None]


def test_a_failed_write_is_a_warning(tmp_path: Path, caplog):
    (tmp_path / "facts").write_text("a file where the folder belongs")
    cache = FactsCache(tmp_path)
    cache.put(KEY, _facts())
    assert "could not write" in caplog.text
    assert cache.get(KEY) is None


def _hammer(root: str, rounds: int) -> int:
    """Put and get the same keys as the other processes; count the hits (each checked)."""
    cache = FactsCache(Path(root))
    hits = 0
    for i in range(rounds):
        model = f"acme/m{i % 5}"
        key = key_for(model, "stamp")
        got = cache.get(key)
        if got is not None:
            if got != _facts(model):
                raise AssertionError(f"wrong facts for {model}")
            hits += 1
        cache.put(key, _facts(model))
    return hits


def test_processes_sharing_the_cache_read_whole_entries_or_miss(tmp_path: Path):
    context = multiprocessing.get_context("spawn")
    with context.Pool(3) as pool:
        hits = pool.starmap(_hammer, [(str(tmp_path), 150)] * 3)
    assert sum(hits) > 0
    leftovers = [p.name for p in (tmp_path / "facts").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_clear_removes_entries_of_both_formats_and_info_counts_them(tmp_path: Path):
    from compliance.run.cache_info import cache_parts

    cache = FactsCache(tmp_path)
    cache.put(KEY, _facts())
    old = tmp_path / "facts" / OTHER[:2] / f"{OTHER}.json"  # written by format 1
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_text('{"format": 1}\n{}')
    keep = tmp_path / "facts" / "notes.txt"
    keep.write_text("not ours")
    assert cache_parts(tmp_path).facts.entries == 2
    assert clear_derived(tmp_path) == 2
    assert not old.exists() and not _entry(tmp_path).exists() and keep.exists()
    assert cache_parts(tmp_path).facts.entries == 0

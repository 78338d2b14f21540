"""Issue 14, item 16: `cache clear` deletes only the cache's own files: a symlink inside the
cache (to a folder or a file outside it) is never followed."""

from __future__ import annotations

import os
from pathlib import Path

SHA = "a" * 40
HEX = "b" * 64


def test_cache_clear_never_follows_a_symlink_out_of_the_cache(cli, tmp_path, _isolated_cache):
    cache: Path = _isolated_cache
    outside = tmp_path / "precious"
    (outside / "name").mkdir(parents=True)
    (outside / "name" / f"{SHA}.json").write_text("{}")  # shaped like a snapshot entry
    (outside / f"{HEX}.json").write_text("{}")  # shaped like a facts / policy entry
    (outside / "empty").mkdir()
    # A real entry, which clear must remove.
    (cache / "snapshots" / "acme" / "m").mkdir(parents=True)
    (cache / "snapshots" / "acme" / "m" / f"{SHA}.json").write_text("{}")
    os.symlink(outside, cache / "snapshots" / "evil")
    (cache / "facts").mkdir()
    os.symlink(outside, cache / "facts" / "bb")
    (cache / "policy").mkdir()
    os.symlink(outside / f"{HEX}.json", cache / "policy" / f"{'c' * 64}.json")
    code, _, err = cli("cache", "clear")
    assert code == 0, err
    assert not (cache / "snapshots" / "acme" / "m" / f"{SHA}.json").exists()
    assert (outside / "name" / f"{SHA}.json").is_file()
    assert (outside / f"{HEX}.json").is_file()
    assert (outside / "empty").is_dir()

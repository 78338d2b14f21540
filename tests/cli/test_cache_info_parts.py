"""`cache info` counts every part of the cache: snapshots, normalised facts, built-in policy
results and the registry's compiled copy, not only the snapshots."""

from __future__ import annotations

import json
import os
from pathlib import Path

CARD = "---\nlicense: apache-2.0\n---\n# Demo\n"


def _mirror(tmp_path: Path) -> Path:
    folder = tmp_path / "mirror" / "acme" / "demo"
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(CARD)
    return tmp_path / "mirror"


def test_info_counts_facts_and_policy_results(tmp_path: Path, cli) -> None:
    mirror = _mirror(tmp_path)
    code, out, err = cli(
        "check", "--model", "acme/demo", "--source", f"mirror:{mirror}", "--format", "json"
    )
    assert code in (0, 1), err
    code, out, _ = cli("cache", "info", "--format", "json")
    assert code == 0
    info = json.loads(out)
    parts = info["parts"]
    assert parts["snapshots"]["entries"] == 0  # a mirror is not snapshot-cached
    assert parts["facts"]["entries"] == 1
    assert parts["policy_results"]["entries"] >= 1
    assert info["entries"] == sum(p["entries"] for p in parts.values())
    assert info["entries"] > 0
    root = Path(os.environ["COMPLIANCE_CACHE_DIR"])
    on_disk = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert info["size_bytes"] == on_disk
    code, text, _ = cli("cache", "info")
    assert f"entries: {info['entries']} (" in text
    assert "facts: 1" in text and "policy results: " in text


def test_clear_then_info_is_empty(tmp_path: Path, cli) -> None:
    mirror = _mirror(tmp_path)
    cli("check", "--model", "acme/demo", "--source", f"mirror:{mirror}")
    assert cli("cache", "clear")[0] == 0
    info = json.loads(cli("cache", "info", "--format", "json")[1])
    assert info["parts"]["facts"]["entries"] == 0
    assert info["parts"]["policy_results"]["entries"] == 0

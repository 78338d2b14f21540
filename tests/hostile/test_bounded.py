"""Issue 14, item 14: bounded work. Counts are capped (bases per model, models per lineage)
and parsers are linear; what a cap leaves unread is unknown, never a pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compliance.facts.bases import MAX_BASES, _fenced_blocks, _without_fenced_blocks
from compliance.facts.textnorm import words_of

CONFIG = "version: 1\norganization: {domicile: US, monthly_active_users: 1000, use: commercial}\n"


@pytest.fixture()
def hub_repos(fake_hub, tmp_path: Path):
    """The fake Hub serving repos written into a temporary folder."""
    original = fake_hub.root
    fake_hub.root = tmp_path / "hub"
    fake_hub.root.mkdir()

    def add(repo_id: str, card: str) -> None:
        folder = fake_hub.root / repo_id
        folder.mkdir(parents=True)
        (folder / "README.md").write_text(card)
        fake_hub.reload()

    yield add
    fake_hub.root = original
    fake_hub.reload()


def test_a_ten_thousand_entry_base_model_list_costs_at_most_the_cap(
    fake_hub, hub_repos, cli, tmp_path, monkeypatch
):
    bases = "\n".join(f"  - nobody/base-{n}" for n in range(10_000))
    hub_repos("acme/soup", f"---\nlicense: apache-2.0\nbase_model:\n{bases}\n---\n# Soup\n")
    (tmp_path / "compliance.yaml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("check", "--model", "acme/soup", "--format", "json")
    (d,) = json.loads(out)["decisions"]
    assert (code, d["decision"]) == (1, "deny"), err
    assert "base-unavailable" in d["codes"]
    capped = [f for f in d["findings"] if "only the first" in f["message"]]
    assert capped and "10000 base models" in capped[0]["message"]
    asked = {r.path for r in fake_hub.requests if "/api/models/nobody/" in r.path}
    assert 0 < len(asked) <= MAX_BASES


def test_unclosed_code_fences_do_not_hide_a_later_block():
    body = "~~~x\n" * 5000 + "```yaml\nmerge_method: slerp\n```\nafter\n"
    blocks = _fenced_blocks(body)
    assert blocks[-1][0] == "merge_method: slerp\n"
    assert _without_fenced_blocks(body).endswith("after\n")


def test_copyright_lines_are_counted_right_in_a_long_file():
    text = "Intro\n" + "(c) 2024 Someone\n" * 3000 + "Copyright 2025 X\nend\n"
    words = words_of(text)
    optional_lines = {words.lines[i] for i in words.optional}
    assert optional_lines == set(range(2, 3003))


def test_labelled_base_lines_are_short_lines():
    from compliance.facts.bases import MAX_LABEL_LINE, _labelled_bases

    assert _labelled_bases("- **Base model :**  org/name\n") == [("org/name", None)]
    padded = "Base model:" + " " * MAX_LABEL_LINE + "org/name\n"
    assert _labelled_bases(padded) == []


def test_a_lineage_reads_at_most_the_model_cap(tmp_path, cli, monkeypatch):
    from compliance.facts.lineage import MAX_LINEAGE_MODELS

    mirror = tmp_path / "mirror"

    def card(bases: list[str]) -> str:
        listed = "\n".join(f"  - {b}" for b in bases)
        return f"---\nlicense: apache-2.0\nbase_model:\n{listed}\n---\n# M\n"

    mids = [f"acme/mid-{i}" for i in range(MAX_BASES)]
    for i, mid in enumerate(mids):
        (mirror / mid).mkdir(parents=True)
        leaves = [f"acme/leaf-{i}-{j}" for j in range(MAX_BASES)]
        (mirror / mid / "README.md").write_text(card(leaves))
    (mirror / "acme" / "top").mkdir(parents=True)
    (mirror / "acme" / "top" / "README.md").write_text(card(mids))
    (tmp_path / "compliance.yaml").write_text(CONFIG + "source: {mirror: mirror}\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("check", "--model", "acme/top", "--format", "json")
    (d,) = json.loads(out)["decisions"]
    assert (code, d["decision"]) == (1, "deny"), err
    capped = [f for f in d["findings"] if f"at most {MAX_LINEAGE_MODELS} models" in f["message"]]
    assert capped

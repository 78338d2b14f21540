"""The registry keys an audit looks names up for: governing licences, use policies, each
model's own licence and every ancestor's (the bills of materials name them all)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "report"))
from test_report_helpers import sample

from compliance.facts.model import LineageNode
from compliance.run.audit import governing_keys


def test_keys_include_own_and_ancestor_licences() -> None:
    result, _facts = sample()
    grand = LineageNode("acme/grand", "finetune", license_key="qwen")
    decisions = []
    for d in result.decisions:
        if d.facts is not None and d.facts.lineage:
            node = dataclasses.replace(d.facts.lineage[0], parents=(grand,))
            d = dataclasses.replace(d, facts=dataclasses.replace(d.facts, lineage=(node,)))
        decisions.append(d)
    keys = governing_keys(dataclasses.replace(result, decisions=decisions))
    assert "mit" in keys  # the distill's own (declared) licence
    assert "qwen" in keys  # an ancestor's
    assert "unknown" not in keys
    assert len(keys) == len(set(keys))

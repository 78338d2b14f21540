"""Lineage: base models a model declares, and the terms it inherits from them.

(Foundation version: bases as declared by the card. Issue 4 extends this.)
"""

from __future__ import annotations

from collections.abc import Callable

from ..modelid import ModelId, is_valid_repo_id
from ..sources.interface import Snapshot
from .model import RELATIONS, BaseModelRef, ModelFacts


def declared_bases(snapshot: Snapshot) -> tuple[BaseModelRef, ...]:
    """Bases from the card's `base_model` (string or list) and `base_model_relation`."""
    raw = snapshot.card_data.get("base_model")
    names = [raw] if isinstance(raw, str) else [x for x in raw if isinstance(x, str)] if isinstance(raw, list) else []
    relation = snapshot.card_data.get("base_model_relation")
    if relation not in RELATIONS:
        relation = "merge" if len(names) > 1 else None
    out: list[BaseModelRef] = []
    for name in names:
        name = name.strip()
        if is_valid_repo_id(name) and name != snapshot.model:
            out.append(BaseModelRef(name, relation, "card"))
    return tuple(out)


def apply_lineage(
    facts: ModelFacts, load: Callable[[ModelId], ModelFacts], *, max_depth: int = 8
) -> ModelFacts:
    """Combine a model's terms with its ancestors'. Foundation: no-op until issue 4 lands."""
    return facts

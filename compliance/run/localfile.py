"""Facts for a local model file (GGUF, safetensors) from the licence its header states.

The header becomes a Snapshot (compliance.sources.localfile) that the facts stage reads like a
model card; the evidence then points at the file and the header key. The Hub repos the header
names (general.source.huggingface.repository as a quantisation source, general.base_model.*
as bases) are read as lineage, so their terms combine with the header's (the stricter
governs). A header whose licence differs from the source repo's is a `license-conflict`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..errors import SourceError
from ..facts.model import BaseModelRef, Evidence, Finding, ModelFacts, Publisher
from ..modelid import ModelId
from ..sources.localfile import LocalHeader, read_local, snapshot_of

SOURCE = "local-file"


def resolve_path(text: str, config_file: str | None) -> Path:
    """A path as written in a config: absolute as is; relative to the config's folder when the
    file is there, else to the working directory."""
    path = Path(text).expanduser()
    if path.is_absolute() or not config_file:
        return path
    beside = Path(config_file).parent / path
    sys.audit("compliance.probe", str(beside))  # the answer depends on it (cli.replay)
    return beside if beside.exists() else path


def header_facts(header: LocalHeader) -> ModelFacts:
    """The file's own facts (before lineage)."""
    from ..facts.normalize import normalize

    snapshot, key_of_line = snapshot_of(header)
    facts = normalize(snapshot)
    evidence = []
    for ev in facts.evidence:
        key = key_of_line.get(ev.line or -1) if ev.file == "README.md" else None
        if key is not None and ev.model is None:
            quote = f"{key} = {header.get(key)}"
            evidence.append(Evidence(ev.fact, header.path, None, quote))
        elif ev.file != "README.md":
            evidence.append(ev)
    bases = []
    if header.source_repo:
        bases.append(BaseModelRef(header.source_repo, "quantized", source=header.kind))
    bases += [
        BaseModelRef(b, "finetune", source=header.kind)
        for b in header.base_models
        if b != header.source_repo
    ]
    for ref in bases:
        key = "general.source.huggingface.repository" if ref.relation == "quantized" else None
        quote = f"{key} = {ref.model}" if key else f"general.base_model.*.repo_url = {ref.model}"
        evidence.append(Evidence("base_models", header.path, None, quote))
    org = header.get("general.organization")
    notes = [f"read from the {header.kind} header of {header.path}"]
    if header.get("general.name"):
        notes.append(f"general.name = {header.get('general.name')}")
    return replace(
        facts,
        model=header.path,
        revision=None,
        source=SOURCE,
        publisher=Publisher(org=org, name=org) if org else Publisher(),
        base_models=tuple(bases),
        evidence=tuple(evidence),
        digest=header.digest,
        notes=(*notes, *facts.notes),
    )


def conflict_with_source(facts: ModelFacts, header: LocalHeader) -> Finding | None:
    """`license-conflict` when the header's licence and the source repo's differ."""
    source = header.source_repo
    if source is None or facts.license.key == "unknown":
        return None
    node = next((n for n in facts.lineage if n.model.lower() == source.lower()), None)
    if node is None or node.error is not None or node.license_key == "unknown":
        return None
    if node.license_key == facts.license.key:
        return None
    own = [e for e in facts.evidence if e.model is None and e.fact.startswith("license")]
    theirs = [e for e in facts.evidence if e.model == node.model and e.fact.startswith("license")]
    return Finding(
        "license-conflict",
        "warn",
        f"the file header states licence {facts.license.declared or facts.license.key!r}"
        f" ({facts.license.key}) but the Hub repo it names, {node.model}, states"
        f" {node.license_key}; the stricter terms govern",
        tuple([*own, *theirs][:8]),
    )


def local_file_facts(
    path: Path, shown: str, load: Callable[[ModelId], ModelFacts] | None
) -> ModelFacts:
    """Facts of a local model file with its lineage read through `load` (None: no lineage).
    Raises SourceError for a file that cannot be read."""
    header = read_local(path, shown)
    facts = header_facts(header)
    if load is None:
        return facts
    from ..facts.lineage import apply_lineage

    facts = apply_lineage(facts, load)
    conflict = conflict_with_source(facts, header)
    if conflict is not None:
        facts = replace(facts, findings=(*facts.findings, conflict))
    return facts


__all__ = ["SOURCE", "SourceError", "local_file_facts", "resolve_path"]

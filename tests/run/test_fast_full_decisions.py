"""A faster path may never skip a check: decisions on the corpus configs are the same whether
each model is read cold (its own empty caches: metadata, every file downloaded) or through
the fast paths (one shared cache: licence blobs read once for many models, then a warm run
from the snapshot, facts and policy caches)."""

from __future__ import annotations

import json
import shutil

import pytest
from fakehub import FakeHub
from treepaths import SHARED

from compliance.refs import extract_paths

CORPUS = SHARED / "corpus"
CONFIGS = CORPUS / "configs"
LICENCES = CORPUS / "licenses"
# (card licence, corpus text shipped as LICENSE): texts shared by many models, as on the Hub
TERMS = [
    ("apache-2.0", "spdx-apache-2.0"),
    ("llama3.1", "llama-3.1"),
    ("mit", "spdx-mit"),
    ("gemma", "gemma-2025-03-24"),
    ("cc-by-nc-4.0", "spdx-cc-by-nc-4.0"),
    ("other", "qwen-license"),
]

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.slow,
    pytest.mark.skipif(not CONFIGS.is_dir(), reason=f"corpus absent: {CONFIGS}"),
]


def _hub_for_corpus(root):
    models = sorted(
        {r.model for r in extract_paths([str(CONFIGS)]) if r.kind == "hf-repo" and r.model}
    )
    for n, model in enumerate(models):
        card_licence, text = TERMS[n % len(TERMS)]
        folder = root / model
        folder.mkdir(parents=True, exist_ok=True)
        extra = "license_name: qwen\n" if card_licence == "other" else ""
        (folder / "README.md").write_text(
            f"---\nlicense: {card_licence}\n{extra}---\n# {model}\n", encoding="utf-8"
        )
        shutil.copy(LICENCES / text / "LICENSE.txt", folder / "LICENSE")
    return models


def _decisions(out: str) -> list[tuple[str, str, tuple[str, ...]]]:
    doc = json.loads(out)
    return sorted(
        (d["model"], d["decision"], tuple(sorted(f["code"] for f in d["findings"])))
        for d in doc["decisions"]
    )


def test_fast_and_full_paths_decide_the_same_on_the_corpus_configs(tmp_path, cli, monkeypatch):
    from huggingface_hub import constants

    models = _hub_for_corpus(tmp_path / "hub")
    hub = FakeHub(tmp_path / "hub").start()
    monkeypatch.setattr(constants, "ENDPOINT", hub.url)
    configs = sorted(p for p in CONFIGS.iterdir() if p.is_dir())
    try:
        full = {}
        for n, config in enumerate(configs):  # cold: each config with its own empty cache
            monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path / f"cold-{n}"))
            code, out, _ = cli("check", str(config), "--format", "json")
            full[config.name] = (code, _decisions(out))
        cold_requests = len(hub.requests)
        monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path / "shared"))
        for attempt in ("blobs", "warm"):
            hub.requests.clear()
            for config in configs:
                code, out, _ = cli("check", str(config), "--format", "json")
                assert (code, _decisions(out)) == full[config.name], (attempt, config.name)
            if attempt == "blobs":  # licence texts shared across models were read once
                licence_gets = [r for r in hub.requests if r.path.endswith("/LICENSE")]
                assert len(licence_gets) <= len(TERMS)
                assert len(hub.requests) < cold_requests
    finally:
        hub.stop()
    assert sum(len(d) for _, d in full.values()) >= len(models)  # every model was decided
    assert any(decision == "deny" for _, d in full.values() for _, decision, _ in d)
    assert any(decision == "allow" for _, d in full.values() for _, decision, _ in d)


def test_replayed_answers_are_the_full_paths_on_the_corpus_configs(tmp_path, monkeypatch, capsys):
    """The warm hook (compliance.cli.replay) gives, byte for byte, the full path's answer for
    every corpus config, in text and JSON; its decisions are the cold ones. Offline (the
    corpus names unpinned models: online, each run asks the Hub, and is never replayed)."""
    from huggingface_hub import constants

    from compliance.cli import replay
    from compliance.cli.main import main

    _hub_for_corpus(tmp_path / "hub")
    hub = FakeHub(tmp_path / "hub").start()
    monkeypatch.setattr(constants, "ENDPOINT", hub.url)
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    configs = sorted(p for p in CONFIGS.iterdir() if p.is_dir())
    try:
        cold = {}
        for config in configs:
            code = main(["check", str(config), "--format", "json"])
            cold[config.name] = (code, _decisions(capsys.readouterr().out))
    finally:
        hub.stop()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    replayed = 0
    for config in configs:
        for fmt in ("text", "json"):
            args = ["check", str(config), "--format", fmt]
            for _ in range(2):  # a run that filled a cache is recorded by the next one
                code = replay.run_and_record(args, main)
                full = capsys.readouterr()
            fast = replay.replay(args)
            if fast is None:  # not recorded: only a run that is not quiet (exit 3)
                assert code not in (0, 1), (config.name, fmt)
                continue
            replayed += 1
            assert (fast, capsys.readouterr()) == (code, full), (config.name, fmt)
            if fmt == "json":
                assert (code, _decisions(full.out)) == cold[config.name], config.name
    assert replayed >= len(configs)  # most answers were replayed


def test_the_streamed_check_and_the_mirror_index_decide_the_same_on_the_corpus_configs(
    tmp_path, monkeypatch
):
    """The large-inventory path (decided a chunk at a time, mirror files the index vouches
    for not read again) against the whole check read cold, on every corpus config."""
    from dataclasses import replace

    from compliance.config import SourceSpec, load_config
    from compliance.run.check import CheckRequest, run_check
    from compliance.run.stream import stream_check
    from compliance.sources import fileindex

    mirror = tmp_path / "mirror"
    _hub_for_corpus(mirror)
    monkeypatch.setattr(fileindex, "RACY_NS", -(10**12))  # just written: trust at once
    config = replace(load_config(None), source=SourceSpec.parse(f"mirror:{mirror}"))
    configs = sorted(p for p in CONFIGS.iterdir() if p.is_dir())
    compared = 0
    unread: list[str] = []
    real = fileindex.FileIndex.known

    def known(self, folder):
        found = real(self, folder)
        unread.extend(found)
        return found

    monkeypatch.setattr(fileindex.FileIndex, "known", known)
    for n, folder in enumerate(configs):
        request = CheckRequest(paths=(str(folder),), config=config)
        monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path / f"cold-{n}"))
        full = run_check(request)
        monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path / "shared"))
        for _ in ("index written", "index read"):
            fast = stream_check(request, chunk=3)
            assert fast.decisions == full.decisions, folder.name
            assert fast.exit_code() == full.exit_code()
        compared += len(full.decisions)
    assert compared >= 40
    assert unread  # the index did vouch for files

"""`stream_check` (a large inventory decided a chunk at a time, in bounded memory) returns what
`run_check` returns: the same decisions in the same order, and byte-identical reports in every
check format, whatever the chunk size."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from treepaths import REPO

from compliance.config import load_config
from compliance.report import CHECK_FORMATS, render_check
from compliance.report.check_text import TextOptions
from compliance.run.check import CheckRequest, run_check
from compliance.run.stream import stream_check

EXAMPLES = REPO / "examples"
TODAY = dt.date(2026, 6, 1)
KINDS = [
    ("apache-2.0", "", None),
    ("mit", "", None),
    ("llama3.1", "base_model: meta-llama/Llama-3.1-8B-Instruct\n", None),
    ("cc-by-nc-4.0", "", None),
    ("apache-2.0", "base_model: meta-llama/Llama-3.1-8B\nbase_model_relation: adapter\n", None),
    ("other", "license_name: qwen\nlicense_link: LICENSE\n", "Qwen/Qwen2.5-72B-Instruct"),
    ("gemma", "pipeline_tag: text-generation\n", None),
]


def _inventory(tmp_path: Path, count: int) -> tuple[Path, Path]:
    """A mirror (the examples plus `count` generated repos) and a compliance.yaml reading it
    with exceptions used, expired, for another revision and for a model never named."""
    mirror = tmp_path / "mirror"
    shutil.copytree(EXAMPLES / "mirror", mirror)
    ids = []
    for i in range(count):
        licence, extra, licence_from = KINDS[i % len(KINDS)]
        repo = f"gen/model-{i}"
        folder = mirror / repo
        folder.mkdir(parents=True)
        card = f"---\nlicense: {licence}\n{extra}---\n# {repo}\n"
        (folder / "README.md").write_text(card, encoding="utf-8")
        if licence_from:
            shutil.copy(mirror / licence_from / "LICENSE", folder / "LICENSE")
        ids.append(repo)
    ids += [
        "meta-llama/Llama-3.1-8B-Instruct",
        "gen/model-3",  # named twice: one decision, two places
        "gen/absent",  # not in the mirror: a source error
        "openai/gpt-4o",  # a hosted API
        "deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
    ]
    models = tmp_path / "models.txt"
    models.write_text("# inventory\n" + "\n".join(ids) + "\n", encoding="utf-8")
    config = (EXAMPLES / "compliance.yaml").read_text(encoding="utf-8")
    config = config.replace("source: {mirror: mirror}", f"source: {{mirror: '{mirror}'}}")
    config += (
        "  - model: gen/model-3\n    rules: [license-not-allowed]\n    reason: r\n"
        "    approved_by: a@example.com\n    expires: 2026-01-01\n"
        "  - model: gen/model-10\n    rules: [license-not-allowed, license-unknown]\n"
        "    reason: r\n    approved_by: a@example.com\n    expires: 2027-01-01\n"
        "  - model: gen/never-named\n    rules: [license-unknown]\n    reason: r\n"
        "    approved_by: a@example.com\n    expires: 2027-01-01\n"
    )
    path = tmp_path / "compliance.yaml"
    path.write_text(config, encoding="utf-8")
    return path, models


@pytest.mark.parametrize("chunk", [1, 7, 10_000])
def test_streamed_check_renders_byte_for_byte_what_the_whole_check_renders(tmp_path, chunk):
    config_path, models = _inventory(tmp_path, 60)
    config = load_config(config_path)
    request = CheckRequest(
        paths=(str(EXAMPLES / "litellm-config.yaml"),),
        models=("genbase/not-there", "anthropic/claude-3-5-sonnet"),
        models_from=models,
        config=config,
        today=TODAY,
    )
    whole = run_check(request)
    decided = {d.decision for d in whole.decisions}
    assert decided == {"allow", "warn", "deny"}  # the inventory exercises every outcome
    assert any(d.source_error for d in whole.decisions)
    assert any(d.exceptions_applied for d in whole.decisions)
    assert any(d.alternatives for d in whole.decisions)
    assert [e.model for e in whole.exceptions_not_checked] == ["gen/never-named"]
    for fmt in CHECK_FORMATS:
        streamed = stream_check(request, keep_facts=fmt == "sarif", chunk=chunk)
        assert streamed.decisions == whole.decisions
        assert [d.alternatives for d in streamed.decisions] == [
            d.alternatives for d in whole.decisions
        ]
        assert streamed.exit_code() == whole.exit_code() == 3
        options = [TextOptions(), TextOptions(verbose=1), TextOptions(quiet=True)]
        for option in options if fmt == "text" else [None]:
            assert render_check(streamed, fmt, option) == render_check(whole, fmt, option)


def test_streamed_decisions_hold_no_facts_unless_asked(tmp_path):
    config_path, models = _inventory(tmp_path, 5)
    request = CheckRequest(models_from=models, config=load_config(config_path), today=TODAY)
    slim = stream_check(request, chunk=2)
    assert all(d.facts is None for d in slim.decisions)
    kept = stream_check(request, keep_facts=True, chunk=2)
    assert all(d.facts is not None for d in kept.decisions if not d.source_error)
    assert any(d.source_error for d in kept.decisions)


def test_streamed_check_forgets_each_chunk_but_reads_a_shared_base_once(tmp_path, monkeypatch):
    from compliance.sources.mirror import MirrorSource

    config_path, models = _inventory(tmp_path, 40)
    reads: list[str] = []
    real = MirrorSource.fetch_keyed

    def counting(self, model):
        reads.append(str(model))
        return real(self, model)

    monkeypatch.setattr(MirrorSource, "fetch_keyed", counting)
    request = CheckRequest(models_from=models, config=load_config(config_path), today=TODAY)
    stream_check(request, chunk=5)
    # the base of every llama fine-tune, not named in the list: read once for all chunks
    assert reads.count("meta-llama/Llama-3.1-8B-Instruct") <= 2  # as a base, and once named
    assert reads.count("gen/model-2") == 1


def test_a_detailed_progress_is_told_the_whole_count_once(tmp_path):
    class Recorder:
        def __init__(self):
            self.begun: list[int] = []
            self.read: list[str] = []

        def begin(self, total):
            self.begun.append(total)

        def model_started(self, model):
            pass

        def model_read(self, model):
            self.read.append(model)

    config_path, models = _inventory(tmp_path, 9)
    recorder = Recorder()
    request = CheckRequest(models_from=models, config=load_config(config_path), today=TODAY)
    stream_check(request, recorder, chunk=4)
    assert recorder.begun == [12]  # 9 generated + 3 more Hub models (one named twice)
    assert "gen/model-8" in recorder.read

"""Shared helpers for the benchmarks: timing whole processes, generating repos.

Nothing here reaches the network: generated repos live in temporary folders, served (when a Hub
is needed) by tests/fakehub.py on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
CORPUS = ROOT.parent / "shared" / "corpus" / "licenses"
BIN = Path(sys.executable).parent
PYCACHE = str(Path(tempfile.gettempdir()) / "compliance-bench-pycache")
COMPLIANCE = [sys.executable, "-m", "compliance.cli.main"]
if (BIN / "compliance").exists():
    COMPLIANCE = [str(BIN / "compliance")]


def offline_env(**extra: str) -> dict[str, str]:
    """An environment that can reach nothing but 127.0.0.1."""
    env = dict(os.environ)
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_HUB_OFFLINE", "PYTHONDONTWRITEBYTECODE"):
        env.pop(var, None)
    env.update(
        {
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_DISABLE_PROGRESS_BARS": "1",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            # Unless a bench sets its own fake Hub, any Hub request fails at once, locally.
            "HF_ENDPOINT": "http://127.0.0.1:9",
            # An installed tool runs from compiled bytecode (pip compiles it at install time);
            # keep it out of the checkout. The first (warm-up) run compiles.
            "PYTHONPYCACHEPREFIX": PYCACHE,
        }
    )
    env.update(extra)
    return env


def run(cmd: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> float:
    """Run a whole process; return its wall time. Exit 2 or 3 is a bench failure."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(
            f"bench: {' '.join(cmd[:4])}... exited {proc.returncode}\n{proc.stderr[-2000:]}"
        )
    return elapsed


def median_time(
    cmd: Sequence[str], env: dict[str, str], runs: int, cwd: Path | None = None
) -> tuple[float, list[float]]:
    times = [run(cmd, env, cwd) for _ in range(runs)]
    return statistics.median(times), times


def fmt_times(times: list[float]) -> str:
    return ", ".join(f"{t:.3f}" for t in times)


def sha_for(repo_id: str) -> str:
    return hashlib.sha1(repo_id.encode()).hexdigest()


# -- generated repos ----------------------------------------------------------------------------

_STAND_IN = {
    "spdx-mit": "MIT License\n\nPermission is hereby granted, free of charge, to any person...\n",
    "spdx-apache-2.0": "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n",
    "llama-3.1": "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\n700 million monthly active users\n",
    "llama-3.1-aup": "Llama 3.1 Acceptable Use Policy\n",
    "qwen-license": "Qwen LICENSE AGREEMENT\n100 million monthly active users\n",
    "gemma-2024-04-01": "Gemma Terms of Use\n",
}


def corpus_text(name: str) -> str:
    """A corpus licence text (read at bench time, never copied into the repo), else a stand-in."""
    folder = CORPUS / name
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.name != "SOURCE.txt" and path.is_file():
                return path.read_text(encoding="utf-8", errors="replace")
    return _STAND_IN.get(name, f"{name} licence (stand-in text)\n")


def _card(front: dict[str, object], title: str) -> str:
    import yaml

    body = (
        f"# {title}\n\nA generated model card for benchmarking. It describes intended uses,"
        " limitations, training data and evaluation in a few paragraphs of prose, as cards do.\n\n"
        "## Intended use\n\nResearch and commercial use within the terms of the licence.\n\n"
        "## Limitations\n\nThe model can produce inaccurate or biased output.\n"
    )
    return "---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n\n" + body


BASES = {
    "llama": ("llama3.1", ["llama-3.1", "llama-3.1-aup"], 20),
    "gemma": ("gemma", ["gemma-2024-04-01"], 10),
    "qwen": ("other", ["qwen-license"], 10),
}


def _files_for(kind: str, i: int) -> tuple[dict[str, object], dict[str, str]]:
    """(card front matter, extra files) for generated model number i of a kind."""
    texts: dict[str, str] = {}
    front: dict[str, object] = {"library_name": "transformers", "pipeline_tag": "text-generation"}
    if kind == "apache":
        front["license"] = "apache-2.0"
        if i % 2:
            texts["LICENSE"] = corpus_text("spdx-apache-2.0")
    elif kind == "mit":
        front["license"] = "mit"
        texts["LICENSE"] = corpus_text("spdx-mit")
    elif kind == "llama":
        front["license"] = "llama3.1"
        texts["LICENSE"] = corpus_text("llama-3.1")
        texts["USE_POLICY.md"] = corpus_text("llama-3.1-aup")
    elif kind == "gemma":
        front["license"] = "gemma"
    elif kind == "qwen":
        front.update({"license": "other", "license_name": "qwen", "license_link": "LICENSE"})
        texts["LICENSE"] = corpus_text("qwen-license")
    elif kind == "nc":
        front["license"] = "cc-by-nc-4.0"
    elif kind == "ft-llama":
        front["license"] = "llama3.1"
        front["base_model"] = f"genbase/llama-base-{i % BASES['llama'][2]}"
    elif kind == "adapter-gemma":
        front["license"] = "apache-2.0"
        front["base_model"] = f"genbase/gemma-base-{i % BASES['gemma'][2]}"
        front["base_model_relation"] = "adapter"
        base = f"genbase/gemma-base-{i % BASES['gemma'][2]}"
        texts["adapter_config.json"] = (
            f'{{"base_model_name_or_path": "{base}", "peft_type": "LORA"}}\n'
        )
    elif kind == "quant-qwen":
        front.update({"license": "other", "license_name": "qwen", "license_link": "LICENSE"})
        front["base_model"] = f"genbase/qwen-base-{i % BASES['qwen'][2]}"
        front["base_model_relation"] = "quantized"
        texts["LICENSE"] = corpus_text("qwen-license")
    elif kind == "ft-apache":
        front["license"] = "apache-2.0"
        front["base_model"] = f"genbase/llama-base-{i % BASES['llama'][2]}"
    else:
        raise ValueError(kind)
    return front, texts


KINDS = (
    "apache",
    "mit",
    "llama",
    "gemma",
    "qwen",
    "nc",
    "ft-llama",
    "adapter-gemma",
    "quant-qwen",
    "ft-apache",
)


def _write_repo(
    folder: Path, repo_id: str, front: dict[str, object], texts: dict[str, str], *, hub_meta: bool
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "README.md").write_text(_card(front, repo_id), encoding="utf-8")
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    if hub_meta:
        (folder / "_hub.yaml").write_text(f"sha: {sha_for(repo_id)}\n", encoding="utf-8")


def generate(
    root: Path,
    count: int,
    *,
    hub_meta: bool = False,
    prefix: str = "gen",
    kinds: Sequence[str] = KINDS,
) -> list[str]:
    """Write `count` repos (plus the bases the fine-tunes name) under root; return their ids."""
    if root.exists():
        shutil.rmtree(root)
    for family, (licence, names, n) in BASES.items():
        for k in range(n):
            repo_id = f"genbase/{family}-base-{k}"
            front: dict[str, object] = {"license": licence, "pipeline_tag": "text-generation"}
            if family == "qwen":
                front.update({"license_name": "qwen", "license_link": "LICENSE"})
            texts = {
                ("USE_POLICY.md" if n.endswith("aup") else "LICENSE"): corpus_text(n) for n in names
            }
            _write_repo(root / repo_id, repo_id, front, texts, hub_meta=hub_meta)
    ids = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        repo_id = f"{prefix}/{kind}-{i}"
        front, texts = _files_for(kind, i)
        _write_repo(root / repo_id, repo_id, front, texts, hub_meta=hub_meta)
        ids.append(repo_id)
    return ids


# Models whose facts need no base model: a fine-tune's base is named without a revision, so
# its lineage costs one metadata request per run (the base's current terms), by design.
HOOK_KINDS = ("apache", "mit", "llama", "gemma", "qwen", "nc")


@contextlib.contextmanager
def hook_setup(root: Path) -> Iterator[tuple[Path, Any, dict[str, str]]]:
    """10 generated Hub repos served by the fake Hub, a LiteLLM config naming them pinned to
    their sha, and the environment pointing at both: (config, hub, env)."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    from fakehub import FakeHub

    ids = generate(root / "hub", 10, hub_meta=True, prefix="hook", kinds=HOOK_KINDS)
    config = root / "litellm-config.yaml"
    lines = ["model_list:"]
    for n, repo_id in enumerate(ids):
        lines += [
            f"  - model_name: m{n}",
            "    litellm_params:",
            f"      model: huggingface/{repo_id}@{sha_for(repo_id)}",
        ]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    hub = FakeHub(root / "hub").start()
    try:
        # the cache where a user who sets nothing has it (platformdirs: $XDG_CACHE_HOME on Linux)
        env = offline_env(
            HF_ENDPOINT=hub.url, HF_HOME=str(root / "hf-home"), XDG_CACHE_HOME=str(root / "xdg")
        )
        env.pop("COMPLIANCE_CACHE_DIR", None)
        yield config, hub, env
    finally:
        hub.stop()

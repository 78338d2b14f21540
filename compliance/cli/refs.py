"""`compliance refs PATH...`: list the models that config files name, with file and line."""

from __future__ import annotations

import json
import sys

import click

from .common import format_option

SCHEMA = "compliance.refs/v1"


@click.command("refs")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@format_option("text", "json")
def command(paths: tuple[str, ...], fmt: str) -> int:
    """List the models that config files name, with file and line.

    PATH is a file or a directory (walked; .gitignore, .git, .venv and node_modules are skipped).
    Formats: LiteLLM, vLLM / SGLang / TGI / TEI command lines (compose, Kubernetes, Helm, shell,
    PowerShell), Ollama Modelfiles, config.json, adapter_config.json, axolotl, LLaMA-Factory, TRL,
    mergekit, LocalAI, llama.cpp / llama-swap, .env, Python. Text output: `file:line: model (kind)`.
    """
    from ..refs import extract_paths

    refs = extract_paths(list(paths))
    if fmt == "json":
        payload = {"schema": SCHEMA, "refs": [r.to_json() for r in refs]}
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        for r in refs:
            click.echo(r.to_text())
    return 0

"""`compliance refs PATH...`: list the models that config files name, with file and line."""

from __future__ import annotations

import click

from .common import emit_json, format_option
from .verbosity import verbose_option


@click.command("refs")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@format_option("text", "json")
@verbose_option
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
        from ..report.schemas import REFS

        emit_json({"schema": REFS, "refs": [r.to_json() for r in refs]})
    else:
        from ..report.escape import text_field, text_output

        for r in refs:
            click.echo(text_output(text_field(r.to_text())))
    return 0

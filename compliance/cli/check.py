"""`compliance check [PATH...] [--model ID]... [--models-from FILE]`: decide allow/warn/deny.

PATHs are config files (or folders) whose model references `compliance.refs` extracts; each
decision names the file:line where the model is written. The work is done by
`compliance.check.run_check`; this module only gathers the models and prints the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import UsageError
from .common import (
    config_option,
    emit_json,
    fail_on_option,
    format_option,
    model_selection,
    parse_today,
    report_source_errors,
    resolve_config,
    source_option,
    today_option,
)


@click.command("check")
@model_selection
@config_option
@format_option("text", "json", "sarif", "github")
@fail_on_option("Exit 1 when any decision reaches this level.")
@source_option
@today_option
@click.option(
    "--locked", is_flag=True, help="Deny (license-drift) models that moved since compliance.lock."
)
@click.option(
    "--lock-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Lock file for --locked (default: compliance.lock next to the config, else ./).",
)
def command(
    paths: tuple[str, ...],
    models: tuple[str, ...],
    models_from: Path | None,
    config_path: Path | None,
    fmt: str,
    fail_on: str,
    source: str | None,
    today: str | None,
    locked: bool,
    lock_file: Path | None,
) -> int:
    """Decide allow / warn / deny for each model against the policy.

    Models come from PATH... (config files or folders: LiteLLM, compose, Python, .env ...),
    --model (repeatable) and --models-from. Exit 0 clean, 1 a decision reached --fail-on,
    2 usage/config/policy error, 3 a model could not be read (results are still printed).

    Example: compliance check deploy/ --model meta-llama/Llama-3.1-8B-Instruct
    """
    from ..check import run_check

    if not (paths or models or models_from):
        raise UsageError("nothing to check: give PATH..., --model ID or --models-from FILE")
    check_date = parse_today(today)
    config = resolve_config(config_path, source)
    lock = None
    if locked:  # read first: a missing or broken lock is exit 2 before any request
        from ..lock import default_lock_path, read_lock

        lock = read_lock(lock_file or default_lock_path(config))
    subjects = gather(paths, models, models_from, config)
    result = run_check(subjects, config, today=check_date)
    if lock is not None:
        from ..lock import apply_lock

        result = apply_lock(result, lock)
    if fmt == "json":
        emit_json(result.to_json())
    elif fmt in ("sarif", "github"):
        from ..report import render_check

        click.echo(render_check(result, fmt), nl=False)
    else:
        if not result.decisions:
            click.echo("no model references found", err=True)
        click.echo(result.render_text(), nl=False)
    report_source_errors(result)
    return result.exit_code(fail_on)


def gather(
    paths: tuple[str, ...] | list[str],
    models: tuple[str, ...] | list[str],
    models_from: Path | None,
    config: Any,
) -> list[Any]:
    """Subjects for run_check: scanned models (with where they are named) and unresolvable refs."""
    from ..check import Location, Subject, closed_api_facts
    from ..facts.model import Finding
    from ..modelid import ModelId, parse_model_id

    wanted: dict[str, tuple[ModelId, list[Location]]] = {}
    others: dict[tuple[str, str], Subject] = {}

    def want(mid: ModelId, location: Location | None) -> None:
        key = str(mid)
        entry = wanted.setdefault(key, (mid, []))
        if location is not None and location not in entry[1]:
            entry[1].append(location)

    for raw in models:
        want(parse_model_id(raw), None)
    if models_from is not None:
        for number, raw in _model_lines(models_from):
            try:
                mid = parse_model_id(raw)
            except UsageError as exc:
                raise UsageError(exc.message, file=str(models_from), line=number) from exc
            want(mid, Location(str(models_from), number))
    if paths:
        from ..refs import extract_paths

        for ref in extract_paths(list(paths)):
            location = Location(ref.file, ref.line)
            if ref.kind in ("hf-repo", "ollama-tag"):
                parsed: ModelId | None
                try:
                    parsed = parse_model_id(
                        f"{ref.model}@{ref.revision}" if ref.revision else ref.model
                    )
                except UsageError:
                    parsed = None
                if parsed is not None:
                    want(parsed, location)
                    continue
            key = (ref.kind, ref.model or ref.raw)
            previous = others.get(key)
            if previous is not None:
                others[key] = Subject(
                    previous.model,
                    facts=previous.facts,
                    findings=previous.findings,
                    locations=(*previous.locations, location),
                    kind=previous.kind,
                )
            elif ref.kind == "closed-api":
                others[key] = Subject(
                    ref.model,
                    facts=closed_api_facts(ref.model),
                    locations=(location,),
                    kind=ref.kind,
                )
            else:
                what = {
                    "local-path": "a local path",
                    "gguf-file": "a GGUF file",
                    "ollama-tag": "an Ollama tag without a known Hub base",
                }.get(ref.kind, "a model reference that cannot be resolved")
                note = f" ({ref.note})" if getattr(ref, "note", None) else ""
                others[key] = Subject(
                    ref.model or ref.raw,
                    findings=(
                        Finding(
                            "license-unknown",
                            "unknown",
                            f"{ref.raw!r} is {what}{note}: its licence cannot be established;"
                            " name the Hub model it comes from",
                        ),
                    ),
                    locations=(location,),
                    kind=ref.kind,
                )
    subjects: list[Any] = []
    if wanted:
        from ..pipeline import Scanner, make_source

        scanner = Scanner(
            make_source(config.source),
            lineage=True,
            min_confidence=config.policy.min_confidence,
        )
        outcomes = scanner.scan([mid for mid, _ in wanted.values()])
        for outcome in outcomes:
            mid, locations = wanted[str(outcome.model_id)]
            if outcome.facts is not None:
                facts = outcome.facts
                subjects.append(
                    Subject(facts.model, facts.revision, facts=facts, locations=tuple(locations))
                )
            else:
                subjects.append(
                    Subject(
                        mid.repo_id, mid.revision, error=outcome.error, locations=tuple(locations)
                    )
                )
    subjects.extend(others.values())
    return subjects


def _model_lines(path: Path) -> list[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read model list: {exc}", file=str(path)) from exc
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        item = line.split("#", 1)[0].strip()
        if item:
            out.append((number, item))
    return out

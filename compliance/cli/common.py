"""Options and helpers shared by commands."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..config import Config, SourceSpec, load_config
from ..errors import ConfigError, UsageError

F = TypeVar("F", bound=Callable[..., Any])


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help="Output format.",
    )


def source_option(func: F) -> F:
    return click.option(
        "--source",
        "source",
        default=None,
        metavar="hub|mirror:DIR",
        help="Where to read models from (default: `source:` in the config, else hub).",
    )(func)


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Config file (default: ./compliance.yaml when present).",
    )(func)


def model_selection(func: F) -> F:
    """PATH... (config files naming models), --model ID (repeatable) and --models-from FILE."""
    func = click.option(
        "--models-from",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="A file with one model id per line ('#' comments allowed).",
    )(func)
    func = click.option(
        "--model", "models", multiple=True, metavar="ID", help="A model id (repeatable)."
    )(func)
    return click.argument("paths", nargs=-1, type=click.Path(path_type=str))(func)


def fail_on_option(help_text: str) -> Callable[[F], F]:
    return click.option(
        "--fail-on",
        type=click.Choice(["deny", "warn"]),
        default="deny",
        show_default=True,
        help=help_text,
    )


def today_option(func: F) -> F:
    """Hidden: the date exceptions are checked against (tests and reproducible reports)."""
    return click.option(
        "--today", default=None, hidden=True, help="Date exceptions are checked against."
    )(func)


def parse_today(value: str | None) -> dt.date | None:
    """The --today value as a date (None: today); a usage error when it is not YYYY-MM-DD."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"--today must be YYYY-MM-DD, got {value!r}") from exc


def resolve_config(config_path: Path | None, source: str | None) -> Config:
    """Load the config, and let --source override its `source:`."""
    from dataclasses import replace

    config = load_config(config_path)
    if source is not None:
        try:
            config = replace(config, source=SourceSpec.parse(source))
        except ConfigError as exc:
            raise UsageError(exc.message) from exc
    return config


def emit_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def read_model_list(path: Path) -> list[str]:
    """One model id per line; blank lines and '#' comments ignored."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read model list: {exc}", file=str(path)) from exc
    return [
        line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()
    ]


def report_source_errors(result: Any) -> None:
    """One line on stderr per model that could not be read, naming the model and the cause."""
    for decision in result.decisions:
        if not decision.source_error:
            continue
        cause = next(
            (f.message for f in decision.findings if f.code == "source-error"), "could not be read"
        )
        click.echo(f"compliance: error: {decision.model}: {cause}", err=True)

"""Options and helpers shared by commands."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable
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


FETCH_LINKS = "compliance.fetch_links"  # click context meta: --fetch-links was given


def _remember_fetch_links(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[FETCH_LINKS] = True


def source_option(func: F) -> F:
    """--source, and --fetch-links (kept in the click context: resolve_config reads it)."""
    func = click.option(
        "--fetch-links",
        is_flag=True,
        default=False,
        expose_value=False,
        callback=_remember_fetch_links,
        help="Fetch a card's license_link outside the Hub (https, public addresses only;"
        " same as `source: {fetch_links: true}`).",
    )(func)
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
        help="Config file (default: the nearest compliance.yaml up to the git root).",
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
        type=click.Choice(["deny", "warn", "never"]),
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
    if config_path is None:  # discovered: say which file applies, or that none does
        if config.path is not None:
            click.echo(f"compliance: using config {config.path}", err=True)
        else:
            click.echo(
                "compliance: no compliance.yaml found (here or up to the git root);"
                " using the defaults",
                err=True,
            )
    if source is not None:
        try:
            spec = SourceSpec.parse(source)
        except ConfigError as exc:
            raise UsageError(exc.message) from exc
        config = replace(config, source=replace(spec, fetch_links=config.source.fetch_links))
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(FETCH_LINKS):
        config = replace(config, source=replace(config.source, fetch_links=True))
    return config


def emit_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def report_source_errors(decisions: Iterable[Any]) -> None:
    """One line on stderr per model that could not be read, naming the model and the cause.
    `decisions`: a CheckResult's decisions, or an AuditReport's entries."""
    for decision in decisions:
        if not decision.source_error:
            continue
        cause = next(
            (f.message for f in decision.findings if f.code == "source-error"), "could not be read"
        )
        click.echo(f"compliance: error: {decision.model}: {cause}", err=True)


def write_output(text: str, output: Path | None) -> None:
    """To stdout, or atomically to `output` (a usage error naming the file when it cannot be)."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from ..fileio import atomic_write_text

    try:
        atomic_write_text(output, text)
    except OSError as exc:
        raise UsageError(f"cannot write report: {exc.strerror or exc}", file=str(output)) from exc
    click.echo(f"compliance: wrote {output}", err=True)

"""Options and helpers shared by commands."""

from __future__ import annotations

import datetime as dt
import json
import os
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


def color_option(func: F) -> F:
    return click.option(
        "--color",
        "color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Colour text output (deny red, warn yellow, allow green); auto: on a terminal,"
        " unless NO_COLOR is set.",
    )(func)


def use_color(choice: str, output: Path | None) -> bool:
    """Whether to colour: always / never as asked; auto only on a TTY stdout without NO_COLOR."""
    if choice == "always":
        return True
    if choice == "never" or output is not None or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def quiet_option(func: F) -> F:
    return click.option(
        "-q", "--quiet", is_flag=True, help="Print only the lines that block (text format)."
    )(func)


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
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"--today must be YYYY-MM-DD, got {value!r}") from exc
    from ..policy.decision import date_note

    click.echo(f"compliance: warning: {date_note(day)}", err=True)
    return day


def resolve_config(config_path: Path | None, source: str | None, *, quiet: bool = False) -> Config:
    """Load the config, and let --source override its `source:`. `quiet`: no notice of which
    config was found (-q prints only what blocks)."""
    from dataclasses import replace

    config = load_config(config_path)
    if config_path is None and not quiet:  # discovered: say which applies, or that none does
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
        click.echo(stderr_line(f"compliance: error: {decision.model}: {cause}"), err=True)


def stderr_line(text: str) -> str:
    """One line for stderr with untrusted parts: control characters shown, no workflow command."""
    from ..report.escape import text_field, text_output

    return text_output(text_field(text))


def write_output(text: str, output: Path | None, *, workflow_commands: bool = False) -> None:
    """To stdout, or atomically to `output` (a usage error naming the file when it cannot be).

    On stdout a CI runner reads every line: none may start a GitHub workflow command, except
    the `--format github` report's own (whose untrusted fields its renderer escaped)."""
    if output is None:
        from ..report.escape import guard_lines

        sys.stdout.write(text if workflow_commands else guard_lines(text))
        sys.stdout.flush()
        return
    from ..fileio import atomic_write_text

    try:
        atomic_write_text(output, text)
    except OSError as exc:
        raise UsageError(f"cannot write report: {exc.strerror or exc}", file=str(output)) from exc
    click.echo(f"compliance: wrote {output}", err=True)

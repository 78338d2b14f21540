"""-v/-vv (before or after the subcommand; counts add up) and the logging level they set.

-v: which source and config, cache hits, files read at which sha, how long the Hub took (INFO);
-vv: also huggingface_hub's own log and internal detail (DEBUG)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class _EscapeLogs(logging.Filter):
    """Log messages name files and models written by strangers: escape them like reports."""

    def filter(self, record: logging.LogRecord) -> bool:
        from ..report.escape import text_field, text_output

        record.msg = text_output(text_field(record.getMessage()))
        record.args = None
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to the current sys.stderr (not the one at creation), as click.echo does."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.setFormatter(logging.Formatter("compliance: %(message)s"))
        self.addFilter(_EscapeLogs())

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        return None


_installed: list[tuple[logging.Handler, int]] = []  # our handler, the root level before it


def configure_logging(verbose: int) -> None:
    """Log to stderr at the level -v asks for; called again when -v follows the command."""
    level = logging.DEBUG if verbose >= 2 else logging.INFO if verbose == 1 else logging.WARNING
    root = logging.getLogger()
    if not _installed:
        handler = _StderrHandler()
        _installed.append((handler, root.level))
        root.addHandler(handler)
    root.setLevel(level)
    # huggingface_hub narrates its own retries on stderr; our errors already name the cause.
    logging.getLogger("huggingface_hub").setLevel(logging.DEBUG if verbose >= 2 else logging.ERROR)
    # one line per HTTP request is -vv detail; -v says what was read and how long it took
    for name in ("httpx", "httpx2"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose >= 2 else logging.WARNING)


def reset_logging() -> None:
    """Undo configure_logging (the end of one in-process run: tests, Python callers)."""
    root = logging.getLogger()
    while _installed:
        handler, level = _installed.pop()
        root.removeHandler(handler)
        root.setLevel(level)


def verbosity() -> int:
    """The -v count given so far (group and subcommand together); 0 outside a click context."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or not isinstance(ctx.obj, dict):
        return 0
    return int(ctx.obj.get("verbose", 0))


def _add(ctx: click.Context, _param: click.Parameter, value: int) -> None:
    if not value:
        return
    root = ctx.find_root()
    root.ensure_object(dict)
    ctx.obj = root.obj
    root.obj["verbose"] = int(root.obj.get("verbose", 0)) + value
    configure_logging(root.obj["verbose"])


def verbose_option(func: F) -> F:
    return click.option(
        "-v",
        "--verbose",
        count=True,
        expose_value=False,
        callback=_add,
        help="More detail on stderr (-vv: more); also accepted before the command.",
    )(func)

"""`compliance` entry point: the command group and the one error handler.

Commands are loaded lazily (only the one being run is imported) so that the pre-commit path
stays fast. A command lives in `compliance/cli/<name>.py` as a click command named `command`.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from .. import __version__
from ..errors import ComplianceError, ExitCode

# name -> short help. The module compliance.cli.<module> must define `command`.
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("scan", "Read models from the Hub or a mirror and print their facts."),
    "detect": ("detect", "Identify licence and use-policy texts and the facts they state."),
    "refs": ("refs", "List the models that config files name, with file and line."),
    "check": ("check", "Decide allow / warn / deny for each model against the policy."),
    "explain": ("explain", "Show one model's facts and which policy rules fired on them."),
    "audit": ("audit", "Write a legal review report (markdown, html, json, spdx)."),
    "lock": ("lock", "Record approved revisions and licence hashes in compliance.lock."),
    "cache": ("cache", "Show or clear the local cache."),
    "init": ("init", "Write a commented compliance.yaml template."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if _module_exists(COMMANDS[name][0])]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or not _module_exists(entry[0]):
            return None
        module = importlib.import_module(f"compliance.cli.{entry[0]}")
        cmd: click.Command = module.command
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help from the table, so `--help` imports no command module.
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _module_exists(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(f"compliance.cli.{module}") is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="compliance")
@click.option(
    "-v", "--verbose", count=True, help="More detail on stderr; -v also shows tracebacks."
)
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """Check whether you may use open-weight AI models the way you plan to.

    Exit codes: 0 clean, 1 policy violations, 2 usage/config/policy error,
    3 runtime/network error, 130 interrupted.
    """
    from .verbosity import configure_logging

    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    configure_logging(verbose)


def _verbose(argv: list[str]) -> bool:
    return any(a == "--verbose" or (a.startswith("-v") and set(a[1:]) == {"v"}) for a in argv)


def _usage_message(exc: click.ClickException) -> str:
    """click's Usage/Try/Error block as one line, ending with the --help hint."""
    message = " ".join(exc.format_message().split()).rstrip(".")
    ctx = getattr(exc, "ctx", None)
    command_path = ctx.command_path if ctx is not None else "compliance"
    if not isinstance(exc, click.UsageError):
        return message
    return f"{message} (see '{command_path} --help')"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return (and, as a script, exit with) the exit code. The one error handler."""
    args = list(sys.argv[1:] if argv is None else argv)
    code: int
    try:
        result: Any = cli.main(args=args, prog_name="compliance", standalone_mode=False)
        code = int(result) if isinstance(result, int) else ExitCode.OK
    except click.exceptions.Exit as exc:  # --help, --version
        code = exc.exit_code
    except click.exceptions.Abort:
        click.echo("compliance: interrupted", err=True)
        code = ExitCode.INTERRUPTED
    except click.ClickException as exc:  # bad flags, missing arguments
        click.echo(f"compliance: error: {_usage_message(exc)}", err=True)
        code = ExitCode.USAGE
    except ComplianceError as exc:
        if _verbose(args):
            logging.getLogger("compliance").exception("details")
        click.echo(f"compliance: error: {exc}", err=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("compliance: interrupted", err=True)
        code = ExitCode.INTERRUPTED
    except BrokenPipeError:
        code = ExitCode.OK
    except Exception as exc:  # a bug: say so in one line, never pass silently
        if _verbose(args):
            logging.getLogger("compliance").exception("internal error")
        click.echo(
            f"compliance: internal error: {type(exc).__name__}: {exc} (run with -v for details)",
            err=True,
        )
        code = ExitCode.RUNTIME
    finally:
        from .verbosity import reset_logging

        reset_logging()
    if argv is None:
        sys.exit(code)
    return code


if __name__ == "__main__":
    main()

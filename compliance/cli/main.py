"""`compliance` entry point: the command group and the one error handler.

Commands are loaded lazily (only the one being run is imported) so that the pre-commit path
stays fast. A command lives in `compliance/cli/<name>.py` as a click command named `command`.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
from typing import Any

import click

from .. import __version__
from ..errors import ComplianceError, ExitCode, Terminated

# name -> short help. The module compliance.cli.<module> must define `command`.
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("scan", "Read models from the Hub or a mirror and print their facts."),
    "detect": ("detect", "Identify licence and use-policy texts and the facts they state."),
    "refs": ("refs", "List the models that config files name, with file and line."),
    "check": ("check", "Decide allow / warn / deny for each model against the policy."),
    "explain": ("explain", "Show one model's facts and which policy rules fired on them."),
    "audit": ("audit", "Write a legal review report (markdown, html, json, spdx)."),
    "shortlist": ("shortlist", "List the open model families your policy allows, with licences."),
    "lock": ("lock", "Record approved revisions and licence hashes in compliance.lock."),
    "cache": ("cache", "Show or clear the local cache."),
    "policy": ("policy", "Run a policy pack's *_test.rego tests (`policy test`)."),
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
    3 runtime/network error, 130 interrupted, 143 terminated.
    """
    from .verbosity import configure_logging

    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    configure_logging(verbose)


def _for_terminal(text: str) -> str:
    """Untrusted text in one stderr line: control characters shown, no workflow command."""
    from ..report.escape import text_field, text_output

    return text_output(text_field(text))


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


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def _interrupted(exc: BaseException | None) -> int:
    """130 for Ctrl-C, 143 for SIGTERM; says which on stderr."""
    if isinstance(exc, Terminated):
        click.echo("compliance: terminated", err=True)
        return ExitCode.TERMINATED
    click.echo("compliance: interrupted", err=True)
    return ExitCode.INTERRUPTED


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return (and, as a script, exit with) the exit code. The one error handler."""
    import signal
    import threading

    args = list(sys.argv[1:] if argv is None else argv)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        code = _main(args)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if argv is None:
        if code == ExitCode.TERMINATED:
            # Leave now: worker threads blocked on the network would keep the interpreter
            # alive at exit; child processes were ended on the way out (sources.prefetch).
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(code)
        sys.exit(code)
    return code


def _main(args: list[str]) -> int:
    code: int
    try:
        result: Any = cli.main(args=args, prog_name="compliance", standalone_mode=False)
        code = int(result) if isinstance(result, int) else ExitCode.OK
    except click.exceptions.Exit as exc:  # --help, --version
        code = exc.exit_code
    except click.exceptions.Abort as exc:
        code = _interrupted(exc.__cause__ or exc.__context__)
    except click.ClickException as exc:  # bad flags, missing arguments
        click.echo(f"compliance: error: {_usage_message(exc)}", err=True)
        code = ExitCode.USAGE
    except ComplianceError as exc:
        if _verbose(args):
            logging.getLogger("compliance").exception("details")
        click.echo(f"compliance: error: {_for_terminal(str(exc))}", err=True)
        code = exc.exit_code
    except KeyboardInterrupt as exc:
        code = _interrupted(exc)
    except BrokenPipeError:
        code = ExitCode.OK
    except Exception as exc:  # a bug: say so in one line, never pass silently
        if _verbose(args):
            logging.getLogger("compliance").exception("internal error")
        click.echo(
            f"compliance: internal error: {type(exc).__name__}: {_for_terminal(str(exc))}"
            " (run with -v for details)",
            err=True,
        )
        code = ExitCode.RUNTIME
    finally:
        from .verbosity import reset_logging

        reset_logging()
    return code


if __name__ == "__main__":
    main()

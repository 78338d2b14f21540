"""`compliance policy test [PATH...]`: run a policy pack's `*_test.rego` (as `conftest verify`)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ExitCode
from .common import config_option, emit_json, format_option


@click.group("policy")
def command() -> None:
    """Work with Rego policy packs."""


@command.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH...]")
@config_option
@click.option("--builtin", is_flag=True, help="Also run the shipped policies' tests.")
@format_option("text", "json")
def test(paths: tuple[Path, ...], config_path: Path | None, builtin: bool, fmt: str) -> int:
    """Run the `test_*` rules of the `*_test.rego` files in PATH (a pack file or folder;
    default: the packs in policy.packs). Each must be true; exit 1 if one is not.

    Example: compliance policy test policies/acme/
    """
    from ..config import load_config
    from ..errors import UsageError
    from ..policy.engine import policy_data
    from ..policy.verify import modules_for, run_tests

    config = load_config(config_path)
    packs = list(paths) or list(config.policy.packs)
    if not packs and not builtin:
        raise UsageError("no policy to test: give PATH, set policy.packs, or use --builtin")
    modules = modules_for(packs, builtin=builtin)
    results = run_tests(modules, policy_data(config))
    failed = [r for r in results if not r.passed]
    if fmt == "json":
        from ..report.schemas import POLICY_TEST

        emit_json(
            {
                "schema": POLICY_TEST,
                "tests": [r.__dict__ for r in results],
                "passed": len(results) - len(failed),
                "failed": len(failed),
            }
        )
    else:
        for r in results:
            mark = "PASS" if r.passed else "FAIL"
            detail = f" ({r.detail})" if r.detail else ""
            click.echo(f"{mark} {r.file}: data.{r.package}.{r.rule}{detail}")
        if not results:
            click.echo("no tests found (test_* rules in *_test.rego files)")
        click.echo(
            f"{len(results)} tests, {len(results) - len(failed)} passed, {len(failed)} failed"
        )
    return ExitCode.VIOLATIONS if failed else ExitCode.OK

"""`compliance shortlist [--modality M] [--max-params 8B] [--allowed-only]`: which model families
the organisation in compliance.yaml may use, one row per catalogue release line (and size group).

The work is `compliance.run.run_shortlist` (rows decided by check's policy path); this module
turns options into a request and prints the result.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..facts.families import MODALITIES
from .common import config_option, resolve_config, write_output


@click.command("shortlist")
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "html"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--modality", type=click.Choice(list(MODALITIES)), default=None, help="Only this modality."
)
@click.option(
    "--max-params",
    default=None,
    metavar="SIZE",
    help="Only sizes up to this many parameters (8B, 1.5B, 270M).",
)
@click.option("--allowed-only", is_flag=True, help="Only rows the policy allows.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the shortlist to FILE instead of stdout.",
)
def command(
    config_path: Path | None,
    fmt: str,
    modality: str | None,
    max_params: str | None,
    allowed_only: bool,
    output: Path | None,
) -> int:
    """List the open model families you may use, decided by your policy.

    One row per release line of the registry's family catalogue (by size group where sizes
    carry other licences): publisher and country, sizes, modality, licence version, commercial
    use, caps, territory, output-training terms, the licence record it comes from, and the
    decision for the organisation in compliance.yaml (the same policy as `check`). Exit 0, or 2
    on a usage or config error.

    Example: compliance shortlist --modality vision-language --max-params 13B --allowed-only
    """
    from ..report.shortlist import render_shortlist
    from ..run.shortlist import ShortlistRequest, parse_params, run_shortlist

    config = resolve_config(config_path, None)
    request = ShortlistRequest(
        config=config,
        modality=modality,
        max_params=parse_params(max_params) if max_params is not None else None,
        allowed_only=allowed_only,
    )
    write_output(render_shortlist(run_shortlist(request), fmt), output)
    return 0

"""`compliance cache info | clear`: show or clear the local snapshot cache."""

from __future__ import annotations

import click

from ..report.schemas import CACHE
from ..sources.cache import SnapshotCache
from .common import emit_json, format_option
from .verbosity import verbose_option


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


@click.group("cache")
@verbose_option
def command() -> None:
    """Show or clear the local cache.

    The cache holds what was read from the Hub, one entry per model and commit sha (an entry is
    used only for that exact commit), and what was computed from it: normalised facts, built-in
    policy results and the registry's compiled copy. Its location is COMPLIANCE_CACHE_DIR, else
    the user cache folder. Deleting it is always safe: entries are refetched.
    """


@command.command("info")
@format_option("text", "json")
@verbose_option
def info(fmt: str) -> int:
    """Print the cache location, entry count (every part) and size."""
    from ..run.cache_info import cache_parts

    details = cache_parts()
    if fmt == "json":
        emit_json({"schema": CACHE, **details.to_json()})
    else:
        click.echo(f"location: {details.root}")
        click.echo(
            f"entries: {details.entries} (snapshots: {details.snapshots.entries} of"
            f" {details.models} models; facts: {details.facts.entries};"
            f" policy results: {details.policy_results.entries};"
            f" registry: {details.registry.entries})"
        )
        click.echo(f"size: {_human(details.size)} ({details.size} bytes)")
    return 0


@command.command("clear")
@verbose_option
def clear() -> int:
    """Delete every cached snapshot (the next read refetches them)."""
    from ..facts.cache import clear_derived

    cache = SnapshotCache()
    removed = cache.clear()
    derived = clear_derived(cache.root)  # facts and policy results computed from snapshots
    also = f" (and {derived} derived facts and policy results)" if derived else ""
    click.echo(
        f"removed {removed} file{'s' if removed != 1 else ''} from {cache.root}{also}", err=True
    )
    return 0

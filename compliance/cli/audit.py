"""`compliance audit [PATH...] [--model ID]... --format markdown|html|json|spdx`: the legal review.

The same models, decisions and exit code as `check` (it gathers and decides with check's own
`gather` and `compliance.check.run_check`); the report adds, per model, the facts with their
evidence, the lineage, the obligations checklist and the exceptions applied.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from ..errors import UsageError
from .common import (
    config_option,
    fail_on_option,
    format_option,
    model_selection,
    parse_today,
    report_source_errors,
    source_option,
    today_option,
)

PROGRESS_THRESHOLD = 5  # show a counter once more than this many models are being read


class _Counter:
    """A one-line counter on stderr ("read 7 models"), shown only on a TTY past the threshold."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.count = 0
        self.shown = False
        self._lock = threading.Lock()

    def tick(self) -> None:
        with self._lock:
            self.count += 1
            if self.enabled and self.count > PROGRESS_THRESHOLD:
                self.shown = True
                sys.stderr.write(f"\rcompliance: read {self.count} models…")
                sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


class _CountingSource:
    def __init__(self, inner: Any, counter: _Counter):
        self._inner = inner
        self._counter = counter

    def fetch(self, model: Any) -> Any:
        try:
            return self._inner.fetch(model)
        finally:
            self._counter.tick()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[None]:
    """Count model reads while check's `gather` runs.

    `gather` builds its source with `compliance.pipeline.make_source`; for the duration of the
    call that factory is wrapped so each fetch ticks the counter. (A `progress=` callback on
    `gather` would make this unnecessary; see docs/reports.md.)
    """
    if not enabled:
        yield
        return
    from .. import pipeline

    counter = _Counter(enabled)
    original = pipeline.make_source

    def counting(spec: Any, **kwargs: Any) -> Any:
        return _CountingSource(original(spec, **kwargs), counter)

    pipeline.make_source = counting
    try:
        yield
    finally:
        pipeline.make_source = original
        counter.close()


def _now() -> str:
    fixed = os.environ.get("SOURCE_DATE_EPOCH")  # reproducible builds convention
    when = (
        dt.datetime.fromtimestamp(int(fixed), dt.timezone.utc)
        if fixed and fixed.isdigit()
        else dt.datetime.now(dt.timezone.utc)
    )
    return when.replace(microsecond=0).isoformat()


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    tmp = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, output)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise UsageError(f"cannot write report: {exc.strerror or exc}", file=str(output)) from exc
    click.echo(f"compliance: wrote {output}", err=True)


@click.command("audit")
@model_selection
@config_option
@format_option("markdown", "html", "json", "spdx", default="markdown")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to FILE instead of stdout.",
)
@fail_on_option("Exit 1 when any decision reaches this level (as check).")
@source_option
@today_option
def command(
    paths: tuple[str, ...],
    models: tuple[str, ...],
    models_from: Path | None,
    config_path: Path | None,
    fmt: str,
    output: Path | None,
    fail_on: str,
    source: str | None,
    today: str | None,
) -> int:
    """Write a legal review of the models PATH... name (and --model, --models-from).

    For each model: the decision and findings, the facts with their evidence (file:line and the
    quoted clause), the lineage, the obligations (notices, name prefixes, use policy, licence
    copy), the exceptions applied, the revision and when it was read. Exit codes as `check`.

    Example: compliance audit deploy/ --format html --output audit.html
    """
    from .. import __version__
    from ..check import run_check
    from ..report import render_audit
    from ..report.interface import build_audit, registry_lookup
    from .check import gather
    from .common import resolve_config

    if not (paths or models or models_from):
        raise UsageError("nothing to audit: give PATH..., --model ID or --models-from FILE")
    check_date = parse_today(today)
    config = resolve_config(config_path, source)
    with _progress(sys.stderr.isatty()):
        subjects = gather(paths, models, models_from, config)
    result = run_check(subjects, config, today=check_date)
    exit_code = result.exit_code(fail_on)
    keys: list[str] = []
    for d in result.decisions:
        if d.facts is not None:
            terms = d.facts.effective_terms()
            keys += [
                terms.license_key,
                *([terms.acceptable_use_policy] if terms.acceptable_use_policy else []),
            ]
    report = build_audit(
        result,
        None,
        generated_at=_now(),
        tool_version=__version__,
        exit_code=exit_code,
        config=str(config.path) if config.path else None,
        fail_on=fail_on,
        lookup=registry_lookup(keys),
    )
    _write(render_audit(report, fmt), output)
    if not result.decisions:
        click.echo("compliance: no model references found", err=True)
    report_source_errors(result)
    return exit_code

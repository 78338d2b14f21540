"""`compliance detect FILE...`: identify licence and use-policy texts and the facts they state."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from ..errors import InputError
from .common import format_option

SCHEMA = "compliance.detect/v1"
MAX_BYTES = 1024 * 1024  # 1 MiB: a licence is never larger


def read_input(path: str) -> bytes:
    """The bytes of one input file; InputError (exit 2) naming the file when it cannot be used."""
    from ..facts.textnorm import looks_binary

    try:
        if os.path.isdir(path):
            raise InputError("is a directory, not a file", file=path)
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise InputError(f"too large for a licence text ({size} bytes; limit 1 MiB)", file=path)
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError("no such file", file=path) from None
    except PermissionError:
        raise InputError("permission denied", file=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=path) from None
    if len(data) > MAX_BYTES:
        raise InputError("too large for a licence text (limit 1 MiB)", file=path)
    if looks_binary(data):
        raise InputError("binary file, not a licence text", file=path)
    return data


def _text_report(results: list[Any]) -> str:
    out: list[str] = []
    for r in results:
        lic = r.key or "unknown"
        head = (
            f"{r.path}: {lic} [{r.status}, {r.document}, class {r.license_class}, "
            f"confidence {r.confidence:.2f}]"
        )
        out.append(head)
        if r.name:
            out.append(f"  {r.name}" + (f" ({r.spdx})" if r.spdx else ""))
        if r.status != "exact" and r.nearest:
            out.append(
                f"  nearest known text: {r.nearest}, {_share(r.coverage)} present, "
                f"{r.differences} differing passage(s)"
                + (
                    f" near line(s) {', '.join(map(str, r.difference_lines[:8]))}"
                    if r.difference_lines
                    else ""
                )
            )
        facts = r.facts_json()
        if r.terms is None and r.clauses is not None and r.clauses.clauses:
            out.append("  read from its own clauses (not a known text):")
        if r.terms is not None or (r.clauses is not None and r.clauses.clauses):
            terr = ", ".join(
                f"{t['region']} ({t['scope']}, in {t['clause']})"
                for t in facts["territory_restrictions"]
            )
            mau = facts["mau_cap"]
            rev = facts["revenue_cap"]
            out.append(f"  commercial use: {facts['commercial_use']}")
            if mau:
                out.append(f"  monthly active user cap: {mau:,}")
            if rev:
                out.append(f"  revenue threshold: {rev:,} USD")
            out.append(
                f"  EU restricted: {_yn(facts['eu_restricted'])}" + (f" — {terr}" if terr else "")
            )
            out.append(f"  output training: {facts['output_training']}")
            out.append(
                f"  non-commercial: {_yn(facts['non_commercial'])}; "
                f"research only: {_yn(facts['research_only'])}"
            )
            if facts["acceptable_use_policy"]:
                out.append(f"  use policy: {facts['acceptable_use_policy']}")
            for a in facts["attribution"]:
                out.append(f"  duty: {a}")
        for e in r.evidence:
            out.append(f"  {e.fact}: line {e.line}: {e.quote}")
        for k, s in r.others:
            out.append(f"  also contains: {k} [{s}]")
        for n in r.notes:
            out.append(f"  note: {n}")
    return "\n".join(out) + "\n"


def _share(x: float) -> str:
    return f"{x:.0%}" if x in (0.0, 1.0) or 0.01 < x < 0.99 else f"{x:.1%}"


def _yn(value: Any) -> str:
    return "unknown" if value is None else "yes" if value else "no"


@click.command(name="detect")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=str))
@format_option("text", "json")
def command(files: tuple[str, ...], fmt: str) -> int:
    """Identify licence and use-policy texts (exact, modified or unknown) and their facts.

    Exit codes: 0 done (whatever the texts are), 2 a file is missing, unreadable, binary or
    over 1 MiB.
    """
    from ..facts.detect import detect_bytes
    from ..facts.registry import load_registry

    inputs = [(path, read_input(path)) for path in files]  # fail before any output
    registry = load_registry()
    results = [detect_bytes(data, path, registry=registry) for path, data in inputs]
    if fmt == "json":
        doc = {"schema": SCHEMA, "files": [r.to_json() for r in results]}
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(_text_report(results))
    return 0

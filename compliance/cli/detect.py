"""`compliance detect FILE...`: identify licence and use-policy texts and the facts they state."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from ..errors import ExitCode, InputError
from .common import emit_json, format_option
from .verbosity import verbose_option

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


@click.command(name="detect")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=str))
@format_option("text", "json")
@verbose_option
def command(files: tuple[str, ...], fmt: str) -> int:
    """Identify licence and use-policy texts (exact, modified or unknown) and their facts.

    Exit codes: 0 done (whatever the texts are), 2 a file is missing, unreadable, binary or
    over 1 MiB (it gets an error row; the other files are still read).
    """
    from ..facts.detect import detect_bytes
    from ..facts.registry import load_registry
    from ..report.detect_text import render_text
    from ..report.schemas import DETECT

    inputs: list[tuple[str, bytes | InputError]] = []
    for path in files:
        try:
            inputs.append((path, read_input(path)))
        except InputError as exc:
            click.echo(f"compliance: error: {exc}", err=True)
            inputs.append((path, exc))
    registry = load_registry() if any(isinstance(d, bytes) for _, d in inputs) else None
    rows: list[tuple[str, Any]] = [
        (path, detect_bytes(data, path, registry=registry) if isinstance(data, bytes) else data)
        for path, data in inputs
    ]
    if fmt == "json":
        entries = [
            {"path": path, "error": r.message} if isinstance(r, InputError) else r.to_json()
            for path, r in rows
        ]
        emit_json({"schema": DETECT, "files": entries})
    else:
        sys.stdout.write(
            "".join(
                f"{path}: error: {r.message}\n" if isinstance(r, InputError) else render_text([r])
                for path, r in rows
            )
        )
    failed = any(isinstance(r, InputError) for _, r in rows)
    return ExitCode.USAGE if failed else ExitCode.OK

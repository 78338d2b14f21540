"""`compliance detect FILE...`: identify licence and use-policy texts and the facts they state."""

from __future__ import annotations

import os
import sys

import click

from ..errors import InputError
from .common import emit_json, format_option

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
def command(files: tuple[str, ...], fmt: str) -> int:
    """Identify licence and use-policy texts (exact, modified or unknown) and their facts.

    Exit codes: 0 done (whatever the texts are), 2 a file is missing, unreadable, binary or
    over 1 MiB.
    """
    from ..facts.detect import detect_bytes
    from ..facts.registry import load_registry
    from ..report.detect_text import render_text
    from ..report.schemas import DETECT

    inputs = [(path, read_input(path)) for path in files]  # fail before any output
    registry = load_registry()
    results = [detect_bytes(data, path, registry=registry) for path, data in inputs]
    if fmt == "json":
        emit_json({"schema": DETECT, "files": [r.to_json() for r in results]})
    else:
        sys.stdout.write(render_text(results))
    return 0

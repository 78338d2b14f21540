"""The console script. A pre-commit run on files that name no model is answered by
fastpath.replay() before click, yaml or the registry are imported; anything else runs
compliance.cli.main."""

from __future__ import annotations

import sys


def main() -> None:
    from . import fastpath

    args = sys.argv[1:]
    code = fastpath.replay(args)
    if code is None:
        from .main import main as full

        code = fastpath.run_and_record(args, full)
    sys.exit(code)

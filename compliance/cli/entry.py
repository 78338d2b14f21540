"""The console script. A pre-commit run on files that name no model is answered by
fastpath.replay() before click, yaml or the registry are imported; a run identical to a recorded
earlier one, on unchanged inputs, by replay.replay(); anything else runs compliance.cli.main."""

from __future__ import annotations

import sys


def main() -> None:
    from . import fastpath

    args = sys.argv[1:]
    code = fastpath.replay(args)
    if code is None:
        from . import replay

        code = replay.replay(args)
    if code is None:
        from . import replay
        from .main import main as full

        def recorded(argv: list[str]) -> int:
            return replay.run_and_record(argv, full)

        code = fastpath.run_and_record(args, recorded)
    sys.exit(code)

"""Usage errors are one line, `compliance: error: ...` with the --help hint, exit 2 (not click's
three-line Usage/Try/Error block)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("args", "hint", "words"),
    [
        (["check", "--bogus"], "compliance check --help", "--bogus"),
        (["explain"], "compliance explain --help", "MODEL"),
        (["check", "--format", "pdf", "--model", "a/b"], "compliance check --help", "pdf"),
        (["nosuchcommand"], "compliance --help", "nosuchcommand"),
        (["cache", "info", "--bogus"], "compliance cache info --help", "--bogus"),
    ],
)
def test_usage_error_is_one_line_with_the_help_hint(cli, args, hint, words) -> None:
    code, out, err = cli(*args)
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("compliance: error: ")
    assert words in lines[0] and f"(see '{hint}')" in lines[0]

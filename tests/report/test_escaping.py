"""Untrusted text (card, licence, file names) reaches no output as live markup: terminal
control sequences, GitHub workflow commands, Markdown/HTML, or non-http(s) links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compliance.report import escape as X

EVIL_NAME = (
    r"evil\e[2J\e[1;1Hallow\e]0;title\a\x9b31m\u202e\n::add-mask::secret\n##[error]x\n"
    r"## Fake | cell | <!-- hidden <script>alert(1)</script> <img src=x onerror=alert(1)> ```"
)
CARD = f"""---
license: other
license_name: "{EVIL_NAME}"
license_link: "javascript:alert(1)"
---
# Evil
Some text.
"""
WORKFLOW = re.compile(r"^[ \t]*(::|##\[)", re.MULTILINE)


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    repo = tmp_path / "mirror" / "acme" / "evil"
    repo.mkdir(parents=True)
    (repo / "README.md").write_text(CARD, encoding="utf-8")
    (repo / "LICENSE").write_text(
        "::error::from the licence\n\x1b[31mred\x1b[0m all rights reserved\n", encoding="utf-8"
    )
    return tmp_path / "mirror"


def _no_terminal_controls(text: str) -> None:
    bad = re.findall("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", text)
    assert not bad, bad


# --- the helpers ---------------------------------------------------------------------------


def test_text_field_shows_controls_and_folds_lines() -> None:
    out = X.text_field("a\x1b[2Jb\x1b]0;t\x07c\x9bd\u202ee\nf\r\ng\th")
    assert out == "a\\x1b[2Jb\\x1b]0;t\\x07c\\x9bd\\u202ee f g h"
    assert X.text_block("x\n\ty\x1b") == "x\n\ty\\x1b"


def test_guard_lines_neutralises_workflow_commands() -> None:
    text = "ok\n::add-mask::x\n  ::error::y\n##[group]z\nnot :: at start"
    assert not WORKFLOW.search(X.guard_lines(text))
    assert X.guard_lines(text).splitlines()[-1] == "not :: at start"


def test_markdown_text_escapes_inline_markup_and_html() -> None:
    out = X.markdown_text("a | b <!-- c --> <script>*x*</script> [l](javascript:1)\n# h")
    assert "|" not in out.replace("\\|", "")
    assert "<" not in out and ">" not in out
    assert "\n" not in out
    assert "\\*x\\*" in out and "\\[l\\]" in out


def test_markdown_code_cannot_be_closed_early() -> None:
    span = X.markdown_code("a ``` b ` c")
    fence = re.match(r"`+", span)
    assert fence is not None and len(fence.group()) == 4
    assert span.endswith("`" * 4)
    block = X.code_fence("x\n```\n# out\n````")
    first = block.splitlines()[0]
    assert first == "`````" and block.splitlines()[-1] == first


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.com/terms", True),
        ("http://example.com", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,x", False),
        ("//evil.example", False),
        ("https://ex ample.com", False),
        ("https://x\x1b[2J", False),
    ],
)
def test_safe_url(url: str, ok: bool) -> None:
    assert (X.safe_url(url) is not None) is ok


# --- every renderer --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--model", "acme/evil", "--format", "text"),
        ("check", "--model", "acme/evil", "--format", "github"),
        ("scan", "acme/evil"),
        ("explain", "acme/evil"),
        ("detect", "{mirror}/acme/evil/LICENSE"),
        ("detect", "{mirror}/acme/evil/README.md"),
    ],
    ids=["check-text", "check-github", "scan", "explain", "detect-licence", "detect-card"],
)
def test_text_outputs_carry_no_controls_or_workflow_commands(cli, mirror, args) -> None:
    argv = [a.format(mirror=mirror) for a in args]
    if argv[0] != "detect":
        argv += ["--source", f"mirror:{mirror}"]
    _code, out, err = cli(*argv)
    assert out.strip()
    for stream in (out, err):
        _no_terminal_controls(stream)
    if "github" in argv:
        # our own annotations are commands; nothing from the card starts one
        ours = ("::error ", "::warning ", "::notice ")
        assert all(line.startswith(ours) for line in out.splitlines())
        assert "::add-mask::" not in out.replace("%0A::add-mask::", "")
    else:
        assert not WORKFLOW.search(out)
    assert not WORKFLOW.search(err)


def test_markdown_audit_escapes_card_text(cli, mirror, tmp_path: Path) -> None:
    target = tmp_path / "audit.md"
    cli(
        "audit",
        "--model",
        "acme/evil",
        "--source",
        f"mirror:{mirror}",
        "--format",
        "markdown",
        "-o",
        str(target),
    )
    text = target.read_text(encoding="utf-8")
    _no_terminal_controls(text)
    assert "<script" not in text and "<img" not in text and "<!--" not in text
    assert "](javascript" not in text and "<javascript" not in text
    assert not re.search(r"^#+ Fake", text, re.MULTILINE)
    # tables keep their shape: every row of a table has as many cells as its header
    for block in re.findall(r"(?:^\|.*\|\n)+", text, re.MULTILINE):
        rows = block.strip().splitlines()
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, rows


def test_html_audit_links_only_http_and_has_a_csp(cli, mirror, tmp_path: Path) -> None:
    target = tmp_path / "audit.html"
    cli(
        "audit",
        "--model",
        "acme/evil",
        "--source",
        f"mirror:{mirror}",
        "--format",
        "html",
        "-o",
        str(target),
    )
    text = target.read_text(encoding="utf-8")
    assert 'http-equiv="Content-Security-Policy"' in text
    assert "default-src 'none'" in text
    hrefs = re.findall(r'href="([^"]*)"', text)
    assert hrefs and all(h.startswith(("#", "http://", "https://")) for h in hrefs), hrefs
    assert "<script" not in text.lower()
    _no_terminal_controls(text)


def test_audit_on_stdout_starts_no_workflow_command(cli, mirror) -> None:
    from compliance.cli.common import write_output

    write_output("<q>a\n::add-mask::x</q>\n  ##[error]y\n", None)
    for fmt in ("markdown", "html"):
        _code, out, _err = cli(
            "audit", "--model", "acme/evil", "--source", f"mirror:{mirror}", "--format", fmt
        )
        assert not WORKFLOW.search(out)


def test_text_field_passes_printable_text_through_only_when_nothing_is_escaped() -> None:
    """text_field returns printable text unchanged without the regexes: that shortcut is right
    only if every character either pattern rewrites is non-printable, for all of Unicode."""
    import sys

    rewritten = [
        c
        for c in map(chr, range(sys.maxunicode + 1))
        if X._CONTROL.match(c) or X._NEWLINES.match(c)
    ]
    assert rewritten and not [c for c in rewritten if c.isprintable()]
    assert X.text_field("gen/llama-2: licence Meta’s 商用") == "gen/llama-2: licence Meta’s 商用"
    assert X.text_field("a\u00a0b\u2028c\x1bd") == "a\u00a0b c\\x1bd"

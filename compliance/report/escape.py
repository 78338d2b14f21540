"""Escaping untrusted text for the medium it is read in: one place, used by every renderer.

Card text, licence text, repo file names and the messages built from them are written by
strangers. Each medium has its own live markup:

- terminals: C0/C1 control characters start CSI/OSC sequences that move the cursor, repaint
  the screen or set the window title; bidi overrides reorder what is shown. `text_field` (one
  line) and `text_block` (keeps newlines and tabs) show each such character as a visible
  `\\x1b`-style escape instead, so tampering stays visible and nothing is interpreted.
- the GitHub runner: any line of a step's stdout or stderr that starts (after blanks) with `::`
  or `##[` is a workflow command (`::add-mask::`, `::error::`, `::stop-commands::`).
  `guard_lines` prefixes such lines with a backslash so the runner prints them as text.
- Markdown and HTML (job summary, audit): `markdown_text` escapes Markdown punctuation and the
  HTML metacharacters; `markdown_code` gives an inline code span no backtick can close.
- links: `safe_url` keeps only http(s) URLs.
"""

from __future__ import annotations

import re

# C0 except tab and newline, DEL, C1, and the bidi controls that reorder displayed text
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile(r"\r\n|[\n\t\u2028\u2029]")
_COMMAND_LINE = re.compile(r"^([ \t]*)(::|##\[)", re.MULTILINE)


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def text_block(text: object) -> str:
    """Untrusted text for a terminal, newlines and tabs kept; control characters shown."""
    return _CONTROL.sub(_visible, str(text))


def text_field(text: object) -> str:
    """Untrusted text for one line of terminal output: line breaks folded to spaces."""
    raw = str(text)
    # Every character either pattern matches is non-printable to str.isprintable (C0/C1 are
    # Cc, the bidi marks Cf, U+2028/9 Zl/Zp; tests/report/test_escaping.py checks all of
    # Unicode), so printable text, the common case, comes back unchanged without the regexes.
    if raw.isprintable():
        return raw
    return text_block(_NEWLINES.sub(" ", raw))


def guard_lines(text: str) -> str:
    """Neutralise GitHub workflow commands: a line starting with `::` or `##[` gets a `\\`."""
    return _COMMAND_LINE.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)


def text_output(text: str) -> str:
    """A whole rendered text report, as the last step before it is printed: control
    characters shown, workflow command lines neutralised."""
    return guard_lines(text_block(text))


# Markdown: backslash-escape the punctuation CommonMark gives meaning to; HTML metacharacters
# become entities (GitHub renders raw HTML, and `<!--` would hide what follows).
# Only inline markup is escaped: the text is always placed after other text on its line (list
# item, table cell), and line breaks are folded, so block markup (`#`, `>`, `-`) cannot start.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def markdown_text(text: object) -> str:
    """Untrusted text as literal inline Markdown, one line, also safe inside a table cell."""
    raw = text_field(text)
    raw = raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", raw)


def markdown_code(text: object) -> str:
    """An inline code span of untrusted text: the fence is longer than any backtick run
    inside, so it cannot be closed early; `|` is escaped for tables (GFM honours that)."""
    raw = text_field(text).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", raw)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if raw.startswith("`") or raw.endswith("`") or not raw.strip() else ""
    return f"{fence}{pad}{raw}{pad}{fence}"


def code_fence(text: object) -> str:
    """A fenced code block of untrusted text that no line inside can close."""
    raw = text_block(text)
    longest = max((len(m) for m in re.findall(r"`{3,}|~{3,}", raw)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{raw}\n{fence}"


def safe_url(url: object) -> str | None:
    """The URL when it is an http(s) URL with no whitespace or control characters, else None."""
    if not isinstance(url, str):
        return None
    value = url.strip()
    if not re.match(r"(?i)^https?://[^\s/]", value) or _CONTROL.search(value):
        return None
    if any(c.isspace() for c in value):
        return None
    return value

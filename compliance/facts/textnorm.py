"""Text normalisation for licence detection: bytes -> words with line numbers, and word shingles.

The same function reads the registry's known texts (when fingerprints are generated) and the
files being checked, so anything it throws away is thrown away on both sides. It keeps words only:
lower-case runs of letters and digits (each CJK character is a word of its own), so punctuation,
quotes, dashes, markdown markup, HTML tags and entities, and line wrapping do not matter. URLs and
e-mail addresses are dropped (a reflow can split them anywhere). Each word keeps the line it came
from, so evidence points at the line of the file as given.

Words of a copyright notice line ("Copyright (c) 2024 Acme") are marked optional: they differ in
every copy of MIT, Apache... and must not make a copy "modified".
"""

from __future__ import annotations

import html
import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

# Bump when tokenisation changes: fingerprints.json records it and is refused when it differs.
TEXTNORM_VERSION = 1
SHINGLE = 5

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_LINE_SPLIT = re.compile(r"\r\n|\r|\n")
# An HTML / XML tag (also <MODELNAME>-style placeholders: dropped on both sides alike).
_TAG = re.compile(r"<[A-Za-z/!][^<>]{0,500}>")
# The target of a markdown link or image: `](...)`, possibly broken over lines by a reflow.
_MD_TARGET = re.compile(r"\]\([^()]{0,600}\)")
_URLISH = re.compile(
    r"://|www\.|@|/|\.(?:com|org|net|io|ai|dev|cn|html?|md|txt|pdf|gov|edu)\b", re.IGNORECASE
)
_COPYRIGHT = re.compile(
    r"^\W*(?:copyright\s*(?:\(c\)|©|\[yyyy\]|\[year\]|<year>|\{yyyy\}|\d{4})|©|\(c\)\s*\d{4})",
    re.IGNORECASE,
)
_COPYRIGHT_WORDS = 14  # words of a copyright line that are optional


def decode(data: bytes) -> str:
    """Bytes -> text: UTF-8 (BOM stripped), else Windows-1252, else Latin-1 (never fails)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    return b"\x00" in head


def _keep_newlines(match: re.Match[str]) -> str:
    return " " + "\n" * match.group(0).count("\n") + " "


def _strip_markup(text: str) -> str:
    text = _MD_TARGET.sub(lambda m: "]" + _keep_newlines(m), text)
    text = _TAG.sub(_keep_newlines, text)
    if "&" in text:
        text = html.unescape(text)
        text = _TAG.sub(_keep_newlines, text)  # escaped tags inside <pre>
    return text


@dataclass(frozen=True)
class Words:
    """The words of a text, each with its 1-based line number, and the raw lines."""

    words: tuple[str, ...]
    lines: tuple[int, ...]  # line number of each word
    optional: frozenset[int]  # indexes of words on copyright-notice lines
    raw_lines: tuple[str, ...]  # the file's lines, as given (for quotes)

    def joined(self) -> str:
        return " ".join(self.words)


def words_of(text: str) -> Words:
    text = text.lstrip("\ufeff")
    raw_lines = tuple(_LINE_SPLIT.split(text))
    clean = _strip_markup(text)
    if not clean.isascii():
        clean = unicodedata.normalize("NFKC", clean)
    words: list[str] = []
    lines: list[int] = []
    optional: set[int] = set()
    for number, line in enumerate(_LINE_SPLIT.split(clean), start=1):
        if not line or line.isspace():
            continue
        is_copyright = _COPYRIGHT.match(line) is not None
        start = len(words)
        low = line.lower()
        if "/" in low or "@" in low or "www." in low or "." in low:
            chunks = [c for c in low.split() if not _URLISH.search(c)]
            found = [w for c in chunks for w in _WORD.findall(c)]
        else:
            found = _WORD.findall(low)
        words.extend(found)
        lines.extend([number] * len(found))
        if is_copyright:
            optional.update(range(start, min(len(words), start + _COPYRIGHT_WORDS)))
    return Words(tuple(words), tuple(lines), frozenset(optional), raw_lines)


def phrase_words(phrase: str) -> str:
    """A marker or anchor phrase, normalised like the texts (words joined by one space)."""
    return " ".join(words_of(phrase).words)


def shingle_hashes(words: tuple[str, ...] | list[str], k: int = SHINGLE) -> list[int]:
    """CRC-32 of each run of k consecutive words (one hash per start position)."""
    if len(words) < k:
        return [zlib.crc32(" ".join(words).encode())] if words else []
    crc = zlib.crc32
    return [crc(" ".join(words[i : i + k]).encode()) for i in range(len(words) - k + 1)]


def optional_positions(optional: Iterable[int], count: int, k: int = SHINGLE) -> set[int]:
    """Shingle positions that include an optional word."""
    out: set[int] = set()
    for w in optional:
        out.update(range(max(0, w - k + 1), min(count, w + 1)))
    return out

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

import functools
import html
import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, chain, repeat

# One decoding for the scan and `detect` (re-exported for existing callers).
from ..textcodec import decode, looks_binary  # noqa: F401

# Bump when tokenisation changes: fingerprints.json records it and is refused when it differs.
TEXTNORM_VERSION = 1
SHINGLE = 5

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD_PATTERN = rf"[{_CJK}]|[^\W_{_CJK}]+"  # compiled on first non-ASCII text (3 ms)
_LINE_SPLIT = re.compile(r"\r\n|\r|\n")
# An HTML / XML tag (also <MODELNAME>-style placeholders: dropped on both sides alike).
_TAG = re.compile(r"<[A-Za-z/!][^<>]{0,500}>")
# The target of a markdown link or image: `](...)`, possibly broken over lines by a reflow.
_MD_TARGET = re.compile(r"\]\([^()]{0,600}\)")
# A whitespace-delimited chunk that is (part of) a URL, a path or an e-mail address.
_URL_TRIGGER = re.compile(r"[/@]|www\.|\.(?:com|org|net|io|ai|dev|cn|html?|md|txt|pdf|gov|edu)\b")
_SPACE = re.compile(r"\s")
# A URL, path or address chunk ends at whitespace, and in text written without spaces (Chinese,
# Japanese) at the first CJK character or full-width punctuation: else one "/" would blank a line.
_CHUNK_END = re.compile(r"[\s\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_COPYRIGHT = re.compile(
    r"^[^\w\n]*(?:copyright\s*(?:\(c\)|©|\[yyyy\]|\[year\]|<year>|\{yyyy\}|\d{4})|©|\(c\)\s*\d{4})",
    re.MULTILINE,
)
# Soft hyphens and zero-width characters: invisible, but they would split words.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_COPYRIGHT_WORDS = 14  # words of a copyright line that are optional


def _keep_newlines(match: re.Match[str]) -> str:
    return " " + "\n" * match.group(0).count("\n") + " "


def _strip_markup(text: str) -> str:
    text = _MD_TARGET.sub(lambda m: "]" + _keep_newlines(m), text)
    text = _TAG.sub(_keep_newlines, text)
    if "&" in text:
        text = html.unescape(text)
        text = _TAG.sub(_keep_newlines, text)  # escaped tags inside <pre>
    return text


def strip_markup(text: str) -> str:
    """Markdown link targets and HTML tags blanked, entities decoded; line breaks kept."""
    return _strip_markup(text)


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
    raw_lines = tuple(_LINE_SPLIT.split(text) if "\r" in text else text.split("\n"))
    clean = _strip_markup(text)
    ascii_only = clean.isascii()
    if not ascii_only:
        clean = unicodedata.normalize("NFKC", _INVISIBLE.sub("", clean))
    low = clean.lower()
    if "\r" in low:
        low = low.replace("\r\n", "\n").replace("\r", "\n")
    copyright_lines: set[int] = set()
    if "copyright" in low or "©" in low or "(c)" in low:
        copyright_lines = _lines_of_matches(low, _COPYRIGHT)
    low = _drop_urls(low)
    findall = _ASCII_WORD.findall if ascii_only else re.compile(_WORD_PATTERN).findall
    per_line = [findall(line) for line in low.split("\n")]
    words = tuple(chain.from_iterable(per_line))
    lines = tuple(chain.from_iterable(repeat(n, len(f)) for n, f in enumerate(per_line, 1) if f))
    optional: set[int] = set()
    if copyright_lines:
        at = 0
        for number, found in enumerate(per_line, 1):
            if number in copyright_lines:
                optional.update(range(at, at + min(len(found), _COPYRIGHT_WORDS)))
            at += len(found)
    return Words(words, lines, frozenset(optional), raw_lines)


def _lines_of_matches(text: str, pattern: re.Pattern[str]) -> set[int]:
    """1-based line numbers of every match, counted incrementally (linear in the text: a
    file of a million copyright lines must not cost a count from the start per line)."""
    out: set[int] = set()
    line, pos = 1, 0
    for m in pattern.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        out.add(line)
    return out


def _drop_urls(text: str) -> str:
    """Blank out each whitespace-delimited chunk that holds a URL, path or e-mail address."""
    out: list[str] = []
    last = 0
    ascii_only = text.isascii()
    chunk_end = _SPACE if ascii_only else _CHUNK_END
    for m in _URL_TRIGGER.finditer(text):
        p = m.start()
        if p < last:
            continue
        left = max(text.rfind(" ", 0, p), text.rfind("\n", 0, p), text.rfind("\t", 0, p)) + 1
        left = max(left, last)
        if not ascii_only:
            for q in range(p - 1, left - 1, -1):
                if _CHUNK_END.match(text, q):
                    left = q + 1
                    break
        right_m = chunk_end.search(text, p)
        right = right_m.start() if right_m else len(text)
        # A URL a reflow broke after a hyphen / slash / underscore: its tail starts the next line.
        while (
            right < len(text) - 1
            and text[right] == "\n"
            and text[right - 1] in "-/_"
            and not text[right + 1].isspace()
        ):
            nxt = chunk_end.search(text, right + 1)
            right = nxt.start() if nxt else len(text)
        out.append(text[last:left])
        out.append(" " + "\n" * text.count("\n", left, right))
        last = right
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def phrase_words(phrase: str) -> str:
    """A marker or anchor phrase, normalised like the texts (words joined by one space)."""
    return " ".join(words_of(phrase).words)


def word_starts(words: tuple[str, ...] | list[str], joined: str) -> list[int]:
    """Character offset of each word in `joined` (= " ".join(words)), plus one past the end."""
    return list(accumulate(map((1).__add__, map(len, words)), initial=0))


def shingle_hashes(
    words: tuple[str, ...] | list[str],
    k: int = SHINGLE,
    *,
    joined: str | None = None,
    starts: list[int] | None = None,
) -> list[int]:
    """CRC-32 of each run of k consecutive words joined by one space (one per start position).

    `joined` and `starts` (its word_starts) may be passed when the caller has them."""
    if joined is None:
        joined = " ".join(words)
    if len(words) < k:
        return [zlib.crc32(joined.encode())] if words else []
    data = joined.encode()
    if len(data) == len(joined):
        starts = starts or word_starts(words, joined)
    else:
        starts = list(accumulate(map((1).__add__, (len(w.encode()) for w in words)), initial=0))
    crc = zlib.crc32
    return [crc(data[starts[i] : starts[i + k] - 1]) for i in range(len(words) - k + 1)]


def optional_positions(optional: Iterable[int], count: int, k: int = SHINGLE) -> set[int]:
    """Shingle positions that include an optional word."""
    out: set[int] = set()
    for w in optional:
        out.update(range(max(0, w - k + 1), min(count, w + 1)))
    return out

"""Licence text -> sentences of canonical words, each word with its line, for the clause reader.

The text is stripped of markup like textnorm does (markdown links, HTML tags and entities), then
cut into sentences at full stops, semicolons, colons, blank lines and list items. Each sentence
is lower-case words joined by one space, with the forms that wording varies in made canonical:

* numbers: "700 million", "700,000,000", "1M", "one hundred million" -> "700000000" ...;
* currencies: "$", "US$", "US dollars" -> "usd"; "€" -> "eur"; "RMB", "yuan" -> "cny";
* contractions: "don't" -> "do not", "won't" -> "will not".

A sentence that ends with a colon is the *lead* of the list items after it ("You will not use
the Model to:"), which the reader needs to understand an item on its own ("1. Commercial use").
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from .textnorm import strip_markup

MAX_WORDS = 160  # a longer run without a full stop is cut (bounded regex work, local context)
_QUOTES = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "\uff04": "$",
    }
)
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_TOKEN = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<suffix>(?:bn|mm|[kmb])(?![^\W\d_]))?"
    r"|(?P<cur>[$€£¥])"
    r"|(?P<word>[^\W\d_]+(?:'[^\W\d_]+)?)",
    re.IGNORECASE,
)
# Where sentences end. Full stops only before what can start a sentence (not "e.g. the").
_BOUNDARY = re.compile(
    r"(?P<blank>\n[ \t]*\n)"
    r"|(?P<stop>[.!?])(?=[\"')\]*_]*(?:\s+[\"'(\[*#_]*[A-Z0-9(]|\s*$))"
    r"|(?P<semi>;)"
    r"|(?P<colon>:)(?=\s)"
    r"|(?P<item>\n)(?=[ \t>]*(?:[-*•·▪◦]|\(?(?:\d{1,2}|[a-zA-Z]|[ivxIVX]{1,5})[.)]|#)[ \t])"
)
_ITEM_START = re.compile(
    r"[ \t>]*(?:[-*•·▪◦]|\(?(?:\d{1,2}(?:\.\d{1,2})*|[a-zA-Z]|[ivxIVX]{1,5})[.)])\s"
)
_ABBREVIATIONS = frozenset(
    [
        "e",
        "g",
        "i",
        "inc",
        "ltd",
        "co",
        "corp",
        "no",
        "nos",
        "vs",
        "etc",
        "u",
        "s",
        "mr",
        "ms",
        "dr",
        "st",
        "sec",
        "art",
        "p",
        "pp",
        "para",
        "cf",
        "viz",
        "al",
        "fig",
        "jr",
        "sr",
    ]
)
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate(
        ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], 2
    )
}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_SUFFIX = {"k": 10**3, "m": 10**6, "mm": 10**6, "b": 10**9, "bn": 10**9}
_CURRENCY_SIGN = {"$": "usd", "€": "eur", "£": "gbp", "¥": "cny"}
_CURRENCY_WORD = {
    "dollars": "usd",
    "dollar": "usd",
    "usd": "usd",
    "euro": "eur",
    "euros": "eur",
    "eur": "eur",
    "rmb": "cny",
    "renminbi": "cny",
    "yuan": "cny",
    "cny": "cny",
    "gbp": "gbp",
}
# After "1M" / "10k": what makes the suffix a multiplier (an amount of money or of users).
_MONEY_OR_USERS = re.compile(
    r"(?:\(|[a-z ]{0,20})\b(?:usd|dollars?|eur|euros?|rmb|yuan|revenue|turnover|sales|users?|"
    r"mau|dau|"
    r"monthly|daily|active|visits?|customers?|subscribers?|in annual|per)\b"
)
_CONTRACTIONS = {"wo": "will", "ca": "can", "sha": "shall", "ai": "is"}  # stem before "n't"


@dataclass(frozen=True)
class Sentence:
    index: int
    text: str  # canonical words joined by one space
    starts: tuple[int, ...]  # offset of each word in `text`
    lines: tuple[int, ...]  # 1-based line of each word
    columns: tuple[int, ...]  # column of each word in its (markup-stripped) line
    lead: str  # the text of the list lead(s) this sentence is an item of, else ""
    urls: tuple[str, ...]  # web addresses in the sentence (blanked from `text`)
    item: bool  # starts with a list marker
    colon: bool  # ends with a colon (is itself a lead)

    def word_at(self, offset: int) -> int:
        """Index of the word at (or before) character `offset` of `text`."""
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    @property
    def first_line(self) -> int:
        return self.lines[0] if self.lines else 0

    @property
    def last_line(self) -> int:
        return self.lines[-1] if self.lines else 0


def _words_of(segment: str, base: int) -> list[tuple[str, int]]:
    """(canonical token, offset in the text) for one segment, numbers and currencies merged."""
    raw: list[tuple[str, int, str]] = []  # (token, offset, kind); numbers as repr(float)
    for m in _TOKEN.finditer(segment):
        at = base + m.start()
        if m.group("num") is not None:
            num = m.group("num").replace(",", "")
            suffix = (m.group("suffix") or "").lower()
            rest = segment[m.end() : m.end() + 40].lstrip().lower()
            if "." in num and not suffix and not rest.startswith(tuple(_SCALES)):
                for part in num.split("."):  # a version or section number: "3.2" -> 3 2
                    raw.append((part, at, "word"))
                continue
            if suffix and not (raw and raw[-1][2] == "cur") and not _MONEY_OR_USERS.match(rest):
                # "14B", "70b": a model size, not an amount
                raw.append((num.split(".")[0], at, "word"))
                raw.append((suffix, at, "word"))
                continue
            value = float(num) * (_SUFFIX[suffix] if suffix else 1)
            raw.append((repr(value), at, "num"))
        elif m.group("cur") is not None:
            raw.append((_CURRENCY_SIGN[m.group("cur")], at, "cur"))
        else:
            w = m.group("word").lower()
            if w.endswith("n't"):
                stem = w[:-3]
                raw.append((_CONTRACTIONS.get(stem, stem), at, "word"))
                raw.append(("not", at, "word"))
            elif "'" in w:
                head, _, tail = w.partition("'")
                raw.append((head, at, "word"))
                raw.append((tail, at, "word"))
            else:
                raw.append((w, at, "word"))
    out: list[tuple[str, int]] = []
    i = 0
    n = len(raw)
    while i < n:
        tok, at, kind = raw[i]
        if kind == "num":
            value = float(tok)
            j = i + 1
            if j < n and raw[j][0] in _SCALES:
                value *= _SCALES[raw[j][0]]
                j += 1
            out.append((_int_text(value), at))
            i = j
            continue
        if tok in _NUMBER_WORDS or tok in _TENS:
            value, j = _word_number(raw, i)
            if j > i:
                out.append((_int_text(value), at))
                i = j
                continue
        if kind == "cur" or tok in _CURRENCY_WORD:
            code = tok if kind == "cur" else _CURRENCY_WORD[tok]
            # "US$", "US dollars", "U.S. dollars", "United States dollars": one token
            while out and out[-1][0] in ("us", "u", "s", "united", "states"):
                if code != "usd":
                    break
                out.pop()
            if code and not (out and out[-1][0] == code):
                out.append((code, at))
            i += 1
            continue
        out.append((tok, at))
        i += 1
    return out


def _int_text(value: float) -> str:
    return str(round(value))


def _word_number(raw: list[tuple[str, int, str]], i: int) -> tuple[int, int]:
    """A number written in words from raw[i] ("one hundred million"): (value, next index), or
    (0, i) when the words hold no scale (plain "one", "two" stay words)."""
    total = current = 0
    j = i
    scaled = False
    while j < len(raw):
        w = raw[j][0]
        if w in _NUMBER_WORDS:
            current += _NUMBER_WORDS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
            scaled = True
        elif w in _SCALES:
            total += max(current, 1) * _SCALES[w]
            current = 0
            scaled = True
        elif (
            w == "and"
            and j + 1 < len(raw)
            and (raw[j + 1][0] in _NUMBER_WORDS or raw[j + 1][0] in _TENS)
        ):
            pass
        else:
            break
        j += 1
    if not scaled:
        return 0, i
    return total + current, j


def _ends_sentence(text: str, start: int, end: int) -> bool:
    tail = text[start:end].rstrip(" \t\n*_")
    return tail.endswith((".", "!", "?", ";", '"', "'"))


def _is_abbreviation(text: str, stop: int) -> bool:
    """True when the full stop at `stop` ends an abbreviation ("e.g.", "Inc.", "U.S.")."""
    k = stop
    while k > 0 and (text[k - 1].isalpha()):
        k -= 1
    word = text[k:stop].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and stop >= 2 and text[k - 1 : k] == ".")


_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)


def _blank_url(m: re.Match[str], found: list[tuple[int, str]]) -> str:
    found.append((m.start(), m.group(0).rstrip(".,;:")))
    return " " * len(m.group(0))


_MARKER = re.compile(r"[ \t>*#_]*\(?(?:\d{1,2}(?:\.\d{1,2})*|[a-zA-Z]|[ivxIVX]{1,5})")


def _is_marker(text: str, stop: int) -> bool:
    """True when the full stop at `stop` ends a list marker at the start of a line ("1.")."""
    line_start = text.rfind("\n", 0, stop) + 1
    return stop - line_start <= 12 and _MARKER.fullmatch(text, line_start, stop) is not None


def sentences_of(text: str) -> list[Sentence]:
    """The sentences of a licence text (see the module docstring)."""
    text = text.lstrip("\ufeff").translate(_QUOTES)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))
        text = text.translate(_QUOTES)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    clean = strip_markup(text)
    urls: list[tuple[int, str]] = []
    if "://" in clean or "www." in clean:
        clean = _URL.sub(lambda m: _blank_url(m, urls), clean)
    line_starts = [0] + [m.end() for m in re.finditer("\n", clean)]
    # Segments: (start, end, hard break before, ends with colon)
    segments: list[tuple[int, int, bool, bool]] = []
    start = 0
    hard = True
    for m in _BOUNDARY.finditer(clean):
        kind = m.lastgroup
        if (
            kind == "stop"
            and m.group("stop") == "."
            and (_is_abbreviation(clean, m.start()) or _is_marker(clean, m.start()))
        ):
            continue
        end = m.start() if kind in ("blank", "item") else m.end()
        if clean[start:end].strip():
            # A sentence that runs straight into a list leads it, as one ending in ":" does.
            leads = kind == "colon" or (
                kind == "item"
                and not _ITEM_START.match(clean, start)
                and not _ends_sentence(clean, start, end)
            )
            segments.append((start, end, hard, leads))
            hard = False
        if kind == "blank":
            hard = True
        start = m.end() if kind != "item" else m.start() + 1
    if clean[start:].strip():
        segments.append((start, len(clean), hard, False))

    out: list[Sentence] = []
    root = item_lead = ""  # the list's lead, and the lead of the current item's sub-list
    for seg_start, seg_end, hard_before, colon in segments:
        segment = clean[seg_start:seg_end]
        item = bool(_ITEM_START.match(segment)) or (
            segment.lstrip(" \t\n>").startswith(("-", "*", "•", "·"))
        )
        tokens = _words_of(segment, seg_start)
        if not tokens:
            continue
        if hard_before and not item:
            root = item_lead = ""
        lead = f"{root} {item_lead}".strip()
        for chunk_at in range(0, len(tokens), MAX_WORDS):
            chunk = tokens[chunk_at : chunk_at + MAX_WORDS]
            words = [t for t, _ in chunk]
            joined = " ".join(words)
            starts: list[int] = []
            pos = 0
            for w in words:
                starts.append(pos)
                pos += len(w) + 1
            lines = []
            columns = []
            for _, at in chunk:
                ln = bisect.bisect_right(line_starts, at)
                lines.append(ln)
                columns.append(at - line_starts[ln - 1])
            last = chunk_at + MAX_WORDS >= len(tokens)
            span = (chunk[0][1], chunk[-1][1]) if chunk_at else (seg_start, seg_end)
            here = tuple(u for at, u in urls if span[0] <= at <= span[1])
            out.append(
                Sentence(
                    index=len(out),
                    text=joined,
                    starts=tuple(starts),
                    lines=tuple(lines),
                    columns=tuple(columns),
                    lead=lead,
                    urls=here,
                    item=item and chunk_at == 0,
                    colon=colon and last,
                )
            )
        if colon:
            joined_all = " ".join(t for t, _ in tokens)[-300:]
            if item and root:
                item_lead = joined_all
            else:
                root, item_lead = joined_all, ""
    return out

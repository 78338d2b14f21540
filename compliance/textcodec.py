"""Bytes of a repo file -> text, one way for every reader (the scan and `compliance detect`).

BOMs (UTF-8, UTF-16, UTF-32) are honoured and stripped, BOM-less UTF-16 is sniffed, then UTF-8,
then Windows-1252, then Latin-1 (never fails). A file that still looks binary (a NUL byte in
its head once the Unicode encodings are ruled out) is not text.
"""

from __future__ import annotations

_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
SNIFF_BYTES = 8192


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """(encoding, BOM length) when the bytes start with a Unicode BOM."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def utf16_order(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when the bytes look like BOM-less UTF-16 text, else None."""
    head = data[:4096]
    if len(head) < 64:
        return None
    even, odd = head[0::2], head[1::2]

    def texty(half: bytes) -> bool:  # mostly printable ASCII or whitespace
        return sum(1 for c in half if 32 <= c < 127 or c in (9, 10, 13)) > 0.8 * len(half)

    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even) and texty(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd) and texty(odd):
        return "utf-16-be"
    return None


def unicode_encoding(data: bytes) -> tuple[str, int] | None:
    """The Unicode encoding the bytes declare (BOM) or plainly are (BOM-less UTF-16)."""
    found = bom_encoding(data)
    if found is not None:
        return found
    order = utf16_order(data)
    return (order, 0) if order is not None else None


def looks_binary(data: bytes) -> bool:
    """True when the bytes are not text: a NUL in the head of a file that is not UTF-16/32."""
    head = data[:SNIFF_BYTES]
    found = unicode_encoding(head)
    if found is not None and found[0] != "utf-8":
        return False
    return b"\x00" in head


def decode(data: bytes) -> str:
    """Bytes -> text (see the module doc). Never raises."""
    found = unicode_encoding(data)
    if found is not None:
        encoding, skip = found
        try:
            return data[skip:].decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError:
            if encoding != "utf-8":
                return data[skip:].decode(encoding, errors="replace").lstrip("\ufeff")
            data = data[skip:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")

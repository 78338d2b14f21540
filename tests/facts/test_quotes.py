"""Issue 16, item 7: a quote contains the words that make the fact (whole sentences up to
~400 characters, centred on the anchor when longer)."""

from __future__ import annotations

import pytest
from treepaths import SHARED

from compliance.facts.detect import QUOTE_CHARS, _quote, detect_text

AUP = SHARED / "corpus" / "licenses" / "llama-3.2-aup" / "LICENSE.txt"


@pytest.mark.skipif(not AUP.is_file(), reason="../shared/corpus is absent")
def test_llama_32_eu_clause_quote_names_the_european_union() -> None:
    result = detect_text(AUP.read_text(encoding="utf-8"), "USE_POLICY.md")
    quotes = [
        e.quote for e in result.evidence if e.fact in ("territory_restrictions", "eu_restricted")
    ]
    assert quotes
    for q in quotes:
        assert "European Union" in q
        assert q.startswith("With respect to any multimodal models")
        assert len(q) <= QUOTE_CHARS + 2


def test_whole_sentence_around_the_anchor() -> None:
    line = (
        "Preamble words here. " * 30
        + "The licensee may not use the model in Atlantis, the kingdom under the sea. "
        + "Trailing words follow. " * 30
    )
    q = _quote(line, "the licensee may not use")
    assert q.strip("…").startswith("The licensee may not use the model in Atlantis")
    assert "kingdom under the sea." in q


def test_a_long_sentence_is_centred_on_the_anchor() -> None:
    line = "word " * 200 + "ANCHOR phrase sits here " + "tail " * 200
    q = _quote(line, "anchor phrase")
    assert "ANCHOR phrase" in q
    assert len(q) <= QUOTE_CHARS + 2
    at = q.index("ANCHOR")
    assert 0.2 * len(q) < at < 0.6 * len(q)

"""Licence text detection on invented fixture texts (tests/fixtures/licenses) and the CLI."""

from __future__ import annotations

import html
import json
import textwrap
from pathlib import Path

import pytest
from treepaths import TESTS

from compliance.facts.detect import detect_bytes, detect_text
from compliance.facts.registry import Registry, load_registry_from
from compliance.facts.textnorm import decode, looks_binary, phrase_words, words_of

FIXTURES = TESTS / "fixtures"
TEXTS = FIXTURES / "licenses"


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry_from(FIXTURES / "registry")


def text_of(key: str) -> str:
    return (TEXTS / key / "LICENSE.txt").read_text(encoding="utf-8")


def reflow(text: str, width: int = 60) -> str:
    paras = [" ".join(p.split()) for p in text.split("\n\n")]
    return "\n\n".join(textwrap.fill(p, width) for p in paras if p) + "\n"


# -- normalisation ---------------------------------------------------------------------------------
def test_words_ignore_markup_case_and_wrapping() -> None:
    a = words_of("**Grant** of  rights:\n“you may” — use <b>it</b> [here](https://x.example/a).")
    assert a.words == ("grant", "of", "rights", "you", "may", "use", "it", "here")
    assert a.lines == (1, 1, 1, 2, 2, 2, 2, 2)
    assert phrase_words('"Built with  LLAMA"') == "built with llama"


def test_words_keep_line_numbers_for_crlf_and_cr() -> None:
    w = words_of("one\r\ntwo\rthree\n\nfour")
    assert list(zip(w.words, w.lines, strict=True)) == [
        ("one", 1),
        ("two", 2),
        ("three", 3),
        ("four", 5),
    ]


def test_copyright_lines_are_optional() -> None:
    w = words_of("MIT License\n\nCopyright (c) 2024 Someone Else\n\nPermission is granted")
    assert {w.words[i] for i in w.optional} == {"copyright", "c", "2024", "someone", "else"}


def test_decode_falls_back_and_detects_binary() -> None:
    assert decode("café".encode("latin-1")) == "café"
    assert decode("\ufeffhello".encode()) == "hello"
    assert decode("naïve “q”".encode("cp1252")) == "naïve “q”"
    assert looks_binary(b"\x00\x01PK") and not looks_binary(b"plain text")


# -- detection -------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["demo-1", "demo-2", "demo-aup", "plain"])
def test_exact_texts(reg: Registry, key: str) -> None:
    res = detect_text(text_of(key), "LICENSE", registry=reg)
    assert (res.key, res.status, res.confidence) == (key, "exact", 1.0)
    assert res.differences == 0


def test_siblings_are_told_apart(reg: Registry) -> None:
    one = detect_text(text_of("demo-1"), registry=reg)
    two = detect_text(text_of("demo-2"), registry=reg)
    assert one.key == "demo-1" and two.key == "demo-2"
    assert one.terms is not None and one.terms.mau_cap == 250_000_000
    assert two.terms is not None and two.terms.mau_cap == 400_000_000


@pytest.mark.parametrize(
    "alter",
    [
        pytest.param(lambda t: reflow(t, 60), id="reflow60"),
        pytest.param(lambda t: reflow(t, 33), id="reflow33"),
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: "# Licence\n\n```text\n" + t + "```\n", id="markdown-fence"),
        pytest.param(
            lambda t: "\n".join(("> " + line) if line else ">" for line in t.splitlines()),
            id="quote",
        ),
        pytest.param(
            lambda t: "<html><body><pre>" + html.escape(t) + "</pre></body></html>", id="html-pre"
        ),
        pytest.param(
            lambda t: "".join(f"<p>{html.escape(p)}</p>\n" for p in t.split("\n\n")), id="html-p"
        ),
        pytest.param(
            lambda t: (
                "---\nlicense: other\n---\n# My model\n\nIt answers questions well.\n\n"
                "## License\n\n" + t + "\n## Citation\n\nCite the project page.\n"
            ),
            id="readme-body",
        ),
    ],
)
def test_altered_copies_are_exact(reg: Registry, alter) -> None:
    for key in ("demo-1", "demo-2", "plain"):
        res = detect_text(alter(text_of(key)), "x", registry=reg)
        assert (res.key, res.status) == (key, "exact"), (key, res.notes)


def test_latin1_bytes(reg: Registry) -> None:
    data = text_of("demo-1").replace('"', "«").encode("latin-1")
    res = detect_bytes(data, "LICENSE", registry=reg)
    assert (res.key, res.status) == ("demo-1", "exact")


def test_changed_number_is_modified_with_its_line(reg: Registry) -> None:
    text = text_of("demo-1").replace("250 million", "900 million")
    res = detect_text(text, "LICENSE", registry=reg)
    assert (res.key, res.status) == ("demo-1", "modified")
    assert res.differences == 1 and 0.5 < res.confidence < 1
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "900 million" in x)
    assert line in res.difference_lines
    assert any("mau_cap" in n for n in res.notes)  # its anchor is gone: said, not hidden


def test_deleted_paragraph_is_modified(reg: Registry) -> None:
    paras = text_of("demo-1").split("\n\n")
    text = "\n\n".join(p for p in paras if not p.startswith("3. No warranty"))
    res = detect_text(text, registry=reg)
    assert (res.key, res.status, res.differences) == ("demo-1", "modified", 1)


def test_added_terms_after_a_known_text_are_not_exact(reg: Registry) -> None:
    text = text_of("plain") + (
        "\nAdditional terms: the licensee shall not use the work for commercial purposes and "
        "must not provide it to any third party without the licensor's written permission.\n"
    )
    res = detect_text(text, registry=reg)
    assert res.key == "plain" and res.status == "modified"


def test_unrelated_text_is_unknown(reg: Registry) -> None:
    res = detect_text("Shopping list: apples, pears, bread and milk.\n" * 20, registry=reg)
    assert (res.key, res.status, res.license_class) == (None, "unknown", "unknown")
    assert res.terms is None and res.facts_json()["commercial_use"] == "unknown"
    assert detect_text("", registry=reg).status == "unknown"


def test_mostly_rewritten_text_is_unknown_with_nearest(reg: Registry) -> None:
    paras = text_of("demo-1").split("\n\n")
    keep = paras[:3]
    filler = [
        "This licence was rewritten by a third party and shares only its opening with the "
        f"original: paragraph {i} says something of its own about cats, boats and weather."
        for i in range(12)
    ]
    res = detect_text("\n\n".join(keep + filler), registry=reg)
    assert res.status == "unknown" and res.key is None and res.license_class == "unknown"
    assert res.nearest == "demo-1" and res.differences >= 1


def test_evidence_points_at_lines_and_folds_the_policy(reg: Registry) -> None:
    text = text_of("demo-1")
    lines = text.splitlines()
    res = detect_text(text, "models/LICENSE", registry=reg)
    by_fact = {e.fact: e for e in res.evidence}
    ev = by_fact["mau_cap"]
    assert ev.file == "models/LICENSE" and "250 million" in lines[ev.line - 1]  # type: ignore[index]
    assert ev.quote == lines[ev.line - 1].strip()  # type: ignore[index]
    terr = by_fact["territory_restrictions"]  # from the policy: cites the incorporating line
    assert "Acceptable Use Policy" in lines[terr.line - 1]  # type: ignore[index]
    facts = res.facts_json()
    assert facts["eu_restricted"] is True
    assert facts["territory_restrictions"] == [
        {"region": "EU", "scope": "multimodal", "clause": "policy"}
    ]


def test_evidence_lines_follow_the_file_as_given(reg: Registry) -> None:
    text = "\n".join(["intro"] * 7) + "\n\n" + reflow(text_of("plain"), 30)
    res = detect_text(text, registry=reg)
    ev = next(e for e in res.evidence if e.fact == "commercial_use")
    assert "give" in text.splitlines()[ev.line - 1 :][0] or "sell" in text.splitlines()[ev.line - 1]  # type: ignore[operator]
    assert ev.line is not None and ev.line > 8


def test_result_carries_the_record_provenance(reg: Registry) -> None:
    res = detect_text(text_of("plain"), registry=reg)
    assert res.key == "plain" and res.status == "exact"
    prov = res.to_json()["license"]["provenance"]
    assert [p["sha256"] for p in prov] == [
        "d7694db4e0baddecc905505c21de56922e79234c3a25be8b322b98f31e3c8d9b"
    ]
    assert prov[0]["repository"] == "https://example.invalid/plain-licence"
    unknown = detect_text("A shopping list: apples, pears and a loaf of bread.", registry=reg)
    assert unknown.to_json()["license"]["provenance"] == []


def test_licence_and_policy_in_one_file(reg: Registry) -> None:
    res = detect_text(text_of("demo-1") + "\n\n" + text_of("demo-aup"), registry=reg)
    assert res.key == "demo-1"
    assert ("demo-aup", "exact") in res.others


# -- CLI -------------------------------------------------------------------------------------------
def test_cli_json_contract(cli, tmp_path: Path) -> None:
    f = tmp_path / "LICENSE"
    f.write_text(text_of("plain"))
    code, out, err = cli("detect", str(f), "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["schema"] == "compliance.detect/v1"
    entry = doc["files"][0]
    assert entry["path"] == str(f)
    assert set(entry["license"]) >= {
        "key",
        "spdx",
        "class",
        "confidence",
        "status",
        "nearest",
        "differences",
        "provenance",
    }
    assert set(entry["facts"]) >= {
        "commercial_use",
        "mau_cap",
        "revenue_cap",
        "eu_restricted",
        "territory_restrictions",
        "output_training",
        "attribution",
        "non_commercial",
        "research_only",
        "acceptable_use_policy",
    }
    assert entry["document"] in ("license", "policy")
    assert isinstance(entry["evidence"], list)


def test_cli_text_format(cli, tmp_path: Path) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("Nothing to see here, just a shopping list of apples and pears.\n")
    code, out, _ = cli("detect", str(f))
    assert code == 0 and f"{f}: unknown [unknown" in out


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.write_bytes(b"\x00\x01\x02binary"), "binary"),
        (lambda p: p.write_bytes(b"a" * (1024 * 1024 + 1)), "too large"),
        (lambda p: p.mkdir(), "directory"),
    ],
)
def test_cli_bad_input_exits_2_naming_the_file(cli, tmp_path: Path, setup, message: str) -> None:
    p = tmp_path / "LICENSE"
    setup(p)
    code, out, err = cli("detect", str(p), "--format", "json")
    assert code == 2
    assert message in json.loads(out)["files"][0]["error"]  # an error row, the run goes on
    assert str(p) in err and message in err and "Traceback" not in err


def test_modified_text_facts_follow_the_changed_clause(reg: Registry) -> None:
    # The record's phrase for the cap is gone; the changed passage is read: the cap is the new
    # number (it used to be unknown: nothing read the passage).
    text = text_of("demo-1").replace("250 million", "900 million")
    res = detect_text(text, registry=reg)
    facts = res.facts_json()
    assert res.status == "modified"
    assert facts["mau_cap"] == 900_000_000 and facts["commercial_use"] == "conditional"
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "900 million" in t)
    assert any(e.fact == "mau_cap" and e.line == line for e in res.evidence)
    assert facts["output_training"] == "conditional"
    assert facts["eu_restricted"] is True  # restrictions are kept


def test_modified_text_facts_whose_clause_cannot_be_read_are_unknown(reg: Registry) -> None:
    text = text_of("demo-1").replace(
        "250 million monthly active users", "many monthly active users"
    )
    facts = detect_text(text, registry=reg).facts_json()
    assert facts["mau_cap"] is None and facts["commercial_use"] == "unknown"
    assert facts["eu_restricted"] is True


def test_model_card_prose_around_a_licence_is_not_extra_terms(reg: Registry) -> None:
    text = (
        "# Demo 1 fine-tune\n\nThis model may not be accurate and must not be used for medical "
        "advice. Commercial users should test it first.\n\n## License\n\n"
        + text_of("demo-1")
        + "\n## Limitations\n\nThe model may not follow instructions; outputs must not be "
        "trusted without review. Restrictions of the base model apply.\n"
    )
    res = detect_text(text, "README.md", registry=reg)
    assert (res.key, res.status) == ("demo-1", "exact")


def test_a_clause_added_after_a_permissive_text_is_caught(reg: Registry) -> None:
    text = text_of("plain") + (
        "\nOur only modification: if the work or its derivative works are used in products with "
        "more than 100 million users, you shall display our name.\n"
    )
    res = detect_text(text, registry=reg)
    assert res.key == "plain" and res.status == "modified" and res.differences >= 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "cp1252"])
def test_other_encodings(reg: Registry, encoding: str) -> None:
    data = text_of("demo-1").encode(encoding)
    assert not looks_binary(data)
    res = detect_bytes(data, registry=reg)
    assert (res.key, res.status) == ("demo-1", "exact")

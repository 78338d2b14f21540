"""Licence facts, field by field: how many are right *and stated*, and how many are dangerous.

    .venv/bin/python bench/licence_accuracy.py [--corpus DIR] [--texts DIR] [--registry DIR ...]
                                               [--code DIR] [--modes detect,altered,reader]
                                               [--verbose]

Answer key: the registry record of each text (its facts, with the facts of the use policy it
incorporates folded in), read from the shipped registry and from any --registry folder (records
written elsewhere for texts gathered under --texts; such a folder's `licenses/*.yaml` are read).

Modes:
* detect: `detect_text` on each corpus text (and each gathered text that has a record);
* altered: `detect_text` on altered corpus copies: the same text reflowed, CRLF, in markdown, in
  HTML (facts unchanged); a paragraph deleted (facts unchanged where the paragraph said nothing
  that is measured); a changed number (the cap follows it); a clause added: a no-commercial
  sentence, a ShareAlike sentence, a longer territory list, a lower cap (the facts follow it);
* reader: the clause reader alone on each text, as if nobody knew it: the honest estimate for
  texts that are not in the registry.

Fields: commercial_use, mau_cap, revenue_cap, territory (the set of regions), output_training
(compared at the grain policy decides on: allowed / conditional / restricted-or-prohibited),
attribution (any duty stated), share_alike (class copyleft or weak-copyleft), non_commercial,
research_only; and class where the tool states one. A field counts only where the answer states
it; "right" means stated and equal. Dangerous: a class more permissive than the answer's,
commercial use yes/conditional where the answer is no, a cap, an EU / territory clause or an
output-training limit missed where the tool states the fact.

--code DIR runs the `compliance` package found in DIR instead (e.g. an export of an older commit,
to measure "before"); the reader mode needs compliance.facts.clauses.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import textwrap
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

FIELDS = (
    "commercial_use",
    "mau_cap",
    "revenue_cap",
    "territory",
    "output_training",
    "attribution",
    "share_alike",
    "non_commercial",
    "research_only",
)
# Policy decides on these groups (training.rego): restricted and prohibited both deny.
OT_GROUP = {
    "allowed": "allowed",
    "conditional": "conditional",
    "restricted": "limited",
    "prohibited": "limited",
}
# Class order for "more permissive than the answer": what policy allows by default first.
CLASS_RANK = {
    "permissive": 0,
    "weak-copyleft": 1,
    "copyleft": 2,
    "open-rail": 3,
    "restricted": 3,
    "non-commercial": 4,
    "research-only": 4,
    "proprietary": 4,
}
OT_RANK = {"allowed": 0, "conditional": 1, "limited": 2}


# -- the answer key --------------------------------------------------------------------------------
def load_answers(extra: list[Path]) -> tuple[Any, dict[str, dict[str, Any]]]:
    """The shipped registry, and the expected fields of every record (shipped and extra)."""
    from dataclasses import replace

    from compliance.facts.registry import _yaml_load, load_registry, parse_record

    reg = load_registry()
    records = dict(reg.records)
    for folder in extra:
        for path in sorted((folder / "licenses").glob("*.yaml")):
            try:
                rec = parse_record(_yaml_load(path), str(path), expected_key=path.stem)
            except Exception as exc:  # a record being written: skip it, say so
                print(f"skipped {path}: {exc}", file=sys.stderr)
                continue
            if rec.key not in records or records[rec.key].inline:
                records[rec.key] = rec  # a record of the text beats a generic Hub id's
    merged = replace(reg, records=records, _memo={})
    answers: dict[str, dict[str, Any]] = {}
    for key, rec in records.items():
        if rec.inline:
            continue
        try:
            terms = merged.terms(rec)
        except Exception:
            continue
        stated = {f.name for f in rec.facts if f.value is not None}
        if rec.acceptable_use_policy and merged.get(rec.acceptable_use_policy):
            pol = merged.get(rec.acceptable_use_policy)
            stated |= {f.name for f in pol.facts if f.value is not None}
        ans: dict[str, Any] = {"class": rec.license_class, "document": rec.document}
        if "commercial_use" in stated:
            ans["commercial_use"] = terms.commercial_use
        if "mau_cap" in stated or rec.fact("mau_cap") is not None:
            ans["mau_cap"] = terms.mau_cap
        if "revenue_cap" in stated or rec.fact("revenue_cap") is not None:
            ans["revenue_cap"] = terms.revenue_cap
        if rec.fact("territory_restrictions") is not None:
            ans["territory"] = frozenset(t.region.upper() for t in terms.territory_restrictions)
        if "output_training" in stated:
            ans["output_training"] = OT_GROUP.get(terms.output_training)
        if rec.fact("attribution") is not None:
            ans["attribution"] = bool(terms.attribution)
        if rec.document == "license":
            named = re.search(r"share[ -]?alike", rec.name, re.IGNORECASE)
            ans["share_alike"] = bool(named) or rec.license_class in ("copyleft", "weak-copyleft")
        for name in ("non_commercial", "research_only"):
            value = getattr(terms, name)
            if value is not None:
                ans[name] = value
        answers[key] = ans
    return reg, answers


def fields_of(
    facts: dict[str, Any],
    cls: str,
    share_alike: bool | None,
    read: bool,
    uncertain: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The measured fields of a facts_json() dict (None = not stated). `read`: the tool read
    the text (knew it, or read its clauses), so a cap it does not report is a cap it says is
    not there."""
    cu = facts.get("commercial_use")
    terr = facts.get("territory_restrictions") or []
    eu = facts.get("eu_restricted")
    stated_terr = bool(terr) or eu is not None
    return {
        "class": cls if cls != "unknown" else None,
        "commercial_use": cu if cu in ("yes", "conditional", "no") else None,
        "mau_cap": facts.get("mau_cap"),
        "mau_cap_stated": (read and "mau_cap" not in uncertain) or facts.get("mau_cap") is not None,
        "revenue_cap": facts.get("revenue_cap"),
        "revenue_cap_stated": (read and "revenue_cap" not in uncertain)
        or facts.get("revenue_cap") is not None,
        "territory": frozenset(str(t["region"]).upper() for t in terr) if stated_terr else None,
        "output_training": OT_GROUP.get(facts.get("output_training") or ""),
        "attribution": bool(facts.get("attribution"))
        if read and "attribution" not in uncertain
        else None,
        "share_alike": share_alike,
        "non_commercial": facts.get("non_commercial"),
        "research_only": facts.get("research_only"),
    }


class Tally:
    def __init__(self) -> None:
        self.right: Counter[str] = Counter()
        self.total: Counter[str] = Counter()
        self.stated: Counter[str] = Counter()
        self.dangerous: list[str] = []
        self.wrong: list[str] = []
        self.class_right = self.class_stated = self.class_total = 0

    def add(self, label: str, got: dict[str, Any], want: dict[str, Any]) -> None:
        for f in FIELDS:
            if f not in want:
                continue
            self.total[f] += 1
            g = got.get(f)
            stated = got.get(f + "_stated", g is not None)
            if f in ("mau_cap", "revenue_cap") and got.get(f) is None and not stated:
                stated = False
            if stated:
                self.stated[f] += 1
            ok = stated and g == want[f]
            if ok:
                self.right[f] += 1
            else:
                self.wrong.append(
                    f"{label}: {f}: got {_show(g) if stated else '(not stated)'}, want "
                    f"{_show(want[f])}"
                )
            why = _danger(f, g, want[f], stated)
            if why:
                self.dangerous.append(f"{label}: {why}")
        if want.get("document") == "license":
            self.class_total += 1
            gc = got.get("class")
            if gc:
                self.class_stated += 1
                self.class_right += gc == want["class"]
                if gc != want["class"]:
                    self.wrong.append(f"{label}: class: got {gc}, want {want['class']}")
            else:
                self.wrong.append(f"{label}: class: (not stated), want {want['class']}")
                if CLASS_RANK.get(gc, 9) < CLASS_RANK.get(want["class"], 9):
                    self.dangerous.append(
                        f"{label}: class {gc} is more permissive than {want['class']}"
                    )

    def summary(self) -> tuple[int, int]:
        return sum(self.right.values()), sum(self.total.values())


def _show(v: Any) -> str:
    if isinstance(v, frozenset):
        return "{" + ",".join(sorted(v)) + "}"
    return repr(v)


def _danger(field: str, got: Any, want: Any, stated: bool) -> str | None:
    if not stated:
        return None
    if field == "commercial_use" and want == "no" and got in ("yes", "conditional"):
        return f"commercial use {got} where the text forbids it"
    if field in ("mau_cap", "revenue_cap") and want is not None and (got is None or got > want):
        return f"{field} {got} misses the cap {want}"
    if field == "territory" and want and not want <= (got or frozenset()):
        return f"territory {_show(got)} misses {_show(want - (got or frozenset()))}"
    if field == "output_training" and want and got and OT_RANK[got] < OT_RANK[want]:
        return f"output training {got} where the text says {want}"
    if field in ("non_commercial", "research_only") and want is True and got is False:
        return f"{field} false where the text says true"
    return None


# -- altered copies --------------------------------------------------------------------------------
def _paragraphs(text: str) -> list[str]:
    return re.split(r"\n\s*\n", text.replace("\r\n", "\n"))


def reflow(text: str, width: int) -> str:
    return "\n\n".join(textwrap.fill(" ".join(p.split()), width) for p in _paragraphs(text)) + "\n"


MEASURED = re.compile(
    r"commercial|monthly active|revenue|territor|european union|output|train|attribut|notice|"
    r"share|research|million|licen[cs]e|agreement|policy",
    re.IGNORECASE,
)


def _delete_paragraph(text: str) -> str | None:
    """Delete a large paragraph that says nothing the fields measure (else facts may change)."""
    paras = _paragraphs(text)
    big = [i for i, p in enumerate(paras) if len(p.split()) >= 25 and not MEASURED.search(p)]
    if len(big) < 1 or len(paras) < 4:
        return None
    drop = big[len(big) // 2]
    return "\n\n".join(paras[:drop] + paras[drop + 1 :])


Variant = tuple[str, str, dict[str, Any]]  # (name, text, changes to the expected fields)


def variants(text: str, want: dict[str, Any]) -> list[Variant]:
    from compliance.facts.model import stricter_class

    same: dict[str, Callable[[str], str]] = {
        "reflow60": lambda t: reflow(t, 60),
        "crlf": lambda t: t.replace("\n", "\r\n"),
        "markdown": lambda t: "# Licence\n\n```\n" + t + "\n```\n",
        "html": lambda t: "<html><body><pre>" + html.escape(t) + "</pre></body></html>",
    }
    out: list[Variant] = [(n, f(text), {}) for n, f in same.items()]
    deleted = _delete_paragraph(text)
    if deleted:
        out.append(("deleted-paragraph", deleted, {}))
    for old, new, value in (
        ("700 million", "900 million", 900_000_000),
        ("100 million", "300 million", 300_000_000),
    ):
        if old in text and want.get("mau_cap"):
            out.append(("number-changed", text.replace(old, new), {"mau_cap": value}))
            break
    if want.get("document") != "license":
        return out
    paras = _paragraphs(text)
    mid = max(1, len(paras) // 2)

    def insert(sentence: str) -> str:
        return "\n\n".join([*paras[:mid], sentence, *paras[mid:]])

    out.append(
        (
            "added-no-commercial",
            insert(
                "Notwithstanding anything to the contrary in this license, you may not use the "
                "software or any derivative of it for any commercial purpose."
            ),
            {
                "commercial_use": "no",
                "non_commercial": True,
                "class": stricter_class(want["class"], "non-commercial"),
            },
        )
    )
    if want.get("class") in ("permissive",):
        out.append(
            (
                "added-share-alike",
                insert(
                    "ShareAlike. If you distribute adapted versions of the work, you must "
                    "distribute your contributions under the same license as the original."
                ),
                {"share_alike": True, "class": stricter_class(want["class"], "copyleft")},
            )
        )
    terr = want.get("territory")
    out.append(
        (
            "added-territory",
            insert(
                "This license does not apply in the European Union, the United Kingdom and "
                "South Korea, and no rights are granted to you there."
            ),
            {"territory": frozenset(terr or ()) | {"EU", "GB", "KR"}},
        )
    )
    cap = want.get("mau_cap")
    lower = 50_000_000 if cap is None or cap > 50_000_000 else cap // 2
    changes: dict[str, Any] = {"mau_cap": lower}
    if want.get("commercial_use") == "yes":
        changes["commercial_use"] = "conditional"
    out.append(
        (
            "added-lower-cap",
            insert(
                f"If your products or services have more than {lower // 1_000_000} million monthly "
                "active users, you must request a separate license from the licensor."
            ),
            changes,
        )
    )
    return out


# -- runs ------------------------------------------------------------------------------------------
def detected_fields(res: Any) -> dict[str, Any]:
    cls = res.license_class
    share = cls in ("copyleft", "weak-copyleft") if cls != "unknown" else None
    facts = res.facts_json()
    read = res.terms is not None
    uncertain: tuple[str, ...] = ()
    if res.terms is None and getattr(res, "clauses", None) is not None:
        share = res.clauses.share_alike
        read = True
        uncertain = res.clauses.uncertain
    return fields_of(facts, cls, share, read, uncertain)


def reader_fields(text: str, document: str) -> dict[str, Any]:
    from compliance.facts.clauses import read_clauses

    cf = read_clauses(text, document=document)
    # Terms of another licence that apply too were not read: caps are not stated.
    return fields_of(
        cf.facts_json(), cf.license_class, cf.share_alike, not cf.incorporates, cf.uncertain
    )


def texts_with_keys(
    corpus: Path, texts: Path | None, answers: dict[str, Any]
) -> list[tuple[str, str, str]]:
    """(label, key, text) for each corpus text, then each gathered text that has an answer."""
    from compliance.facts.fingerprint import corpus_key
    from compliance.facts.textnorm import decode

    out = []
    for folder in sorted(p for p in corpus.iterdir() if (p / "LICENSE.txt").is_file()):
        out.append((folder.name, corpus_key(folder), decode((folder / "LICENSE.txt").read_bytes())))
    if texts is not None and texts.is_dir():
        for folder in sorted(p for p in texts.iterdir() if (p / "LICENSE.txt").is_file()):
            if folder.name in answers:
                out.append(
                    (
                        "texts/" + folder.name,
                        folder.name,
                        decode((folder / "LICENSE.txt").read_bytes()),
                    )
                )
    return out


def report(title: str, tally: Tally, verbose: bool) -> None:
    right, total = tally.summary()
    stated = sum(tally.stated.values())
    if title.startswith("  "):  # one line per kind of alteration
        print(
            f"   {title.strip():<34} {right}/{total} ({right / max(1, total):.0%}); "
            f"class {tally.class_right}/{tally.class_total}; dangerous {len(tally.dangerous)}"
        )
        if verbose:
            for w in tally.wrong:
                print(f"      wrong {w}")
        return
    print(
        f"\n== {title}: {right}/{total} fields right and stated ({right / max(1, total):.0%}); "
        f"stated {stated}/{total}; dangerous {len(tally.dangerous)}"
    )
    for f in FIELDS:
        if tally.total[f]:
            print(
                f"   {f:<16} {tally.right[f]:>4}/{tally.total[f]:<4} "
                f"({tally.right[f] / tally.total[f]:.0%})"
                f"  stated {tally.stated[f]}"
            )
    if tally.class_total:
        print(
            f"   {'class':<16} {tally.class_right:>4}/{tally.class_total:<4} right; stated "
            f"{tally.class_stated}"
        )
    for d in tally.dangerous[:60]:
        print(f"   DANGEROUS {d}")
    if verbose:
        for w in tally.wrong:
            print(f"   wrong {w}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "licenses"
    )
    parser.add_argument("--texts", type=Path, default=Path("/work/texts/licenses"))
    parser.add_argument(
        "--registry",
        type=Path,
        action="append",
        default=[],
        help="another registry folder with licenses/*.yaml (repeatable)",
    )
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="folder holding the compliance package to measure"
    )
    parser.add_argument("--modes", default="detect,altered,reader")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    from compliance.facts.detect import detect_text

    modes = set(args.modes.split(","))
    reg, answers = load_answers(args.registry)
    reg.fingerprints()
    items = texts_with_keys(args.corpus, args.texts, answers)
    held_out = [i for i in items if i[0].startswith("texts/")]
    print(
        f"code: {args.code}; {len(items) - len(held_out)} corpus texts, {len(held_out)} "
        f"gathered texts with an answer"
    )
    tallies: dict[str, Tally] = defaultdict(Tally)
    for label, key, text in items:
        want = answers.get(key)
        if want is None:
            print(f"no answer for {label} ({key})", file=sys.stderr)
            continue
        group = "gathered" if label.startswith("texts/") else "corpus"
        if "detect" in modes:
            res = detect_text(text, "LICENSE", registry=reg)
            tallies[f"detect, {group}"].add(label, detected_fields(res), want)
        if "altered" in modes and group == "corpus":
            for name, variant, changes in variants(text, want):
                res = detect_text(variant, "LICENSE", registry=reg)
                expect = {**want, **changes}
                tallies["detect, altered corpus copies"].add(
                    f"{label} {name}", detected_fields(res), expect
                )
                tallies[f"  altered: {name}"].add(f"{label} {name}", detected_fields(res), expect)
        if "reader" in modes:
            tallies[f"reader only, {group}"].add(label, reader_fields(text, want["document"]), want)
    for title, tally in tallies.items():
        report(title, tally, args.verbose)
    readers = [t for title, t in tallies.items() if title.startswith("reader only")]
    if not readers:
        return 0
    right = sum(t.summary()[0] for t in readers)
    total = sum(t.summary()[1] for t in readers)
    dangerous = sum(len(t.dangerous) for t in readers)
    met = right >= 0.85 * total and dangerous == 0
    print(
        f"\nreader alone, all texts: {right}/{total} ({right / max(1, total):.0%}) right and "
        f"stated, {dangerous} dangerous (floor >= 85 %, 0 dangerous: {'met' if met else 'NOT met'})"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())

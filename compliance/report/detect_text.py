"""`detect` text output: each file's licence, how it matched, and the facts it states."""

from __future__ import annotations

from typing import Any

from .escape import text_field as F
from .escape import text_output
from .views import yes_no


def render_text(results: list[Any]) -> str:
    out: list[str] = []
    for r in results:
        lic = r.key or "unknown"
        head = (
            f"{F(r.path)}: {F(lic)} [{r.status}, {r.document}, class {r.license_class}, "
            f"confidence {r.confidence:.2f}]"
        )
        out.append(head)
        if r.name:
            out.append(f"  {F(r.name)}" + (f" ({F(r.spdx)})" if r.spdx else ""))
        if r.provenance:
            p = r.provenance[0]
            where = " ".join(x for x in (p.repository or p.url, p.path) if x)
            out.append(
                f"  record written from: {where}" + (f" @ {p.commit[:12]}" if p.commit else "")
            )
        if r.status != "exact" and r.nearest:
            out.append(
                f"  nearest known text: {r.nearest}, {_share(r.coverage)} present, "
                f"{r.differences} differing passage(s)"
                + (
                    f" near line(s) {', '.join(map(str, r.difference_lines[:8]))}"
                    if r.difference_lines
                    else ""
                )
            )
        facts = r.facts_json()
        if r.terms is None and r.clauses is not None and r.clauses.clauses:
            out.append("  read from its own clauses (not a known text):")
        if r.terms is not None or (r.clauses is not None and r.clauses.clauses):
            terr = ", ".join(
                f"{t['region']} ({t['scope']}, in {t['clause']})"
                for t in facts["territory_restrictions"]
            )
            mau = facts["mau_cap"]
            rev = facts["revenue_cap"]
            out.append(f"  commercial use: {facts['commercial_use']}")
            if mau:
                out.append(f"  monthly active user cap: {mau:,}")
            if rev:
                out.append(f"  revenue threshold: {rev:,} USD")
            out.append(
                f"  EU restricted: {yes_no(facts['eu_restricted'])}"
                + (f" — {terr}" if terr else "")
            )
            out.append(f"  output training: {facts['output_training']}")
            out.append(
                f"  non-commercial: {yes_no(facts['non_commercial'])}; "
                f"research only: {yes_no(facts['research_only'])}"
            )
            if facts["acceptable_use_policy"]:
                out.append(f"  use policy: {F(facts['acceptable_use_policy'])}")
            for a in facts["attribution"]:
                out.append(f"  duty: {F(a)}")
        for e in r.evidence:
            out.append(f"  {e.fact}: line {e.line}: {F(e.quote)}")
        for k, s in r.others:
            out.append(f"  also contains: {F(k)} [{F(s)}]")
        for n in r.notes:
            out.append(f"  note: {F(n)}")
    return text_output("\n".join(out) + "\n")


def _share(x: float) -> str:
    return f"{x:.0%}" if x in (0.0, 1.0) or 0.01 < x < 0.99 else f"{x:.1%}"

"""Licence detection accuracy on ../shared/corpus/licenses: one row per text, then totals.

    .venv/bin/python bench/licence_accuracy.py [--corpus DIR] [--altered]

Columns: folder, expected key, detected key, status, confidence, milliseconds. With --altered,
each text is also checked reflowed (60 and 80 columns), CRLF, in a markdown fence, in HTML
<pre>, pasted into a README, as Latin-1 bytes (expected: same key, exact), with a paragraph
deleted and with "700 million" -> "900 million" (expected: modified).
"""

from __future__ import annotations

import argparse
import contextlib
import html
import re
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from compliance.facts.detect import detect_bytes, detect_text  # noqa: E402
from compliance.facts.fingerprint import corpus_key  # noqa: E402
from compliance.facts.registry import load_registry  # noqa: E402
from compliance.facts.textnorm import decode  # noqa: E402


def _paragraphs(text: str) -> list[str]:
    return re.split(r"\n\s*\n", text.replace("\r\n", "\n"))


def reflow(text: str, width: int) -> str:
    return "\n\n".join(textwrap.fill(" ".join(p.split()), width) for p in _paragraphs(text)) + "\n"


_ASCII = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)


def _delete_paragraph(text: str) -> str | None:
    paras = _paragraphs(text)
    big = [i for i, p in enumerate(paras) if len(p.split()) >= 25]
    if len(big) < 3:
        return None
    drop = big[len(big) // 2]
    return "\n\n".join(paras[:drop] + paras[drop + 1 :])


SAME: dict[str, Callable[[str], str]] = {
    "reflow60": lambda t: reflow(t, 60),
    "reflow80": lambda t: reflow(t, 80),
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "markdown": lambda t: "# Licence\n\n```\n" + t + "\n```\n",
    "html": lambda t: "<html><body><pre>" + html.escape(t) + "</pre></body></html>",
    "readme": lambda t: (
        "# Model\n\nAbout the model.\n\n## License\n\n" + t + "\n\n## Citation\n\nCite us.\n"
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "licenses"
    )
    parser.add_argument("--altered", action="store_true", help="also check altered copies")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    reg = load_registry()
    reg.fingerprints()
    rows = []
    right = exact = 0
    altered_ok = altered_total = 0
    failures: list[str] = []
    start_all = time.perf_counter()
    folders = sorted(p for p in args.corpus.iterdir() if (p / "LICENSE.txt").is_file())
    for folder in folders:
        data = (folder / "LICENSE.txt").read_bytes()
        want = corpus_key(folder)
        t0 = time.perf_counter()
        res = detect_bytes(data, str(folder / "LICENSE.txt"), registry=reg)
        ms = (time.perf_counter() - t0) * 1000
        ok = res.key == want
        right += ok
        exact += ok and res.status == "exact"
        rows.append(
            (
                folder.name,
                want,
                res.key or f"unknown (~{res.nearest})",
                res.status,
                res.confidence,
                ms,
                ok,
            )
        )
        if args.altered:
            text = decode(data)
            checks: list[tuple[str, str | bytes, str]] = [
                (n, f(text), "exact") for n, f in SAME.items()
            ]
            with contextlib.suppress(UnicodeEncodeError):
                checks.append(("latin1", text.translate(_ASCII).encode("latin-1"), "exact"))
            deleted = _delete_paragraph(text)
            if deleted:
                checks.append(("deleted-paragraph", deleted, "modified"))
            if "700 million" in text:
                checks.append(
                    ("900-million", text.replace("700 million", "900 million"), "modified")
                )
            for name, variant, status in checks:
                r = (
                    detect_bytes(variant, registry=reg)
                    if isinstance(variant, bytes)
                    else detect_text(variant, registry=reg)
                )
                altered_total += 1
                if (r.key, r.status) == (want, status):
                    altered_ok += 1
                else:
                    failures.append(
                        f"{folder.name} {name}: got {r.key} {r.status}, want {want} {status}"
                    )
    total_ms = (time.perf_counter() - start_all) * 1000
    width = max(len(r[0]) for r in rows)
    print(
        f"{'folder':<{width}}  {'expected':<26} {'detected':<30} {'status':<9} "
        f"{'conf':>5} {'ms':>6}"
    )
    for name, want, got, status, conf, ms, ok in rows:
        mark = "" if ok else "  <-- wrong"
        print(f"{name:<{width}}  {want:<26} {got:<30} {status:<9} {conf:>5.2f} {ms:>6.1f}{mark}")
    print()
    print(
        f"right key: {right}/{len(rows)}   exact: {exact}/{len(rows)}   "
        f"({total_ms:.0f} ms in process)"
    )
    if args.altered:
        print(f"altered copies as expected: {altered_ok}/{altered_total}")
        for f in failures:
            print(f"  {f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

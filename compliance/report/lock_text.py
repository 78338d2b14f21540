"""`lock` output: what was recorded (stdout), and where it went or why not (stderr)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..policy.lock import LockedModel
    from ..run.lock import LockRun


def render_lock(run: LockRun) -> list[tuple[str, bool]]:
    """(line, to_stderr) pairs, in order; each line escaped for a terminal (one line each)."""
    from .escape import text_field, text_output

    return [(text_output(text_field(line)), err) for line, err in _lines(run)]


def _lines(run: LockRun) -> list[tuple[str, bool]]:
    path = run.path
    if run.unreadable:
        out = [
            (
                "compliance: error: {}: {}".format(
                    d.model,
                    next((f.message for f in d.findings if f.code == "source-error"), ""),
                ),
                True,
            )
            for d in run.unreadable
        ]
        out.append((f"compliance: {path} not written: every model must be read", True))
        return out
    if run.rebuilt:
        out = [(f"{verb}: {describe(entry)}", False) for verb, entry in run.recorded]
        if run.kept:
            kept = ", ".join(run.kept)
            out.append(
                (f"kept {len(run.kept)} locked model(s) not named in this run: {kept}", True)
            )
        out.append((f"wrote {path} ({run.models} models)", True))
        return out
    out = []
    if run.added:
        out.append((f"added {run.added} model(s) to {path}", True))
    out.extend((f"drift: {drift.model}: {drift.message}", False) for drift in run.drifts)
    if run.drifts:
        out.append(
            (
                f"compliance: {path} left as is for drifted models: review the change, then run"
                " `compliance lock --update`",
                True,
            )
        )
    elif not run.added:
        out.append((f"{path} is up to date ({run.models} models)", True))
    return out


def describe(entry: LockedModel) -> str:
    rev = (entry.revision or entry.digest or "no revision")[:19]
    files = ", ".join(name for name, _ in entry.license_files) or "no licence file"
    return (
        f"{entry.model} @ {rev}: {entry.license_key or 'unknown licence'}, {entry.decision};"
        f" {files}"
    )

"""An air-gapped mirror folder laid out DIR/<org>/<name>/... with files as on the Hub.

When a repo folder is a git clone its HEAD commit is the revision; otherwise the revision is
None and a content digest of the files read identifies the snapshot.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import RepoNotFound, RevisionNotFound, SourceError
from ..facts.card import parse_card
from ..modelid import SHA_RE, ModelId
from .interface import CARD_FILE, RepoFile, Snapshot, wanted_files
from .reading import read_repo_file, snapshot_digest


def git_head(folder: Path) -> str | None:
    """The HEAD commit of a git clone, read from .git without running git."""
    git = folder / ".git"
    if git.is_file():  # worktree / submodule: "gitdir: <path>"
        content = git.read_text(encoding="utf-8", errors="replace").strip()
        if content.startswith("gitdir:"):
            git = (folder / content[len("gitdir:") :].strip()).resolve()
    head_file = git / "HEAD"
    if not head_file.is_file():
        return None
    head = head_file.read_text(encoding="utf-8", errors="replace").strip()
    if SHA_RE.match(head):
        return head
    if not head.startswith("ref:"):
        return None
    ref = head[len("ref:") :].strip()
    loose = git / ref
    if loose.is_file():
        sha = loose.read_text(encoding="utf-8", errors="replace").strip()
        return sha if SHA_RE.match(sha) else None
    packed = git / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1] == ref and SHA_RE.match(parts[0]):
                return parts[0]
    return None


def _list_files(folder: Path) -> list[str]:
    out = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if rel.parts[0] == ".git" or not path.is_file() or path.is_symlink():
            continue
        out.append(rel.as_posix())
    return sorted(out)


class MirrorSource:
    name = "mirror"

    def __init__(self, root: Path):
        self.root = root

    def fetch(self, model: ModelId) -> Snapshot:
        root = self.root.resolve()
        folder = (root / model.org / model.name).resolve()
        # ModelId already forbids '..', but never trust a path that leaves the mirror.
        if root not in folder.parents or not folder.is_dir():
            raise RepoNotFound(str(model), f"not in the mirror {self.root}")
        head = git_head(folder)
        if model.revision is not None and model.revision != head:
            if head is None:
                raise RevisionNotFound(
                    str(model), "the mirror copy is not a git clone, so it has no revisions"
                )
            raise RevisionNotFound(str(model), f"the mirror holds revision {head}")
        try:
            siblings = _list_files(folder)
            files: list[RepoFile] = []
            notes: list[str] = []
            for name in wanted_files(siblings):
                entry = read_repo_file(name, folder / name)
                if entry.skipped:
                    notes.append(f"{name} skipped: {entry.skipped}")
                files.append(entry)
        except OSError as exc:
            raise SourceError(str(model), f"cannot read the mirror copy: {exc}") from exc
        card_data: dict = {}
        readme = next((f for f in files if f.path == CARD_FILE), None)
        if readme is not None and readme.text is not None:
            card = parse_card(readme.text)
            card_data = card.data
            if card.error:
                notes.append(f"README.md: {card.error}")
        tags = card_data.get("tags")
        pipeline_tag = card_data.get("pipeline_tag")
        return Snapshot(
            model=model.repo_id,
            revision=head,
            source="mirror",
            digest=snapshot_digest(files),
            card_data=card_data,
            tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
            siblings=tuple(siblings),
            files=tuple(files),
            # The Hub's gate is a repo setting; a mirror only has the card's gating prompt.
            gated=bool(card_data.get("extra_gated_prompt") or card_data.get("extra_gated_fields")),
            pipeline_tag=pipeline_tag if isinstance(pipeline_tag, str) else None,
            library_name=card_data.get("library_name")
            if isinstance(card_data.get("library_name"), str)
            else None,
            author=model.org,
            fetched_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
            notes=tuple(notes),
        )

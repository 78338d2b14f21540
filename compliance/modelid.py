"""Model identifiers: `org/name` or `org/name@revision`, checked against the Hub's id rules.

The id becomes part of cache paths and mirror paths, so anything that could escape a folder
(`..`, absolute paths, backslashes) is rejected here, before it reaches the filesystem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import UsageError

# Hub rules: letters, digits, '-', '_', '.'; no leading/trailing '-' or '.', no '--' or '..';
# the name at most 96 characters.
_PART = re.compile(r"^(?![.-])(?!.*(?:--|\.\.))[A-Za-z0-9_.-]{1,96}(?<![.-])\Z")
_REVISION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}\Z")
SHA_RE = re.compile(r"^[0-9a-f]{40}\Z")


@dataclass(frozen=True)
class ModelId:
    repo_id: str  # "org/name"
    revision: str | None = None  # branch, tag or 40-hex sha; None means the default branch

    @property
    def org(self) -> str:
        return self.repo_id.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.repo_id.split("/", 1)[1]

    @property
    def pinned(self) -> bool:
        """True when the revision is a commit sha, so cached content can be trusted as is."""
        return self.revision is not None and bool(SHA_RE.match(self.revision))

    def __str__(self) -> str:
        return f"{self.repo_id}@{self.revision}" if self.revision else self.repo_id


def is_valid_repo_id(text: str) -> bool:
    parts = text.split("/")
    return len(parts) == 2 and all(_PART.match(p) for p in parts)


def parse_model_id(text: str) -> ModelId:
    """Parse `org/name[@rev]`; raise UsageError naming the id when it breaks the Hub's rules."""
    raw = text.strip()
    repo, sep, rev = raw.partition("@")
    if not is_valid_repo_id(repo):
        raise UsageError(f"invalid model id {text!r}: expected org/name or org/name@revision")
    if sep and (not rev or not _REVISION.match(rev) or ".." in rev):
        raise UsageError(f"invalid revision in model id {text!r}")
    return ModelId(repo, rev or None)


# Legacy canonical ids without an org, which the Hub moved into orgs (and redirects).
LEGACY_IDS = {
    "albert-base-v2": "albert/albert-base-v2",
    "bert-base-cased": "google-bert/bert-base-cased",
    "bert-base-uncased": "google-bert/bert-base-uncased",
    "bert-large-cased": "google-bert/bert-large-cased",
    "bert-large-uncased": "google-bert/bert-large-uncased",
    "bert-base-multilingual-cased": "google-bert/bert-base-multilingual-cased",
    "bert-base-multilingual-uncased": "google-bert/bert-base-multilingual-uncased",
    "distilbert-base-uncased": "distilbert/distilbert-base-uncased",
    "distilbert-base-cased": "distilbert/distilbert-base-cased",
    "distilbert-base-multilingual-cased": "distilbert/distilbert-base-multilingual-cased",
    "distilroberta-base": "distilbert/distilroberta-base",
    "distilgpt2": "distilbert/distilgpt2",
    "gpt2": "openai-community/gpt2",
    "gpt2-medium": "openai-community/gpt2-medium",
    "gpt2-large": "openai-community/gpt2-large",
    "gpt2-xl": "openai-community/gpt2-xl",
    "roberta-base": "FacebookAI/roberta-base",
    "roberta-large": "FacebookAI/roberta-large",
    "xlm-roberta-base": "FacebookAI/xlm-roberta-base",
    "xlm-roberta-large": "FacebookAI/xlm-roberta-large",
    "t5-small": "google-t5/t5-small",
    "t5-base": "google-t5/t5-base",
    "t5-large": "google-t5/t5-large",
}

"""The Hugging Face Hub source, through the real huggingface_hub client.

Decisions are made on fresh metadata: `model_info` resolves the revision to a commit sha on
every unpinned read, and every file is downloaded at that sha. huggingface_hub quietly returns a
cached file when the Hub fails; because we always ask for an exact sha, such a file is the right
content for that revision, never a stale one.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Any

from ..errors import GatedRepo, NetworkError, RepoNotFound, RevisionNotFound, SourceError
from ..modelid import ModelId
from .cache import SnapshotCache
from .interface import RepoFile, Snapshot, wanted_files
from .reading import read_repo_file, snapshot_digest

log = logging.getLogger("compliance")

DEFAULT_TIMEOUT = 10.0


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first}"[:300]


def map_hub_error(model: str, exc: BaseException) -> SourceError:
    """Translate a huggingface_hub / HTTP exception into our SourceError with a clear cause."""
    from huggingface_hub import errors as hf_errors

    # GatedRepoError subclasses RepositoryNotFoundError: test it first.
    if isinstance(exc, hf_errors.GatedRepoError):
        return GatedRepo(
            model,
            "gated repository: access not granted (accept its terms on the Hub and set HF_TOKEN)",
        )
    if isinstance(exc, hf_errors.RevisionNotFoundError):
        return RevisionNotFound(model, "revision not found")
    if isinstance(exc, hf_errors.RepositoryNotFoundError):
        return RepoNotFound(model, "repository not found (or private without access)")
    if isinstance(exc, hf_errors.LocalEntryNotFoundError):
        return NetworkError(model, "not in the local cache and the Hub could not be reached")
    if isinstance(exc, hf_errors.HfHubHTTPError):
        status = getattr(getattr(exc, "response", None), "status_code", None)
        return NetworkError(model, f"Hub answered HTTP {status}" if status else _describe(exc))
    return NetworkError(model, f"Hub request failed ({_describe(exc)})")


class HubSource:
    name = "hub"

    def __init__(
        self,
        cache: SnapshotCache | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        endpoint: str | None = None,
    ):
        self.cache = cache or SnapshotCache()
        self.timeout = timeout
        self.endpoint = endpoint
        self._api: Any = None

    def _client(self) -> Any:
        if self._api is None:
            from huggingface_hub import HfApi  # imported only when the Hub is really needed

            self._api = HfApi(endpoint=self.endpoint)
        return self._api

    def fetch(self, model: ModelId) -> Snapshot:
        if model.pinned:
            assert model.revision is not None
            cached = self.cache.get(model.repo_id, model.revision)
            if cached is not None:
                return cached
        if _offline():
            return self._offline_snapshot(model)
        try:
            info = self._client().model_info(
                model.repo_id, revision=model.revision, timeout=self.timeout
            )
        except SourceError:
            raise
        except Exception as exc:
            raise map_hub_error(str(model), exc) from exc
        sha = getattr(info, "sha", None)
        if not sha:
            raise NetworkError(str(model), "the Hub returned no commit sha for this revision")
        cached = self.cache.get(model.repo_id, sha)
        if cached is not None:
            return cached
        snapshot = self._download(model, info, sha)
        self.cache.put(snapshot)
        return snapshot

    def _offline_snapshot(self, model: ModelId) -> Snapshot:
        if model.pinned:
            raise NetworkError(str(model), "HF_HUB_OFFLINE is set and this revision is not cached")
        if model.revision is not None:
            raise NetworkError(
                str(model), "HF_HUB_OFFLINE is set: only a 40-hex commit sha can be read offline"
            )
        latest = self.cache.latest(model.repo_id)
        if latest is None:
            raise NetworkError(str(model), "HF_HUB_OFFLINE is set and the model is not cached")
        note = (
            f"offline: using the cached snapshot at {latest.revision} read {latest.fetched_at};"
            " the Hub was not asked for a newer revision"
        )
        return Snapshot.from_json({**latest.to_json(), "notes": [*latest.notes, note]}, from_cache=True)

    def _download(self, model: ModelId, info: Any, sha: str) -> Snapshot:
        from huggingface_hub import hf_hub_download
        from huggingface_hub import errors as hf_errors

        gated = getattr(info, "gated", False)
        if gated not in (False, None, "false"):
            # hf_hub_download would quietly serve a cached copy to a user who lost (or never had)
            # access; ask the Hub whether this token may read the files, fresh, every time.
            try:
                self._client().auth_check(model.repo_id)
            except Exception as exc:
                raise map_hub_error(str(model), exc) from exc
        siblings = [s.rfilename for s in (getattr(info, "siblings", None) or [])]
        files: list[RepoFile] = []
        notes: list[str] = []
        for name in wanted_files(siblings):
            try:
                local = hf_hub_download(
                    model.repo_id,
                    name,
                    revision=sha,
                    endpoint=self.endpoint,
                    etag_timeout=self.timeout,
                )
            except hf_errors.GatedRepoError as exc:
                raise map_hub_error(str(model), exc) from exc
            except hf_errors.RemoteEntryNotFoundError:
                files.append(RepoFile(name, None, None, None, skipped="missing"))
                notes.append(f"{name} is listed but could not be downloaded (missing)")
                continue
            except Exception as exc:
                raise map_hub_error(str(model), exc) from exc
            entry = read_repo_file(name, Path(local))
            if entry.skipped:
                notes.append(f"{name} skipped: {entry.skipped}")
            files.append(entry)
        card_data = getattr(info, "card_data", None) or getattr(info, "cardData", None) or {}
        if hasattr(card_data, "to_dict"):
            card_data = card_data.to_dict()
        last_modified = getattr(info, "last_modified", None) or getattr(info, "lastModified", None)
        return Snapshot(
            model=model.repo_id,
            revision=sha,
            source="hub",
            digest=snapshot_digest(files),
            card_data=dict(card_data),
            tags=tuple(getattr(info, "tags", None) or ()),
            siblings=tuple(siblings),
            files=tuple(files),
            gated=gated not in (False, None, "false"),
            pipeline_tag=getattr(info, "pipeline_tag", None),
            library_name=getattr(info, "library_name", None),
            author=getattr(info, "author", None),
            last_modified=last_modified.isoformat() if hasattr(last_modified, "isoformat") else last_modified,
            fetched_at=_now(),
            notes=tuple(notes),
        )

"""The Hugging Face Hub source, through the real huggingface_hub client's HTTP session.

Fail closed. Every request goes through huggingface_hub's shared `httpx2` client (its request
hook, headers, token handling and endpoint), but this module owns the three things the library
gets wrong for a compliance gate:

- **Timeouts.** huggingface_hub sends with no timeout by default (`auth_check` has no timeout
  parameter at all). Every request here carries one, and a body is read against a deadline.
- **Retries.** The library retries on its own (a 503 cost ~23 s per file). Here one retry loop,
  with exponential backoff, runs against a *per-model* budget (default 30 s, all requests of the
  model together); a 429 honours `Retry-After` when it fits in what is left of the budget.
- **Silent cache fallback.** `hf_hub_download` quietly returns a cached file when the Hub fails.
  It is not used: files are streamed at the exact commit sha that fresh metadata named, with a
  size cap enforced while reading. Cached content is only ever our snapshot cache's entry for
  that exact sha, and the snapshot says so in a note.

Whatever cannot be established within the budget is a SourceError naming the model and cause.

Settings (constructor arguments, else environment, else defaults):
    COMPLIANCE_HUB_TIMEOUT        seconds per request (connect / read), default 10
    COMPLIANCE_HUB_RETRY_BUDGET   seconds per model for all its requests and waits, default 30
    COMPLIANCE_HUB_BACKOFF        first wait between attempts, doubling up to 8 s, default 1
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import logging
import os
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from ..errors import (
    GatedRepo,
    NetworkError,
    RepoNotFound,
    RevisionNotFound,
    SourceError,
    UsageError,
)
from ..modelid import SHA_RE, ModelId
from .cache import SnapshotCache
from .interface import RepoFile, Snapshot, size_cap, wanted_files
from .reading import repo_file_from_bytes, snapshot_digest

log = logging.getLogger("compliance")

DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRY_BUDGET = 30.0
DEFAULT_BACKOFF = 1.0
MAX_BACKOFF = 8.0
MAX_ATTEMPTS = 6  # per request, within the budget
MAX_METADATA_BYTES = 32 * 1024 * 1024  # model_info JSON (siblings of a huge repo)
MAX_ERROR_BYTES = 64 * 1024
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


class AccessDenied(SourceError):
    kind = "access-denied"


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first}"[:300] if first else type(exc).__name__


def _env_seconds(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"{name}={raw!r} is not a number of seconds") from None
    if not value > 0 or value > 3600:
        raise UsageError(f"{name}={raw!r} must be between 0 and 3600 seconds")
    return value


@dataclass(frozen=True)
class RetryPolicy:
    timeout: float = DEFAULT_TIMEOUT  # per request
    budget: float = DEFAULT_RETRY_BUDGET  # per model, every request and wait included
    backoff: float = DEFAULT_BACKOFF  # first wait; doubles up to max_backoff
    max_backoff: float = MAX_BACKOFF
    max_attempts: int = MAX_ATTEMPTS

    @classmethod
    def from_env(
        cls,
        *,
        timeout: float | None = None,
        budget: float | None = None,
        backoff: float | None = None,
    ) -> RetryPolicy:
        return cls(
            timeout=timeout
            if timeout is not None
            else _env_seconds("COMPLIANCE_HUB_TIMEOUT", DEFAULT_TIMEOUT),
            budget=budget
            if budget is not None
            else _env_seconds("COMPLIANCE_HUB_RETRY_BUDGET", DEFAULT_RETRY_BUDGET),
            backoff=backoff
            if backoff is not None
            else _env_seconds("COMPLIANCE_HUB_BACKOFF", DEFAULT_BACKOFF),
        )


class _Deadline:
    def __init__(self, budget: float):
        self.budget = budget
        self.start = time.monotonic()
        self.end = self.start + budget

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.start


class _Transient(Exception):
    """A failure worth another attempt (5xx, 429, timeout, reset, truncated or garbled body)."""

    def __init__(
        self, cause: str, retry_after: float | None = None, max_attempts: int | None = None
    ):
        super().__init__(cause)
        self.cause = cause
        self.retry_after = retry_after
        self.max_attempts = max_attempts  # fewer tries for failures that rarely heal in seconds


@dataclass(frozen=True)
class _TooLarge:
    size: int | None  # Content-Length when announced


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds: delay-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


def map_hub_error(model: str, exc: BaseException) -> SourceError:
    """Translate a huggingface_hub exception into our SourceError with a clear cause."""
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
        timeout: float | None = None,
        endpoint: str | None = None,
        retry_budget: float | None = None,
        backoff: float | None = None,
    ):
        self.cache = cache or SnapshotCache()
        self.policy = RetryPolicy.from_env(timeout=timeout, budget=retry_budget, backoff=backoff)
        self.timeout = self.policy.timeout
        self._endpoint = endpoint

    @property
    def endpoint(self) -> str:
        if self._endpoint:
            return self._endpoint.rstrip("/")
        from huggingface_hub import constants

        return str(constants.ENDPOINT).rstrip("/")

    # -- the one place that talks HTTP ----------------------------------------------------
    def _get(
        self,
        model: str,
        url: str,
        deadline: _Deadline,
        *,
        cap: int,
        what: str,
        commit: str | None = None,
    ) -> bytes | _TooLarge:
        """GET `url` with retries inside the model's budget; the body, or _TooLarge."""
        return self._retrying(
            model, deadline, what, lambda: self._attempt(model, url, deadline, cap, what, commit)
        )

    def _attempt(
        self,
        model: str,
        url: str,
        deadline: _Deadline,
        cap: int,
        what: str,
        commit: str | None = None,
    ) -> bytes | _TooLarge:
        """One GET: a timeout on every phase, the body read against the size cap and deadline."""
        import httpx2
        from huggingface_hub.utils import build_hf_headers, get_session

        from .. import __version__

        timeout = max(0.01, min(self.policy.timeout, deadline.remaining()))
        headers = build_hf_headers(library_name="compliance", library_version=__version__)
        try:
            with get_session().stream("GET", url, headers=headers, timeout=timeout) as response:
                status = response.status_code
                if status >= 400:
                    self._raise_for_status(model, response, what)
                served = response.headers.get("X-Repo-Commit")
                if commit is not None and served is not None and served != commit:
                    raise NetworkError(
                        model, f"{what}: the Hub served commit {served}, not {commit}"
                    )
                length = response.headers.get("Content-Length")
                if length is not None and length.isdigit() and int(length) > cap:
                    return _TooLarge(int(length))
                body = bytearray()
                for chunk in response.iter_bytes(64 * 1024):
                    body += chunk
                    if len(body) > cap:
                        return _TooLarge(None)
                    if deadline.remaining() <= 0:
                        raise _Transient(
                            f"the answer was still arriving after {deadline.elapsed():.1f} s"
                        )
                return bytes(body)
        except httpx2.TimeoutException:
            raise _Transient(f"no answer within {timeout:.3g} s (timeout)") from None
        except httpx2.RemoteProtocolError as exc:
            raise _Transient(f"connection closed mid-answer ({_describe(exc)})") from None
        except httpx2.ConnectError as exc:
            # Refused / unresolvable: one more try, not the whole budget.
            raise _Transient(f"cannot connect ({_describe(exc)})", max_attempts=2) from None
        except httpx2.NetworkError as exc:
            raise _Transient(f"connection failed ({_describe(exc)})") from None
        except httpx2.HTTPError as exc:
            raise _Transient(f"HTTP failure ({_describe(exc)})") from None
        except (SourceError, _Transient):
            raise
        except Exception as exc:  # offline mode from the hook, a proxy bug: never pass silently
            raise NetworkError(model, f"{what}: request failed ({_describe(exc)})") from None

    def _raise_for_status(self, model: str, response: Any, what: str) -> None:
        status = response.status_code
        code = response.headers.get("X-Error-Code") or ""
        if status in RETRY_STATUSES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            label = (
                "rate limited (HTTP 429)" if status == 429 else f"the Hub answered HTTP {status}"
            )
            raise _Transient(label, retry_after if status in (429, 503) else None)
        if code == "GatedRepo":
            who = "this token has not been granted access" if status == 403 else "no token was sent"
            raise GatedRepo(
                model,
                f"gated repository ({who}; HTTP {status}):"
                " accept its terms on the Hub and set HF_TOKEN",
            )
        if code == "RevisionNotFound":
            raise RevisionNotFound(model, "revision not found")
        if code == "RepoNotFound":
            raise RepoNotFound(model, "repository not found (or private without access)")
        if code == "EntryNotFound" or (status == 404 and what.startswith("file ")):
            raise SourceError(model, f"{what}: listed by the Hub but not found (HTTP 404)")
        if status == 404:
            raise RepoNotFound(model, f"{what}: not found (HTTP 404)")
        if status in (401, 403):
            raise AccessDenied(
                model,
                f"{what}: access denied (HTTP {status}); a private or gated repo needs HF_TOKEN"
                " with access",
            )
        raise NetworkError(model, f"{what}: the Hub answered HTTP {status}")

    def _json(self, model: str, url: str, deadline: _Deadline, what: str) -> Any:
        """GET JSON; garbled JSON is retried like a transient failure within the budget."""

        def parse() -> Any:
            body = self._attempt(model, url, deadline, MAX_METADATA_BYTES, what)
            if isinstance(body, _TooLarge):
                raise NetworkError(model, f"{what}: answer larger than {MAX_METADATA_BYTES} bytes")
            try:
                return json.loads(body)
            except ValueError:
                raise _Transient("the Hub returned invalid JSON") from None

        return self._retrying(model, deadline, what, parse)

    def _retrying(self, model: str, deadline: _Deadline, what: str, func: Any) -> Any:
        """Call `func` until it succeeds, a permanent error, max attempts or the budget's end."""
        attempts = 0
        last: _Transient | None = None
        while deadline.remaining() > 0.01:
            attempts += 1
            try:
                return func()
            except _Transient as exc:
                last = exc
            if attempts >= min(self.policy.max_attempts, last.max_attempts or attempts + 1):
                break
            remaining = deadline.remaining()
            if last.retry_after is not None:
                if last.retry_after > remaining:
                    raise NetworkError(
                        model,
                        f"{what}: {last.cause}; the Hub asked to retry after"
                        f" {last.retry_after:g} s, beyond what is left of the"
                        f" {self.policy.budget:g} s retry budget",
                    )
                wait = last.retry_after
            else:
                wait = min(self.policy.backoff * 2 ** (attempts - 1), self.policy.max_backoff)
                if wait >= remaining:
                    break
            log.info("%s: %s: %s; retrying in %.1f s", model, what, last.cause, wait)
            time.sleep(wait)
        cause = last.cause if last is not None else "no time left in the retry budget"
        raise NetworkError(
            model,
            f"{what}: {cause} ({attempts} attempt{'s' if attempts != 1 else ''}"
            f" in {deadline.elapsed():.1f} s; retry budget {self.policy.budget:g} s)",
        )

    # -- reading a model --------------------------------------------------------------------
    def fetch(self, model: ModelId) -> Snapshot:
        if model.pinned:
            assert model.revision is not None
            cached = self.cache.get(model.repo_id, model.revision)
            if cached is not None:
                return _cached_note(cached)
        if _offline():
            return self._offline_snapshot(model)
        deadline = _Deadline(self.policy.budget)
        quoted = urllib.parse.quote(model.repo_id, safe="/")
        url = f"{self.endpoint}/api/models/{quoted}"
        if model.revision is not None:
            url += "/revision/" + urllib.parse.quote(model.revision, safe="")
        data = self._json(str(model), url, deadline, "model metadata")
        info = _ModelInfo.parse(str(model), data)
        if model.pinned and info.sha != model.revision:
            raise NetworkError(
                str(model), f"the Hub answered for commit {info.sha}, not the one asked"
            )
        cached = self.cache.get(model.repo_id, info.sha)
        if cached is not None:
            return _cached_note(cached)
        snapshot = self._download(model, info, deadline)
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
        return Snapshot.from_json(
            {**latest.to_json(), "notes": [*latest.notes, note]}, from_cache=True
        )

    def _download(self, model: ModelId, info: _ModelInfo, deadline: _Deadline) -> Snapshot:
        name = str(model)
        quoted = urllib.parse.quote(model.repo_id, safe="/")
        if info.gated:
            # Ask the Hub, fresh, whether this token may read the files (never trust a cache).
            self._get(
                name,
                f"{self.endpoint}/api/models/{quoted}/auth-check",
                deadline,
                cap=MAX_ERROR_BYTES,
                what="access check",
            )
        files: list[RepoFile] = []
        notes: list[str] = []
        for path in wanted_files(list(info.siblings)):
            url = f"{self.endpoint}/{quoted}/resolve/{info.sha}/" + urllib.parse.quote(
                path, safe="/"
            )
            cap = size_cap(path)
            body = self._get(name, url, deadline, cap=cap, what=f"file {path}", commit=info.sha)
            if isinstance(body, _TooLarge):
                size = f"{body.size} bytes" if body.size is not None else f"over {cap} bytes"
                entry = RepoFile(
                    path, None, None, body.size, skipped=f"too-large ({size}; cap {cap})"
                )
                log.warning("%s: %s is larger than its %d-byte cap; skipped", name, path, cap)
            else:
                entry = repo_file_from_bytes(path, body)
            if entry.skipped:
                notes.append(f"{path} skipped: {entry.skipped}")
            files.append(entry)
        return Snapshot(
            model=model.repo_id,
            revision=info.sha,
            source="hub",
            digest=snapshot_digest(files),
            card_data=info.card_data,
            tags=info.tags,
            siblings=info.siblings,
            files=tuple(files),
            gated=info.gated,
            pipeline_tag=info.pipeline_tag,
            library_name=info.library_name,
            author=info.author,
            last_modified=info.last_modified,
            fetched_at=_now(),
            notes=tuple(notes),
        )


def _cached_note(snapshot: Snapshot) -> Snapshot:
    when = snapshot.fetched_at or "an unknown time"
    note = (
        f"read from the local cache: fetched from the Hub at {when}"
        f" for commit {snapshot.revision}; used only for that exact commit"
    )
    if note in snapshot.notes:
        return snapshot
    return Snapshot.from_json(
        {**snapshot.to_json(), "notes": [*snapshot.notes, note]}, from_cache=True
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class _ModelInfo:
    """The parts of the Hub's model JSON the tool uses, each checked for its type."""

    sha: str
    gated: bool
    card_data: dict[str, Any]
    tags: tuple[str, ...]
    siblings: tuple[str, ...]
    pipeline_tag: str | None
    library_name: str | None
    author: str | None
    last_modified: str | None

    @classmethod
    def parse(cls, model: str, data: Any) -> _ModelInfo:
        if not isinstance(data, dict):
            raise NetworkError(model, "model metadata: the Hub's answer is not a JSON object")
        sha = data.get("sha")
        if not isinstance(sha, str) or not SHA_RE.match(sha):
            raise NetworkError(
                model, "model metadata: the Hub returned no commit sha for this revision"
            )
        gated = data.get("gated", False)
        siblings = []
        for entry in data.get("siblings") or []:
            name = entry.get("rfilename") if isinstance(entry, dict) else None
            if isinstance(name, str) and name and "\x00" not in name:
                siblings.append(name)
        card = data.get("cardData")
        tags = data.get("tags")
        return cls(
            sha=sha,
            gated=gated not in (False, None, "false", ""),
            card_data=dict(card) if isinstance(card, dict) else {},
            tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
            siblings=tuple(siblings),
            pipeline_tag=_str(data.get("pipeline_tag")),
            library_name=_str(data.get("library_name")),
            author=_str(data.get("author")),
            last_modified=_str(data.get("lastModified")),
        )

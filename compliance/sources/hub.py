"""The Hugging Face Hub source, through the real huggingface_hub client.

Metadata and files are read through huggingface_hub's HTTP session (its token, headers and
endpoint): the model's JSON as `HfApi.model_info(..., files_metadata=True)` asks for it, and each
needed file at `resolve/<sha>/<path>`. Fail closed; this module adds what the library does not
give a compliance gate:

- **Timeouts.** huggingface_hub sends with no timeout by default (`auth_check` has no timeout
  parameter at all). Every request here carries one.
- **Retries.** The library retries some failures on its own (a 503 cost ~23 s per file). Here one
  retry loop, with exponential backoff, runs against a *per-model* budget (default 30 s, all
  requests of the model together); a 429 honours `Retry-After` when it fits in what is left of
  the budget; a download still running when the budget ends is abandoned.
- **Silent cache fallback.** `hf_hub_download` quietly returns a cached file when the Hub fails.
  So a file is first looked up in the huggingface_hub cache *for the exact commit sha* that fresh
  metadata named (no request; the snapshot says so), and only when it is not there is it
  downloaded. A file that is not cached cannot be silently replaced by a cached one.
- **Few requests.** A cold model costs one metadata call (`?blobs=true`: the file list with each
  file's size and git blob id) and one GET per needed file at the resolved sha, with no HEAD:
  the size cap is checked on the listed size and again while reading, the commit on the
  answer's `X-Repo-Commit`, the content against its blob id. A file whose blob id was read
  before (blobs.py) is not downloaded at all.
- **Rate limits.** Every request goes through the host's pacer (pacing.py): bounded concurrency
  and waits for the window the Hub's `RateLimit` headers announce, instead of 429s.

Whatever cannot be established within the budget is a SourceError naming the model and cause.

Settings (constructor arguments, else environment, else defaults):
    COMPLIANCE_HUB_TIMEOUT        seconds per request (connect / read), default 10
    COMPLIANCE_HUB_RETRY_BUDGET   seconds per model for all its requests and waits, default 30
    COMPLIANCE_HUB_BACKOFF        first wait between attempts, doubling up to 8 s, default 1
    COMPLIANCE_HUB_CONCURRENCY    requests in flight per host (pacing.py), default 8
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
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
from .blobs import BlobStore, blob_key, matches
from .cache import SnapshotCache
from .interface import RepoFile, Snapshot, license_overflow, size_cap, wanted_files
from .pacing import HostPacer, concurrency_from_env, pacer_for
from .reading import read_repo_file, repo_file_from_bytes, snapshot_digest

log = logging.getLogger("compliance")

DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRY_BUDGET = 30.0
DEFAULT_BACKOFF = 1.0
MAX_BACKOFF = 8.0
MAX_ATTEMPTS = 6  # per request, within the budget
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
ABANDON_GRACE = 0.25  # past the budget, for the request's own timeout to report first
MAX_METADATA_BYTES = 32 * 1024 * 1024  # a model's JSON with a very long file list


@dataclass(frozen=True)
class _Answer:
    body: bytes  # at most the cap asked for + 1 bytes
    commits: tuple[str, ...]  # X-Repo-Commit of the answer and of any redirect before it


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


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds: delay-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        import email.utils  # only for a Retry-After date; costs an import on the warm path

        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


def status_error(model: str, status: int, headers: Any, what: str) -> Exception:
    """The error an HTTP status means: _Transient (worth another attempt) or a SourceError."""
    code = headers.get("X-Error-Code") or ""
    if status in RETRY_STATUSES:
        retry_after = parse_retry_after(headers.get("Retry-After"))
        label = "rate limited (HTTP 429)" if status == 429 else f"the Hub answered HTTP {status}"
        return _Transient(label, retry_after if status in (429, 503) else None)
    if code == "GatedRepo":
        who = "this token has not been granted access" if status == 403 else "no token was sent"
        return GatedRepo(
            model,
            f"gated repository ({who}; HTTP {status}):"
            " accept its terms on the Hub and set HF_TOKEN",
        )
    if code == "RevisionNotFound":
        return RevisionNotFound(model, "revision not found")
    if code == "RepoNotFound":
        return RepoNotFound(model, "repository not found (or private without access)")
    if code == "EntryNotFound" or (status == 404 and what.startswith("file ")):
        return SourceError(model, f"{what}: listed by the Hub but not found (HTTP 404)")
    if status == 404:
        return RepoNotFound(model, f"{what}: not found (HTTP 404)")
    if status in (401, 403):
        return AccessDenied(
            model,
            f"{what}: access denied (HTTP {status}); a private or gated repo needs HF_TOKEN"
            " with access",
        )
    return NetworkError(model, f"{what}: the Hub answered HTTP {status}")


def classify_hub_error(model: str, exc: BaseException, what: str) -> Exception:
    """Map an exception from huggingface_hub or its HTTP client to _Transient or SourceError."""
    import httpx2
    from huggingface_hub import errors as hf_errors

    if isinstance(exc, (_Transient, SourceError)):
        return exc
    response = getattr(exc, "response", None)
    if isinstance(exc, hf_errors.HfHubHTTPError) and response is not None:
        return status_error(model, response.status_code, response.headers, what)
    if isinstance(exc, hf_errors.LocalEntryNotFoundError) and exc.__cause__ is not None:
        # hf_hub_download wraps a failed request in "not in the local cache": unwrap it.
        return classify_hub_error(model, exc.__cause__, what)
    if isinstance(exc, httpx2.TimeoutException):
        return _Transient("no answer in time (timeout)")
    if isinstance(exc, httpx2.RemoteProtocolError):
        return _Transient(f"connection closed mid-answer ({_describe(exc)})")
    if isinstance(exc, httpx2.ConnectError):
        # Refused / unresolvable: one more try, not the whole budget.
        return _Transient(f"cannot connect ({_describe(exc)})", max_attempts=2)
    if isinstance(exc, (httpx2.NetworkError, httpx2.HTTPError)):
        return _Transient(f"connection failed ({_describe(exc)})")
    if isinstance(exc, ValueError) and "json" in type(exc).__name__.lower():
        return _Transient("the Hub returned invalid JSON")
    if isinstance(exc, OSError) and "Consistency check failed" in str(exc):
        return _Transient("the download ended early (truncated body)")
    if isinstance(exc, hf_errors.LocalEntryNotFoundError):
        return NetworkError(
            model, f"{what}: not in the local cache and the Hub could not be reached"
        )
    return NetworkError(model, f"{what}: request failed ({_describe(exc)})")


class _Abandoned(Exception):
    """A call still running when its time ran out (left to finish in a daemon thread)."""


def _bounded(func: Any, seconds: float) -> Any:
    """Run `func` in a daemon thread for at most `seconds`: the client's own retries can take
    far longer than our budget (a hanging download: 10 s x 6), and a thread cannot be killed."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = func()
        except BaseException as exc:  # handed to the caller below
            result["error"] = exc

    worker = threading.Thread(target=run, daemon=True, name="compliance-hub-download")
    worker.start()
    worker.join(max(0.0, seconds))
    if worker.is_alive():
        with _ABANDONED_LOCK:
            _ABANDONED.append(worker)
        raise _Abandoned()
    if "error" in result:
        raise result["error"]
    return result["value"]


_ABANDONED: list[threading.Thread] = []
_ABANDONED_LOCK = threading.Lock()


def wait_for_abandoned(timeout: float = 30.0) -> None:
    """Let abandoned downloads finish (tests call this so no request outlives its test)."""
    with _ABANDONED_LOCK:
        workers = list(_ABANDONED)
        _ABANDONED.clear()
    for worker in workers:
        worker.join(timeout)


def _in_hf_cache(repo_id: str) -> bool:
    """Whether huggingface_hub's cache has a folder for this model (the probe of
    hf_hub_download(local_files_only=True) can only find a file inside it)."""
    from huggingface_hub import constants
    from huggingface_hub.file_download import repo_folder_name

    folder = repo_folder_name(repo_id=repo_id, repo_type="model")
    return os.path.isdir(os.path.join(constants.HF_HUB_CACHE, folder))


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
        concurrency: int | None = None,
        reserve: int | None = None,
    ):
        self.cache = cache or SnapshotCache()
        self.policy = RetryPolicy.from_env(timeout=timeout, budget=retry_budget, backoff=backoff)
        self.timeout = self.policy.timeout
        self._endpoint = endpoint
        self._api: Any = None
        self.concurrency = concurrency_from_env(concurrency)
        # Requests other processes sharing the host may have in flight (prefetch children).
        self.reserve = reserve if reserve is not None else self.concurrency
        self.blobs = BlobStore(self.cache.root)
        self._blob_locks: dict[str, threading.Lock] = {}
        self._blob_locks_lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        if self._endpoint:
            return self._endpoint.rstrip("/")
        from huggingface_hub import constants

        return str(constants.ENDPOINT).rstrip("/")

    def _auth_check(self, model: str, deadline: _Deadline) -> None:
        """Ask the Hub, fresh, whether this token may read a gated repo's files.

        `HfApi.auth_check` takes no timeout, so the request goes through huggingface_hub's own
        session (its headers, token and endpoint) with one.
        """
        quoted = urllib.parse.quote(model.split("@", 1)[0], safe="/")
        url = f"{self.endpoint}/api/models/{quoted}/auth-check"
        what = "access check"

        def attempt() -> None:
            self._get(model, url, what, deadline, cap=64 * 1024)

        self._retrying(model, deadline, what, attempt)

    def _client(self) -> Any:
        """huggingface_hub's shared HTTP session, imported only when the Hub is really needed
        (the session and its request hook, not HfApi: ~16 ms instead of ~160 ms)."""
        if self._api is None:
            from huggingface_hub.utils import get_session

            self._api = get_session()
        return self._api

    # -- HTTP: one paced GET -------------------------------------------------------------
    def _pacer(self) -> HostPacer:
        host = urllib.parse.urlsplit(self.endpoint).netloc
        return pacer_for(host, self.concurrency, self.reserve)

    def _get(self, model: str, url: str, what: str, deadline: _Deadline, *, cap: int) -> _Answer:
        """One GET through huggingface_hub's session (its token, headers, redirects) and the
        host's pacer, with a timeout; at most `cap` + 1 bytes of the body are read. An error
        status raises (status_error); a failure raises classify_hub_error's mapping."""
        from huggingface_hub.utils import build_hf_headers, get_session

        from .. import __version__

        headers = build_hf_headers(library_name="compliance", library_version=__version__)
        pacer = self._pacer()
        with pacer.slot(url, deadline.remaining()):
            timeout = max(0.01, min(self.policy.timeout, deadline.remaining()))
            try:
                with get_session().stream("GET", url, headers=headers, timeout=timeout) as resp:
                    chunks, size = [], 0
                    if resp.status_code < 400:
                        for chunk in resp.iter_bytes():
                            chunks.append(chunk)
                            size += len(chunk)
                            if size > cap:
                                break
                    commits = [r.headers.get("X-Repo-Commit") for r in (*resp.history, resp)]
                    status, answer_headers = resp.status_code, resp.headers
            except Exception as exc:
                raise classify_hub_error(model, exc, what) from None
        pacer.observe(
            url, status, answer_headers, parse_retry_after(answer_headers.get("Retry-After"))
        )
        if status >= 400:
            raise status_error(model, status, answer_headers, what)
        return _Answer(b"".join(chunks), tuple(c for c in commits if c))

    def _model_info(self, model: ModelId, deadline: _Deadline) -> _ModelInfo:
        """The model's metadata with every file's size and blob id (`?blobs=true`, as
        `HfApi.model_info(files_metadata=True)` asks), retried within the model's budget."""
        import json

        name = str(model)
        what = "model metadata"
        url = f"{self.endpoint}/api/models/{urllib.parse.quote(model.repo_id, safe='/')}"
        if model.revision is not None:
            url += f"/revision/{urllib.parse.quote(model.revision, safe='')}"
        url += "?blobs=true"

        def attempt() -> _ModelInfo:
            answer = self._get(name, url, what, deadline, cap=MAX_METADATA_BYTES)
            if len(answer.body) > MAX_METADATA_BYTES:
                raise NetworkError(name, f"{what}: the Hub's answer is larger than its cap")
            try:
                data = json.loads(answer.body)
            except ValueError:
                raise _Transient("the Hub returned invalid JSON") from None
            return _ModelInfo.parse(name, data)

        result: _ModelInfo = self._retrying(name, deadline, what, attempt)
        return result

    def _file(
        self, model: ModelId, info: _ModelInfo, path: str, deadline: _Deadline
    ) -> tuple[RepoFile, str | None]:
        """One file at commit `info.sha`: (entry, a note when it came from a local cache)."""
        name, cap, sha = str(model), size_cap(path), info.sha
        listed = info.files.get(path)
        size = listed[1] if listed else None
        key = listed[0] if listed else None
        if size is not None and size > cap:  # as the Hub lists it: no request
            log.warning("%s: %s is larger than its %d-byte cap; skipped", name, path, cap)
            return RepoFile(
                path, None, None, size, skipped=f"too-large ({size} bytes; cap {cap})"
            ), None
        if key is None:
            return self._fetch_file(model, path, sha, None, deadline)
        with self._blob_lock(key):  # two models sharing one LICENSE: one download, not two
            if (data := self.blobs.get(key)) is not None:
                return repo_file_from_bytes(path, data), None  # the same content, read before
            return self._fetch_file(model, path, sha, key, deadline)

    def _blob_lock(self, key: str) -> threading.Lock:
        with self._blob_locks_lock:
            return self._blob_locks.setdefault(key, threading.Lock())

    def _fetch_file(
        self, model: ModelId, path: str, sha: str, key: str | None, deadline: _Deadline
    ) -> tuple[RepoFile, str | None]:
        """The file from the huggingface_hub cache for this commit, else one GET."""
        name, what, cap = str(model), f"file {path}", size_cap(path)
        local = self._in_hf_snapshot(model, path, sha)
        if local is not None:
            note = f"{path}: read from the huggingface_hub cache for commit {sha}"
            # the cache's snapshot entries are links to its blobs: followed, inside that cache
            return read_repo_file(path, local, follow_symlinks=True), note
        quoted = urllib.parse.quote(path, safe="/")
        url = f"{self.endpoint}/{model.repo_id}/resolve/{sha}/{quoted}"

        def download() -> _Answer:
            try:
                answer: _Answer = _bounded(
                    lambda: self._get(name, url, what, deadline, cap=cap),
                    deadline.remaining() + ABANDON_GRACE,
                )
            except _Abandoned:
                raise _Transient(
                    f"the download was still running after {deadline.elapsed():.1f} s"
                ) from None
            if key is not None and len(answer.body) <= cap and not matches(key, answer.body):
                raise _Transient("the download does not match the blob id the Hub listed")
            return answer

        answer = self._retrying(name, deadline, what, download)
        for commit in answer.commits:
            if commit != sha:
                raise NetworkError(name, f"{what}: the Hub served commit {commit}, not {sha}")
        if len(answer.body) > cap:
            log.warning("%s: %s is larger than its %d-byte cap; skipped", name, path, cap)
            skipped = f"too-large (over {cap} bytes; cap {cap})"
            return RepoFile(path, None, None, None, skipped=skipped), None
        if key is not None:
            self.blobs.put(key, answer.body)
        return repo_file_from_bytes(path, answer.body), None

    def _in_hf_snapshot(self, model: ModelId, path: str, sha: str) -> Path | None:
        """The file in the huggingface_hub cache for exactly this commit (no request), or None.
        When the repo has no folder in that cache at all, there is nothing to look up."""
        if not _in_hf_cache(model.repo_id):
            return None
        from huggingface_hub import hf_hub_download

        try:
            local = hf_hub_download(
                model.repo_id, path, revision=sha, endpoint=self._endpoint, local_files_only=True
            )
        except Exception:  # not cached (LocalEntryNotFoundError and friends)
            return None
        return Path(local)

    def _retrying(self, model: str, deadline: _Deadline, what: str, func: Any) -> Any:
        """Call `func` until it succeeds, a permanent error, max attempts or the budget's end."""
        attempts = 0
        last: _Transient | None = None
        while attempts == 0 or deadline.remaining() > 0.01:  # always one attempt
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
    @property
    def cache_root(self) -> Path:
        return self.cache.root

    def prefetch_settings(self, workers: int) -> Any:
        """What a child process needs to read models into the same cache (see prefetch.py)."""
        from .prefetch import HubSettings

        return HubSettings(
            cache_root=str(self.cache.root),
            endpoint=self._endpoint,
            timeout=self.policy.timeout,
            budget=self.policy.budget,
            backoff=self.policy.backoff,
            workers=workers,
            # prefetch() starts one child per core (at most 8): each gets its share of the slots
            concurrency=max(1, self.concurrency // max(1, min(os.cpu_count() or 1, 8))),
            reserve=self.concurrency,
        )

    def is_local(self, model: ModelId) -> bool:
        """True when fetch() will make no request beyond, for a gated repo, one fresh access
        check: a pinned sha whose snapshot is cached."""
        revision = model.revision
        return bool(model.pinned and revision and self.cache.has(model.repo_id, revision))

    def fetch(self, model: ModelId) -> Snapshot:
        if model.pinned:
            assert model.revision is not None
            cached = self.cache.get(model.repo_id, model.revision)
            if cached is not None:
                log.info(
                    "%s: snapshot cache hit at %s (%s)",
                    model,
                    model.revision,
                    "a fresh access check" if cached.gated else "no request",
                )
                self._recheck_access(model, cached)
                return _cached_note(cached)
        if _offline():
            snapshot = self._offline_snapshot(model)
            self._recheck_access(model, snapshot)
            return snapshot
        self._client()  # import and set up the client before the model's time budget starts
        deadline = _Deadline(self.policy.budget)
        info = self._model_info(model, deadline)
        log.info("%s: the Hub answered in %.2f s: commit %s", model, deadline.elapsed(), info.sha)
        if model.pinned and info.sha != model.revision:
            raise NetworkError(
                str(model), f"the Hub answered for commit {info.sha}, not the one asked"
            )
        cached = self.cache.get(model.repo_id, info.sha)
        if cached is not None:
            log.info("%s: snapshot cache hit at %s", model, info.sha)
            if info.gated or cached.gated:
                self._auth_check(str(model), deadline)
            return _cached_note(cached)
        snapshot = self._download(model, info, deadline)
        log.info(
            "%s: read %s at %s from the Hub (%.2f s in all)",
            model,
            ", ".join(f.path for f in snapshot.files if f.text is not None) or "no files",
            info.sha,
            deadline.elapsed(),
        )
        self.cache.put(snapshot)
        return snapshot

    def _recheck_access(self, model: ModelId, cached: Snapshot) -> None:
        """A gated repo's cached copy is used only after the Hub confirms, fresh, that the
        current token may read it (one `auth-check` request); offline that cannot be asked,
        so the copy is not used."""
        if not cached.gated:
            return
        if _offline():
            raise GatedRepo(
                str(model),
                "gated repository: its cached copy is used only after a fresh access check with"
                " the current token, and HF_HUB_OFFLINE is set",
            )
        self._client()
        self._auth_check(str(model), _Deadline(self.policy.budget))

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
        if info.gated:
            self._auth_check(name, deadline)
        files: list[RepoFile] = []
        notes: list[str] = []
        for path in wanted_files(list(info.siblings)):
            entry, note = self._file(model, info, path, deadline)
            if note:
                notes.append(note)
            if entry.skipped:
                notes.append(f"{path} skipped: {entry.skipped}")
            files.append(entry)
        overflow = license_overflow(info.siblings)
        if overflow is not None:
            notes.append(f"{overflow.path} skipped: {overflow.skipped}")
            files.append(overflow)
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
    # path -> (blob store key, size in bytes), as `?blobs=true` lists them; either may be None
    files: dict[str, tuple[str | None, int | None]] = field(default_factory=dict)

    @classmethod
    def from_hf(cls, model: str, info: Any) -> _ModelInfo:
        """From huggingface_hub's ModelInfo, through the same checks as the raw JSON."""
        card = getattr(info, "card_data", None)
        if card is not None and hasattr(card, "to_dict"):
            card = card.to_dict()
        modified = getattr(info, "last_modified", None)
        data = {
            "sha": getattr(info, "sha", None),
            "gated": getattr(info, "gated", False),
            "cardData": card,
            "tags": getattr(info, "tags", None),
            "siblings": [
                {"rfilename": getattr(s, "rfilename", None)}
                for s in (getattr(info, "siblings", None) or [])
            ],
            "pipeline_tag": getattr(info, "pipeline_tag", None),
            "library_name": getattr(info, "library_name", None),
            "author": getattr(info, "author", None),
            "lastModified": modified.isoformat() if modified is not None else None,
        }
        return cls.parse(model, data)

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
        files: dict[str, tuple[str | None, int | None]] = {}
        for entry in data.get("siblings") or []:
            name = entry.get("rfilename") if isinstance(entry, dict) else None
            if isinstance(name, str) and name and "\x00" not in name:
                siblings.append(name)
                files[name] = _blob_meta(entry)
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
            files=files,
        )


def _blob_meta(entry: dict[str, Any]) -> tuple[str | None, int | None]:
    """(store key, size) of one listed file; what is missing or malformed is None (downloaded
    and checked as before)."""
    lfs = entry.get("lfs")
    lfs_sha = lfs.get("sha256") if isinstance(lfs, dict) else None
    size = lfs.get("size") if isinstance(lfs, dict) else entry.get("size")
    if not (isinstance(size, int) and not isinstance(size, bool) and size >= 0):
        size = None
    return blob_key(entry.get("blobId"), lfs_sha), size

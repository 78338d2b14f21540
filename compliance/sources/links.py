"""A card's `license_link`, followed: a file of another Hub repo, or (with consent) a web page.

- `https://huggingface.co/ORG/NAME/blob|resolve|raw/REV/PATH` naming *another* repo is read
  through the Hub client (huggingface_hub) at the sha REV resolves to now; the file joins the
  snapshot under its pinned URL (`https://huggingface.co/ORG/NAME/blob/<sha>/PATH`), which is
  what its evidence then names. A link into the model's own repo needs nothing: that file is
  read with the repo.
- any other http(s) link is fetched only when the user allowed it (`source.fetch_links` /
  `--fetch-links`), by compliance.sources.weblink, and joins the snapshot under its URL; a link
  the registry already knows (a reviewed URL -> licence mapping) is not fetched.

What is not read stays unread: normalisation then says the licence is unknown and names the
link (compliance.facts.normalize.read_license_link).
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..modelid import SHA_RE
from .interface import RepoFile, Snapshot

HUB_HOST = "https://huggingface.co"
_HUB_FILE = re.compile(
    r"^https?://(?:www\.)?huggingface\.co/(?:models/)?(?P<repo>[A-Za-z0-9][\w.-]*/[\w.-]+)"
    r"/(?:blob|resolve|raw)/(?P<rev>[^/?#]+)/(?P<path>[^?#]+)",
    re.I,
)


@dataclass(frozen=True)
class HubLink:
    repo: str
    revision: str
    path: str

    def pinned(self, sha: str) -> str:
        return f"{HUB_HOST}/{self.repo}/blob/{sha}/{urllib.parse.quote(self.path)}"


def hub_link(link: str) -> HubLink | None:
    """The repo, revision and file a Hub file URL names, or None."""
    m = _HUB_FILE.match(link.strip())
    if m is None:
        return None
    path = urllib.parse.unquote(m.group("path")).strip("/")
    rev = urllib.parse.unquote(m.group("rev"))
    if not path or ".." in path.split("/"):
        return None
    return HubLink(m.group("repo"), rev, path)


def is_pinned_file_of(path: str, link: str) -> bool:
    """True when `path` (a snapshot file) is the pinned copy of the Hub file `link` names."""
    want, got = hub_link(link), hub_link(path)
    return (
        want is not None
        and got is not None
        and want.repo.lower() == got.repo.lower()
        and want.path == got.path
        and bool(SHA_RE.match(got.revision))
    )


def read_hub_link(link: HubLink, *, endpoint: str | None = None, timeout: float = 10.0) -> RepoFile:
    """The linked file at the sha its revision resolves to, through huggingface_hub; a skipped
    entry (path: the link as given) when it cannot be read."""
    from .interface import MAX_LICENSE_BYTES

    unpinned = f"{HUB_HOST}/{link.repo}/blob/{link.revision}/{urllib.parse.quote(link.path)}"
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        return RepoFile(unpinned, None, None, None, skipped="not read: HF_HUB_OFFLINE is set")
    try:
        from huggingface_hub import HfApi, get_hf_file_metadata, hf_hub_download, hf_hub_url

        from .. import __version__
        from .reading import read_repo_file

        api = HfApi(endpoint=endpoint, library_name="compliance", library_version=__version__)
        sha = api.model_info(link.repo, revision=link.revision, timeout=timeout).sha
        if not isinstance(sha, str) or not SHA_RE.match(sha):
            raise ValueError("the Hub named no commit sha for the revision")
        url = hf_hub_url(link.repo, link.path, revision=sha, endpoint=endpoint)
        meta = get_hf_file_metadata(url, timeout=timeout, endpoint=endpoint)
        if meta.size is not None and meta.size > MAX_LICENSE_BYTES:
            why = f"too-large ({meta.size} bytes; cap {MAX_LICENSE_BYTES})"
            return RepoFile(link.pinned(sha), None, None, meta.size, skipped=why)
        local = hf_hub_download(
            link.repo, link.path, revision=sha, endpoint=endpoint, etag_timeout=timeout
        )
        if f"/snapshots/{sha}/" not in Path(local).as_posix():
            raise ValueError("huggingface_hub returned a file of another commit")
        # Read under a licence-like name (its size cap), then named by the pinned URL.
        read = read_repo_file("LICENSE", Path(local), follow_symlinks=True)
        return replace(read, path=link.pinned(sha))
    except Exception as exc:  # not found, gated, network: the link was not read
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        return RepoFile(
            unpinned, None, None, None, skipped=f"not read: {type(exc).__name__}: {first}"
        )


def read_with_repo(snapshot: Snapshot) -> bool:
    """Whether following the card's license_link leaves the snapshot as it is: no link, a path
    inside the repo, or a Hub link to this repo (its file is read with it)."""
    link = snapshot.card_data.get("license_link")
    if not isinstance(link, str) or not link.strip():
        return True
    link = link.strip()
    target = hub_link(link)
    if target is not None:
        return target.repo.lower() == snapshot.model.lower()
    return not link.lower().startswith(("http://", "https://"))


@dataclass(frozen=True)
class LinkSettings:
    """How far a scan follows licence links."""

    fetch_web: bool = False  # the user's consent for links outside the Hub
    cache_dir: Path | None = None  # web pages, by URL and ETag
    endpoint: str | None = None  # the Hub's; None: huggingface_hub's default (HF_ENDPOINT)


class LinkFollower:
    """Adds the files a card's `license_link` names to a snapshot."""

    def __init__(
        self,
        settings: LinkSettings,
        *,
        known_link: Callable[[str], bool] = lambda url: False,
        hub_reader: Callable[[HubLink], RepoFile] | None = None,
        web_fetch: Callable[[str], RepoFile] | None = None,
    ):
        self.settings = settings
        self.known_link = known_link
        self.hub_reader = hub_reader or (lambda h: read_hub_link(h, endpoint=settings.endpoint))
        self.web_fetch = web_fetch or self._fetch_web

    def _fetch_web(self, url: str) -> RepoFile:
        # weblink (sockets, an HTML parser) is imported only when a consented web link is
        # fetched: a warm scan whose links are in-repo paths never needs it.
        from .weblink import LinkFetcher

        return LinkFetcher(self.settings.cache_dir).fetch(url)

    def follow(self, snapshot: Snapshot) -> Snapshot:
        if read_with_repo(snapshot):
            return snapshot
        link = str(snapshot.card_data["license_link"]).strip()
        target = hub_link(link)
        note: str
        if target is not None:
            got = self.hub_reader(target)
            if got.text is not None:
                note = f"license_link {link}: read from the Hub as {got.path}"
            elif self.known_link(link):
                # A gated or vanished copy of a URL the registry maps (reviewed): the mapping
                # stands, as before links were followed, and the note says the text was not read.
                why = (
                    f"license_link {link}: {got.skipped}; the registry's licence for this URL "
                    "applies"
                )
                return replace(snapshot, notes=(*snapshot.notes, why))
            else:
                note = f"license_link {link}: {got.skipped}"
        elif self.known_link(link) or not self.settings.fetch_web:
            return snapshot  # the registry's reviewed mapping, or no consent: see normalize
        else:
            got = self.web_fetch(link)
            note = f"license_link {link}: " + (
                "fetched" if got.text is not None else str(got.skipped)
            )
        if any(f.path == got.path for f in snapshot.files):
            return snapshot
        return replace(snapshot, files=(*snapshot.files, got), notes=(*snapshot.notes, note))

"""The family catalogue (registry/families.yaml): model families, their release lines, and the
licence version each line (and each size group of a line) was released under.

It answers two questions: which release line a Hub repo belongs to (by its representative repo
ids, else by a name pattern), and which dated version a generic card id (`license: gemma`,
`license_name: qwen`) stands for on that repo. Loaded with the registry and validated like the
other registry files: a bad entry raises RegistryError naming the file.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .registry import RegistryError, _yaml_load

MODALITIES = ("text", "vision-language", "image", "video", "audio", "embedding", "code")
_KEY = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")
_REPO = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")
_PARAMS = re.compile(r"^(\d+(?:\.\d+)?)([MBT])(?:-A(\d+(?:\.\d+)?)([MBT]))?$")
_UNIT = {"M": 10**6, "B": 10**9, "T": 10**12}


@dataclass(frozen=True)
class Size:
    name: str  # as repo ids spell it: "8B", "30B-A3B", "Scout", "E2B"
    params: int | None  # total parameters (None: not published)
    active: int | None = None  # parameters active per token (mixture of experts)


@dataclass(frozen=True)
class SizeException:
    """Sizes of a line released under another licence (or of another modality)."""

    sizes: tuple[str, ...]
    license: str | None
    modality: str
    repos: tuple[str, ...] = ()
    card_license: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Relicence:
    """A later licence the publisher moved the line to (revisions before it keep the first)."""

    license: str | None
    date: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class SizeGroup:
    """Sizes of one line that share one licence and modality (a row of a shortlist)."""

    sizes: tuple[Size, ...]
    license: str | None
    modality: str
    repos: tuple[str, ...]


@dataclass(frozen=True)
class ReleaseLine:
    key: str
    family: str
    name: str
    publisher: str
    license: str | None  # registry key of the licence the line was released under; None: unknown
    modality: str
    source: str
    released: str | None = None
    sizes: tuple[Size, ...] = ()
    repos: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()  # anchored regex sources, compiled on first use
    exceptions: tuple[SizeException, ...] = ()
    later: tuple[Relicence, ...] = ()
    policies: tuple[str, ...] = ()  # use policies that apply besides the licence
    card_license: str | None = None  # what the repos' cards declare, when it is not `license`
    note: str | None = None

    @property
    def licenses(self) -> tuple[str | None, ...]:
        """Every licence a size of this line carries."""
        out = [self.license, *(e.license for e in self.exceptions)]
        return tuple(dict.fromkeys(out))

    @property
    def current_license(self) -> str | None:
        return self.later[-1].license if self.later else self.license

    def exception_for(self, size: str) -> SizeException | None:
        low = size.lower()
        return next((e for e in self.exceptions if low in (s.lower() for s in e.sizes)), None)

    def license_for(self, size: str | None) -> str | None:
        """The licence of one size; for an unknown size only when every size carries the same."""
        if size is None:
            lics = self.licenses
            return lics[0] if len(lics) == 1 else None
        exc = self.exception_for(size)
        return exc.license if exc is not None else self.license

    def groups(self) -> tuple[SizeGroup, ...]:
        """The line split into its size groups: the main group first, then each exception."""
        excepted = {s.lower() for e in self.exceptions for s in e.sizes}
        main = tuple(s for s in self.sizes if s.name.lower() not in excepted)
        out = []
        if main or not self.exceptions:
            out.append(SizeGroup(main, self.license, self.modality, self.repos))
        for e in self.exceptions:
            sizes = tuple(s for s in self.sizes if s.name.lower() in {x.lower() for x in e.sizes})
            out.append(SizeGroup(sizes, e.license, e.modality, e.repos))
        return tuple(out)


@dataclass(frozen=True)
class Family:
    key: str
    name: str
    publisher: str
    lines: tuple[ReleaseLine, ...]


@dataclass(frozen=True)
class GenericId:
    """A card id or licence name that names a family's terms without saying which version."""

    id: str
    family: str
    versions: tuple[str, ...]  # the record keys it may stand for


@dataclass(frozen=True)
class LineMatch:
    line: ReleaseLine
    repo: str
    size: str | None
    license: str | None  # None: the size (and with it the licence) could not be told
    by: str  # "repo" (a representative repo id) | "pattern" (the name)


@dataclass(frozen=True)
class ReleaseTerms:
    """What the catalogue says a generic id stands for on some repos."""

    generic: GenericId
    matches: tuple[LineMatch, ...]
    license: str | None  # None: the matches disagree, or name a licence outside `versions`

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.line.key for m in self.matches))


@dataclass(frozen=True)
class Catalogue:
    as_of: str
    families: tuple[Family, ...]
    generic_ids: Mapping[str, GenericId]  # lower-case id -> entry
    path: str | None = None

    def lines(self) -> tuple[ReleaseLine, ...]:
        return self._lines

    @functools.cached_property
    def _lines(self) -> tuple[ReleaseLine, ...]:
        return tuple(line for f in self.families for line in f.lines)

    @functools.cached_property
    def _by_repo(self) -> Mapping[str, tuple[tuple[ReleaseLine, SizeException | None], ...]]:
        """Lower-case representative repo id -> (line, the size exception listing it, if any):
        built once, so a lookup does not walk every line."""
        index: dict[str, list[tuple[ReleaseLine, SizeException | None]]] = {}
        for line in self._lines:
            for r in line.repos:
                index.setdefault(r.lower(), []).append((line, None))
            for e in line.exceptions:
                for r in e.repos:
                    index.setdefault(r.lower(), []).append((line, e))
        return {k: tuple(v) for k, v in index.items()}

    @functools.cached_property
    def _any_pattern(self) -> re.Pattern[str] | None:
        """Every line's patterns in one alternation: a name none of them matches (most of a
        large inventory) is answered by one search instead of one per pattern. None when the
        patterns cannot be joined (a back-reference would shift), so match() walks them all."""
        sources = [p for line in self._lines for p in line.patterns]
        if not sources or any("\\" + d in p for p in sources for d in "123456789"):
            return None
        try:
            return re.compile("|".join(f"(?:{p})" for p in sources), re.IGNORECASE)
        except re.error:
            return None

    @functools.cached_property
    def _hints(self) -> tuple[tuple[str, tuple[int, ...]], ...]:
        """(literal prefix, the lines one of whose patterns starts with it) for every pattern
        that has one; the lines with a pattern that has none are under the key ""."""
        index: dict[str, list[int]] = {}
        for n, line in enumerate(self._lines):
            for p in line.patterns:
                index.setdefault(_literal_prefix(p), []).append(n)
        return tuple((k, tuple(dict.fromkeys(v))) for k, v in index.items())

    def _hinted_lines(self, name: str) -> tuple[ReleaseLine, ...]:
        """The lines, in catalogue order, that may match `name` (ASCII, lower case): a pattern
        can only match where its literal prefix occurs. Exact for ASCII names only (under
        IGNORECASE some non-ASCII letters match ASCII ones)."""
        picked = {n for hint, lines in self._hints if hint in name for n in lines}
        return tuple(self._lines[n] for n in sorted(picked))

    def line(self, key: str) -> ReleaseLine | None:
        return next((x for x in self.lines() if x.key == key), None)

    def family(self, key: str) -> Family | None:
        return next((f for f in self.families if f.key == key), None)

    def match(self, repo: str) -> tuple[LineMatch, ...]:
        """The release lines a repo id belongs to: a representative repo id first, else the
        name patterns whose match is longest (so "Qwen2.5-VL-7B" is Qwen2.5-VL, not Qwen2.5)."""
        low = repo.strip().lower()
        name = _size_form(low.rsplit("/", 1)[-1])
        exact = []
        for line, exc in self._by_repo.get(low, ()):
            if exc is None:
                exact.append(LineMatch(line, repo, _size_in(line, name), line.license, "repo"))
            else:
                exact.append(LineMatch(line, repo, exc.sizes[0], exc.license, "repo"))
        if exact:
            return tuple(exact)
        lines: Iterable[ReleaseLine]
        if name.isascii():
            # Only lines whose patterns' literal prefixes occur in the name can match: most
            # patterns are never compiled in a process that matches a few names (the hook).
            lines = self._hinted_lines(name)
            if not lines:
                return ()
        else:
            screen = self._any_pattern
            if screen is not None and screen.search(name) is None:
                return ()  # no pattern matches anywhere: every span below would be 0
            lines = self.lines()
        best: list[LineMatch] = []
        longest = 0
        for line in lines:
            span = max((_match_len(_compiled(p), name) for p in line.patterns), default=0)
            if span == 0 or span < longest:
                continue
            size = _size_in(line, name)
            hit = LineMatch(line, repo, size, line.license_for(size), "pattern")
            if span > longest:
                best, longest = [hit], span
            else:
                best.append(hit)
        return tuple(best)

    def release_terms(self, generic_id: str, repos: Iterable[str]) -> ReleaseTerms | None:
        """What a generic id stands for on these repos (the model and its declared bases), or
        None when the id is not generic or no repo belongs to a line of its family."""
        gen = self.generic_ids.get(generic_id.strip().lower())
        if gen is None:
            return None
        matches = tuple(
            m for r in dict.fromkeys(repos) for m in self.match(r) if m.line.family == gen.family
        )
        if not matches:
            return None
        keys = {m.license for m in matches}
        key = next(iter(keys)) if len(keys) == 1 else None
        return ReleaseTerms(gen, matches, key if key in gen.versions else None)


@functools.cache
def _compiled(source: str) -> re.Pattern[str]:
    # Compiled when first matched, not when the pickled registry index loads (that stays fast).
    return re.compile(source, re.IGNORECASE)


_ANCHOR = "(?:^|(?<=[-_./]))(?:"  # how the loader wraps every pattern
_LITERAL = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
_QUANTIFIER = frozenset("?*+{")


def _literal_prefix(source: str) -> str:
    """The lower-case text every match of a loaded pattern starts with ("" when it cannot be
    told): its leading plain characters, less one a quantifier makes optional; "" when the
    pattern has a top-level `|`."""
    if not (source.startswith(_ANCHOR) and source.endswith(")")):
        return ""
    body = source[len(_ANCHOR) : -1]
    if _top_level_bar(body):
        return ""
    out: list[str] = []
    for ch in body.lower():
        if ch not in _LITERAL:
            if ch in _QUANTIFIER and out:
                out.pop()
            break
        out.append(ch)
    return "".join(out)


def _top_level_bar(body: str) -> bool:
    """Whether a regex source has a `|` outside every group (escapes and sets skipped) or
    unbalanced brackets (answered True: no prefix is trusted)."""
    depth, n = 0, 0
    while n < len(body):
        ch = body[n]
        if ch == "\\":
            n += 2
            continue
        if ch == "[":  # a set: "]" first (after an optional "^") is literal
            n += 1
            if n < len(body) and body[n] == "^":
                n += 1
            if n < len(body) and body[n] == "]":
                n += 1
            while n < len(body) and body[n] != "]":
                n += 2 if body[n] == "\\" else 1
            if n >= len(body):
                return True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return True
        elif ch == "|" and depth == 0:
            return True
        n += 1
    return depth != 0


_SIZE_BEFORE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.")
_SIZE_AFTER = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _states_size(name: str, size: str) -> bool:
    """Whether `name` states `size` as a word: what `(?<![a-z0-9.])SIZE(?![a-z0-9])` finds,
    without compiling a pattern per size."""
    word = size.lower()
    at = name.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or name[at - 1] not in _SIZE_BEFORE) and (
            end == len(name) or name[end] not in _SIZE_AFTER
        ):
            return True
        at = name.find(word, at + 1)
    return False


def _match_len(pattern: re.Pattern[str], name: str) -> int:
    m = pattern.search(name)
    return m.end() - m.start() if m else 0


def _size_form(name: str) -> str:
    """Repo names spell 1.8B as 1_8B (Qwen-1_8B): one form for size lookups."""
    return re.sub(r"(?<=\d)_(?=\d)", ".", name.lower())


def _size_in(line: ReleaseLine, name: str) -> str | None:
    """The size of `line` a repo name states; None when it states none or several that differ
    in licence."""
    hits = [s.name for s in line.sizes if _states_size(name, s.name)]
    if len({line.license_for(h) for h in hits}) == 1:
        return max(hits, key=len)
    return None


# -- loading ------------------------------------------------------------------------------------
def _text(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value) if isinstance(value, (str, int, float)) else None


class _Loader:
    """Validates families.yaml; every error names the file and the entry."""

    def __init__(self, path: Path, known: Container[str]):
        self.file = str(path)
        self.known = known

    def fail(self, where: str, message: str) -> RegistryError:
        return RegistryError(f"{where}: {message}", file=self.file)

    def list(self, data: Mapping[str, Any], name: str, where: str) -> list[Any]:
        value = data.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(where, f"`{name}` must be a list")
        return value

    def required(self, data: Mapping[str, Any], name: str, where: str) -> str:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"`{name}` is required")
        return value.strip()

    def licence(self, value: Any, where: str, *, note: str | None) -> str | None:
        if value is None:
            if not note:
                raise self.fail(where, "`license: null` (unknown) needs a `note` saying why")
            return None
        if not isinstance(value, str) or value not in self.known:
            raise self.fail(where, f"licence `{value}` is not a registry key")
        return value

    def modality(self, value: Any, where: str) -> str:
        if value not in MODALITIES:
            raise self.fail(where, f"`modality` must be one of {', '.join(MODALITIES)}")
        return str(value)

    def size(self, raw: Any, where: str) -> Size:
        params: Any
        if isinstance(raw, str):
            name, params = raw, raw
        elif isinstance(raw, dict) and isinstance(raw.get("name"), str):
            name, params = str(raw["name"]), raw.get("params")
        else:
            raise self.fail(where, "a size is a string or {name, params}")
        if params is None:
            return Size(name, None)
        m = _PARAMS.match(str(params))
        if not m:
            raise self.fail(where, f"size {params!r} must read like 8B, 1.5B, 270M or 30B-A3B")
        total = round(float(m.group(1)) * _UNIT[m.group(2)])
        active = round(float(m.group(3)) * _UNIT[m.group(4)]) if m.group(3) else None
        return Size(name, total, active)

    def repos(self, data: Mapping[str, Any], where: str) -> tuple[str, ...]:
        out = []
        for r in self.list(data, "repos", where):
            if not isinstance(r, str) or not _REPO.match(r):
                raise self.fail(where, f"repo {r!r} is not an org/name id")
            out.append(r)
        return tuple(out)

    def patterns(self, data: Mapping[str, Any], where: str) -> tuple[str, ...]:
        out = []
        for p in self.list(data, "match", where):
            if not isinstance(p, str):
                raise self.fail(where, f"bad pattern {p!r}: not a string")
            # Anchored at the start of the name or after a separator: "gemma-2" is not found
            # inside "codegemma-2b".
            source = rf"(?:^|(?<=[-_./]))(?:{p})"
            try:
                re.compile(source, re.IGNORECASE)
            except re.error as exc:
                raise self.fail(where, f"bad pattern {p!r}: {exc}") from exc
            out.append(source)
        return tuple(out)

    def exception(
        self, raw: Any, where: str, line: dict[str, Any], sizes: set[str]
    ) -> SizeException:
        if not isinstance(raw, dict):
            raise self.fail(where, "an exception must be a mapping")
        e_sizes = tuple(str(s) for s in self.list(raw, "sizes", where))
        if not e_sizes or not all(s.lower() in sizes for s in e_sizes):
            raise self.fail(where, "exception `sizes` must be sizes of the line")
        note = _text(raw.get("note"))
        return SizeException(
            sizes=e_sizes,
            license=self.licence(
                raw.get("license", line.get("license")), where, note=note or _text(line.get("note"))
            ),
            modality=self.modality(raw.get("modality", line.get("modality")), where),
            repos=self.repos(raw, where),
            card_license=_text(raw.get("card_license")),
            note=note,
        )

    def relicence(self, raw: Any, where: str) -> Relicence:
        if not isinstance(raw, dict):
            raise self.fail(where, "`later` entries must be mappings")
        note = _text(raw.get("note"))
        return Relicence(
            self.licence(raw.get("license"), where, note=note), _text(raw.get("date")), note
        )

    def line(self, raw: Any, family: str, publisher: str) -> ReleaseLine:
        if not isinstance(raw, dict):
            raise self.fail(f"family {family}", "a line must be a mapping")
        key = self.required(raw, "key", f"family {family}")
        where = f"line {key}"
        if not _KEY.match(key):
            raise self.fail(where, "`key` must be lower-case kebab")
        note = _text(raw.get("note"))
        sizes = tuple(self.size(s, where) for s in self.list(raw, "sizes", where))
        names = {s.name.lower() for s in sizes}
        policies = tuple(str(p) for p in self.list(raw, "policies", where))
        for p in policies:
            self.licence(p, where, note=None)
        return ReleaseLine(
            key=key,
            family=family,
            name=self.required(raw, "name", where),
            publisher=_text(raw.get("publisher")) or publisher,
            license=self.licence(raw.get("license"), where, note=note),
            modality=self.modality(raw.get("modality"), where),
            source=self.required(raw, "source", where),
            released=_text(raw.get("released")),
            sizes=sizes,
            repos=self.repos(raw, where),
            patterns=self.patterns(raw, where),
            exceptions=tuple(
                self.exception(e, where, raw, names) for e in self.list(raw, "exceptions", where)
            ),
            later=tuple(self.relicence(r, where) for r in self.list(raw, "later", where)),
            policies=policies,
            card_license=_text(raw.get("card_license")),
            note=note,
        )

    def family(self, raw: Any) -> Family:
        if not isinstance(raw, dict):
            raise self.fail("families", "a family must be a mapping")
        key = self.required(raw, "key", "family")
        publisher = self.required(raw, "publisher", f"family {key}")
        lines = tuple(
            self.line(x, key, publisher) for x in self.list(raw, "lines", f"family {key}")
        )
        if not lines:
            raise self.fail(f"family {key}", "has no lines")
        return Family(key, self.required(raw, "name", f"family {key}"), publisher, lines)

    def generic(self, gid: str, body: Any, families: set[str]) -> GenericId:
        where = f"generic id {gid}"
        if not isinstance(body, dict) or body.get("family") not in families:
            raise self.fail(where, "`family` must name a family")
        versions = tuple(str(v) for v in self.list(body, "versions", where))
        if not versions:
            raise self.fail(where, "`versions` is required")
        for v in versions:
            self.licence(v, where, note=None)
        return GenericId(gid, str(body["family"]), versions)

    def catalogue(self, data: Any) -> Catalogue:
        if not isinstance(data, dict):
            raise self.fail("families.yaml", "must be a mapping")
        as_of = _text(data.get("as_of"))
        if not as_of:
            raise self.fail(
                "families.yaml", "`as_of` (the date the catalogue was checked) is required"
            )
        families = tuple(self.family(f) for f in self.list(data, "families", "families.yaml"))
        for kind, keys in (
            ("family", [f.key for f in families]),
            ("line", [x.key for f in families for x in f.lines]),
        ):
            dupes = sorted({k for k in keys if keys.count(k) > 1})
            if dupes:
                raise self.fail("families.yaml", f"duplicate {kind} keys: {', '.join(dupes)}")
        raw_ids = data.get("generic_ids") or {}
        if not isinstance(raw_ids, dict):
            raise self.fail("families.yaml", "`generic_ids` must be a mapping")
        fam_keys = {f.key for f in families}
        generic = {
            str(g).lower(): self.generic(str(g), body, fam_keys) for g, body in raw_ids.items()
        }
        return Catalogue(as_of, families, generic, self.file)


def load_catalogue(path: Path, known_licenses: Container[str]) -> Catalogue:
    """Read and validate families.yaml; every licence it names must be a registry key."""
    return _Loader(path, known_licenses).catalogue(_yaml_load(path))

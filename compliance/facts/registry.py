"""The licence registry (registry/): records, Hub ids, licence names and links, publishers.

`load_registry()` reads the shipped registry once per process (about 60 small YAML files with the
C loader: a few milliseconds) into frozen dataclasses, validating each record; a bad record raises
RegistryError naming its file. Lookups: by key, by Hub `license:` id, by `license_name`, by
`license_link`, publisher by Hub org (all case-insensitive where the Hub is).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ComplianceError, ExitCode

if TYPE_CHECKING:
    from .families import Catalogue
    from .fingerprint import Fingerprints

from .model import (
    COMMERCIAL_USE,
    LICENSE_CLASSES,
    OUTPUT_TRAINING,
    TerritoryRestriction,
    terms_json,
)

DOCUMENT_KINDS = ("license", "policy")
# Facts a record states; each is {value, section, anchor, note}.
FACT_NAMES = (
    "commercial_use",
    "mau_cap",
    "revenue_cap",
    "territory_restrictions",
    "output_training",
    "attribution",
    "derivatives_inherit",
    "non_commercial",
    "research_only",
)
EU_REGIONS = frozenset({"EU", "EEA"})
_KEY = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_GIT_ID = re.compile(r"^[0-9a-f]{40}$")
PROVENANCE_FIELDS = ("repository", "url", "path", "commit", "git_blob", "sha256", "retrieved")


class RegistryError(ComplianceError):
    """A registry file is missing or invalid (a packaging bug: the registry ships with the tool)."""

    exit_code = ExitCode.RUNTIME


@dataclass(frozen=True)
class Fact:
    name: str
    value: Any
    section: str | None = None
    anchor: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Provenance:
    """Where the text a record was written from was read: enough for a reviewer to find it."""

    sha256: str  # of the exact bytes the record was written from (= its fingerprint's)
    repository: str | None = None  # a public repository (https://github.com/ORG/REPO)
    url: str | None = None  # or a page, when the text is not in a repository
    path: str | None = None
    commit: str | None = None  # 40-hex commit the text was read at
    git_blob: str | None = None  # 40-hex git blob id of the file
    retrieved: str | None = None  # date read
    authority: str | None = None  # official | third-party copy (why) | SPDX License List ...
    note: str | None = None  # e.g. how the bytes were transformed

    def to_json(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            "url": self.url,
            "path": self.path,
            "commit": self.commit,
            "git_blob": self.git_blob,
            "sha256": self.sha256,
            "retrieved": self.retrieved,
            "authority": self.authority,
            "note": self.note,
        }


@dataclass(frozen=True)
class LicenseRecord:
    key: str
    document: str  # license | policy
    name: str
    license_class: str
    spdx: str | None
    version_date: str | None = None
    hf_ids: tuple[str, ...] = ()
    publisher: str | None = None
    governing_law: str | None = None
    acceptable_use_policy: str | None = None  # key of the policy record it incorporates
    policy_for: tuple[str, ...] = ()
    url: str | None = None
    summary: str | None = None
    facts: tuple[Fact, ...] = ()
    markers: tuple[str, ...] = ()
    path: str | None = None  # file it was read from; None for an inline hf-ids entry
    inline: bool = False  # generic Hub id whose facts hf-ids.yaml states inline (no text record)
    note: str | None = None
    provenance: tuple[Provenance, ...] = ()  # the text(s) it was written from, primary first
    supersedes: str | None = None  # key of the previous dated revision of this text

    def fact(self, name: str) -> Fact | None:
        for f in self.facts:
            if f.name == name:
                return f
        return None

    def value(self, name: str, default: Any = None) -> Any:
        f = self.fact(name)
        return default if f is None or f.value is None else f.value

    @property
    def anchors(self) -> tuple[tuple[str, str], ...]:
        """(fact name, anchor phrase) for each fact that has an anchor."""
        return tuple((f.name, f.anchor) for f in self.facts if f.anchor)

    @property
    def territory(self) -> tuple[TerritoryRestriction, ...]:
        raw = self.value("territory_restrictions", [])
        return tuple(
            TerritoryRestriction(
                str(t["region"]), str(t.get("scope") or "all"), str(t.get("clause") or "license")
            )
            for t in raw
        )


@dataclass(frozen=True)
class PublisherInfo:
    org: str
    name: str | None
    country: str | None
    source: str | None = None
    reuploader: bool = False
    official: bool | None = None
    note: str | None = None
    quantizer: bool = False  # also publishes quantisations of others' models (origin: the base's)


@dataclass(frozen=True)
class RecordTerms:
    """The facts of a record with the facts of the use policy it incorporates folded in.

    `origin` maps each fact name to the record key that states it (the licence or its policy).
    """

    record: LicenseRecord
    policy: LicenseRecord | None
    commercial_use: str
    mau_cap: int | None
    revenue_cap: int | None
    territory_restrictions: tuple[TerritoryRestriction, ...]
    eu_restricted: bool | None
    output_training: str
    attribution: tuple[str, ...]
    acceptable_use_policy: str | None
    derivatives_inherit: bool | None
    non_commercial: bool | None
    research_only: bool | None
    origin: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return terms_json(self)


def eu_restricted_of(
    territory: Iterable[TerritoryRestriction], *, multimodal: bool | None = True
) -> bool:
    """True when a restriction withholds rights from the EU for a model of this modality.

    multimodal=True (or a licence text judged on its own: "any model it covers"), None (unknown:
    the stricter reading) and False (text-only: only restrictions of scope other than multimodal).
    """
    for t in territory:
        if t.region.upper() not in EU_REGIONS:
            continue
        if t.scope == "multimodal" and multimodal is False:
            continue
        return True
    return False


@dataclass(frozen=True)
class Registry:
    root: Path
    records: Mapping[str, LicenseRecord]
    hf_ids: Mapping[str, str | None]  # lower-case Hub id -> record key (None: says nothing)
    publishers: Mapping[str, PublisherInfo]  # lower-case org -> info
    license_names: Mapping[
        str, str | None
    ]  # lower-case name -> record key (None: known, no record)
    license_links: Mapping[str, str | None]  # normalised URL -> record key
    families: Catalogue | None = None  # families.yaml: release lines and their licences
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # -- lookups -------------------------------------------------------------------------------
    def get(self, key: str | None) -> LicenseRecord | None:
        return self.records.get(key) if key else None

    def __contains__(self, key: object) -> bool:
        return key in self.records

    def by_hf_id(self, hf_id: str | None) -> LicenseRecord | None:
        if not hf_id:
            return None
        return self.get(self.hf_ids.get(hf_id.strip().lower()))

    def knows_hf_id(self, hf_id: str | None) -> bool:
        return bool(hf_id) and hf_id.strip().lower() in self.hf_ids  # type: ignore[union-attr]

    def by_name(self, name: str | None) -> LicenseRecord | None:
        if not name:
            return None
        low = name.strip().lower()
        key = self.license_names.get(low)
        if key:
            return self.get(key)
        return self.records.get(low) or self.by_hf_id(low)

    def by_licence_id(self, licence_id: str | None) -> LicenseRecord | None:
        """A card id that is no Hub id this registry knows, read as an SPDX / ScanCode id.

        The record whose `spdx` is that id when there is one; else a class-only record from the
        ScanCode category in license-expression's index (text not read: other facts unknown);
        None when the index does not know the id or its category does not say enough."""
        if not licence_id:
            return None
        memo_key = f"licence-id:{licence_id.strip().lower()}"
        if memo_key in self._memo:
            return self._memo[memo_key]
        from .spdxclass import lookup

        entry = lookup(licence_id)
        rec: LicenseRecord | None = None
        if entry is not None:
            spdx = entry.spdx.lower()
            rec = next(
                (r for r in self.records.values() if r.spdx and r.spdx.lower() == spdx), None
            )
            if rec is None and entry.known_class:
                rec = LicenseRecord(
                    key=entry.spdx,
                    document="license",
                    name=entry.spdx,
                    license_class=entry.license_class,
                    spdx=entry.spdx,
                    inline=True,
                    facts=(Fact("non_commercial", True), Fact("commercial_use", "no"))
                    if entry.license_class == "non-commercial"
                    else (),
                    note=(
                        f"class {entry.license_class} from the ScanCode category "
                        f"'{entry.category}' of {entry.spdx} (license-expression's index); "
                        "the licence text was not read: its other facts are unknown"
                    ),
                )
        self._memo[memo_key] = rec
        return rec

    def knows_name(self, name: str | None) -> bool:
        return bool(name) and name.strip().lower() in self.license_names  # type: ignore[union-attr]

    def by_link(self, url: str | None) -> LicenseRecord | None:
        """The record a licence link names: a link listed in hf-ids.yaml or a record's `url`,
        else a canonical licence page (opensource.org, spdx.org, creativecommons.org, ...)
        whose path names an SPDX id."""
        if not url:
            return None
        norm = normalize_url(url)
        rec = self.get(self.license_links.get(norm))
        if rec is None:
            licence_id = canonical_licence_id(norm)
            if licence_id is not None:
                found = self.by_licence_id(licence_id)
                rec = found if found is not None and not found.inline else None
        return rec

    def publisher(self, org: str | None) -> PublisherInfo | None:
        return self.publishers.get(org.lower()) if org else None

    def policy_of(self, record: LicenseRecord) -> LicenseRecord | None:
        return self.get(record.acceptable_use_policy)

    # -- facts ---------------------------------------------------------------------------------
    def terms(self, record: LicenseRecord) -> RecordTerms:
        """The record's facts with its incorporated use policy folded in (restrictions add up)."""
        policy = self.policy_of(record)
        origin: dict[str, str] = {}
        for f in record.facts:
            if f.value is not None:
                origin[f.name] = record.key
        territory = list(record.territory)
        attribution = list(record.value("attribution", []) or [])
        if policy is not None:
            for t in policy.territory:
                if t not in territory:
                    territory.append(t)
                    origin["territory_restrictions"] = policy.key
            for a in policy.value("attribution", []) or []:
                if a not in attribution:
                    attribution.append(a)
        stated = record.fact("territory_restrictions") is not None or (
            policy is not None and policy.fact("territory_restrictions") is not None
        )
        eu = eu_restricted_of(territory) if stated else None
        if stated:
            origin.setdefault("eu_restricted", origin.get("territory_restrictions", record.key))
            if eu and any(t.region.upper() in EU_REGIONS for t in record.territory):
                origin["eu_restricted"] = record.key
            elif eu and policy is not None:
                origin["eu_restricted"] = policy.key

        def pick(name: str, allowed: tuple[str, ...]) -> str:
            value = record.value(name)
            if value is None and policy is not None:
                value = policy.value(name)
            return str(value) if value in allowed else "unknown"

        return RecordTerms(
            record=record,
            policy=policy,
            commercial_use=pick("commercial_use", COMMERCIAL_USE),
            mau_cap=_int_or_none(record.value("mau_cap")),
            revenue_cap=_int_or_none(record.value("revenue_cap")),
            territory_restrictions=tuple(territory),
            eu_restricted=eu,
            output_training=pick("output_training", OUTPUT_TRAINING),
            attribution=tuple(str(a) for a in attribution),
            acceptable_use_policy=record.acceptable_use_policy,
            derivatives_inherit=_bool_or_none(record.value("derivatives_inherit")),
            non_commercial=_bool_or_none(record.value("non_commercial")),
            research_only=_bool_or_none(record.value("research_only")),
            origin=origin,
        )

    # -- fingerprints ----------------------------------------------------------------------------
    def fingerprints(self) -> Fingerprints:
        fps = self._memo.get("fingerprints")
        if fps is None:
            from .fingerprint import load_fingerprints

            fps = self._memo["fingerprints"] = load_fingerprints(self.root / "fingerprints.json")
        return fps


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _bool_or_none(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


# Sites that publish the canonical text of a licence at a path naming its SPDX id: such a link
# means that licence (and nothing else), like a card's SPDX id.
_CANONICAL_LINKS = (
    (
        re.compile(
            r"^(?:opensource\.org|spdx\.org)/licenses?/([A-Za-z0-9.+-]+?)(?:\.html|\.php|\.txt|\.json)?$",
            re.I,
        ),
        "{}",
    ),
    (re.compile(r"^choosealicense\.com/licenses/([a-z0-9.+-]+)$", re.I), "{}"),
    (re.compile(r"^apache\.org/licenses/license-(2\.0)(?:\.txt|\.html)?$", re.I), "Apache-{}"),
    (
        re.compile(
            r"^creativecommons\.org/licenses/(by(?:-nc)?(?:-sa|-nd)?)/(\d\.\d)"
            r"(?:/legalcode(?:\.[a-z]{2,5})?)?$",
            re.I,
        ),
        "CC-{}-{}",
    ),
    (re.compile(r"^creativecommons\.org/publicdomain/zero/(1\.0)(?:/legalcode)?$", re.I), "CC0-{}"),
)


def canonical_licence_id(normalized_url: str) -> str | None:
    """The SPDX id a canonical licence page's address names (`normalize_url` form), else None."""
    for pattern, form in _CANONICAL_LINKS:
        m = pattern.match(normalized_url)
        if m:
            return form.format(*(g.upper() if form.startswith("CC-") else g for g in m.groups()))
    return None


def normalize_url(url: str) -> str:
    """Compare form of a licence URL: no scheme, no www., no trailing slash, lower-case host,
    huggingface.co /resolve/ == /blob/, no query or fragment."""
    u = url.strip().strip("<>").split("#", 1)[0].split("?", 1)[0]
    u = re.sub(r"^[a-z]+://", "", u, flags=re.IGNORECASE)
    host, _, path = u.partition("/")
    host = host.lower()
    if host.startswith("www."):
        host = host[4:]
    if host == "huggingface.co":
        path = path.replace("/resolve/", "/blob/")
    path = path.rstrip("/")
    return f"{host}/{path}" if path else host


# -- loading ------------------------------------------------------------------------------------
def _yaml_load(path: Path) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with path.open("rb") as fh:
            return yaml.load(fh, Loader=loader)
    except OSError as exc:
        raise RegistryError(f"cannot read: {exc.strerror or exc}", file=str(path)) from exc
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise RegistryError(
            f"invalid YAML: {str(exc).splitlines()[0]}",
            file=str(path),
            line=line + 1 if line is not None else None,
        ) from exc


def _opt_str(data: Mapping[str, Any], name: str, where: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, (int, float)) or hasattr(value, "isoformat"):
        return str(value)
    if not isinstance(value, str):
        raise RegistryError(f"`{name}` must be a string", file=where)
    return value


def _str_list(data: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    value = data.get(name)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise RegistryError(f"`{name}` must be a list of strings", file=where)
    return tuple(str(v) for v in value)


def _check_value(name: str, value: Any, where: str) -> None:
    if value is None:
        return
    bad = None
    if name == "commercial_use" and value not in COMMERCIAL_USE:
        bad = f"one of {', '.join(COMMERCIAL_USE)}"
    elif name == "output_training" and value not in OUTPUT_TRAINING:
        bad = f"one of {', '.join(OUTPUT_TRAINING)}"
    elif name in ("mau_cap", "revenue_cap") and (
        not isinstance(value, (int, float)) or isinstance(value, bool)
    ):
        bad = "an integer or null"
    elif name in (
        "derivatives_inherit",
        "no_derivatives",
        "non_commercial",
        "research_only",
    ) and not isinstance(value, bool):
        bad = "true, false or null"
    elif name == "attribution" and (
        not isinstance(value, list) or not all(isinstance(a, str) for a in value)
    ):
        bad = "a list of strings"
    elif name == "territory_restrictions":
        if not isinstance(value, list) or not all(
            isinstance(t, dict) and isinstance(t.get("region"), str) for t in value
        ):
            bad = "a list of {region, scope, clause}"
        else:
            for t in value:
                if t.get("clause") not in (None, "license", "policy"):
                    bad = "a list of {region, scope, clause} with clause license|policy"
    if bad:
        raise RegistryError(f"fact `{name}`: value {value!r} must be {bad}", file=where)


def _provenance(data: Any, where: str) -> tuple[Provenance, ...]:
    """`provenance:` as one mapping or a list of them; ids are checked for shape."""
    if data is None:
        return ()
    items = data if isinstance(data, list) else [data]
    out: list[Provenance] = []
    for item in items:
        if not isinstance(item, dict):
            raise RegistryError("`provenance` must be a mapping or a list of mappings", file=where)
        fields = {n: _opt_str(item, n, where) for n in (*PROVENANCE_FIELDS, "authority", "note")}
        sha = (fields["sha256"] or "").lower()
        if not _SHA256.match(sha):
            raise RegistryError("provenance: `sha256` must be 64 hex digits", file=where)
        for name in ("commit", "git_blob"):
            value = fields[name]
            if value is not None and not _GIT_ID.match(value.lower()):
                raise RegistryError(f"provenance: `{name}` must be 40 hex digits", file=where)
        if not fields["repository"] and not fields["url"]:
            raise RegistryError("provenance: needs a `repository` or a `url`", file=where)
        out.append(
            Provenance(
                sha256=sha,
                repository=fields["repository"],
                url=fields["url"],
                path=fields["path"],
                commit=fields["commit"].lower() if fields["commit"] else None,
                git_blob=fields["git_blob"].lower() if fields["git_blob"] else None,
                retrieved=fields["retrieved"],
                authority=fields["authority"],
                note=fields["note"],
            )
        )
    return tuple(out)


def parse_record(data: Any, where: str, *, expected_key: str | None = None) -> LicenseRecord:
    if not isinstance(data, dict):
        raise RegistryError("a licence record must be a mapping", file=where)
    key = data.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise RegistryError("`key` must be a lower-case kebab string", file=where)
    if expected_key is not None and key != expected_key:
        raise RegistryError(f"`key: {key}` differs from the file name ({expected_key})", file=where)
    document = data.get("document", "license")
    if document not in DOCUMENT_KINDS:
        raise RegistryError(f"`document` must be license or policy, not {document!r}", file=where)
    cls = data.get("class")
    if cls not in LICENSE_CLASSES:
        raise RegistryError(f"`class` must be one of {', '.join(LICENSE_CLASSES)}", file=where)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RegistryError("`name` is required", file=where)
    raw_facts = data.get("facts") or {}
    if not isinstance(raw_facts, dict):
        raise RegistryError("`facts` must be a mapping", file=where)
    facts: list[Fact] = []
    for fname, body in raw_facts.items():
        if not isinstance(body, dict) or "value" not in body:
            raise RegistryError(f"fact `{fname}` must be a mapping with `value`", file=where)
        _check_value(str(fname), body.get("value"), where)
        anchor = body.get("anchor")
        if anchor is not None and not isinstance(anchor, str):
            raise RegistryError(f"fact `{fname}`: `anchor` must be a string", file=where)
        facts.append(
            Fact(
                name=str(fname),
                value=body.get("value"),
                section=_opt_str(body, "section", where),
                anchor=anchor.strip() if anchor else None,
                note=_opt_str(body, "note", where),
            )
        )
    return LicenseRecord(
        key=key,
        document=document,
        name=name.strip(),
        license_class=cls,
        spdx=_opt_str(data, "spdx", where),
        version_date=_opt_str(data, "version_date", where),
        hf_ids=_str_list(data, "hf_ids", where),
        publisher=_opt_str(data, "publisher", where),
        governing_law=_opt_str(data, "governing_law", where),
        acceptable_use_policy=_opt_str(data, "acceptable_use_policy", where),
        policy_for=_str_list(data, "policy_for", where),
        url=_opt_str(data, "url", where),
        summary=_opt_str(data, "summary", where),
        facts=tuple(facts),
        markers=_str_list(data, "markers", where),
        path=where,
        provenance=_provenance(data.get("provenance"), where),
        supersedes=_opt_str(data, "supersedes", where),
    )


def _inline_record(hf_id: str, body: Mapping[str, Any], where: str) -> LicenseRecord:
    cls = body.get("class", "unknown")
    if cls not in LICENSE_CLASSES:
        raise RegistryError(
            f"`{hf_id}`: `class` must be one of {', '.join(LICENSE_CLASSES)}", file=where
        )
    facts = []
    for fname in FACT_NAMES:
        if fname in body:
            value = body[fname]
            if fname == "commercial_use" and value == "unknown":
                value = None
            if fname == "output_training" and value == "unknown":
                value = None
            _check_value(fname, value, f"{where} ({hf_id})")
            facts.append(Fact(fname, value))
    # Standard open-source / Creative Commons texts have no territory clause: [] ("not
    # addressed" is an empty list, README). Custom licences named inline stay unknown.
    spdx = body.get("spdx")
    standard = isinstance(spdx, str) and not spdx.startswith("LicenseRef-compliance-")
    if "territory_restrictions" not in body and (
        standard or cls in ("permissive", "weak-copyleft", "copyleft")
    ):
        facts.append(Fact("territory_restrictions", []))
    return LicenseRecord(
        key=hf_id,
        document="license",
        name=str(body.get("name") or hf_id),
        license_class=cls,
        spdx=body.get("spdx"),
        hf_ids=(hf_id,),
        facts=tuple(facts),
        inline=True,
        note=body.get("note"),
        url=body.get("url"),
    )


def _publishers(data: Any, where: str) -> dict[str, PublisherInfo]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RegistryError(
            "publishers.yaml must map Hub org -> {name, country, source}", file=where
        )
    out: dict[str, PublisherInfo] = {}
    for org, body in data.items():
        if not isinstance(body, dict):
            raise RegistryError(f"publisher `{org}` must be a mapping", file=where)
        country = body.get("country")
        if country is not None and (
            not isinstance(country, str) or not re.fullmatch(r"[A-Z]{2}", country)
        ):
            raise RegistryError(
                f"publisher `{org}`: country {country!r} is not an ISO 3166-1 alpha-2 code",
                file=where,
            )
        out[str(org).lower()] = PublisherInfo(
            org=str(org),
            name=body.get("name"),
            country=country,
            source=body.get("source"),
            reuploader=bool(body.get("reuploader")),
            official=body.get("official"),
            note=body.get("note"),
            quantizer=bool(body.get("quantizer")),
        )
    return out


def load_registry_from(root: Path) -> Registry:
    """Read and validate a registry folder (uncached)."""
    lic_dir = root / "licenses"
    if not lic_dir.is_dir():
        raise RegistryError("no licenses/ folder", file=str(root))
    records: dict[str, LicenseRecord] = {}
    for path in sorted(lic_dir.glob("*.yaml")):
        rec = parse_record(_yaml_load(path), str(path), expected_key=path.stem)
        records[rec.key] = rec
    for rec in records.values():
        for ref in (rec.acceptable_use_policy, *rec.policy_for, rec.supersedes):
            if ref and ref not in records:
                raise RegistryError(f"names record `{ref}`, which does not exist", file=rec.path)
        if rec.supersedes == rec.key:
            raise RegistryError("`supersedes` names the record itself", file=rec.path)

    hf_ids: dict[str, str | None] = {}
    names: dict[str, str | None] = {}
    links: dict[str, str | None] = {}
    hf_path = root / "hf-ids.yaml"
    if hf_path.is_file():
        data = _yaml_load(hf_path) or {}
        if not isinstance(data, dict):
            raise RegistryError("hf-ids.yaml must be a mapping", file=str(hf_path))
        for hid, body in data.items():
            hid = str(hid)
            if hid in ("license_names", "license_links"):
                if not isinstance(body, dict):
                    raise RegistryError(f"`{hid}` must be a mapping", file=str(hf_path))
                for k, v in body.items():
                    if v is not None and str(v) not in records:
                        raise RegistryError(
                            f"{hid}: `{k}` names record `{v}`, which does not exist",
                            file=str(hf_path),
                        )
                    if hid == "license_names":
                        names[str(k).strip().lower()] = None if v is None else str(v)
                    else:
                        links[normalize_url(str(k))] = None if v is None else str(v)
                continue
            if not isinstance(body, dict):
                raise RegistryError(f"`{hid}` must be a mapping", file=str(hf_path))
            if "license" in body:
                target = body["license"]
                if target is not None and target not in records:
                    raise RegistryError(
                        f"`{hid}` names record `{target}`, which does not exist", file=str(hf_path)
                    )
                hf_ids[hid.lower()] = target
            else:
                rec = _inline_record(hid, body, str(hf_path))
                if rec.key not in records:
                    records[rec.key] = rec
                hf_ids[hid.lower()] = rec.key
    for rec in list(records.values()):
        for hid in rec.hf_ids:
            hf_ids.setdefault(hid.lower(), rec.key)
        for u in (rec.url,):
            if u:
                links.setdefault(normalize_url(u), rec.key)
    for rec in records.values():
        names.setdefault(rec.name.lower(), rec.key)

    pub_path = root / "publishers.yaml"
    publishers = _publishers(_yaml_load(pub_path), str(pub_path)) if pub_path.is_file() else {}
    families = None
    fam_path = root / "families.yaml"
    if fam_path.is_file():
        from .families import load_catalogue

        families = load_catalogue(fam_path, records)
    return Registry(
        root=root,
        records=records,
        hf_ids=hf_ids,
        publishers=publishers,
        license_names=names,
        license_links=links,
        families=families,
    )


def _stamp(root: Path) -> str:
    """Digest of what the loaded registry depends on (see compliance.facts.stamp)."""
    from .stamp import registry_stamp

    return registry_stamp(root)


def _cache_dir() -> Path | None:
    import os

    override = os.environ.get("COMPLIANCE_CACHE_DIR")
    if override:
        return Path(override)
    try:
        from platformdirs import user_cache_dir
    except ImportError:  # pragma: no cover
        return None
    return Path(user_cache_dir("compliance", appauthor=False))


def _load_with_disk_cache(root: Path) -> Registry:
    """Load the registry and its fingerprints, reusing a pickle kept in the user cache directory
    (keyed by _stamp, so any edit to a registry file or to this code invalidates it)."""
    import os
    import pickle

    base = _cache_dir()
    stamp = _stamp(root)
    target = base / "registry" / f"{stamp}.pickle" if base else None
    if target is not None and target.is_file():
        try:
            with target.open("rb") as fh:
                reg = _unpickle(fh)
            if isinstance(reg, Registry) and reg.root == root:
                return reg
        except Exception:  # a stale or broken cache entry: rebuild
            pass
    reg = load_registry_from(root)
    if target is not None:
        # The fingerprint index goes into the pickle too: unpickling it is several times faster
        # than parsing fingerprints.json, and it grows with every text the registry knows.
        reg.fingerprints()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            for old in target.parent.glob("*.pickle"):
                old.unlink(missing_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump(reg, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except OSError:
            pass
    return reg


def _unpickle(fh: Any) -> Any:
    """pickle.load with the cyclic garbage collector paused: unpickling builds tens of
    thousands of objects and none of them is garbage, so the collector's passes (triggered by
    allocations) only cost time (~3-5 ms on the warm hook)."""
    import gc
    import pickle

    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.load(fh)
    finally:
        if enabled:
            gc.enable()


@functools.lru_cache(maxsize=8)
def _cached(root: str) -> Registry:
    return _load_with_disk_cache(Path(root))


def load_registry(root: Path | None = None) -> Registry:
    """The registry at `root` (default: the shipped one), loaded once per process."""
    if root is None:
        from ..resources import registry_dir

        root = registry_dir()
    return _cached(str(Path(root).resolve()))

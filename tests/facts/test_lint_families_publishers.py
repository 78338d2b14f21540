"""Registry lint for the family catalogue and the publishers: every reference resolves, every
country is sourced (or unknown with a reason), no org is listed twice."""

from __future__ import annotations

import functools

import pycountry
import pytest
import yaml
from treepaths import REPO

from compliance.facts.families import Catalogue, ReleaseLine
from compliance.facts.registry import Registry, load_registry_from

REGISTRY = REPO / "registry"


@pytest.fixture(scope="module")
def reg() -> Registry:
    return load_registry_from(REGISTRY)


@pytest.fixture(scope="module")
def cat(reg: Registry) -> Catalogue:
    assert reg.families is not None
    return reg.families


def _lines(reg: Registry) -> list[ReleaseLine]:
    assert reg.families is not None
    return list(reg.families.lines())


def test_every_licence_key_resolves(reg: Registry) -> None:
    for line in _lines(reg):
        keys = [
            (line.license, line.note),
            *((e.license, e.note or line.note) for e in line.exceptions),
            *((r.license, r.note) for r in line.later),
            *((p, None) for p in line.policies),
        ]
        for key, why in keys:
            if key is None:
                assert why, f"{line.key}: an unknown licence needs a note saying why"
            else:
                assert reg.get(key) is not None, f"{line.key}: {key} is not a registry record"
        for p in line.policies:
            assert reg.get(p).document == "policy", f"{line.key}: {p} is not a use policy"  # type: ignore[union-attr]


def test_every_line_has_a_source_and_sizes(reg: Registry) -> None:
    for line in _lines(reg):
        assert line.source.strip(), line.key
        assert line.sizes or line.note, f"{line.key}: no sizes and no note saying why"


def test_every_publisher_of_a_line_is_a_known_first_party_org(reg: Registry) -> None:
    for line in _lines(reg):
        pub = reg.publisher(line.publisher)
        assert pub is not None, f"{line.key}: publisher {line.publisher} not in publishers.yaml"
        assert not pub.reuploader, f"{line.key}: {line.publisher} is a re-uploader"


def test_every_representative_repo_is_its_own_line(reg: Registry, cat: Catalogue) -> None:
    for line in _lines(reg):
        groups = [(line.repos, None), *((e.repos, e) for e in line.exceptions)]
        for repos, exc in groups:
            for repo in repos:
                hits = cat.match(repo)
                assert [h.line.key for h in hits] == [line.key], f"{repo}: {hits}"
                assert hits[0].license == (exc.license if exc else line.license), repo
                # a name that states a size states a size of its own group
                if hits[0].size is not None:
                    assert line.exception_for(hits[0].size) is exc, f"{repo}: wrong size group"
                org = repo.split("/", 1)[0]
                assert reg.publisher(org) is not None, f"{repo}: org {org} not in publishers.yaml"


def test_the_patterns_place_every_representative_name(reg: Registry, cat: Catalogue) -> None:
    """The same names under another org (a fine-tune, a quantisation) find the same line and
    size group by pattern alone."""
    for line in _lines(reg):
        groups = [(line.repos, line.license), *((e.repos, e.license) for e in line.exceptions)]
        for repos, licence in groups:
            for repo in repos:
                probe = "someone/" + repo.split("/", 1)[1]
                hits = cat.match(probe)
                assert [h.line.key for h in hits] == [line.key], f"{probe}: {hits}"
                assert hits[0].license in (licence, None), probe  # None: size not stated
                if len(line.licenses) == 1:
                    assert hits[0].license == licence, probe


def test_generic_ids_stand_for_versions_of_one_family(reg: Registry, cat: Catalogue) -> None:
    assert {"gemma", "llama3", "qwen"} <= set(cat.generic_ids)
    for gid, gen in cat.generic_ids.items():
        # what the id means without a catalogue match must be one of its versions
        default = reg.by_hf_id(gid) or reg.by_name(gid)
        assert default is not None and default.key in gen.versions, gid
        # and each version is a licence some line of that family carries
        fam = cat.family(gen.family)
        assert fam is not None
        carried = {lic for line in fam.lines for lic in line.licenses}
        assert set(gen.versions) <= carried, (gid, set(gen.versions) - carried)


def test_record_publishers_are_known(reg: Registry) -> None:
    for rec in reg.records.values():
        if rec.publisher:
            assert reg.publisher(rec.publisher) is not None, f"{rec.key}: {rec.publisher}"


# -- publishers.yaml ----------------------------------------------------------------------------
@functools.cache
def _raw_publishers() -> list[tuple[str, dict[str, object]]]:
    """(org, body) in file order, duplicates kept (a YAML mapping would drop them)."""
    node = yaml.compose((REGISTRY / "publishers.yaml").read_text(encoding="utf-8"))
    assert isinstance(node, yaml.MappingNode)
    out = []
    for key, value in node.value:
        body = yaml.safe_load(yaml.serialize(value))
        out.append((str(key.value), body))
    return out


def test_publisher_count() -> None:
    assert len(_raw_publishers()) >= 320


def test_no_org_twice() -> None:
    seen: dict[str, str] = {}
    for org, _ in _raw_publishers():
        assert org.lower() not in seen, f"{org} duplicates {seen[org.lower()]}"
        seen[org.lower()] = org


def test_every_publisher_has_a_sourced_country_or_says_why_not() -> None:
    for org, body in _raw_publishers():
        assert isinstance(body, dict) and str(body.get("name") or "").strip(), org
        country = body.get("country")
        if body.get("reuploader"):
            # origin of a re-upload is its base model's publisher, never the uploader's
            assert country is None, f"{org}: a re-uploader has no country"
            continue
        if country is None:
            assert str(body.get("note") or "").strip(), f"{org}: unknown country needs a note"
            continue
        assert isinstance(country, str), f"{org}: country {country!r} (quote NO etc.)"
        assert pycountry.countries.get(alpha_2=country) is not None, f"{org}: {country}"
        assert str(body.get("source") or "").strip(), f"{org}: country needs a source"

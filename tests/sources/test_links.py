"""A card's license_link followed: another Hub repo's file through the Hub client (the fake Hub),
and a web page only with consent (an injected fetcher: no internet)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from treepaths import TESTS

from compliance.config import load_config
from compliance.facts.normalize import normalize
from compliance.facts.registry import load_registry_from
from compliance.modelid import ModelId
from compliance.sources.hub import HubSource
from compliance.sources.interface import RepoFile, Snapshot
from compliance.sources.links import (
    HubLink,
    LinkFollower,
    LinkSettings,
    hub_link,
    is_pinned_file_of,
)

LINKED = "acme/linked-licence"
TERMS_SHA = "5d1e2f3a4b5c6d7e8f9001122334455667788990"
PINNED = f"https://huggingface.co/acme/demo-terms/blob/{TERMS_SHA}/LICENSE"
REG = load_registry_from(TESTS / "fixtures" / "registry")


@pytest.mark.parametrize("kind", ["blob", "resolve", "raw"])
def test_hub_link_forms(kind: str) -> None:
    got = hub_link(f"https://huggingface.co/Org/Name-1.5/{kind}/main/docs/LICENSE.md")
    assert got == HubLink("Org/Name-1.5", "main", "docs/LICENSE.md")
    assert hub_link("https://huggingface.co/Org/Name/blob/main/../../etc") is None
    assert hub_link("https://example.com/Org/Name/blob/main/LICENSE") is None
    assert is_pinned_file_of(
        "https://huggingface.co/org/name/blob/" + "a" * 40 + "/LICENSE",
        f"https://huggingface.co/Org/Name/{kind}/main/LICENSE",
    )


def _hub_snapshot(tmp_path: Path, model: str) -> Snapshot:
    from compliance.sources.cache import SnapshotCache

    return HubSource(SnapshotCache(tmp_path / "cache")).fetch(ModelId(model))


def test_a_file_of_another_hub_repo_is_read_at_its_resolved_sha(fake_hub, tmp_path) -> None:
    snap = LinkFollower(LinkSettings()).follow(_hub_snapshot(tmp_path, LINKED))
    linked = snap.file(PINNED)
    assert linked is not None and linked.text is not None
    assert linked.text.startswith("DEMO MODEL COMMUNITY LICENSE AGREEMENT")
    paths = [r.path for r in fake_hub.requests]
    assert any(p.startswith("/api/models/acme/demo-terms/revision/main") for p in paths)
    assert any(f"/acme/demo-terms/resolve/{TERMS_SHA}/LICENSE" in p for p in paths)
    facts = normalize(snap, REG)
    assert facts.license.key == "demo-2" and facts.mau_cap == 400_000_000
    assert facts.license.source == f"file:{PINNED}"
    assert any(e.file == PINNED and e.fact == "license.file" for e in facts.evidence)


def test_a_link_to_a_missing_hub_repo_makes_the_licence_unknown(fake_hub, tmp_path) -> None:
    snap = _hub_snapshot(tmp_path, LINKED)
    link = "https://huggingface.co/acme/no-such-repo/blob/main/LICENSE"
    snap = Snapshot.from_json(
        {**snap.to_json(), "card_data": {"license": "other", "license_link": link}}
    )
    followed = LinkFollower(LinkSettings()).follow(snap)
    facts = normalize(followed, REG)
    assert facts.license.key == "unknown"
    assert any(link in n for n in facts.notes)
    assert any(f.code == "license-conflict" and f.severity == "unknown" for f in facts.findings)


def _snap(link: str) -> Snapshot:
    return Snapshot(
        model="acme/x",
        revision="b" * 40,
        source="hub",
        digest="d",
        card_data={"license": "other", "license_link": link},
    )


class Web:
    def __init__(self, text: str | None):
        self.text = text
        self.asked: list[str] = []

    def __call__(self, url: str) -> RepoFile:
        self.asked.append(url)
        if self.text is None:
            return RepoFile(url, None, None, None, skipped="refused: not public")
        return RepoFile(url, self.text, "0" * 64, len(self.text))


DEMO2 = (TESTS / "fixtures" / "licenses" / "demo-2" / "LICENSE.txt").read_text(encoding="utf-8")


def test_a_web_link_is_not_fetched_without_consent() -> None:
    web = Web(DEMO2)
    link = "https://terms.example/licence"
    snap = LinkFollower(LinkSettings(fetch_web=False), web_fetch=web).follow(_snap(link))
    assert not web.asked
    facts = normalize(snap, REG)
    assert facts.license.key == "unknown"
    note = next(n for n in facts.notes if link in n)
    assert "--fetch-links" in note


def test_a_web_link_is_fetched_with_consent_and_read_as_a_licence_file() -> None:
    web = Web(DEMO2)
    link = "https://terms.example/licence"
    snap = LinkFollower(LinkSettings(fetch_web=True), web_fetch=web).follow(_snap(link))
    assert web.asked == [link]
    facts = normalize(snap, REG)
    assert facts.license.key == "demo-2" and facts.license.source == f"file:{link}"


def test_a_refused_web_link_makes_the_licence_unknown_naming_it() -> None:
    web = Web(None)
    link = "https://127.0.0.1/licence"
    facts = normalize(
        LinkFollower(LinkSettings(fetch_web=True), web_fetch=web).follow(_snap(link)), REG
    )
    assert facts.license.key == "unknown"
    assert any(link in n and "refused" in n for n in facts.notes)


def test_a_registry_known_link_is_not_fetched() -> None:
    web = Web("whatever the page says today")
    link = "https://example.invalid/demo2/license"  # the fixture registry maps it to demo-2
    follower = LinkFollower(
        LinkSettings(fetch_web=True),
        web_fetch=web,
        known_link=lambda url: REG.by_link(url) is not None,
    )
    facts = normalize(follower.follow(_snap(link)), REG)
    assert not web.asked and facts.license.key == "demo-2"


def test_fetch_links_in_the_config(tmp_path: Path) -> None:
    path = tmp_path / "compliance.yaml"
    path.write_text("version: 1\nsource: {fetch_links: true}\n", encoding="utf-8")
    config = load_config(path)
    assert config.source.kind == "hub" and config.source.fetch_links is True
    path.write_text("version: 1\nsource: {fetch_links: maybe}\n", encoding="utf-8")
    from compliance.config import ConfigError

    with pytest.raises(ConfigError, match="fetch_links"):
        load_config(path)


def test_scan_follows_a_hub_link_end_to_end(fake_hub, cli) -> None:
    code, out, err = cli("scan", LINKED, "--format", "json", "--no-lineage")
    assert code == 0, err
    (model,) = json.loads(out)["models"]
    assert any(e["file"] == PINNED for e in model["evidence"])


def test_fetch_links_flag_reaches_the_config(tmp_path: Path, cli, monkeypatch) -> None:
    from compliance.cli import common

    seen = []
    real = common.resolve_config

    def spy(path, source):
        config = real(path, source)
        seen.append(config.source.fetch_links)
        return config

    monkeypatch.setattr(common, "resolve_config", spy)
    monkeypatch.setattr("compliance.cli.scan.resolve_config", spy, raising=False)
    monkeypatch.chdir(tmp_path)
    cli("scan", "acme/does-not-matter", "--source", f"mirror:{tmp_path}", "--fetch-links")
    cli("scan", "acme/does-not-matter", "--source", f"mirror:{tmp_path}")
    assert seen == [True, False]


def test_an_unreadable_hub_link_the_registry_maps_keeps_the_mapping() -> None:
    link = "https://huggingface.co/gated-org/model/blob/main/LICENSE"

    def gated(h: HubLink) -> RepoFile:
        return RepoFile(link, None, None, None, skipped="not read: GatedRepoError: gated")

    follower = LinkFollower(LinkSettings(), hub_reader=gated, known_link=lambda url: url == link)
    snap = follower.follow(_snap(link))
    assert snap.file(link) is None and any("registry" in n for n in snap.notes)
    unmapped = LinkFollower(LinkSettings(), hub_reader=gated).follow(_snap(link))
    assert unmapped.file(link) is not None and unmapped.file(link).text is None

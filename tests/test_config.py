"""compliance.yaml validation: version first, every problem with its line, unknown keys warn."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from compliance.config import (
    DEFAULT_ALLOW_CLASSES,
    ConfigProblems,
    SourceSpec,
    config_from_dict,
    config_from_text,
    load_config,
)
from compliance.errors import ConfigError, ExitCode

ISSUE_EXAMPLE = """\
version: 1
source: hub                      # or {mirror: path}
organization:
  domicile: DE                   # ISO 3166-1 alpha-2; EU membership is derived
  monthly_active_users: 5000000
  use: commercial                # commercial | internal | research
  trains_on_outputs: false       # outputs used to train or improve other models
policy:
  allow_classes: [permissive, weak-copyleft, open-rail, restricted]   # the default
  deny_origins: []               # publisher countries not allowed, e.g. [CN]
  unknown: deny                  # deny | warn: a fact that could not be established
  packs: []                      # extra .rego files or folders
exceptions:
  - model: meta-llama/Llama-3.1-8B-Instruct
    revision: null               # optional: limit to one revision
    rules: [mau-cap-exceeded]
    reason: signed agreement with Meta, ref 2026-114
    approved_by: legal@example.com
    expires: 2027-06-30
"""


def load(tmp_path: Path, text: str, name: str = "compliance.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_issue_example_loads(tmp_path: Path) -> None:
    config = load(tmp_path, ISSUE_EXAMPLE)
    assert config.version == 1
    assert config.source == SourceSpec("hub")
    org = config.organization
    assert (org.domicile, org.monthly_active_users, org.use, org.trains_on_outputs) == (
        "DE",
        5_000_000,
        "commercial",
        False,
    )
    assert config.policy.allow_classes == DEFAULT_ALLOW_CLASSES
    assert config.policy.unknown == "deny"
    (exc,) = config.exceptions
    assert exc.model == "meta-llama/Llama-3.1-8B-Instruct"
    assert exc.revision is None
    assert exc.rules == ("mau-cap-exceeded",)
    assert exc.expires == dt.date(2027, 6, 30)
    assert exc.where == f"{tmp_path / 'compliance.yaml'}:14"
    assert config.warnings == ()


def test_missing_default_file_gives_defaults(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None)
    assert config.organization.use == "commercial"
    assert config.organization.domicile is None
    assert config.policy.unknown == "deny"
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_newer_version_is_reported_before_anything_else(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, "organization: {use: nonsense}\nversion: 2\nwhatever: 1\n")
    assert "newer than this tool understands" in str(info.value)
    assert info.value.line == 2
    assert not isinstance(info.value, ConfigProblems)
    assert info.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize("bad", ["'1'", "0", "true", "1.5"])
def test_version_must_be_a_positive_integer(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigError, match="`version` must be a positive integer"):
        load(tmp_path, f"version: {bad}\n")


def test_all_problems_are_collected_with_lines(tmp_path: Path) -> None:
    text = """\
version: 1
organization:
  domicile: XX
  monthly_active_users: -5
  use: commerce
  trains_on_outputs: maybe
policy:
  allow_classes: [permissive, nope]
  deny_origins: [China]
  unknown: maybe
  packs: [missing-pack/]
exceptions:
  - model: a/b
    rules: [source-error]
  - model: a/b
    revision: main
    rules: []
    reason: r
    approved_by: x
    expires: someday
"""
    with pytest.raises(ConfigProblems) as info:
        load(tmp_path, text)
    lines = dict.fromkeys(line for line, _ in info.value.problems)
    messages = "\n".join(msg for _, msg in info.value.problems)
    assert list(lines) == [3, 4, 5, 6, 8, 9, 10, 11, 13, 14, 16, 17, 20], messages
    assert "organization.domicile: must be an ISO 3166-1 alpha-2 country code" in messages
    assert "'source-error' cannot be waived" in messages
    assert "`reason` is required" in messages
    assert "must be a 40-hex commit sha" in messages
    assert "must list at least one finding code" in messages
    assert "policy pack not found" in messages
    text_form = str(info.value)
    assert text_form.startswith(f"{len(info.value.problems)} problems in ")
    assert f"{tmp_path / 'compliance.yaml'}:3: organization.domicile" in text_form


def test_unknown_keys_warn_with_line(tmp_path: Path, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="compliance"):
        config = load(
            tmp_path,
            "version: 1\norganisation: {domicile: DE}\norganization:\n  domicle: DE\n",
        )
    path = tmp_path / "compliance.yaml"
    assert config.warnings == (
        f"{path}:2: unknown key 'organisation' ignored",
        f"{path}:4: unknown key 'organization.domicle' ignored",
    )
    assert "unknown key 'organisation' ignored" in caplog.text


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="duplicate key") as info:
        load(tmp_path, "version: 1\norganization: {}\norganization: {}\n")
    assert info.value.line == 3


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, "version: 1\norganization:\n  domicile: [DE\n")
    assert info.value.file == str(tmp_path / "compliance.yaml")
    assert info.value.line is not None


@pytest.mark.parametrize(("written", "suggested"), [("UK", "GB"), ("EL", "GR")])
def test_common_country_mistakes_get_a_suggestion(written: str, suggested: str) -> None:
    with pytest.raises(ConfigError, match=f"use '{suggested}'"):
        config_from_text(f"organization: {{domicile: {written}}}\n")


def test_domicile_is_normalised() -> None:
    assert config_from_text("organization: {domicile: de}\n").organization.domicile == "DE"


def test_research_use_default_classes_include_research_terms() -> None:
    config = config_from_dict({"organization": {"use": "research"}})
    assert config.policy.allow_classes is None
    assert "research-only" in config.policy.effective_allow_classes("research")
    assert "non-commercial" in config.policy.effective_allow_classes("research")
    assert "non-commercial" not in config.policy.effective_allow_classes("commercial")
    explicit = config_from_dict({"policy": {"allow_classes": ["permissive"]}})
    assert explicit.policy.effective_allow_classes("research") == ("permissive",)


def test_packs_and_mirror_resolve_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "a.rego").write_text("package compliance.a\n")
    (tmp_path / "extra.txt").write_text("x")
    config = load(
        tmp_path,
        "version: 1\nsource: {mirror: models}\npolicy:\n  packs: [packs, packs/a.rego]\n",
    )
    assert config.source == SourceSpec("mirror", tmp_path / "models")
    assert config.policy.packs == (tmp_path / "packs", tmp_path / "packs" / "a.rego")
    with pytest.raises(ConfigError, match=r"must be a \.rego file or a folder"):
        load(tmp_path, "policy:\n  packs: [extra.txt]\n", name="other.yaml")


def test_exception_fields(tmp_path: Path) -> None:
    config = config_from_text(
        "exceptions:\n"
        "  - model: org/model\n"
        "    revision: 0e9e39f249a16976918f6564b8830bc894c89659\n"
        "    rules: [eu-restricted, acme-custom-rule]\n"
        "    reason: r\n"
        "    approved_by: a@example.com\n"
        "    expires: '2027-01-31'\n"
    )
    (exc,) = config.exceptions
    assert exc.revision == "0e9e39f249a16976918f6564b8830bc894c89659"
    assert exc.rules == ("eu-restricted", "acme-custom-rule")
    assert exc.expires == dt.date(2027, 1, 31)
    assert any("not a built-in code" in w for w in config.warnings)
    assert exc.matches("ORG/Model", "0e9e39f249a16976918f6564b8830bc894c89659")
    assert not exc.matches("org/model", "1" * 40)
    assert not exc.expired(dt.date(2027, 1, 31))
    assert exc.expired(dt.date(2027, 2, 1))


@pytest.mark.parametrize("missing", ["model", "rules", "reason", "approved_by", "expires"])
def test_every_exception_field_but_revision_is_required(missing: str) -> None:
    entry = {
        "model": "a/b",
        "rules": ["mau-cap-exceeded"],
        "reason": "r",
        "approved_by": "x",
        "expires": "2027-01-01",
    }
    del entry[missing]
    with pytest.raises(ConfigError, match=f"`{missing}` is required"):
        config_from_dict({"exceptions": [entry]})


def test_source_must_be_hub_or_mirror() -> None:
    with pytest.raises(ConfigError, match="source"):
        config_from_dict({"source": "s3"})
    assert SourceSpec.parse("mirror:/x") == SourceSpec("mirror", Path("/x"))


def test_min_confidence_default_and_override() -> None:
    assert config_from_dict({"version": 1}).policy.min_confidence == 0.8
    cfg = config_from_dict({"version": 1, "policy": {"min_confidence": 0.95}})
    assert cfg.policy.min_confidence == 0.95


@pytest.mark.parametrize("bad", ["1.5", "-0.1", "high", "true"])
def test_min_confidence_must_be_a_number_from_0_to_1(bad: str) -> None:
    with pytest.raises(ConfigProblems) as info:
        config_from_text(f"version: 1\npolicy:\n  min_confidence: {bad}\n")
    assert any("min_confidence" in msg and line == 3 for line, msg in info.value.problems)

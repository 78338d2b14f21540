"""Issue 14, items 1, 2 and 17: licence material that was not read, or is read differently,
never lets the card's declaration decide alone. Small repos in a mirror, the real CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import CORPUS

from compliance.sources.interface import MAX_LICENSE_FILES
from compliance.textcodec import decode

NC_TEXT = CORPUS / "licenses" / "cc-by-nc-4.0" / "LICENSE.txt"
needs_corpus = pytest.mark.skipif(not NC_TEXT.is_file(), reason="needs ../shared/corpus")
APACHE_CARD = "---\nlicense: apache-2.0\npipeline_tag: text-generation\n---\n# Model\n\nWords.\n"
CONFIG = (
    "version: 1\nsource: {mirror: mirror}\n"
    "organization: {domicile: DE, monthly_active_users: 1000, use: commercial}\n"
)


def nc_text() -> str:
    return NC_TEXT.read_text(encoding="utf-8")


@pytest.fixture()
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "compliance.yaml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "mirror"


def repo(mirror: Path, card: str = APACHE_CARD, name: str = "acme/m") -> Path:
    folder = mirror / name
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(card, encoding="utf-8")
    return folder


def check(cli, model: str = "acme/m") -> tuple[int, dict]:
    code, out, err = cli("check", "--model", model, "--format", "json")
    assert out, err
    (decision,) = json.loads(out)["decisions"]
    return code, decision


def test_the_same_folder_with_a_plain_apache_card_is_allowed(mirror, cli):
    # The control case: without hostile files, the card decides and the model is allowed.
    repo(mirror)
    code, d = check(cli)
    assert (code, d["decision"]) == (0, "allow")


@needs_corpus
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_licence_in_a_unicode_encoding_is_read_as_detect_reads_it(mirror, cli, encoding):
    folder = repo(mirror)
    data = nc_text().encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    (folder / "LICENSE").write_bytes(data)
    code, d = check(cli)
    assert (code, d["decision"]) == (1, "deny")
    assert "commercial-use-prohibited" in d["codes"]
    code, out, _ = cli("detect", "--format", "json", str(folder / "LICENSE"))
    assert json.loads(out)["files"][0]["license"]["key"] == "cc-by-nc-4.0"


def test_decode_strips_every_bom_and_sniffs_bomless_utf16():
    text = "Attribution-NonCommercial 4.0 International\n" * 3
    for encoding in ("utf-8-sig", "utf-16", "utf-32", "utf-16-le", "utf-16-be"):
        assert decode(text.encode(encoding)) == text, encoding
    assert decode(b"\xff\xfe\x00\x00" + text.encode("utf-32-le")) == text


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"\x00" + b"Apache License Version 2.0 " * 20, "binary"),
        (b"", "empty"),
        (b"x" * (1024 * 1024 + 10), "too-large"),
        (
            b"This model may be used for non-commercial research purposes only. Any commercial "
            b"use, including use in a product or a service offered to third parties, requires a "
            b"separate written licence from the authors. Redistribution of the weights is not "
            b"permitted without prior written permission.\n",
            "short",
        ),
        (b"-" * 10_000 + b"\nLicensed under the Apache License 2.0.\n", "padded pointer"),
    ],
)
def test_a_licence_file_not_read_or_not_known_makes_the_licence_unknown(mirror, cli, content, why):
    folder = repo(mirror)
    (folder / "LICENSE").write_bytes(content)
    code, d = check(cli)
    assert (code, d["decision"]) == (1, "deny"), why
    assert "license-unknown" in d["codes"] and "license-conflict" in d["codes"]
    conflict = next(f for f in d["findings"] if f["code"] == "license-conflict")
    assert "LICENSE" in conflict["message"]


def test_a_short_pointer_to_the_declared_licence_still_lets_the_card_decide(mirror, cli):
    folder = repo(mirror)
    (folder / "LICENSE").write_text("Licensed under the Apache License 2.0, see the link.\n")
    code, d = check(cli)
    assert (code, d["decision"]) == (0, "allow")


@pytest.mark.parametrize("target", ["inside", "outside"])
def test_a_symlinked_licence_file_is_never_followed_and_makes_the_licence_unknown(
    mirror, cli, tmp_path, target
):
    folder = repo(mirror)
    real = folder / "terms.txt" if target == "inside" else tmp_path / "outside.txt"
    real.write_text("Licensed under the Apache License 2.0.\n")
    os.symlink(real, folder / "LICENSE")
    code, d = check(cli)
    assert (code, d["decision"]) == (1, "deny")
    assert "license-unknown" in d["codes"]
    _, out, _ = cli("scan", "acme/m", "--format", "json")
    (model,) = json.loads(out)["models"]
    assert any("LICENSE: not read (symlink" in n for n in model["notes"])


def test_licence_files_beyond_the_count_cap_make_the_licence_unknown(mirror, cli):
    folder = repo(mirror)
    for n in range(MAX_LICENSE_FILES + 1):
        (folder / f"LICENSE-{n:03d}").write_text("Licensed under the Apache License 2.0.\n")
    code, d = check(cli)
    assert (code, d["decision"]) == (1, "deny")
    conflict = next(f for f in d["findings"] if f["code"] == "license-conflict")
    assert "could not be read" in conflict["message"]


def test_under_the_count_cap_the_same_files_are_read(mirror, cli):
    folder = repo(mirror)
    for n in range(MAX_LICENSE_FILES):
        (folder / f"LICENSE-{n:03d}").write_text("Licensed under the Apache License 2.0.\n")
    code, d = check(cli)
    assert (code, d["decision"]) == (0, "allow")


@needs_corpus
@pytest.mark.parametrize("path", ["COPYING", "COPYING.md", "LICENSES/CC-BY-NC-4.0.txt"])
def test_copying_and_licenses_folder_are_licence_files(mirror, cli, path):
    folder = repo(mirror)
    (folder / path).parent.mkdir(parents=True, exist_ok=True)
    (folder / path).write_text(nc_text())
    code, d = check(cli)
    assert (code, d["decision"]) == (1, "deny")
    assert "commercial-use-prohibited" in d["codes"]


@needs_corpus
def test_a_licence_text_pasted_as_the_license_value_is_a_licence_file(mirror, cli):
    body = "\n".join("  " + line for line in nc_text().splitlines())
    folder = repo(mirror, f"---\nlicense: |\n{body}\n---\n# Model\n")
    (folder / "LICENSE").write_text("Licensed under the Apache License 2.0.\n")
    code, d = check(cli)
    assert (code, d["decision"]) == (1, "deny")
    assert "commercial-use-prohibited" in d["codes"]


@needs_corpus
def test_a_licence_text_pasted_in_the_card_body_counts(mirror, cli):
    # Item 17: `license: apache-2.0` above the full CC-BY-NC text is not allowed.
    repo(mirror, APACHE_CARD + "\n## License\n\n" + nc_text() + "\n## Citation\n\nUs.\n")
    code, d = check(cli)
    assert (code, d["decision"]) == (1, "deny")
    assert "commercial-use-prohibited" in d["codes"]
    conflict = next(f for f in d["findings"] if f["code"] == "license-conflict")
    assert "apache-2.0" in conflict["message"] and "cc-by-nc-4.0" in conflict["message"]


BROKEN = (
    "---\nlicense: apache-2.0\ntags: [\nbase_model: acme/nc-base\n---\n# Model\n\n"
    "license: apache-2.0\n"
)


def test_broken_front_matter_makes_the_card_facts_unknown(mirror, cli):
    # Item 2: the body fallback must not read `license: apache-2.0` from the broken YAML.
    repo(mirror, BROKEN)
    code, d = check(cli)
    assert (code, d["decision"]) == (1, "deny")
    conflict = next(f for f in d["findings"] if f["code"] == "license-conflict")
    assert "metadata could not be read" in conflict["message"]
    _, out, _ = cli("scan", "acme/m", "--format", "json")
    (model,) = json.loads(out)["models"]
    assert model["license"]["key"] in (None, "unknown")


def test_a_front_matter_that_never_closes_is_not_read_as_a_body(mirror, cli):
    repo(mirror, "---\nlicense: mit\nbase_model: acme/nc-base\n\nLicense: apache-2.0\n")
    code, d = check(cli)
    assert (code, d["decision"]) == (1, "deny")
    _, out, _ = cli("scan", "acme/m", "--format", "json")
    (model,) = json.loads(out)["models"]
    assert model["license"]["key"] in (None, "unknown")

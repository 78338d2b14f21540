from __future__ import annotations

import pytest

from compliance.errors import UsageError
from compliance.modelid import ModelId, is_valid_repo_id, parse_model_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("meta-llama/Llama-3.1-8B-Instruct", ModelId("meta-llama/Llama-3.1-8B-Instruct")),
        ("Qwen/Qwen2.5-7B@main", ModelId("Qwen/Qwen2.5-7B", "main")),
        ("a/b@" + "ab" * 20, ModelId("a/b", "ab" * 20)),
        ("org/x@refs/pr/1", ModelId("org/x", "refs/pr/1")),
    ],
)
def test_parse_valid(text, expected):
    assert parse_model_id(text) == expected


def test_pinned_only_for_a_full_sha():
    assert parse_model_id("a/b@" + "0" * 40).pinned
    assert not parse_model_id("a/b@main").pinned
    assert not parse_model_id("a/b").pinned


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a",
        "a/b/c",
        "../x",
        "a/..",
        "/etc/passwd",
        "a/b c",
        "a/-b",
        "a/b.",
        "a--b/c",
        "a/b@",
        "a/b@../x",
        "a/" + "x" * 97,
        "a\\b/c",
    ],
)
def test_parse_invalid(text):
    with pytest.raises(UsageError):
        parse_model_id(text)


def test_is_valid_repo_id_matches_parse():
    assert is_valid_repo_id("google/gemma-2-9b-it")
    assert not is_valid_repo_id("google/gemma-2-9b-it@main")

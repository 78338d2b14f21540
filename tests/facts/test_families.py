"""The family catalogue (registry/families.yaml): loading, validation, repo matching, and which
licence version a generic card id stands for on a repo."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
import yaml
from treepaths import REPO

from compliance.facts.families import Catalogue, load_catalogue
from compliance.facts.registry import RegistryError, load_registry, load_registry_from

REGISTRY = REPO / "registry"


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    families = load_registry().families
    assert families is not None, "the shipped registry has a family catalogue"
    return families


def test_catalogue_is_dated_and_broad(cat: Catalogue) -> None:
    assert cat.as_of == "2026-12-04"
    assert len(cat.families) >= 30 and len(cat.lines()) >= 100
    modalities = {line.modality for line in cat.lines()}
    assert modalities == {
        "text",
        "vision-language",
        "image",
        "video",
        "audio",
        "embedding",
        "code",
    }


# The release lines the registry issue names, with the licence each was released under.
RELEASED_UNDER = {
    "llama-2": "llama-2",
    "llama-3": "llama-3",
    "llama-3.1": "llama-3.1",
    "llama-3.2-text": "llama-3.2",
    "llama-3.2-vision": "llama-3.2",
    "llama-3.3": "llama-3.3",
    "llama-4": "llama-4",
    "gemma-1": "gemma-2024-02-21",
    "gemma-2": "gemma-2024-04-01",
    "gemma-3": "gemma-2025-03-24",
    "gemma-3n": "gemma-2025-03-24",
    "gemma-4": "apache-2.0",
    "qwen-1": "tongyi-qianwen",
    "qwen-1.5": "tongyi-qianwen",
    "qwen-2": "apache-2.0",
    "qwen-2.5": "apache-2.0",
    "qwen2.5-vl": "apache-2.0",
    "qwen-3": "apache-2.0",
    "deepseek-v2": "deepseek-model",
    "deepseek-v3": "deepseek-model",
    "deepseek-r1": "mit",
    "deepseek-r1-distill-qwen": "mit",
    "deepseek-r1-distill-llama": "llama-3.1",
    "mistral-7b": "apache-2.0",
    "mixtral": "apache-2.0",
    "mistral-small-2409": "mistral-mrl",
    "mistral-small-3": "apache-2.0",
    "mistral-large-2": "mistral-mrl",
    "codestral": "mistral-mnpl",
    "ministral-8b": "mistral-mrl",
    "pixtral-12b": "apache-2.0",
    "phi-3": "mit",
    "phi-3.5": "mit",
    "phi-4": "mit",
    "glm-4-9b": "glm-4-9b",
    "chatglm3": "chatglm3-6b",
    "kimi-k2": "kimi-modified-mit",
    "minimax-text-01": "minimax-model-2025-01",
    "falcon-2": "falcon-2-11b",
    "falcon-3": "falcon-3",
    "olmo-2": "apache-2.0",
    "granite-3": "apache-2.0",
    "yi": "yi-community",
    "exaone-3.5": "exaone-nc",
    "gpt-oss": "apache-2.0",
    "grok-2": "grok-2-community",
}


@pytest.mark.parametrize("key", sorted(RELEASED_UNDER))
def test_required_release_lines(cat: Catalogue, key: str) -> None:
    line = cat.line(key)
    assert line is not None, f"no release line {key}"
    assert line.license == RELEASED_UNDER[key]
    assert line.source
    assert line.sizes or line.note  # sizes, or a note why there are none


def test_modalities_that_decide_eu_clauses(cat: Catalogue) -> None:
    modality = {k: cat.line(k).modality for k in ("llama-3.2-text", "llama-3.2-vision", "llama-4")}  # type: ignore[union-attr]
    assert modality == {
        "llama-3.2-text": "text",
        "llama-3.2-vision": "vision-language",
        "llama-4": "vision-language",
    }


def test_qwen25_size_groups(cat: Catalogue) -> None:
    line = cat.line("qwen-2.5")
    assert line is not None
    groups = {tuple(s.name for s in g.sizes): g.license for g in line.groups()}
    assert groups == {
        ("0.5B", "1.5B", "7B", "14B", "32B"): "apache-2.0",
        ("3B",): "qwen-research",
        ("72B",): "qwen-license",
    }
    assert line.license_for("3B") == "qwen-research" and line.license_for("7B") == "apache-2.0"
    assert line.license_for(None) is None  # a size not stated: no single licence (fail closed)
    assert set(line.licenses) == {"apache-2.0", "qwen-research", "qwen-license"}


def test_size_parameters(cat: Catalogue) -> None:
    qwen3 = {s.name: (s.params, s.active) for s in cat.line("qwen-3").sizes}  # type: ignore[union-attr]
    assert qwen3["30B-A3B"] == (30_000_000_000, 3_000_000_000)
    assert qwen3["0.6B"] == (600_000_000, None)
    kimi = cat.line("kimi-k2").sizes[0]  # type: ignore[union-attr]
    assert (kimi.params, kimi.active) == (10**12, 32_000_000_000)
    gemma3 = {s.name: s.params for s in cat.line("gemma-3").sizes}  # type: ignore[union-attr]
    assert gemma3["270M"] == 270_000_000


def test_later_relicence_is_the_current_licence(cat: Catalogue) -> None:
    line = cat.line("minimax-text-01")
    assert line is not None
    assert line.license == "minimax-model-2025-01" and line.current_license == "minimax-model"
    sd3 = cat.line("sd-3-medium")
    assert sd3 is not None and sd3.license is None  # released under a text we hold no record of
    assert sd3.current_license == "stability-ai-community"


@pytest.mark.parametrize(
    ("repo", "line", "size", "licence", "by"),
    [
        ("Qwen/Qwen2.5-3B-Instruct", "qwen-2.5", "3B", "qwen-research", "repo"),
        ("Qwen/Qwen2.5-7B-Instruct", "qwen-2.5", "7B", "apache-2.0", "repo"),
        ("someone/Qwen2.5-72B-Instruct-GGUF", "qwen-2.5", "72B", "qwen-license", "pattern"),
        # the longest matching pattern wins: Qwen2.5-VL, not Qwen2.5
        ("x/Qwen2.5-VL-7B-Instruct-AWQ", "qwen2.5-vl", "7B", "apache-2.0", "pattern"),
        ("x/Qwen2.5-VL-3B-Instruct-ft", "qwen2.5-vl", "3B", "qwen-research", "pattern"),
        # Qwen spells 1.8B as 1_8B
        ("x/Qwen-1_8B-Chat-Int4", "qwen-1", "1.8B", "tongyi-qianwen-research", "pattern"),
        ("x/Qwen1.5-4B-Chat-AWQ", "qwen-1.5", "4B", "tongyi-qianwen-research", "pattern"),
        (
            "x/DeepSeek-R1-Distill-Qwen-7B-abliterated",
            "deepseek-r1-distill-qwen",
            "7B",
            "mit",
            "pattern",
        ),
        (
            "x/DeepSeek-R1-Distill-Llama-70B-GGUF",
            "deepseek-r1-distill-llama",
            "70B",
            "llama-3.3",
            "pattern",
        ),
        ("x/Llama-3.2-11B-Vision-Instruct-ft", "llama-3.2-vision", "11B", "llama-3.2", "pattern"),
        ("x/Meta-Llama-3.1-8B-Instruct-abliterated", "llama-3.1", "8B", "llama-3.1", "pattern"),
        ("x/Meta-Llama-3-8B-Instruct-GGUF", "llama-3", "8B", "llama-3", "pattern"),
        # gemma-2b is Gemma 1; codegemma is not Gemma 1
        ("google/gemma-2b", "gemma-1", "2B", "gemma-2024-02-21", "repo"),
        ("x/gemma-2-2b-jpn-it", "gemma-2", "2B", "gemma-2024-04-01", "pattern"),
        ("x/codegemma-7b-it-GGUF", "codegemma", "7B", "gemma-2024-04-01", "pattern"),
        ("unsloth/gemma-4-E4B-it", "gemma-4", "E4B", "apache-2.0", "pattern"),
        ("x/GLM-4-9B-0414-GGUF", "glm-4-0414", "9B", "mit", "pattern"),
        ("THUDM/glm-4-9b-chat", "glm-4-9b", "9B", "glm-4-9b", "repo"),
        ("x/DeepSeek-V3-0324-GGUF", "deepseek-v3-mit", None, "mit", "pattern"),
        # a Qwen2.5 repo that states no size: the licence is not told (3B / 72B differ)
        ("x/qwen2.5-finetune", "qwen-2.5", None, None, "pattern"),
    ],
)
def test_match(
    cat: Catalogue, repo: str, line: str, size: str | None, licence: str | None, by: str
) -> None:
    (hit,) = cat.match(repo)
    assert (hit.line.key, hit.size, hit.license, hit.by) == (line, size, licence, by)


def test_match_none(cat: Catalogue) -> None:
    assert cat.match("acme/support-bot") == ()
    assert cat.match("x/tinyllama-1.1b-chat") == ()  # "llama" inside a word is not Llama


def _match_every_pattern(cat: Catalogue, repo: str) -> list[tuple[str, str | None]]:
    """What match() answers by name, found by searching every line's every pattern."""
    import re

    name = re.sub(r"(?<=\d)_(?=\d)", ".", repo.lower().rsplit("/", 1)[-1])
    best: list[tuple[str, str | None]] = []
    longest = 0
    for line in cat.lines():
        spans = [re.search(p, name, re.IGNORECASE) for p in line.patterns]
        span = max((m.end() - m.start() for m in spans if m), default=0)
        if span == 0 or span < longest:
            continue
        sizes = [
            s.name
            for s in line.sizes
            if re.search(rf"(?<![a-z0-9.]){re.escape(s.name.lower())}(?![a-z0-9])", name)
        ]
        size = max(sizes, key=len) if len({line.license_for(x) for x in sizes}) == 1 else None
        best = [*best, (line.key, size)] if span == longest else [(line.key, size)]
        longest = span
    return best


def test_match_by_prefix_finds_what_every_pattern_finds(cat: Catalogue) -> None:
    # match() only searches the lines whose patterns' literal prefixes occur in the name (and
    # states sizes without a regex): the same answer as searching them all, on names built
    # from every line's sizes and from pairs of them, and on non-ASCII names.
    import random

    names = []
    for line in cat.lines():
        for s in line.sizes:
            names += [f"x/{line.key}-{s.name}", f"x/{line.name.replace(' ', '-')}-{s.name}-it"]
            names.append(f"x/{line.name.replace(' ', '')}_{s.name.replace('.', '_')}-GGUF")
    rng = random.Random(19)
    names += [f"{rng.choice(names)}-{rng.choice(names)[2:]}" for _ in range(1500)]
    names += ["x/gemma-2-9\u212a", "x/\u0130lama-3-8b", "x/Qwen2.5-7B-\u017fft"]
    assert sum(1 for n in names if cat.match(n)) > len(names) // 2  # the names do match lines
    for name in names:
        got = [(m.line.key, m.size) for m in cat.match(name) if m.by == "pattern"]
        assert got == _match_every_pattern(cat, name), name


def test_release_terms(cat: Catalogue) -> None:
    got = cat.release_terms("gemma", ["google/gemma-2-9b"])
    assert got is not None and got.license == "gemma-2024-04-01" and got.lines == ("gemma-2",)
    got = cat.release_terms("GEMMA", ["acme/my-bot", "google/gemma-3-4b-it"])  # via a base
    assert got is not None and got.license == "gemma-2025-03-24"
    got = cat.release_terms("qwen", ["x/Qwen2.5-3B-Instruct-sft"])
    assert got is not None and got.license == "qwen-research"
    got = cat.release_terms("qwen", ["x/Qwen1.5-7B-Chat-ft"])
    assert got is not None and got.license == "tongyi-qianwen"
    # Gemma 4 is Apache-2.0: not a version of the Gemma terms, so `gemma` is not re-pointed
    got = cat.release_terms("gemma", ["unsloth/gemma-4-E4B-it"])
    assert got is not None and got.license is None and got.lines == ("gemma-4",)
    # lines that disagree settle nothing
    got = cat.release_terms(
        "llama3", ["x/merge", "meta-llama/Llama-3.3-70B-Instruct", "x/Llama-3.1-Swallow-70B"]
    )
    assert got is not None and got.license is None
    assert set(got.lines) == {"llama-3.3", "llama-3.1"}
    # only lines of the id's family count; ids that are not generic resolve nothing
    assert cat.release_terms("gemma", ["meta-llama/Llama-3.1-8B"]) is None
    assert cat.release_terms("qwen", ["x/DeepSeek-R1-Distill-Qwen-7B"]) is None
    assert cat.release_terms("llama3.1", ["meta-llama/Llama-3.1-8B"]) is None
    assert cat.release_terms("gemma", []) is None


def test_catalogue_survives_the_pickled_registry_index() -> None:
    reg = load_registry_from(REGISTRY)
    again = pickle.loads(pickle.dumps(reg, protocol=pickle.HIGHEST_PROTOCOL))
    assert again.families == reg.families and again.families is not None
    (hit,) = again.families.match("x/Qwen2.5-72B-Instruct-AWQ")
    assert hit.license == "qwen-license"


# -- validation ---------------------------------------------------------------------------------
def _valid() -> dict[str, Any]:
    return {
        "as_of": "2026-01-01",
        "generic_ids": {"demo": {"family": "fam", "versions": ["mit"]}},
        "families": [
            {
                "key": "fam",
                "name": "Fam",
                "publisher": "org",
                "lines": [
                    {
                        "key": "fam-1",
                        "name": "Fam 1",
                        "license": "mit",
                        "modality": "text",
                        "sizes": ["1B", "7B"],
                        "repos": ["org/fam-1-7b"],
                        "match": ["fam-1"],
                        "source": "licence record mit",
                    }
                ],
            }
        ],
    }


def _line(data: dict[str, Any]) -> dict[str, Any]:
    line: dict[str, Any] = data["families"][0]["lines"][0]
    return line


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: _line(d).update(license="no-such-key"), "not a registry key"),
        (lambda d: _line(d).update(license=None), "needs a `note`"),
        (lambda d: _line(d).update(modality="smell"), "`modality` must be one of"),
        (lambda d: _line(d).update(exceptions=[{"sizes": ["9B"]}]), "sizes of the line"),
        (lambda d: _line(d).update(match=["("]), "bad pattern"),
        (lambda d: _line(d).update(sizes=["8 bytes"]), "must read like"),
        (lambda d: _line(d).update(repos=["no-slash"]), "not an org/name id"),
        (lambda d: _line(d).pop("source"), "`source` is required"),
        (lambda d: _line(d).update(policies=["no-such-policy"]), "not a registry key"),
        (lambda d: d.pop("as_of"), "as_of"),
        (lambda d: d["families"][0]["lines"].append(dict(_line(d))), "duplicate line keys"),
        (lambda d: d["generic_ids"]["demo"].update(family="nope"), "must name a family"),
        (lambda d: d["generic_ids"]["demo"].update(versions=["nope"]), "not a registry key"),
    ],
)
def test_bad_catalogue_names_the_file(tmp_path: Path, edit: Any, message: str) -> None:
    data = _valid()
    path = tmp_path / "families.yaml"
    path.write_text(yaml.safe_dump(data))
    load_catalogue(path, {"mit"})  # the unedited catalogue is valid
    edit(data)
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(RegistryError, match=message) as err:
        load_catalogue(path, {"mit"})
    assert err.value.file == str(path)


def test_null_licence_with_a_note_is_unknown_not_an_error(tmp_path: Path) -> None:
    data = _valid()
    _line(data).update(license=None, note="its own text, which the registry holds no record of")
    path = tmp_path / "families.yaml"
    path.write_text(yaml.safe_dump(data))
    (hit,) = load_catalogue(path, {"mit"}).match("org/fam-1-7b")
    assert hit.license is None

"""File kinds: name patterns that cannot catch source files, then content; notebooks, TOML and
Makefiles are read (issue 17 item 15)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from compliance.refs import choose, extract_file, extract_paths

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_python_file_named_modelfile_is_python() -> None:
    # The project's own refs/modelfile.py used to be read as an Ollama Modelfile (four denies).
    path = ROOT / "compliance" / "refs" / "modelfile.py"
    assert choose(path) == "python"
    assert all(r.format != "modelfile" for r in extract_file(path))


def test_source_suffixes_win_over_name_patterns(tmp_path: Path) -> None:
    assert choose(tmp_path / "modelfile.sh") == "shell"
    assert choose(tmp_path / "Modelfile.yaml") == "yaml"
    assert choose(tmp_path / "dockerfile.py") == "python"
    assert choose(tmp_path / "Modelfile.llama3") == "modelfile"
    assert choose(tmp_path / "build.modelfile") == "modelfile"


def test_extensionless_modelfile_with_python_shebang_is_python(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "Modelfile",
        "#!/usr/bin/env python3\nFROM = 'x'\nfrom_pretrained('Qwen/Qwen2.5-7B-Instruct')\n",
    )
    refs = extract_file(p)
    assert [(r.model, r.format) for r in refs] == [("Qwen/Qwen2.5-7B-Instruct", "python")]


def test_real_modelfile_still_read(tmp_path: Path) -> None:
    p = _write(tmp_path, "Modelfile", "FROM hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M\n")
    assert [r.format for r in extract_file(p)] == ["modelfile"]


def _notebook(cells: list[dict[str, object]]) -> str:
    doc = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(doc, indent=1) + "\n"


def _cell(kind: str, *lines: str) -> dict[str, object]:
    src = [line + "\n" for line in lines[:-1]] + [lines[-1]]
    cell: dict[str, object] = {"cell_type": kind, "metadata": {}, "source": src}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def test_notebook_code_cells_are_read_with_file_lines(tmp_path: Path) -> None:
    text = _notebook(
        [
            _cell("markdown", "We tried `mistralai/Mistral-7B-v0.1` first."),
            _cell(
                "code",
                "from transformers import AutoModelForCausalLM",
                "m = AutoModelForCausalLM.from_pretrained('meta-llama/Llama-3.1-8B')",
            ),
            _cell("code", "%pip install vllm", "!vllm serve Qwen/Qwen2.5-7B-Instruct --port 8000"),
        ]
    )
    p = _write(tmp_path, "nb/explore.ipynb", text)
    refs = extract_file(p)
    assert sorted(r.model for r in refs) == ["Qwen/Qwen2.5-7B-Instruct", "meta-llama/Llama-3.1-8B"]
    lines = text.splitlines()
    for r in refs:
        assert r.model in lines[r.line - 1], (r, lines[r.line - 1])
    assert all(r.format == "notebook" for r in refs)


def test_notebook_found_under_a_directory(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "a.ipynb",
        _notebook([_cell("code", "pipeline('text-generation', model='google/gemma-2-9b')")]),
    )
    assert [r.model for r in extract_paths([str(tmp_path)])] == ["google/gemma-2-9b"]


def test_malformed_notebook_naming_models_is_an_error(tmp_path: Path) -> None:
    import pytest

    from compliance.errors import InputError

    p = _write(tmp_path, "bad.ipynb", '{"cells": [ {"source": "model_id = \'x/y\'"')
    with pytest.raises(InputError):
        extract_file(p)


def test_pyproject_and_toml_settings(tmp_path: Path) -> None:
    text = (
        '[project]\nname = "app"\ndependencies = ["transformers"]\n\n'
        "[tool.app.llm]\n"
        'model = "meta-llama/Llama-3.1-8B-Instruct"\n'
        'embedding_model_id = "BAAI/bge-m3"\n'
        'revision = "main"\n'
    )
    p = _write(tmp_path, "pyproject.toml", text)
    refs = extract_file(p)
    got = sorted((r.model, r.line) for r in refs)
    assert got == [("BAAI/bge-m3", 7), ("meta-llama/Llama-3.1-8B-Instruct", 6)]
    q = _write(
        tmp_path, "settings.toml", 'served = ["x"]\n[server]\nmodel_id = "Qwen/Qwen2.5-7B"\n'
    )
    assert [(r.model, r.line, r.format) for r in extract_file(q)] == [
        ("Qwen/Qwen2.5-7B", 3, "toml")
    ]


def test_makefile_recipes(tmp_path: Path) -> None:
    text = (
        "MODEL ?= mistralai/Mistral-7B-Instruct-v0.3\n"
        ".PHONY: serve\n"
        "serve:\n"
        "\tvllm serve Qwen/Qwen2.5-7B-Instruct \\\n"
        "\t\t--revision 0123456789abcdef0123456789abcdef01234567\n"
        "other:\n"
        "\tollama run $(MODEL)\n"
    )
    for name in ("Makefile", "GNUmakefile", "rules.mk"):
        p = _write(tmp_path, name, text)
        refs = extract_file(p)
        got = {(r.model, r.line, r.revision) for r in refs}
        assert ("Qwen/Qwen2.5-7B-Instruct", 4, "0123456789abcdef0123456789abcdef01234567") in got
        assert ("mistralai/Mistral-7B-Instruct-v0.3", 1, None) in got, got


def test_hook_files_pattern_covers_new_kinds() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    files = re.compile(hooks[0]["files"])
    for name in (
        "nb/explore.ipynb",
        "pyproject.toml",
        "conf/settings.toml",
        "Makefile",
        "sub/GNUmakefile",
        "mk/rules.mk",
        "Modelfile",
        "deploy/app.py",
    ):
        assert files.search(name), name
    assert not files.search("README.md")

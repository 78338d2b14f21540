"""Local model files: the licence a GGUF / safetensors header states, read without the tensors,
with broken headers as a per-file error (never a traceback, bounded memory)."""

from __future__ import annotations

import json
import struct
import tracemalloc
from pathlib import Path

import pytest

from compliance.errors import SourceError
from compliance.run.localfile import header_facts, local_file_facts
from compliance.sources.localfile import read_local

MB = 1024 * 1024


def write_gguf(path: Path, kv: dict[str, object], *, tensors: bool = True) -> Path:
    """A small GGUF file written with the gguf package's writer."""
    import gguf
    import numpy as np

    writer = gguf.GGUFWriter(str(path), "llama")
    for key, value in kv.items():
        if isinstance(value, list):
            writer.add_array(key, value)
        elif isinstance(value, int):
            writer.add_uint32(key, value)
        else:
            writer.add_string(key, str(value))
    if tensors:
        writer.add_tensor("token_embd.weight", np.ones((8, 8), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


FINETUNE = {
    "general.name": "Llama FT",
    "general.organization": "Acme",
    "general.license": "llama3.1",
    "general.source.huggingface.repository": "acme/apache-finetune",
    "general.base_model.count": 1,
    "general.base_model.0.name": "Llama 3.2 1B Instruct",
    "general.base_model.0.repo_url": "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct",
    "tokenizer.ggml.tokens": ["<s>", "</s>", "hello"],
    "tokenizer.ggml.scores": [0.0, 0.5, 1.0],
}


def test_gguf_header_keys_are_read(tmp_path: Path) -> None:
    path = write_gguf(
        tmp_path / "m.gguf",
        {
            **FINETUNE,
            "general.license.name": "llama3.1 community",
            "general.license.link": "https://www.llama.com/llama3_1/license/",
        },
    )
    header = read_local(path)
    assert header.kind == "gguf"
    assert header.get("general.license") == "llama3.1"
    assert header.get("general.license.name") == "llama3.1 community"
    assert header.get("general.license.link") == "https://www.llama.com/llama3_1/license/"
    assert header.get("general.organization") == "Acme"
    assert header.source_repo == "acme/apache-finetune"
    assert header.base_models == ("meta-llama/Llama-3.2-1B-Instruct",)
    assert header.get("tokenizer.ggml.tokens") is None  # arrays are not kept


def test_gguf_facts_cite_the_file_and_key(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "m.gguf", FINETUNE)
    facts = header_facts(read_local(path, "models/m.gguf"))
    assert facts.model == "models/m.gguf" and facts.source == "local-file"
    assert facts.license.declared == "llama3.1" and facts.license.key == "llama-3.1"
    assert facts.mau_cap == 700_000_000
    declared = [e for e in facts.evidence if e.fact == "license.declared"]
    assert declared and declared[0].file == "models/m.gguf"
    assert declared[0].quote == "general.license = llama3.1"
    assert {(b.model, b.relation) for b in facts.base_models} == {
        ("acme/apache-finetune", "quantized"),
        ("meta-llama/Llama-3.2-1B-Instruct", "finetune"),
    }
    assert facts.publisher.org == "Acme"


def test_header_values_lose_control_characters(tmp_path: Path) -> None:
    """A value cannot carry terminal escapes, nor a newline that adds a front-matter key."""
    path = write_gguf(
        tmp_path / "m.gguf",
        {"general.license": "mit\nlicense: apache-2.0", "general.license.name": "\x1b[31mX\x07"},
    )
    header = read_local(path)
    assert header.get("general.license") == "mit license: apache-2.0"
    assert header.get("general.license.name") == " [31mX "
    facts = header_facts(header)
    assert facts.license.declared == "mit license: apache-2.0"
    assert facts.license.key != "apache-2.0"


def test_gguf_without_a_licence_is_unknown(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "m.gguf", {"general.name": "x"})
    facts = header_facts(read_local(path))
    assert facts.license.key == "unknown" and facts.license.license_class == "unknown"


def test_tensor_data_is_never_read(tmp_path: Path) -> None:
    """The tensor section cut off: the header still reads (the reader stops at the keys)."""
    path = write_gguf(tmp_path / "m.gguf", FINETUNE)
    data = path.read_bytes()
    cut = data.index(b"token_embd.weight") - 8  # the tensor info section starts here
    (tmp_path / "cut.gguf").write_bytes(data[:cut])
    assert read_local(tmp_path / "cut.gguf").get("general.license") == "llama3.1"


def _raw_gguf(*kv: bytes, count: int | None = None) -> bytes:
    body = b"".join(kv)
    return b"GGUF" + struct.pack("<IQQ", 3, 0, len(kv) if count is None else count) + body


def _key(name: str) -> bytes:
    return struct.pack("<Q", len(name)) + name.encode()


HUGE_ARRAY = _raw_gguf(_key("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 0, 2**62))
HUGE_STRING_ARRAY = _raw_gguf(_key("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 2**40))
HUGE_STRING = _raw_gguf(_key("general.license") + struct.pack("<IQ", 8, 2**62) + b"mit")
HUGE_KEY_COUNT = _raw_gguf(_key("general.license") + struct.pack("<IQ", 8, 3) + b"mit", count=2**60)
NESTED = _raw_gguf(_key("a") + struct.pack("<IIQ", 9, 9, 1) + struct.pack("<IQ", 9, 1) * 10)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("not-gguf.gguf", b"this is not a GGUF file at all, just text\n" * 4),
        ("short.gguf", b"GGU"),
        ("huge-array.gguf", HUGE_ARRAY),
        ("huge-string-array.gguf", HUGE_STRING_ARRAY),
        ("huge-string.gguf", HUGE_STRING),
        ("huge-key-count.gguf", HUGE_KEY_COUNT),
        ("nested.gguf", NESTED),
        ("bad-version.gguf", b"GGUF" + struct.pack("<IQQ", 99, 0, 0)),
        ("empty.gguf", b""),
    ],
)
def test_broken_gguf_is_a_per_file_error_in_bounded_memory(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    tracemalloc.start()
    try:
        with pytest.raises(SourceError) as info:
            read_local(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * MB
    assert info.value.model == str(path)


def test_an_array_over_the_walk_cap_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import compliance.sources.localfile as localfile

    monkeypatch.setattr(localfile, "MAX_WALKED_ITEMS", 2)
    path = write_gguf(tmp_path / "m.gguf", FINETUNE)  # a 3-token vocabulary
    with pytest.raises(SourceError, match="cap 2"):
        read_local(path)


def test_truncated_gguf_written_by_the_writer(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "m.gguf", FINETUNE)
    data = path.read_bytes()
    cut = data.index(b"general.source")  # in the middle of the key/value section
    for end in (cut, cut + 5, 30):
        (tmp_path / "t.gguf").write_bytes(data[:end])
        with pytest.raises(SourceError, match="not a readable GGUF header"):
            read_local(tmp_path / "t.gguf")


def test_a_directory_named_gguf_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "d.gguf").mkdir()
    with pytest.raises(SourceError, match="not a regular file"):
        read_local(tmp_path / "d.gguf")


# -- safetensors --------------------------------------------------------------------------------


def write_safetensors(path: Path, metadata: dict[str, str]) -> Path:
    header = json.dumps(
        {"__metadata__": metadata, "w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}
    ).encode()
    path.write_bytes(struct.pack("<Q", len(header)) + header + b"\0\0\0\0")
    return path


def test_safetensors_metadata_is_read(tmp_path: Path) -> None:
    path = write_safetensors(
        tmp_path / "m.safetensors",
        {"modelspec.license": "cc-by-nc-4.0", "modelspec.author": "Acme", "format": "pt"},
    )
    facts = header_facts(read_local(path))
    assert facts.license.declared == "cc-by-nc-4.0"
    assert facts.license.license_class == "non-commercial"
    assert facts.evidence[0].file == str(path)
    assert "general.license = cc-by-nc-4.0" in {e.quote for e in facts.evidence}


@pytest.mark.parametrize(
    "content",
    [
        b"\x01\x02",
        struct.pack("<Q", 2**62) + b"{}",
        struct.pack("<Q", 100) + b"{}",
        struct.pack("<Q", 5) + b"nope!",
        struct.pack("<Q", 2) + b"[]",
    ],
)
def test_broken_safetensors_is_a_per_file_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "m.safetensors"
    path.write_bytes(content)
    with pytest.raises(SourceError, match="safetensors"):
        read_local(path)


# -- with the Hub repo it names -----------------------------------------------------------------


def test_llama_finetune_header_disagreeing_with_its_hub_repo_is_a_conflict(
    tmp_path: Path, fake_hub: object
) -> None:
    """The header says llama3.1; the Hub repo it names (acme/apache-finetune) says apache-2.0."""
    from compliance.config import SourceSpec
    from compliance.run.scan import Scanner, make_source

    path = write_gguf(tmp_path / "ft.gguf", FINETUNE)
    scanner = Scanner(make_source(SourceSpec(kind="hub")), lineage=False)
    facts = local_file_facts(path, "ft.gguf", scanner.facts_for)
    conflicts = [f for f in facts.findings if f.code == "license-conflict"]
    assert len(conflicts) == 1
    assert "acme/apache-finetune" in conflicts[0].message
    assert {e.file for e in conflicts[0].evidence} >= {"ft.gguf"}
    terms = facts.effective_terms()
    assert terms.license_class == "restricted" and terms.mau_cap == 700_000_000
    assert [n.model for n in facts.lineage] == [
        "acme/apache-finetune",
        "meta-llama/Llama-3.2-1B-Instruct",
    ]

"""Local model files: the licence a GGUF or safetensors file states in its own header.

GGUF: the header's key/value section is read with the `gguf` package's reader (the file is
memory-mapped; the tensor infos and tensors are never read). safetensors: the 8-byte header
length and the JSON header (capped), whose `__metadata__` holds string pairs.

Publisher input is untrusted: a header that claims more keys, a longer string or a longer array
than the file holds is an error for that file (raised as SourceError), found in time bounded by
the header's real size, without allocating what it claims.

The keys taken (GGUF naming; safetensors metadata also accepts the plain and `modelspec.`
names): general.license, general.license.name, general.license.link, general.name,
general.organization, general.base_model.N.{name,organization,repo_url},
general.source.huggingface.repository. `snapshot_of` turns them into a Snapshot whose card
front matter the facts stage reads like any model card; `key_of_line` maps the evidence back to
the file and key.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SourceError
from .interface import CARD_FILE, RepoFile, Snapshot

MAX_KV = 65_536  # real files carry well under 100 keys
MAX_ARRAY_DEPTH = 4
MAX_WALKED_ITEMS = 4_000_000  # string / nested array items walked one by one (vocabularies: ~256k)
MAX_VALUE_CHARS = 4096  # a licence name or link longer than this is cut
MAX_SAFETENSORS_HEADER = 64 * 1024 * 1024
MAX_BASE_MODELS = 64
LOCAL_EXTENSIONS = (".gguf", ".safetensors")

LICENSE = "general.license"
LICENSE_NAME = "general.license.name"
LICENSE_LINK = "general.license.link"
NAME = "general.name"
ORGANIZATION = "general.organization"
SOURCE_REPO = "general.source.huggingface.repository"
_BASE = re.compile(r"general\.base_model\.(\d+)\.(name|organization|repo_url)")
_WANTED = {LICENSE, LICENSE_NAME, LICENSE_LINK, NAME, ORGANIZATION, SOURCE_REPO}
# safetensors __metadata__ spellings of the same keys
_ALIASES = {
    "license": LICENSE,
    "license_name": LICENSE_NAME,
    "license_link": LICENSE_LINK,
    "modelspec.license": LICENSE,
    "modelspec.title": NAME,
    "modelspec.author": ORGANIZATION,
    "base_model": "general.base_model.0.repo_url",
}
_HUB_URL = re.compile(r"^https?://(?:www\.)?huggingface\.co/([^/\s?#]+/[^/\s?#]+)/?$")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")


@dataclass(frozen=True)
class LocalHeader:
    """The keys of one local model file's header that bear on its licence."""

    path: str  # as the user or the config wrote it
    kind: str  # "gguf" | "safetensors"
    values: tuple[tuple[str, str], ...]  # (key, value) in file order, only the keys taken
    digest: str  # sha256 of the header bytes read

    def get(self, key: str) -> str | None:
        return next((v for k, v in self.values if k == key), None)

    @property
    def source_repo(self) -> str | None:
        return hub_id(self.get(SOURCE_REPO))

    @property
    def base_models(self) -> tuple[str, ...]:
        """Hub ids of the declared base models (from their repo URLs; a bare Hub id too)."""
        out: list[str] = []
        for key, value in self.values:
            m = _BASE.fullmatch(key)
            if m and m.group(2) == "repo_url":
                found = hub_id(value)
                if found and found not in out:
                    out.append(found)
        return tuple(out[:MAX_BASE_MODELS])


def hub_id(value: str | None) -> str | None:
    """`org/name` from a Hub URL or id; None for anything else."""
    if not value:
        return None
    value = value.strip()
    m = _HUB_URL.match(value)
    candidate = m.group(1) if m else value
    return candidate if _HUB_ID.match(candidate) else None


def is_local_model_file(text: str) -> bool:
    return text.lower().endswith(LOCAL_EXTENSIONS)


def _keep(key: str) -> bool:
    return key in _WANTED or _BASE.fullmatch(key) is not None


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _clip(value: str) -> str:
    """A header value as one line of text: control characters (terminal escapes, newlines that
    would forge YAML or report lines) become spaces; at most MAX_VALUE_CHARS."""
    return _CONTROL.sub(" ", value[:MAX_VALUE_CHARS])


def _open_regular(path: Path) -> None:
    try:
        st = path.stat()
    except OSError as exc:
        raise SourceError(str(path), f"cannot read the model file ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(st.st_mode):
        raise SourceError(str(path), "not a regular file")
    if st.st_size == 0:
        raise SourceError(str(path), "empty file")


# -- GGUF ---------------------------------------------------------------------------------------


def _gguf_reader_class() -> Any:
    """A GGUFReader that reads the key/value section only, within the file's real size."""
    import numpy as np
    from gguf import GGUFReader, GGUFValueType

    class HeaderReader(GGUFReader):
        def _get(self, offset: int, dtype: Any, count: int = 1, override_order: Any = None) -> Any:
            count = int(count)
            itemsize = int(np.empty([], dtype=dtype).itemsize)
            if count < 0 or offset + itemsize * count > len(self.data):
                raise ValueError(f"truncated: {count} item(s) at offset {offset} pass the end")
            return super()._get(offset, dtype, count, override_order)

        def _build_fields(self, offs: int, count: int) -> int:
            if int(count) > MAX_KV:
                raise ValueError(f"header claims {int(count)} keys (more than {MAX_KV})")
            return int(super()._build_fields(offs, count))

        def _get_field_parts(self, orig_offs: int, raw_type: int) -> Any:
            if GGUFValueType(raw_type) != GGUFValueType.ARRAY:
                return super()._get_field_parts(orig_offs, raw_type)
            # Arrays (tokenizer vocabularies...) are skipped, not parsed: their size is
            # checked against the file before any item is touched.
            size = self._skip_array(orig_offs, 1)
            itype = self._get(orig_offs, np.uint32)
            return size, [itype], [], [GGUFValueType.ARRAY]

        def _skip_array(self, offs: int, depth: int) -> int:
            if depth > MAX_ARRAY_DEPTH:
                raise ValueError("arrays nested too deep")
            start = offs
            itype = GGUFValueType(int(self._get(offs, np.uint32)[0]))
            count = int(self._get(offs + 4, np.uint64)[0])
            offs += 12
            remaining = len(self.data) - offs
            scalar = self.gguf_scalar_to_np.get(itype)
            if scalar is not None:
                width = int(np.empty([], dtype=scalar).itemsize)
                if count * width > remaining:
                    raise ValueError(f"header claims an array of {count} items past the end")
                return offs + count * width - start
            if count * 8 > remaining:  # every string or array item takes at least 8 bytes
                raise ValueError(f"header claims an array of {count} items past the end")
            if count > MAX_WALKED_ITEMS:
                raise ValueError(f"header has an array of {count} items (cap {MAX_WALKED_ITEMS})")
            if itype == GGUFValueType.STRING:
                order = ">" if self.byte_order == "S" else "<"
                buf: Any = self.data  # a memory map: a buffer for struct
                end = len(buf)
                for _ in range(count):
                    if offs + 8 > end:
                        raise ValueError("truncated array of strings")
                    (length,) = struct.unpack_from(order + "Q", buf, offs)
                    offs += 8 + length
                    if offs > end:
                        raise ValueError("a string in an array passes the end of the file")
                return offs - start
            if itype == GGUFValueType.ARRAY:
                for _ in range(count):
                    offs += self._skip_array(offs, depth + 1)
                return offs - start
            raise ValueError(f"unknown array item type {itype}")

        def _build_tensor_info(self, offs: int, count: int) -> Any:
            return offs, []  # tensors are never read

        def _build_tensors(self, start_offs: int, fields: Any) -> None:
            return None

    return HeaderReader


def read_gguf(path: Path, shown: str | None = None) -> LocalHeader:
    """The licence keys of a GGUF file's header; SourceError for anything else."""
    name = shown or str(path)
    _open_regular(path)
    try:
        reader = _gguf_reader_class()(str(path))
        values: list[tuple[str, str]] = []
        for key, field in reader.fields.items():
            if not _keep(key) or not field.types or field.types[0].name == "ARRAY":
                continue
            value = field.contents()
            if isinstance(value, (str, int, float)):
                values.append((key, _clip(str(value))))
        digest = hashlib.sha256(bytes(reader.data[: reader.data_offset])).hexdigest()
    except SourceError:
        raise
    except (
        ValueError,
        KeyError,
        IndexError,
        OverflowError,
        TypeError,
        UnicodeDecodeError,
        struct.error,
        OSError,
        MemoryError,
    ) as exc:
        raise SourceError(name, f"not a readable GGUF header ({exc})") from exc
    return LocalHeader(name, "gguf", tuple(values), digest)


# -- safetensors --------------------------------------------------------------------------------


def read_safetensors(path: Path, shown: str | None = None) -> LocalHeader:
    """The licence keys of a safetensors file's `__metadata__`; SourceError for anything else."""
    name = shown or str(path)
    _open_regular(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            if len(head) < 8:
                raise ValueError("shorter than the 8-byte header length")
            (length,) = struct.unpack("<Q", head)
            if length > MAX_SAFETENSORS_HEADER:
                raise ValueError(f"header claims {length} bytes (cap {MAX_SAFETENSORS_HEADER})")
            if length > os.fstat(fh.fileno()).st_size - 8:
                raise ValueError(f"header claims {length} bytes past the end of the file")
            raw = fh.read(length)
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, struct.error, RecursionError) as exc:
        raise SourceError(name, f"not a readable safetensors header ({exc})") from exc
    if not isinstance(data, dict):
        raise SourceError(name, "not a readable safetensors header (not a JSON object)")
    meta = data.get("__metadata__") or {}
    values: list[tuple[str, str]] = []
    if isinstance(meta, dict):
        for key, value in meta.items():
            if not isinstance(key, str) or not isinstance(value, str):
                continue
            key = _ALIASES.get(key, key)
            if _keep(key) and all(k != key for k, _ in values):
                values.append((key, _clip(value)))
    return LocalHeader(name, "safetensors", tuple(values), hashlib.sha256(raw).hexdigest())


def read_local(path: Path, shown: str | None = None) -> LocalHeader:
    if path.name.lower().endswith(".safetensors"):
        return read_safetensors(path, shown)
    return read_gguf(path, shown)


# -- as a snapshot ------------------------------------------------------------------------------

# header key -> model card key, in the order the synthetic card lists them
_CARD_KEYS = ((LICENSE, "license"), (LICENSE_NAME, "license_name"), (LICENSE_LINK, "license_link"))


def snapshot_of(header: LocalHeader) -> tuple[Snapshot, dict[int, str]]:
    """A Snapshot whose card front matter states what the header states, and the header key
    behind each front-matter line (for evidence)."""
    lines = ["---"]
    key_of_line: dict[int, str] = {}
    for key, card_key in _CARD_KEYS:
        value = header.get(key)
        if value is not None:
            lines.append(f"{card_key}: {json.dumps(value)}")  # JSON is one-line, quoted YAML
            key_of_line[len(lines)] = key
    lines.append("---")
    text = "\n".join(lines) + "\n"
    card_data = {card: header.get(key) for key, card in _CARD_KEYS if header.get(key) is not None}
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(header.path).name)[:96] or "model"
    snapshot = Snapshot(
        model=f"local/{stem}",
        revision=None,
        source="mirror",
        digest=header.digest,
        card_data=card_data,
        files=(
            RepoFile(
                CARD_FILE,
                text,
                hashlib.sha256(text.encode()).hexdigest(),
                len(text.encode()),
            ),
        ),
        siblings=(CARD_FILE,),
        author=header.get(ORGANIZATION),
    )
    return snapshot, key_of_line

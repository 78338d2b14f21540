"""`detect a.txt bin.dat b.txt`: the binary file is an error row, the others are still read,
and the exit code is 2."""

from __future__ import annotations

import json
from pathlib import Path

TEXT = "Nothing to see here, just a shopping list of apples and pears.\n"


def _files(tmp_path: Path) -> list[str]:
    a, binary, b = tmp_path / "a.txt", tmp_path / "bin.dat", tmp_path / "b.txt"
    a.write_text(TEXT)
    binary.write_bytes(b"\x00\x01\x02binary")
    b.write_text(TEXT)
    return [str(a), str(binary), str(b)]


def test_text_goes_on_after_a_binary_file(cli, tmp_path: Path) -> None:
    a, binary, b = _files(tmp_path)
    code, out, err = cli("detect", a, binary, b)
    assert code == 2
    rows = [line for line in out.splitlines() if not line.startswith(" ")]
    assert rows[0].startswith(f"{a}: unknown")
    assert rows[1] == f"{binary}: error: binary file, not a licence text"
    assert rows[2].startswith(f"{b}: unknown")
    assert f"compliance: error: {binary}: binary file" in err


def test_json_has_an_error_entry_in_place(cli, tmp_path: Path) -> None:
    a, binary, b = _files(tmp_path)
    code, out, _ = cli("detect", a, binary, b, "--format", "json")
    assert code == 2
    files = json.loads(out)["files"]
    assert [f["path"] for f in files] == [a, binary, b]
    assert files[1]["error"] == "binary file, not a licence text"
    assert "license" not in files[1]
    assert files[0]["license"]["status"] and files[2]["license"]["status"]
    assert "error" not in files[0]

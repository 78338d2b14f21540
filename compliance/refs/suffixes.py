"""File suffixes that decide a file's kind on their own: a name pattern (`Modelfile.*`,
`Dockerfile.*`, `.env.*`) never takes a file with one of these, so `modelfile.py` is Python."""

from __future__ import annotations

from pathlib import Path

SOURCE_SUFFIXES = frozenset(
    {
        ".py", ".pyi", ".ipynb", ".yaml", ".yml", ".json", ".toml", ".mk",
        ".sh", ".bash", ".zsh", ".ksh", ".ps1", ".psm1", ".bat", ".cmd",
        ".js", ".ts", ".go", ".rs", ".java", ".rb", ".md", ".txt", ".rego",
    }
)  # fmt: skip


def has_source_suffix(path: Path) -> bool:
    return path.suffix.lower() in SOURCE_SUFFIXES

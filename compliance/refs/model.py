"""The model reference: one place in one file that names a model."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# hf-repo: a Hub repo id `org/name`; ollama-tag: an Ollama library tag mapped to its Hub base;
# closed-api: a hosted proprietary model (judged `proprietary`); local-path: a directory or file on
# disk; gguf-file: a .gguf file on disk; unresolved: something names a model we cannot pin down
# (an environment variable without default, an alias on a private server, an unknown Ollama tag).
KINDS = ("hf-repo", "ollama-tag", "closed-api", "local-path", "gguf-file", "unresolved")


@dataclass(frozen=True)
class ModelRef:
    file: str  # the path as given on the command line (or as found under a given directory)
    line: int  # 1-based line where the model string sits
    raw: str  # the text as written (after quotes are stripped)
    kind: str  # one of KINDS
    model: str  # normalised: `org/name` for hf-repo (and ollama-tag with a known base)
    revision: str | None = None  # branch, tag or sha when the file pins one
    note: str | None = None  # how the model was derived, when it was not written as is
    format: str = ""  # the extractor that found it (litellm, compose, shell, python ...)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def to_text(self) -> str:
        rev = f"@{self.revision}" if self.revision else ""
        return f"{self.file}:{self.line}: {self.model}{rev} ({self.kind})"

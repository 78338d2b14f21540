"""Progress of a run: a protocol the caller implements (the CLI shows a counter on a TTY).

The run calls `model_read` once for each model whose own facts were established or failed
(bases included), from any thread. Nothing is swapped at run time: pass an object, or None.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def model_read(self, model: str) -> None: ...


class NoProgress:
    """The default: report nothing."""

    def model_read(self, model: str) -> None:
        return None

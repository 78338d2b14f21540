"""Progress of a run: protocols the caller implements (the CLI shows a counter on a TTY).

The run calls `model_read` once for each model whose own facts were established or failed
(bases included), from any thread. A caller that also implements `Detailed` is told the number
of models asked for (`begin`, bases not included: they are found while reading) and each model
as its read starts (`model_started`), so it can name the model being read and one that waits.
Nothing is swapped at run time: pass an object, or None.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


class Progress(Protocol):
    def model_read(self, model: str) -> None: ...


@runtime_checkable
class Detailed(Protocol):
    def begin(self, total: int) -> None: ...

    def model_started(self, model: str) -> None: ...

    def model_read(self, model: str) -> None: ...


class NoProgress:
    """The default: report nothing."""

    def model_read(self, model: str) -> None:
        return None

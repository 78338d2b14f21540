"""The CLI's progress display on stderr, implementing run.progress.Detailed: one line,
`compliance: [7/20] reading org/name`, shown only on a TTY and once more than a few models are
read; a model that waits longer than STALL_SECONDS is named (`waiting for the Hub: org/name
(12 s)`) whatever the count, so a stalled Hub is not 30 s of silence."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any

PROGRESS_THRESHOLD = 5  # show a counter once more than this many models are being read
STALL_SECONDS = 3.0  # name a model that has waited this long
TICK_SECONDS = 0.5


class Counter:
    def __init__(
        self,
        enabled: bool,
        *,
        stream: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.enabled = enabled
        self.count = 0
        self.total = 0
        self.shown = False
        self._stream = stream
        self._clock = clock
        self._running: dict[str, float] = {}  # model -> when its read started
        self._last: str | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> Counter:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- run.progress.Detailed -------------------------------------------------------------

    def begin(self, total: int) -> None:
        with self._lock:
            self.total = max(self.total, total)

    def model_started(self, model: str) -> None:
        with self._lock:
            self._running[model] = self._clock()
            self._draw()

    def model_read(self, model: str) -> None:
        with self._lock:
            self.count += 1
            self._running.pop(model, None)
            self._draw()

    # -- display ---------------------------------------------------------------------------

    def start(self) -> Counter:
        """Redraw on a timer (so a stall is named while it lasts); only when enabled."""
        if self.enabled and self._ticker is None:
            self._ticker = threading.Thread(target=self._tick_loop, daemon=True)
            self._ticker.start()
        return self

    def tick(self) -> None:
        with self._lock:
            self._draw()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=1.0)
        with self._lock:
            if self.shown:
                self._write("\r\033[K")

    def _tick_loop(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            self.tick()

    def line(self) -> str | None:
        """What the display says now, or None when it shows nothing."""
        total = max(self.total, self.count + len(self._running))
        now = self._clock()
        waiting = min(self._running.items(), key=lambda kv: kv[1], default=None)
        stalled = waiting is not None and now - waiting[1] >= STALL_SECONDS
        if not stalled and max(total, self.count) <= PROGRESS_THRESHOLD:
            return None
        done = f"[{self.count}/{total}]"
        if stalled and waiting is not None:
            return f"{done} waiting for the Hub: {waiting[0]} ({now - waiting[1]:.0f} s)"
        if self._running:
            latest = max(self._running.items(), key=lambda kv: kv[1])[0]
            return f"{done} reading {latest}"
        return f"{done} read {self.count} models"

    def _draw(self) -> None:
        if not self.enabled:
            return
        text = self.line()
        if text is None or text == self._last:
            return  # nothing to show, or nothing new (the ticker redraws twice a second)
        self._last = text
        self.shown = True
        self._write(f"\rcompliance: {text}\033[K")

    def _write(self, text: str) -> None:
        stream = self._stream or sys.stderr
        stream.write(text)
        stream.flush()


def on_stderr() -> Counter:
    """The counter the commands use: shown only when stderr is a terminal."""
    return Counter(sys.stderr.isatty())

"""The CLI's progress display: a one-line counter on stderr, implementing run.progress.Progress."""

from __future__ import annotations

import sys
import threading

PROGRESS_THRESHOLD = 5  # show a counter once more than this many models are being read


class Counter:
    """ "read 7 models" on stderr, shown only when enabled (a TTY) and past the threshold."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.count = 0
        self.shown = False
        self._lock = threading.Lock()

    def model_read(self, model: str) -> None:
        with self._lock:
            self.count += 1
            if self.enabled and self.count > PROGRESS_THRESHOLD:
                self.shown = True
                sys.stderr.write(f"\rcompliance: read {self.count} models…")
                sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()

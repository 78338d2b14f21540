"""Progress on stderr (issue 17 item 6): a counter with the total and the model being read, only
on a TTY; a model that waits is named. The clock is a fake: no timing in tests."""

from __future__ import annotations

import io
from pathlib import Path

from compliance.cli.progress import STALL_SECONDS, Counter
from compliance.config import config_from_dict
from compliance.run import CheckRequest, run_check


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_counter_shows_total_and_model_being_read() -> None:
    out, clock = io.StringIO(), Clock()
    counter = Counter(True, stream=out, clock=clock)
    counter.begin(8)
    counter.model_started("org/a")
    counter.model_read("org/a")
    counter.model_started("org/b")
    assert "\rcompliance: [0/8] reading org/a\033[K" in out.getvalue()
    assert counter.line() == "[1/8] reading org/b"
    drawn = out.getvalue()
    counter.tick()
    counter.tick()
    assert out.getvalue() == drawn  # an unchanged line is not redrawn
    counter.close()
    assert out.getvalue().endswith("\r\033[K")


def test_few_models_show_nothing_unless_one_stalls() -> None:
    out, clock = io.StringIO(), Clock()
    counter = Counter(True, stream=out, clock=clock)
    counter.begin(1)
    counter.model_started("org/slow")
    counter.tick()
    assert out.getvalue() == ""
    clock.now += STALL_SECONDS + 9
    counter.tick()
    assert "[0/1] waiting for the Hub: org/slow (12 s)" in out.getvalue()
    counter.model_read("org/slow")
    counter.close()


def test_not_a_terminal_shows_nothing() -> None:
    out, clock = io.StringIO(), Clock()
    counter = Counter(False, stream=out, clock=clock)
    counter.begin(20)
    for i in range(20):
        counter.model_started(f"org/m{i}")
        clock.now += 60
        counter.tick()
        counter.model_read(f"org/m{i}")
    counter.close()
    assert out.getvalue() == "" and counter.count == 20


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def begin(self, total: int) -> None:
        self.events.append(("begin", total))

    def model_started(self, model: str) -> None:
        self.events.append(("started", model))

    def model_read(self, model: str) -> None:
        self.events.append(("read", model))


def test_the_run_announces_total_and_each_start(fake_hub, tmp_path: Path) -> None:
    config = config_from_dict({"version": 1, "organization": {"domicile": "US"}})
    models = ("meta-llama/Llama-3.2-1B-Instruct", "acme/apache-finetune")
    seen = Recorder()
    run_check(CheckRequest(models=models, config=config), seen)
    assert seen.events[0] == ("begin", 2)
    started = [m for kind, m in seen.events if kind == "started"]
    read = [m for kind, m in seen.events if kind == "read"]
    assert set(models) <= set(started) and sorted(started) == sorted(read)
    for m in started:  # each start comes before its read
        assert seen.events.index(("started", m)) < seen.events.index(("read", m))


def test_check_on_a_pipe_prints_no_progress(fake_hub, cli, tmp_path: Path) -> None:
    ids = [f"--model=acme/missing-{i}" for i in range(8)]
    _code, _out, err = cli("check", *ids)
    assert "\r" not in err and "reading" not in err

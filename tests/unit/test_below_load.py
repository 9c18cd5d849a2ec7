"""The result consumer's thread: lowest priority for it alone, its failure re-raised, Ctrl-C turned into an abort."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator

import pytest

from squall.task.engine.below_load import LOWEST_NICE, run_below_the_load


def _nice_of_this_thread() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def _ctrl_c_once_the_caller_waits() -> None:
    """From the work's thread: SIGINT to the main thread once it waits for the work (Ctrl-C reaches only it)."""
    main = threading.main_thread().ident or 0
    for _ in range(10_000):
        frame = sys._current_frames().get(main)
        names = set()
        while frame is not None:
            names.add(frame.f_code.co_name)
            frame = frame.f_back
        if "wait" in names and "start" not in names:  # past the thread's start, waiting for its end
            break
        threading.Event().wait(0.001)
    signal.pthread_kill(main, signal.SIGINT)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice value is Linux's")
def test_the_work_runs_at_the_lowest_priority_and_the_caller_keeps_its_own() -> None:
    before = _nice_of_this_thread()
    seen: list[int] = []
    run_below_the_load(lambda: seen.append(_nice_of_this_thread()), lambda: None, lambda: None)
    assert seen == [LOWEST_NICE]
    assert _nice_of_this_thread() == before
    # A thread started afterwards by the caller (a hook's) inherits the caller's priority, not the consumer's.
    later: list[int] = []
    thread = threading.Thread(target=lambda: later.append(_nice_of_this_thread()))
    thread.start()
    thread.join()
    assert later == [before]


def test_what_the_work_raises_reaches_the_caller() -> None:
    def work() -> None:
        raise OSError("database or disk is full")

    with pytest.raises(OSError, match="disk is full"):
        run_below_the_load(work, lambda: None, lambda: None)


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    """Python's own SIGINT handler (KeyboardInterrupt) for the test, restored after: a process started with
    SIGINT ignored (a background job of a non-interactive shell, as some CI runners start jobs) has none."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _InterruptedWork:
    """Work that sends Ctrl-C to the waiting caller, then runs until told to stop; ``events`` says what happened."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.events: list[str] = []

    def __call__(self) -> None:
        _ctrl_c_once_the_caller_waits()
        self.stop.wait(30)
        self.events.append("work ended")

    def told(self, event: str) -> None:
        """Note ``event`` and let the work end."""
        self.events.append(event)
        self.stop.set()


def test_ctrl_c_while_waiting_asks_the_work_to_stop_and_waits_for_it(ctrl_c_raises: None) -> None:
    work = _InterruptedWork()
    run_below_the_load(work, lambda: work.told("interrupted"), lambda: None)
    assert work.events == ["interrupted", "work ended"]


def test_a_wait_that_fails_stops_the_work_before_the_failure_goes_on(ctrl_c_raises: None) -> None:
    work = _InterruptedWork()

    def interrupt() -> None:
        raise RuntimeError("the database failed while aborting")

    with pytest.raises(RuntimeError, match="while aborting"):
        run_below_the_load(work, interrupt, lambda: work.told("abandoned"))
    assert work.events == ["abandoned", "work ended"]

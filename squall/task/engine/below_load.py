"""Bookkeeping that yields the CPU to the load: the result consumer's thread.

On a machine whose cores the load fills (the worker processes, and often the
system under test itself), squall's own process competes with them. Its work
per result (statistics, SLA, storage) can wait a little; a worker or the
target that waits stalls every request in flight. So the consumer runs in a
thread of its own at the lowest priority (Linux: nice 19 for that thread
only; hooks, their triggers and the live metrics keep theirs), and catches
up whenever the load leaves a core free. It cannot fall behind for long: the
workers' result credits run out and they wait for it.

The calling thread waits for it and turns Ctrl-C into an abort, as before.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable

LOWEST_NICE = 19
_WAIT_SECONDS = 0.1


def lower_this_thread() -> None:
    """Give the calling thread the lowest CPU priority (Linux only: there a thread has a nice value of its own)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST_NICE)
    except OSError:  # not allowed here (a sandbox): the consumer runs at the usual priority
        pass


def run_below_the_load(work: Callable[[], None], on_interrupt: Callable[[], None],
                       on_abandon: Callable[[], None]) -> None:
    """Run ``work`` in a low-priority thread and wait for it; re-raise what it raised.

    Ctrl-C while waiting calls ``on_interrupt`` (and waiting goes on). If the
    wait itself ends by an exception, ``on_abandon`` is called (it must make
    ``work`` end soon) and the thread is waited for before the exception goes on.
    """
    failure: list[BaseException] = []
    ended = threading.Event()

    def body() -> None:
        lower_this_thread()
        try:
            work()
        except BaseException as exc:  # handed to the waiting thread
            failure.append(exc)
        finally:
            ended.set()

    # An Event, not Thread.join: on this Python a join that Ctrl-C interrupts marks a running thread stopped.
    thread = threading.Thread(target=body, name="squall-results", daemon=True)
    try:
        thread.start()
        while not ended.is_set():
            try:
                ended.wait(_WAIT_SECONDS)
            except KeyboardInterrupt:
                on_interrupt()
    finally:
        if thread.ident is not None and not ended.is_set():
            on_abandon()
            ended.wait()
    if failure:
        raise failure[0]

"""Run a learner's command away from the UI's event loop, so the UI never waits on it.

A command may take long or never return (reading a device through `file://`, a huge input). Awaited from a
message handler, it holds only that screen's queue: the app still reads keys, so ctrl+q quits, and lines
typed meanwhile run after it, in order, as a terminal's type-ahead does. The thread is a daemon of its own:
the event loop's default executor is joined at exit, so one stuck command there would hold the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from functools import partial
from typing import TypeVar

T = TypeVar("T")

_waiting: set[asyncio.Future[object]] = set()  # the futures handlers await, until their thread delivers


def abandon_all() -> None:
    """Stop waiting for every command still running, so the app can close: its screens' queues end only
    when their handlers return. The threads are left to finish (or not) on their own."""
    for future in list(_waiting):
        future.cancel()


async def in_thread(work: Callable[[], T]) -> T:
    """`work()` run in a daemon thread, its result or exception delivered to the awaiting task."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(settle: Callable[[], None]) -> None:
        def settle_unless_abandoned() -> None:
            if not future.done():
                settle()

        # RuntimeError: the app closed while the command ran, and nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle_unless_abandoned)

    def run() -> None:
        try:
            result = work()
        except BaseException as error:  # handed to the awaiting task, which treats it as its own
            deliver(partial(future.set_exception, error))
        else:
            deliver(partial(future.set_result, result))

    threading.Thread(target=run, name="ecrsim-command", daemon=True).start()
    _waiting.add(future)  # type: ignore[arg-type]
    try:
        return await future
    finally:
        _waiting.discard(future)  # type: ignore[arg-type]

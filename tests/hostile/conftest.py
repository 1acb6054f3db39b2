"""Every hostile-input test runs bounded: a hang or a runaway allocation fails the test instead of
stalling CI or the machine. In-process cases get an alarm and an address-space limit; subprocess cases
use `hostile_limits.run_bounded`, which gives the child the same limits and a wall-clock timeout."""

from __future__ import annotations

import os
import resource
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_limits import SECONDS

EXTRA_MEMORY = 768 << 20  # address space a case may add to what the process already holds


class Hang(Exception):
    """Raised by the alarm in a test that ran past SECONDS."""


def _vm_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The learner's data (progress, review) in this test's own folder, never the real one."""
    monkeypatch.setenv("ECRSIM_HOME", str(tmp_path / ".ecrsim"))
    return tmp_path / ".ecrsim"


@pytest.fixture(autouse=True)
def bounded() -> Iterator[None]:
    def alarm(signum: int, frame: object) -> None:
        raise Hang(f"the case ran longer than {SECONDS} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(SECONDS)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _vm_bytes() + EXTRA_MEMORY
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)

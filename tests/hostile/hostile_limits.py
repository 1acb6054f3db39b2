"""Running `python -m ecrsim` in a child process bounded like the in-process cases (conftest.bounded)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

SECONDS = 30  # far above what any case needs; only a hang reaches it
REPO = Path(__file__).resolve().parents[2]


def _child_limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, resource.getrlimit(resource.RLIMIT_AS)[1]))


def run_bounded(
    args: Sequence[str], *, cwd: Path, input: str | None = None, timeout: float = SECONDS, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """`python -m ecrsim ARGS` in `cwd` with this tree first on the path, 1 GiB of address space and a
    timeout (subprocess.TimeoutExpired fails the test)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "HOME": str(cwd), "ECRSIM_HOME": str(cwd / ".ecrsim")}
    return subprocess.run(
        [sys.executable, "-m", "ecrsim", *args],
        cwd=cwd,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        preexec_fn=_child_limits,
        **kwargs,  # type: ignore[arg-type]
    )

"""Start-up time, measured from outside the process as a learner would feel it.

1. `ecrsim` (the UI) against a minimal Textual app: time from launch until the home screen is usable,
   i.e. until both the sandbox row and the first scenario title have been written to a pseudo-terminal
   of 100x30 (for the minimal app: its one text). Target: ecrsim within 1.3 times the minimal app.
   Waiting for "Sandbox" alone would time a home screen that still says it is loading the pack.
   The home screen draws the list it remembered from the last start (`catalog-index.json` in the data
   directory) while the pack is unchanged; the uncounted warm-up run writes it. The first start after
   installing or changing the pack loads the pack instead: measured too, for information.
2. `ecrsim shell --script` running one command, to exit, against `python -c "import pydantic"`.
   Target: within 1.5 times.

Both sides run with byte-code caching on, as an installed copy runs (pip compiles byte code when it
installs a package): a machine that sets PYTHONDONTWRITEBYTECODE would otherwise make ecrsim compile its
own source on every start while the libraries it is compared with load their cached byte code.

The runs alternate (A, B, A, B, ...) so that a busy machine slows both sides alike. Reported: median and
minimum wall time, median CPU time of the child (user + system, steadier on a shared machine), and the
median of the per-pair wall-time ratios, on which the verdict rests.
Usage: `python benchmarks/startup.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import resource
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from pathlib import Path

COLUMNS, LINES = 100, 30
TIMEOUT = 30.0
_ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=$]*[A-Za-z~]|\x1b[()][A-Z0-9]|\x1b[=>78]|\x1b\][^\x07]*\x07")

MINIMAL_APP = """
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static("minimal-first-frame")

Minimal().run()
"""


Timing = tuple[float, float]  # wall seconds, child CPU seconds


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def first_frame(argv: list[str], markers: tuple[bytes, ...], env: dict[str, str]) -> Timing:
    """Seconds from spawning `argv` on a pseudo-terminal until every one of `markers` appears in what it
    wrote."""
    cpu = _child_cpu()
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    start = time.perf_counter()
    process = subprocess.Popen(
        argv,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(follower)
    seen = b""
    try:
        while time.perf_counter() - start < TIMEOUT:
            ready, _, _ = select.select([leader], [], [], 0.05)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            seen += chunk
            text = _ESCAPES.sub(b"", seen)
            if all(marker in text for marker in markers):
                wall = time.perf_counter() - start
                break
        else:
            wall = None
        if wall is None:
            raise RuntimeError(
                f"{argv[:3]} never showed {markers!r}; it wrote: {_ESCAPES.sub(b'', seen)[-500:]!r}"
            )
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        os.close(leader)
    return wall, _child_cpu() - cpu


def to_exit(argv: list[str], env: dict[str, str]) -> Timing:
    cpu = _child_cpu()
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{argv} exited {result.returncode}: {result.stderr.strip()[-500:]}")
    return elapsed, _child_cpu() - cpu


def compare(
    name: str,
    target: float | None,
    a: tuple[str, Callable[[], Timing]],
    b: tuple[str, Callable[[], Timing]],
    runs: int,
) -> bool:
    a_run, b_run = a[1], b[1]
    a_run(), b_run()  # warm the file and byte-code caches; not counted
    a_times: list[Timing] = []
    b_times: list[Timing] = []
    for _ in range(runs):
        a_times.append(a_run())
        b_times.append(b_run())
    ratio = statistics.median(x[0] / y[0] for x, y in zip(a_times, b_times, strict=True))
    print(name)
    for label, times in ((a[0], a_times), (b[0], b_times)):
        walls = [t[0] * 1000 for t in times]
        cpus = [t[1] * 1000 for t in times]
        print(
            f"  {label:<36} wall median {statistics.median(walls):7.1f} ms, min {min(walls):7.1f} ms;"
            f" CPU median {statistics.median(cpus):7.1f} ms"
        )
    cpu_ratio = statistics.median(t[1] for t in a_times) / statistics.median(t[1] for t in b_times)
    if target is None:
        print(f"  ratio (median of paired wall times) {ratio:.2f}, CPU {cpu_ratio:.2f}; for information")
        return True
    verdict = "OK" if ratio <= target else "OVER TARGET"
    print(
        f"  ratio (median of paired wall times) {ratio:.2f}, CPU {cpu_ratio:.2f}; target {target}: {verdict}"
    )
    return ratio <= target


def first_title() -> bytes:
    """The title of the first scenario the home screen lists (as it sorts them), read from the pack."""
    from ecrsim.tui.catalog import load_catalog

    entries, _ = load_catalog()
    first = min(entries, key=lambda e: (e.group, e.difficulty, e.title))
    return first.title.encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as home:
        # A fresh data directory: no learner's progress is read or written by the benchmark.
        env = {**os.environ, "ECRSIM_HOME": home, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS)}
        env.pop("TEXTUAL", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(home) / "pycache")
        script = Path(home) / "one-command.sh"
        script.write_text("aws ecr describe-repositories\n")
        home_markers = (b"Sandbox", first_title())
        ui_ok = compare(
            "Time to a usable home screen (sandbox and scenario titles drawn)",
            1.3,
            ("ecrsim (home screen)", lambda: first_frame([python, "-m", "ecrsim"], home_markers, env)),
            (
                "minimal Textual app",
                lambda: first_frame([python, "-c", MINIMAL_APP], (b"minimal-first-frame",), env),
            ),
            args.runs,
        )
        index = Path(home) / "catalog-index.json"

        def without_index() -> Timing:
            index.unlink(missing_ok=True)
            return first_frame([python, "-m", "ecrsim"], home_markers, env)

        compare(
            "The same, on the first start after installing or changing the pack (no remembered list)",
            None,
            ("ecrsim (home screen, pack loaded)", without_index),
            (
                "minimal Textual app",
                lambda: first_frame([python, "-c", MINIMAL_APP], (b"minimal-first-frame",), env),
            ),
            args.runs,
        )
        shell_ok = compare(
            "One scripted command, to exit",
            1.5,
            (
                "ecrsim shell --script (1 command)",
                lambda: to_exit([python, "-m", "ecrsim", "shell", "--script", str(script)], env),
            ),
            ('python -c "import pydantic"', lambda: to_exit([python, "-c", "import pydantic"], env)),
            args.runs,
        )
    return 0 if ui_ok and shell_ok else 1


if __name__ == "__main__":
    sys.exit(main())

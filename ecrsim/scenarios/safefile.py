"""Files the learner must never lose: written whole or not at all, changed by one ecrsim at a time.

Two ecrsim processes can run at once (a browser tab from `ecrsim serve` and a terminal `ecrsim review`).
Each change is therefore read-modify-write under an exclusive lock on a side file (`NAME.lock`, so the data
file itself can be replaced), and the write goes to a temporary file in the same folder that then replaces
the old one (`os.replace` is atomic on POSIX and Windows): a crash mid-write leaves the old file whole.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step; raises OSError (the caller decides how to report it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for `path` (blocking) while the body reads, changes and writes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+b") as handle:
        _lock(handle.fileno())
        try:
            yield
        finally:
            _unlock(handle.fileno())


def set_aside(path: Path) -> str:
    """Move a damaged file to `NAME.damaged` (or `.damaged.1`, ...: earlier ones are kept) and say where."""
    aside = path.with_name(path.name + ".damaged")
    candidate, n = aside, 0
    while candidate.exists():
        n += 1
        candidate = aside.with_name(f"{aside.name}.{n}")
    try:
        os.replace(path, candidate)
    except OSError as exc:
        return f"could not move it aside ({exc.strerror or exc}); it will be overwritten"
    return f"moved it to {candidate}"


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # retries for 10 s, then raises OSError

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

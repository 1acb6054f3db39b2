"""Files the learner must never lose: written whole or not at all, changed by one ecrsim at a time.

Two ecrsim processes can run at once (a browser tab from `ecrsim serve` and a terminal `ecrsim review`).
Each change is therefore read-modify-write under an exclusive lock on a side file (`NAME.lock`, so the data
file itself can be replaced), and the write goes to a temporary file in the same folder that then replaces
the old one (`os.replace` is atomic on POSIX and Windows): a crash mid-write leaves the old file whole.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

from ecrsim.errors import EcrsimError

Value = TypeVar("Value")
# What read_text raises for a path that is not a data file at all (a FIFO or device, a folder, a file over
# its limit): such a "file" is set aside like a damaged one, never waited on.
_NOT_OURS = (errno.EINVAL, errno.EISDIR, errno.EFBIG)


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


class SharedJsonFile(Generic[Value]):
    """A learner's JSON file that several ecrsim processes change (progress, review state).

    Each change re-reads the file under its lock, applies the change and writes the file whole, so no
    process loses another's work. Losing or mangling the file must never stop the learner: one that cannot
    be read is set aside and started afresh, one that cannot be written (or exists but cannot be read) keeps
    the change in memory, each with one warning in `warnings` for whoever loaded the store to show.
    """

    noun = "file"  # how warnings name the file, e.g. "progress file"
    content = "data"  # how warnings name what it holds, e.g. "progress"

    def __init__(self, path: Path, value: Value) -> None:
        self.path = path
        self.value = value
        self.warnings: list[str] = []

    def _empty(self) -> Value:
        raise NotImplementedError

    def _decode(self, data: Any) -> Value:
        """The value saved in `data`; ValueError, TypeError or KeyError when it is not ours."""
        raise NotImplementedError

    def _encode(self, value: Value) -> str:
        raise NotImplementedError

    def _change(self, change: Callable[[Value], None]) -> None:
        applied = False
        try:
            with locked(self.path):
                value = self._read()
                change(value)
                applied = True
                self.value = value
                write_atomically(self.path, self._encode(value))
        except OSError as exc:
            if not applied:
                change(self.value)
            message = f"Could not save {self.content} to {self.path}: {exc.strerror or exc}"
            if message not in self.warnings:
                self.warnings.append(message)

    def _first_read(self) -> Value:
        """The value at load time. A file that exists but cannot be read (no permission) is left alone and
        never overwritten: every later change raises in `_read`, so it is kept in memory with a warning."""
        try:
            return self._read()
        except OSError as exc:
            self.warnings.append(
                f"Cannot read {self.noun} {self.path}: {exc.strerror or exc}; the file is left as it is and "
                f"this session's {self.content} is not saved."
            )
            return self._empty()

    def _read(self) -> Value:
        """The file's value, the empty value if there is none, or the empty value after setting a damaged
        file aside. Raises OSError when it exists but cannot be read, so nobody writes over it."""
        from ecrsim.engine.hostfiles import read_text  # not at import: the UI's first frame needs no engine

        try:
            raw = read_text(self.path)
        except (FileNotFoundError, NotADirectoryError):
            return self._empty()
        except UnicodeDecodeError as exc:
            return self._damaged(f"not UTF-8 text: {exc.reason}")
        except OSError as exc:
            if exc.errno not in _NOT_OURS:
                raise
            return self._damaged(str(exc.strerror))  # a FIFO, a device, a folder or a huge file
        try:
            return self._decode(json.loads(raw))
        # JSONDecodeError is a ValueError; a decoder refuses what it reads as damaged with an EcrsimError.
        except (EcrsimError, ValueError, TypeError, KeyError, RecursionError) as exc:
            return self._damaged(str(exc) or type(exc).__name__)

    def _damaged(self, why: str) -> Value:
        where = set_aside(self.path)
        noun = self.noun[0].upper() + self.noun[1:]
        self.warnings.append(f"{noun} {self.path} is damaged ({why}); {where} and started afresh.")
        return self._empty()


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

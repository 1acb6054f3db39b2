"""Reading a file of the host machine: regular files only, never blocking, never more than a limit.

Every file ecrsim reads on a user's behalf goes through here: scenario and answers files, progress and
review state, `policy simulate` requests, `--script` files, and the sandbox's `file://` arguments. A FIFO
named like one of them would block a plain `open()` forever and `/dev/zero` would fill memory, so a file
is opened without blocking, refused unless it is a regular file, and read only up to a limit.

The sandbox's `file://` is stricter (`read_under`): anyone who can type a command (a learner, or a web
page through `ecrsim serve`) may name any path, so only regular files under the folder ecrsim runs in are
read, whatever the path says (`..`, an absolute path, a symlink that leads out), and never /proc, /sys or
/dev. The errors are OSErrors whose text says why, worded as Python words its own (`[Errno 13] Permission
denied: 'NAME'`), which is what the AWS CLI prints when it cannot load a paramfile.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import TextIO

# The most ecrsim reads from any one file or stream. A scenario pack's largest file is a few KB, an IAM
# policy at most 10 KB and a lifecycle policy 30 KB, so 1 MiB is room to spare and still a bounded read.
MAX_FILE_BYTES = 1 << 20
# Trees the sandbox never reads, even if ecrsim runs in `/`: the kernel's and devices' pseudo-files.
_SYSTEM = ("/proc", "/sys", "/dev")


def size_text(limit: int) -> str:
    """`1 MiB`, `64 KiB` or `100 bytes`: how errors state a limit."""
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= size and limit % size == 0:
            return f"{limit // size} {unit}"
    return f"{limit} bytes"


def too_large(name: str, limit: int) -> OSError:
    return OSError(errno.EFBIG, f"File too large (ecrsim reads at most {size_text(limit)})", name)


def read_bytes(path: str | os.PathLike[str], *, limit: int = MAX_FILE_BYTES, follow: bool = True) -> bytes:
    """The bytes of a regular file, at most `limit` of them. Raises OSError (missing, unreadable, a
    directory, a device/FIFO/socket, larger than `limit`); never blocks on a FIFO. `follow=False` refuses
    a symlink as the last component."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    name = os.fspath(path)
    try:
        fd = os.open(name, flags)
    except ValueError:  # an embedded NUL: no such file can exist
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), name) from None
    with os.fdopen(fd, "rb", buffering=0) as handle:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), name)
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "Not a regular file (a device, FIFO or socket)", name)
        data = handle.read(limit + 1)  # /proc files report size 0, so the size is checked on the data
    if len(data) > limit:
        raise too_large(name, limit)
    return data


def read_text(path: str | os.PathLike[str], *, limit: int = MAX_FILE_BYTES) -> str:
    """A regular file as UTF-8 text (see read_bytes); UnicodeDecodeError when it is not UTF-8."""
    return read_bytes(path, limit=limit).decode("utf-8")


def read_stream(stream: TextIO, name: str = "<stdin>", *, limit: int = MAX_FILE_BYTES) -> str:
    """At most `limit` characters of a stream (standard input); OSError when there is more."""
    text = stream.read(limit + 1)
    if len(text) > limit:
        raise too_large(name, limit)
    return text


def read_under(root: Path, name: str, *, limit: int = MAX_FILE_BYTES) -> str:
    """`file://NAME` in the sandbox: a regular file under `root`, named relative to it or absolutely.

    Raises OSError naming the file as written: PermissionError when the real path (after `..` and every
    symlink) is outside `root` or a system tree, the errors of read_bytes otherwise, and
    UnicodeDecodeError when it is not UTF-8 text."""
    if "\0" in name:
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), name)
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, name))  # an absolute `name` replaces the root
    inside = real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)
    system = any(real == tree or real.startswith(tree + os.sep) for tree in _SYSTEM)
    if not inside or system:
        raise PermissionError(
            errno.EACCES,
            "Permission denied (the sandbox reads only files in the folder ecrsim runs in)",
            name,
        )
    try:
        # The real path has no symlink left; refusing one as the last component keeps a swapped-in link out.
        return read_bytes(real, limit=limit, follow=False).decode("utf-8")
    except OSError as error:  # name the file as the learner wrote it, as the CLI does
        raise type(error)(error.errno, error.strerror, name) from None

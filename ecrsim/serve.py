"""`ecrsim serve`: the UI in a web browser through textual-serve, an optional extra (`ecrsim[serve]`).

textual-serve starts one `ecrsim` process per browser connection, so each tab has its own world, undo and
screens; progress and review state are the shared files, which tolerate several processes (safefile).
It listens on localhost unless told otherwise: a wider address hands the UI, and in the sandbox the files
`file://` can read from the folder it runs in, to anyone who can reach the port.
"""

from __future__ import annotations

import shlex
import subprocess
import sys

INSTALL_HINT = "ecrsim serve: textual-serve is not installed; install it with: pip install 'ecrsim[serve]'"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def app_command() -> str:
    """The shell command textual-serve runs for each connection: this Python running the ecrsim UI."""
    argv = [sys.executable, "-m", "ecrsim"]
    return subprocess.list2cmdline(argv) if sys.platform == "win32" else shlex.join(argv)


def run_serve(host: str, port: int) -> int:
    try:
        from textual_serve.server import Server
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        return 1
    if host not in LOCAL_HOSTS:
        print(
            f"ecrsim serve: warning: listening on {host}: anyone who can reach port {port} can use the UI, "
            "and the sandbox can read files in this folder through file://",
            file=sys.stderr,
        )
    try:
        Server(app_command(), host=host, port=port, title="ecrsim").serve()
    except OSError as exc:  # the port is taken, or the address is not this machine's
        print(f"ecrsim serve: error: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0

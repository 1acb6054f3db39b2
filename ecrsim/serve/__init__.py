"""`ecrsim serve`: the UI in a web browser, an optional extra (`ecrsim[serve]`: textual-serve's page
assets and aiohttp).

Each browser tab runs its own `ecrsim` process, so each has its own world, undo and screens; progress and
review state are the shared files, which tolerate several processes (safefile). It listens on localhost
unless told otherwise: a wider address hands the UI to anyone who can reach the port.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.util import find_spec

INSTALL_HINT = "ecrsim serve: textual-serve is not installed; install it with: pip install 'ecrsim[serve]'"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def tab_argv() -> list[str]:
    """What each tab runs: this Python running the ecrsim UI (a new process, a new world)."""
    return [sys.executable, "-m", "ecrsim"]


def run_serve(host: str, port: int, *, max_tabs: int = 8, allow_origins: Sequence[str] = ()) -> int:
    if find_spec("textual_serve") is None or find_spec("aiohttp") is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 1
    from aiohttp import web

    from ecrsim.serve.server import Options, make_app

    if host not in LOCAL_HOSTS:
        print(
            f"ecrsim serve: warning: listening on {host}: anyone who can reach port {port} can use the UI",
            file=sys.stderr,
        )
    options = Options(
        tab_argv(),
        host=host,
        port=port,
        max_tabs=max_tabs,
        allow_origins=tuple(o.rstrip("/") for o in allow_origins),
    )
    print(f"ecrsim serve: http://{host}:{port}/ (at most {max_tabs} tabs; ctrl+c stops)", file=sys.stderr)
    try:
        web.run_app(make_app(options), host=host, port=port, print=None, access_log=None)
    except OSError as exc:  # the port is taken, or the address is not this machine's
        print(f"ecrsim serve: error: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0

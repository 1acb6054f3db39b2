"""One browser tab's ecrsim process: started with a minimal environment in an empty folder, spoken to in
textual-serve's packet protocol, and ended when its browser tab goes, by force if it will not quit.

The protocol is the one Textual's web driver speaks on its stdin and stdout (textual-serve's
`app_service.py`): after a `__GANGLION__` line, packets of one type byte (`D` data, `M` meta as JSON,
`P` packed), a 4-byte big-endian length and the payload.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable, Mapping

# A terminal larger than any screen would only make the tab draw (and hold) a huge frame.
MAX_COLUMNS = 500
MAX_ROWS = 200
QUIT_GRACE = 2.0  # seconds a tab has to quit when asked, then again after SIGTERM, before SIGKILL
# What a tab inherits from the server's environment: where Python and the learner's data are, and the
# locale. Nothing else (credentials, tokens, the server's own settings) reaches a tab.
INHERITED = (
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "ECRSIM_HOME",
    "XDG_DATA_HOME",
    "PYTHONPATH",
    "SYSTEMROOT",
    "APPDATA",
    "LOCALAPPDATA",
)


def clamp_size(width: object, height: object) -> tuple[int, int]:
    """A terminal size within 1..MAX_COLUMNS x 1..MAX_ROWS; anything not a number is 80x24's part."""
    columns = width if isinstance(width, int) and not isinstance(width, bool) else 80
    rows = height if isinstance(height, int) and not isinstance(height, bool) else 24
    return min(max(columns, 1), MAX_COLUMNS), min(max(rows, 1), MAX_ROWS)


def tab_environment(server: Mapping[str, str], width: int, height: int) -> dict[str, str]:
    """The environment of a tab: the few inherited names, and what Textual's web driver needs."""
    environment = {name: server[name] for name in INHERITED if name in server}
    environment.update(
        TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver",
        TEXTUAL_FPS="60",
        TEXTUAL_COLOR_SYSTEM="truecolor",
        TERM_PROGRAM="textual",
        COLUMNS=str(width),
        ROWS=str(height),
    )
    return environment


def packet(kind: bytes, payload: bytes) -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


class Tab:
    """An ecrsim process behind one websocket: `start`, `send_*` while it runs, `stop` when the tab goes."""

    def __init__(
        self,
        argv: list[str],
        *,
        on_data: Callable[[bytes], Awaitable[object]],
        on_text: Callable[[str], Awaitable[object]],
        on_exit: Callable[[], Awaitable[object]],
    ) -> None:
        self.argv = argv
        self.on_data, self.on_text, self.on_exit = on_data, on_text, on_exit
        self.process: asyncio.subprocess.Process | None = None
        self.folder = ""
        self._reader: asyncio.Task[None] | None = None

    async def start(self, width: int, height: int) -> None:
        """Start the process in a new empty folder (the sandbox's `file://` sees only that) and its own
        process group, so that stopping it reaches whatever it started."""
        self.folder = tempfile.mkdtemp(prefix="ecrsim-tab-")
        self.process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            cwd=self.folder,
            env=tab_environment(os.environ, width, height),
            start_new_session=sys.platform != "win32",
        )
        self._reader = asyncio.create_task(self._read())

    async def _write(self, data: bytes) -> None:
        if self.process is None or self.process.stdin is None or self.process.returncode is not None:
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            self.process.stdin.write(data)
            await self.process.stdin.drain()

    async def send_input(self, text: str) -> None:
        await self._write(packet(b"D", text.encode("utf-8", "replace")))

    async def send_meta(self, meta: dict[str, object]) -> None:
        await self._write(packet(b"M", json.dumps(meta).encode()))

    async def resize(self, width: object, height: object) -> None:
        columns, rows = clamp_size(width, height)
        await self.send_meta({"type": "resize", "width": columns, "height": rows})

    async def _read(self) -> None:
        """Forward what the process draws to the browser until it ends, then tell the websocket."""
        assert self.process is not None and self.process.stdout is not None
        stdout = self.process.stdout
        try:
            for _ in range(10):  # the prelude that says a Textual app is speaking
                line = await stdout.readline()
                if not line or line == b"__GANGLION__\n":
                    break
            while True:
                kind = await stdout.readexactly(1)
                size = int.from_bytes(await stdout.readexactly(4), "big")
                payload = await stdout.readexactly(size)
                if kind == b"D":
                    await self.on_data(payload)
                elif kind == b"M":
                    await self._on_meta(json.loads(payload))
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            await self.on_exit()

    async def _on_meta(self, meta: object) -> None:
        if not isinstance(meta, dict):
            return
        if meta.get("type") == "exit":
            await self.on_exit()
        elif meta.get("type") == "open_url":
            await self.on_text(
                json.dumps(["open_url", {"url": meta.get("url"), "new_tab": meta.get("new_tab")}])
            )

    async def stop(self) -> None:
        """Ask the process to quit; SIGTERM its group if it has not within QUIT_GRACE, SIGKILL after that."""
        process = self.process
        if process is not None and process.returncode is None:
            await self.send_meta({"type": "quit"})
            for signum in (signal.SIGTERM, getattr(signal, "SIGKILL", signal.SIGTERM), None):
                try:
                    await asyncio.wait_for(process.wait(), QUIT_GRACE)
                    break
                except asyncio.TimeoutError:
                    if signum is not None:
                        _signal_group(process.pid, signum)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if sys.platform == "win32":
            os.kill(pid, signum)
        else:
            os.killpg(pid, signum)

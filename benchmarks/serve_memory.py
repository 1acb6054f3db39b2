"""Memory of `ecrsim serve`'s tabs: each browser tab is an ecrsim process, which must stay under 100 MB
resident (a classroom server runs one per learner).

Starts `ecrsim serve` on a free local port, opens three tabs as a browser would (websockets at 100x30),
waits until each has drawn its home screen, then in each opens the sandbox (a world loaded), and reads
every tab process's resident set size (VmRSS, Linux's /proc) beside the server's own.
Usage: `python benchmarks/serve_memory.py [--tabs N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

TARGET_MB = 100.0
TIMEOUT = 60.0
_ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=$]*[A-Za-z~]|\x1b[()][A-Z0-9]|\x1b[=>78]|\x1b\][^\x07]*\x07")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


async def wait_for(websocket: aiohttp.ClientWebSocketResponse, text: bytes, seen: bytearray) -> None:
    deadline = time.monotonic() + TIMEOUT
    while text not in _ESCAPES.sub(b"", bytes(seen)):
        message = await asyncio.wait_for(websocket.receive(), max(0.1, deadline - time.monotonic()))
        if message.type == aiohttp.WSMsgType.BINARY:
            seen.extend(message.data)
        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            raise RuntimeError(f"the tab closed before it showed {text!r}")


async def use_a_tab(session: aiohttp.ClientSession, url: str) -> aiohttp.ClientWebSocketResponse:
    websocket = await session.ws_connect(f"{url}/ws?width=100&height=30")
    seen = bytearray()
    await wait_for(websocket, b"Sandbox", seen)
    await websocket.send_str(json.dumps(["stdin", "\r"]))  # the sandbox row is highlighted first
    await wait_for(websocket, b"111122223333", seen)
    return websocket


async def measure(tabs: int) -> int:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "ecrsim", "serve", "--port", str(port), "--host", "127.0.0.1"],
        stderr=subprocess.DEVNULL,
    )
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(100):
                try:
                    async with session.get(url + "/"):
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            sockets = await asyncio.gather(*(use_a_tab(session, url) for _ in range(tabs)))
            await asyncio.sleep(1.0)  # let each tab settle after its last frame
            pids = children(server.pid)
            figures = {pid: rss_mb(pid) for pid in pids}
            print(f"ecrsim serve with {tabs} tabs open (each: home screen drawn, sandbox opened)")
            print(f"  server process       {rss_mb(server.pid):6.1f} MB resident")
            for number, (pid, mb) in enumerate(sorted(figures.items()), 1):
                print(f"  tab {number} (pid {pid:>7})  {mb:6.1f} MB resident")
            worst = max(figures.values(), default=float("inf"))
            ok = len(figures) == tabs and worst < TARGET_MB
            print(
                f"  largest tab {worst:.1f} MB; target under {TARGET_MB:.0f} MB:",
                "OK" if ok else "OVER TARGET",
            )
            for websocket in sockets:
                await websocket.close()
            return 0 if ok else 1
    finally:
        server.terminate()
        server.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("ECRSIM_HOME", "/tmp/ecrsim-serve-benchmark")
    return asyncio.run(measure(args.tabs))


if __name__ == "__main__":
    sys.exit(main())

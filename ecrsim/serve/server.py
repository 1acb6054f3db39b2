"""The web server of `ecrsim serve`: the page, textual-serve's assets served from the installed package (so
nothing is fetched from the internet and an offline classroom works), and one websocket per browser tab.

A web page the learner visits must not be able to drive the UI: a request is answered only when its Host
names this machine (a DNS-rebinding page's host does not), and a websocket opens only for a page of the
same origin or one given with `--allow-origin`. A tab is limited in number, in terminal size and in the
size of one message, so no browser, however hostile, makes a tab hold more than a screenful.
"""

from __future__ import annotations

import asyncio
import html
import ipaddress
import json
import re
import socket
import string
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from ecrsim.serve.tabs import Tab, clamp_size

MAX_MESSAGE = 64 * 1024  # one websocket message: keystrokes, or a paste of a few pages
HEARTBEAT = 15.0  # seconds: a browser that vanished without closing is noticed, and its tab ended
MAX_DEPTH = 4  # textual-serve's messages nest two deep
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")
PAGE = string.Template((Path(__file__).parent / "page.html").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Options:
    argv: list[str]  # the command each tab runs
    host: str = "localhost"
    port: int = 8000
    max_tabs: int = 8
    allow_origins: tuple[str, ...] = ()
    title: str = "ecrsim"


@dataclass
class _State:
    options: Options
    tabs: set[Tab] = field(default_factory=set)
    opening: int = 0  # websockets accepted whose tab is still starting
    stopping: set[asyncio.Future[None]] = field(default_factory=set)  # tabs being ended


_STATE = web.AppKey("state", _State)


def assets_folder() -> Path:
    """textual-serve's static folder (its terminal script, styles and fonts), found without importing it."""
    spec = find_spec("textual_serve")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("textual_serve")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def _hostname(netloc: str) -> str:
    """`localhost:8000` -> `localhost`, `[::1]:8000` -> `::1`."""
    return (urlsplit(f"//{netloc}").hostname or "").lower()


def host_allowed(host_header: str, options: Options) -> bool:
    """The Host a browser sent names this machine: an address, localhost, the address served, the
    machine's own names, or the host of an origin allowed by `--allow-origin`."""
    name = _hostname(host_header)
    if not name:
        return False
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    names = {"localhost", options.host.lower(), socket.gethostname().lower(), socket.getfqdn().lower()}
    names |= {_hostname(urlsplit(origin).netloc) for origin in options.allow_origins}
    return name in names


def origin_allowed(origin: str | None, host_header: str, options: Options) -> bool:
    """A websocket from a page of this server (same scheme-less host and port), or from an allowed origin.

    A client that sends no Origin is not a browser page, and could send any Origin it liked."""
    if origin is None:
        return True
    if origin.rstrip("/") in options.allow_origins:
        return True
    return urlsplit(origin).netloc.lower() == host_header.lower() and origin != "null"


@web.middleware
async def _check_host(request: web.Request, handler: Any) -> web.StreamResponse:
    if not host_allowed(request.host, request.app[_STATE].options):
        raise web.HTTPForbidden(text=f"ecrsim serve: this server does not answer for host {request.host!r}\n")
    return await handler(request)


async def _index(request: web.Request) -> web.Response:
    options = request.app[_STATE].options
    scheme = "wss" if request.secure else "ws"
    text = PAGE.substitute(
        title=html.escape(options.title), websocket=html.escape(f"{scheme}://{request.host}/ws", quote=True)
    )
    return web.Response(text=text, content_type="text/html")


async def _websocket(request: web.Request) -> web.WebSocketResponse:
    state = request.app[_STATE]
    options = state.options
    if not origin_allowed(request.headers.get("Origin"), request.host, options):
        raise web.HTTPForbidden(
            text="ecrsim serve: a page from another origin may not open a tab (see --allow-origin)\n"
        )
    if len(state.tabs) + state.opening >= options.max_tabs:
        raise web.HTTPServiceUnavailable(
            text=f"ecrsim serve: all {options.max_tabs} tabs are in use; close one and reload\n"
        )
    websocket = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=MAX_MESSAGE)
    state.opening += 1
    try:
        await websocket.prepare(request)
        tab = Tab(
            options.argv, on_data=websocket.send_bytes, on_text=websocket.send_str, on_exit=websocket.close
        )
        state.tabs.add(tab)
    finally:
        state.opening -= 1
    try:
        await tab.start(
            *clamp_size(_number(request.query.get("width")), _number(request.query.get("height")))
        )
        async for message in websocket:
            if message.type == WSMsgType.TEXT:
                await _dispatch(tab, websocket, message.data)
    finally:
        state.tabs.discard(tab)
        # aiohttp cancels a handler whose client has gone: the stop runs on in a task of its own.
        stopping = asyncio.ensure_future(tab.stop())
        state.stopping.add(stopping)
        stopping.add_done_callback(state.stopping.discard)
        await asyncio.shield(stopping)
    return websocket


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() and len(text) < 10 else None


def _depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest, strings left out: checked before parsing,
    because the json module recurses (a message nested thousands deep would exhaust the stack)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


async def _dispatch(tab: Tab, websocket: web.WebSocketResponse, text: str) -> None:
    """One message of textual-serve's page: `["stdin", text]`, `["resize", {"width", "height"}]`,
    `["ping", x]`, `["blur"]`, `["focus"]`. Anything else is ignored."""
    if _depth(text) > MAX_DEPTH:
        return
    try:
        envelope = json.loads(text)
    except ValueError:
        return
    if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
        return
    kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
    if kind == "stdin" and isinstance(data, str):
        await tab.send_input(data)
    elif kind == "resize" and isinstance(data, dict):
        await tab.resize(data.get("width"), data.get("height"))
    elif kind == "ping":
        await websocket.send_json(["pong", data])
    elif kind in ("blur", "focus"):
        await tab.send_meta({"type": kind})


async def _stop_tabs(app: web.Application) -> None:
    state = app[_STATE]
    await asyncio.gather(*(tab.stop() for tab in list(state.tabs)), *list(state.stopping))


def make_app(options: Options) -> web.Application:
    app = web.Application(middlewares=[_check_host], client_max_size=MAX_MESSAGE)
    app[_STATE] = _State(options)
    app.add_routes(
        [
            web.get("/", _index),
            web.get("/ws", _websocket),
            web.static("/static", assets_folder()),
        ]
    )
    app.on_shutdown.append(_stop_tabs)
    return app

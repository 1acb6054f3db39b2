"""`ecrsim serve`: its arguments, the page (offline, titled), and what a browser, hostile or not, can do
through the websocket. The tabs are a stub speaking Textual's web-driver protocol (tests/serve_tab_stub.py),
so these tests need no UI; the real UI in a real browser, offline, is tests/test_serve_browser.py, and its
memory is measured by benchmarks/serve_memory.py."""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType, WSServerHandshakeError
from aiohttp.test_utils import TestClient, TestServer

from ecrsim import serve
from ecrsim.serve import tabs
from ecrsim.serve.server import Options, host_allowed, make_app, origin_allowed
from ecrsim.serve.tabs import MAX_COLUMNS, MAX_ROWS, clamp_size, tab_environment

STUB = str(Path(__file__).parent / "serve_tab_stub.py")
ALLOWED = "https://classroom.example"


async def _client(*stub_args: str, max_tabs: int = 2) -> TestClient:
    options = Options([sys.executable, STUB, *stub_args], max_tabs=max_tabs, allow_origins=(ALLOWED,))
    client = TestClient(TestServer(make_app(options), host="127.0.0.1", port=0))
    await client.start_server()
    return client


@pytest.fixture
async def client() -> AsyncIterator[TestClient]:
    client = await _client()
    yield client
    await client.close()


def _origin(client: TestClient) -> str:
    return f"http://127.0.0.1:{client.port}"


async def _open(client: TestClient, origin: str | None = None, query: str = "width=100&height=30") -> Any:
    headers = {"Origin": origin or _origin(client)}
    return await client.ws_connect(f"/ws?{query}", headers=headers)


async def _report(websocket: Any, timeout: float = 10.0) -> dict[str, Any]:
    message = await websocket.receive(timeout=timeout)
    assert message.type == WSMsgType.BINARY, message
    return json.loads(message.data)


async def _gone(pid: int, within: float) -> bool:
    """The process ended within `within` seconds (waiting without blocking the server's event loop)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":  # ended, and not yet reaped by the server
            return True
        await asyncio.sleep(0.05)
    return False


# -- the page ------------------------------------------------------------------------------------------------
async def test_the_page_has_a_title_and_loads_nothing_from_outside(client: TestClient) -> None:
    page = await (await client.get("/")).text()
    assert "<title>ecrsim</title>" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page), "the page names an outside resource"
    assert "@import" not in page
    assets = re.findall(r"""(?:src|href)="(/static/[^"]+)"|url\("(/static/[^"]+)"\)""", page)
    paths = {path for pair in assets for path in pair if path}
    assert {"/static/js/textual.js", "/static/css/xterm.css"} <= paths and any("fonts" in p for p in paths)
    for path in paths:
        response = await client.get(path)
        assert response.status == 200, path
        if path.endswith((".css", ".js")):
            body = await response.text()
            assert "fonts.googleapis" not in body and "@import" not in body, path


async def test_a_request_for_another_host_name_is_refused(client: TestClient) -> None:
    """A page on a DNS-rebinding domain reaches the port under its own host name."""
    response = await client.get("/", headers={"Host": f"rebind.attacker.example:{client.port}"})
    assert response.status == 403


# -- origins and tabs ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("origin", ["https://evil.example", "http://127.0.0.1:1", "null"])
async def test_a_websocket_from_another_origin_is_refused(client: TestClient, origin: str) -> None:
    with pytest.raises(WSServerHandshakeError) as refused:
        await _open(client, origin)
    assert refused.value.status == 403


async def test_an_allowed_origin_and_the_same_origin_open_tabs(client: TestClient) -> None:
    for origin in (_origin(client), ALLOWED):
        websocket = await _open(client, origin)
        assert "env" in await _report(websocket)
        await websocket.close()


async def test_tabs_beyond_max_tabs_are_refused_and_a_closed_one_frees_its_place(client: TestClient) -> None:
    first, second = await _open(client), await _open(client)
    with pytest.raises(WSServerHandshakeError) as refused:
        await _open(client)
    assert refused.value.status == 503
    pid = (await _report(first))["pid"]
    await _report(second)
    await first.close()
    assert await _gone(pid, 5)
    third = await _open(client)
    assert "env" in await _report(third)
    await second.close()
    await third.close()


async def test_a_tab_gets_a_minimal_environment_and_an_empty_folder(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "server-secret")
    monkeypatch.setenv("ECRSIM_HOME", "/tmp/somewhere")
    websocket = await _open(client)
    report = await _report(websocket)
    await websocket.close()
    assert await _gone(report["pid"], 5)
    await asyncio.sleep(0.2)
    assert "AWS_SECRET_ACCESS_KEY" not in report["env"]
    assert set(report["env"]) <= set(tabs.INHERITED) | {
        "TEXTUAL_DRIVER",
        "TEXTUAL_FPS",
        "TEXTUAL_COLOR_SYSTEM",
        "TERM_PROGRAM",
        "COLUMNS",
        "ROWS",
        "LC_CTYPE",
    }
    assert report["env"]["ECRSIM_HOME"] == "/tmp/somewhere"  # progress is still shared
    assert report["files"] == [] and report["cwd"] != os.getcwd()
    assert not Path(report["cwd"]).exists()  # removed when the tab ended


# -- hostile frames ------------------------------------------------------------------------------------------
async def test_a_huge_terminal_is_clamped(client: TestClient) -> None:
    websocket = await _open(client, query="width=99999999&height=99999999")
    report = await _report(websocket)
    assert (report["env"]["COLUMNS"], report["env"]["ROWS"]) == (str(MAX_COLUMNS), str(MAX_ROWS))
    await websocket.send_str(json.dumps(["resize", {"width": 99_999_999, "height": -5}]))
    assert (await _report(websocket))["meta"] == {"type": "resize", "width": MAX_COLUMNS, "height": 1}
    await websocket.send_str(json.dumps(["resize", {"width": "wide", "height": True}]))
    assert (await _report(websocket))["meta"] == {"type": "resize", "width": 80, "height": 24}
    await websocket.close()


async def test_malformed_messages_are_ignored_and_the_tab_keeps_working(client: TestClient) -> None:
    websocket = await _open(client)
    await _report(websocket)
    deep = "[" * 30_000 + "]" * 30_000
    for junk in ("not json", "[]", "{}", "[1, 2]", '["stdin", 5]', '["resize", "big"]', "[" * 10_000, deep):
        await websocket.send_str(junk)
    await websocket.send_bytes(b"\x00\xff")
    await websocket.send_str(json.dumps(["stdin", "ok"]))
    assert await _report(websocket) == {"input": 2}
    await websocket.close()


async def test_a_2_mb_stdin_message_closes_that_tab_quickly_without_holding_memory(
    client: TestClient,
) -> None:
    websocket = await _open(client)
    pid = (await _report(websocket))["pid"]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    await websocket.send_str(json.dumps(["stdin", "x" * (2 << 20)]))
    message = await websocket.receive(timeout=10)
    assert message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
    assert websocket.close_code == 1009  # "message too big"
    assert await _gone(pid, 10)
    assert time.monotonic() - start < 10
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 64 * 1024  # the client's own 2 MB string and its frame, not a tab's gigabyte


async def test_a_tab_that_ignores_quit_and_sigterm_is_killed_when_its_client_goes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tabs, "QUIT_GRACE", 0.3)
    client = await _client("--stubborn")
    try:
        websocket = await _open(client)
        pid = (await _report(websocket))["pid"]
        await websocket.close()
        assert await _gone(pid, 5)
    finally:
        await client.close()


async def test_stopping_the_server_ends_every_tab() -> None:
    client = await _client()
    websocket = await _open(client)
    pid = (await _report(websocket))["pid"]
    await client.close()
    assert await _gone(pid, 5)


# -- the pieces -----------------------------------------------------------------------------------------
def test_sizes_are_clamped_to_a_screen() -> None:
    assert clamp_size(10**9, 10**9) == (MAX_COLUMNS, MAX_ROWS)
    assert clamp_size(0, -1) == (1, 1)
    assert clamp_size(None, "30") == (80, 24)


def test_the_environment_keeps_only_the_inherited_names() -> None:
    env = tab_environment({"PATH": "/bin", "AWS_ACCESS_KEY_ID": "AKIA", "GITHUB_TOKEN": "t"}, 90, 30)
    assert env["PATH"] == "/bin" and "AWS_ACCESS_KEY_ID" not in env and "GITHUB_TOKEN" not in env
    assert (env["COLUMNS"], env["ROWS"]) == ("90", "30")


def test_hosts_and_origins() -> None:
    options = Options([], host="localhost", port=8000, allow_origins=(ALLOWED,))
    assert host_allowed("localhost:8000", options) and host_allowed("[::1]:8000", options)
    assert host_allowed("192.0.2.7:8000", options) and host_allowed("classroom.example", options)
    assert not host_allowed("attacker.example:8000", options) and not host_allowed("", options)
    assert origin_allowed(None, "localhost:8000", options)
    assert origin_allowed("http://localhost:8000", "localhost:8000", options)
    assert origin_allowed(ALLOWED + "/", "localhost:8000", options)
    assert not origin_allowed("http://localhost:8001", "localhost:8000", options)
    assert not origin_allowed("null", "localhost:8000", options)


# -- the command line ----------------------------------------------------------------------------------
def test_a_port_that_cannot_be_used_is_one_line(capsys: Any) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert serve.run_serve("127.0.0.1", port) == 1
    started, error = capsys.readouterr().err.splitlines()
    assert started.startswith(f"ecrsim serve: http://127.0.0.1:{port}/ ")
    assert error.startswith(f"ecrsim serve: error: cannot listen on 127.0.0.1:{port}: ")


def test_without_the_extra_one_line_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setattr(serve, "find_spec", lambda name: None)
    assert serve.run_serve("localhost", 8000) == 1
    assert (
        capsys.readouterr().err
        == "ecrsim serve: textual-serve is not installed; install it with: pip install 'ecrsim[serve]'\n"
    )


def test_each_tab_runs_this_python_s_ecrsim() -> None:
    assert serve.tab_argv() == [sys.executable, "-m", "ecrsim"]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["--port", "0"],
            "ecrsim serve: error: argument --port: expected a port number from 1 to 65535, got '0'",
        ),
        (
            ["--port", "http"],
            "ecrsim serve: error: argument --port: expected a port number from 1 to 65535, got 'http'",
        ),
        (
            ["--port", "70000"],
            "ecrsim serve: error: argument --port: expected a port number from 1 to 65535, got '70000'",
        ),
        (["--max-tabs", "0"], "ecrsim serve: error: argument --max-tabs: expected a number above 0, got '0'"),
        (["--bind", "x"], "ecrsim: error: unrecognized arguments: --bind x"),
    ],
)
def test_bad_arguments_are_usage_errors(args: list[str], error: str) -> None:
    result = subprocess.run([sys.executable, "-m", "ecrsim", "serve", *args], capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == error + "\n"

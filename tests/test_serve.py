"""`ecrsim serve`: arguments, the command each browser tab runs, and the missing-extra message. No network:
textual-serve's Server is replaced by a recorder."""

from __future__ import annotations

import shlex
import subprocess
import sys
import types
from typing import Any, ClassVar

import pytest

from ecrsim import serve
from ecrsim.cli import main


class FakeServer:
    made: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, command: str, **options: Any) -> None:
        self.made.append({"command": command, **options})

    def serve(self) -> None:
        pass


def install(monkeypatch: pytest.MonkeyPatch, server: type[FakeServer]) -> None:
    """Stand in for textual-serve, installed or not."""
    package = types.ModuleType("textual_serve")
    package.server = types.SimpleNamespace(Server=server)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "textual_serve", package)
    monkeypatch.setitem(sys.modules, "textual_serve.server", package.server)  # type: ignore[attr-defined]


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    FakeServer.made = []
    install(monkeypatch, FakeServer)
    return FakeServer.made


def test_serve_binds_to_localhost_and_runs_ecrsim_for_each_tab(
    fake_server: list[dict[str, Any]], capsys: Any
) -> None:
    assert main(["serve"]) == 0
    (made,) = fake_server
    assert made["host"] == "localhost" and made["port"] == 8000
    assert shlex.split(made["command"]) == [sys.executable, "-m", "ecrsim"]  # a new process, a new world
    assert capsys.readouterr().err == ""


def test_another_host_is_allowed_with_a_warning(fake_server: list[dict[str, Any]], capsys: Any) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--port", "8123"]) == 0
    assert (fake_server[0]["host"], fake_server[0]["port"]) == ("0.0.0.0", 8123)
    assert capsys.readouterr().err.startswith(
        "ecrsim serve: warning: listening on 0.0.0.0: anyone who can reach"
    )


def test_a_port_that_cannot_be_used_is_one_line(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    class Busy(FakeServer):
        def serve(self) -> None:
            raise OSError(98, "Address already in use")

    install(monkeypatch, Busy)
    assert main(["serve", "--port", "8124"]) == 1
    assert (
        capsys.readouterr().err
        == "ecrsim serve: error: cannot listen on localhost:8124: Address already in use\n"
    )


def test_without_the_extra_one_line_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # import fails as if not installed
    assert serve.run_serve("localhost", 8000) == 1
    assert (
        capsys.readouterr().err
        == "ecrsim serve: textual-serve is not installed; install it with: pip install 'ecrsim[serve]'\n"
    )


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
        (["--bind", "x"], "ecrsim: error: unrecognized arguments: --bind x"),
    ],
)
def test_bad_arguments_are_usage_errors(args: list[str], error: str) -> None:
    result = subprocess.run([sys.executable, "-m", "ecrsim", "serve", *args], capture_output=True, text=True)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == error + "\n"

"""`ecrsim endpoint`: the world on a port for the learner's own aws CLI, boto3, docker and skopeo.

It composes the layers the command needs: the world and terminal of the sandbox or of a scenario (lines
typed on standard input run in that terminal, so `sim advance 13h` moves the endpoint's clock), the
endpoint in front of the same world, and the profile files the learner's tools read. One line per request
is printed, with the explanation of every refusal.
"""

from __future__ import annotations

import ipaddress
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ecrsim.endpoint.app import Record
    from ecrsim.shell.shell import Shell


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _config_dir(given: str | None) -> Path:
    if given is not None:
        return Path(given).expanduser()
    from ecrsim.scenarios.progress import data_dir

    return data_dir() / "endpoint"


def _shell(scenario: str | None) -> Shell | str:
    from ecrsim.shell.terminal import sandbox_shell

    if scenario is None:
        return sandbox_shell()
    from ecrsim.scenarios.runner import scenario_shell

    return scenario_shell(scenario)


class _Console:
    """Log lines and terminal output, one writer at a time."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.lock = threading.Lock()

    def write(self, text: str) -> None:
        with self.lock:
            self.out.write(text)
            self.out.flush()

    def record(self, record: Record) -> None:
        self.write(
            "".join(f"{line}\n" for line in (record.line(), *("    " + x for x in record.explanation)))
        )


def _read_commands(shell: Shell, lock: threading.RLock, console: _Console, source: TextIO) -> None:
    """Run each line typed on standard input in the world's terminal; end of input stops only this."""
    for line in source:
        if not line.strip():
            continue
        with lock:
            result = shell.run_line(line.rstrip("\n"))
        console.write(f"$ {result.command}\n{result.stdout}{result.stderr}")


def run_endpoint(
    scenario: str | None,
    host: str,
    port: int,
    config_dir: str | None,
    *,
    local_uris: bool,
    max_layer_mib: int | None = None,
) -> int:
    from ecrsim.endpoint.app import DEFAULT_LAYER_MIB, Endpoint
    from ecrsim.endpoint.keys import home_account
    from ecrsim.endpoint.profiles import write_profiles
    from ecrsim.endpoint.server import EndpointServer

    shell = _shell(scenario)
    if isinstance(shell, str):
        print(shell, file=sys.stderr)
        return 2
    if not _is_loopback(host):
        print(
            f"ecrsim endpoint: warning: listening on {host}: anyone who can reach port {port} acts as the "
            "world's users",
            file=sys.stderr,
        )
    console = _Console(sys.stdout)
    shown_host = f"[{host}]" if ":" in host else host
    endpoint = Endpoint(
        lambda: shell.world,
        region=shell.region,
        registry_id=home_account(shell.world, shell.profile),
        address=f"{shown_host}:{port}",
        local_uris=local_uris,
        max_layer_mib=max_layer_mib or DEFAULT_LAYER_MIB,
        listener=console.record,
    )
    try:
        server = EndpointServer(host, port, endpoint)
    except OSError as error:
        print(
            f"ecrsim endpoint: error: cannot listen on {host}:{port}: {error.strerror or error}",
            file=sys.stderr,
        )
        return 2
    url = f"http://{shown_host}:{server.port}"
    endpoint.address = f"{shown_host}:{server.port}"
    try:
        env = write_profiles(
            shell.world, _config_dir(config_dir), url=url, region=shell.region, profile=shell.profile
        )
    except OSError as error:
        print(f"ecrsim endpoint: error: cannot write the profile files: {error}", file=sys.stderr)
        server.server_close()
        return 2
    console.write(f"Listening on {url}\nsource {env}\n")
    threading.Thread(
        target=_read_commands, args=(shell, endpoint.lock, console, sys.stdin), daemon=True
    ).start()

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0

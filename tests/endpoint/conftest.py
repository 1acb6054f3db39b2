"""An endpoint on a free loopback port, serving a fresh sandbox world, for tests with real clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live import Running

from ecrsim.endpoint.app import Endpoint, Record
from ecrsim.endpoint.server import EndpointServer
from ecrsim.engine.world import default_world
from ecrsim.shell.shell import Shell


@pytest.fixture
def running() -> Iterator[Running]:
    shell = Shell(default_world())
    records: list[Record] = []
    endpoint = Endpoint(lambda: shell.world, region="us-east-1", address="", listener=records.append)
    server = EndpointServer("127.0.0.1", 0, endpoint)
    endpoint.address = f"127.0.0.1:{server.port}"
    server.start()
    try:
        yield Running(shell, endpoint, server, records)
    finally:
        server.shutdown()
        server.server_close()

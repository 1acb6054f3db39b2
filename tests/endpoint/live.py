"""What the endpoint tests share: the running endpoint and the rule for clients that may be missing."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest

from ecrsim.endpoint.app import Endpoint, Record
from ecrsim.endpoint.keys import user_keys
from ecrsim.endpoint.server import EndpointServer
from ecrsim.shell.shell import Shell

IN_CI = os.environ.get("CI") == "true"


def need(available: bool, reason: str) -> None:
    """Skip with the reason, except under CI=true, where the client must be there (.ci/run installs it)."""
    if not available:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: .ci/run installs it)")
        pytest.skip(reason)


@dataclass
class Running:
    shell: Shell
    endpoint: Endpoint
    server: EndpointServer
    records: list[Record] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.port}"

    def keys(self, profile: str = "admin") -> tuple[str, str]:
        return user_keys(self.shell.world)[profile]

    def run(self, line: str) -> str:
        """A line typed on the endpoint's standard input."""
        with self.endpoint.lock:
            result = self.shell.run_line(line)
        assert result.status == 0, result.stderr
        return result.stdout


def registry_password(running: Running, key: tuple[str, str] | None = None) -> str:
    """The docker password GetAuthorizationToken gives the key's user (admin by default), through boto3."""
    import base64

    import boto3

    key = key or running.keys()
    ecr = boto3.client(
        "ecr",
        endpoint_url=running.url,
        region_name="us-east-1",
        aws_access_key_id=key[0],
        aws_secret_access_key=key[1],
    )
    token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    return base64.b64decode(token).decode().partition(":")[2]

"""Errors the engine raises: each carries what the real service would return.
Each derives from EcrsimError (ecrsim/errors.py), the base of every error the project raises on purpose.

An operation either returns the API's response or raises one of these. The shell turns a ServiceError
into the AWS CLI's `An error occurred (CODE) when calling the OP operation: MESSAGE`; the docker client
turns registry failures into DockerError with the registry code and docker's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ecrsim.errors import EcrsimError

if TYPE_CHECKING:
    from ecrsim.engine.policy.types import Decision


class ServiceError(EcrsimError):
    """An AWS API error, e.g. `RepositoryNotFoundException`, with AWS's message.

    `decision` is set when the error is an authorization failure, so that any interface can explain it;
    `fields` are members the error shape has besides its message (ECR's KmsException carries `kmsError`,
    the code KMS returned), which the JSON protocol sends and the CLI does not print.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        decision: Decision | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.decision = decision
        self.fields = dict(fields or {})


class DockerError(EcrsimError):
    """A docker client failure: the registry error code (DENIED, UNAUTHORIZED, NAME_UNKNOWN,
    MANIFEST_UNKNOWN, TAG_INVALID, or a local one) and the exact text docker prints."""

    def __init__(
        self, code: str, text: str, *, decision: Decision | None = None, output: tuple[str, ...] = ()
    ) -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.decision = decision
        self.output = output  # the lines docker printed before it failed (e.g. push progress)


class ConnectTimeout(EcrsimError):
    """A request that never reached its host: the network path from the machine it was made on has no way
    there (no route, a security group, an endpoint that admits nothing). `host` is the name it was sent to,
    `address` the address that name resolved to, and `reason` the path's own sentence on why."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        super().__init__(reason)
        self.host = host
        self.address = address
        self.reason = reason


class UnknownPrincipal(EcrsimError):
    """A principal ARN that names nobody in this world (a deleted user, a made-up ARN)."""


class UnknownProfile(EcrsimError):
    """A CLI profile this world does not have; the message is the CLI's."""

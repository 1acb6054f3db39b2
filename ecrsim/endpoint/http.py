"""A request and a response as the endpoint's protocols see them, apart from any HTTP server."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # as sent, percent-encoded
    query: str
    headers: Mapping[str, str]  # names in lower case
    body: bytes = b""


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def json_response(
    status: int, document: Any, content_type: str = "application/json", **headers: str
) -> Response:
    return Response(status, {"Content-Type": content_type, **headers}, json.dumps(document).encode())

"""Requests no well-behaved client sends: the endpoint answers each in its protocol, never with a 5xx."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from live import Running

from ecrsim.endpoint import sigv4
from ecrsim.endpoint.app import Endpoint
from ecrsim.endpoint.http import Request
from ecrsim.endpoint.keys import user_keys
from ecrsim.engine.world import default_world

TARGET = "AmazonEC2ContainerRegistry_V20150921."


def signed(endpoint: Endpoint, operation: str, body: bytes) -> Request:
    """A JSON 1.1 request signed with admin's key, as botocore would sign it."""
    key_id, secret = user_keys(endpoint.world())["admin"]
    headers = {"host": "localhost", "x-amz-date": "20260105T090000Z", "x-amz-target": TARGET + operation}
    claims = sigv4.Signature(
        key_id, "20260105", "us-east-1", "ecr", ("host", "x-amz-date", "x-amz-target"), ""
    )
    signature = sigv4.sign(secret, claims, sigv4.string_to_sign(claims, "POST", "/", "", headers, body))
    headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={key_id}/{claims.scope}, "
        f"SignedHeaders=host;x-amz-date;x-amz-target, Signature={signature}"
    )
    return Request("POST", "/", "", headers, body)


def answer(endpoint: Endpoint, operation: str, body: bytes) -> tuple[int, dict[str, str]]:
    response = endpoint.handle(signed(endpoint, operation, body))
    return response.status, json.loads(response.body)


def test_missing_members_bad_json_and_unknown_operations_are_client_errors() -> None:
    world = default_world()
    endpoint = Endpoint(lambda: world, region="us-east-1", address="localhost")
    assert answer(endpoint, "CreateRepository", b"{}") == (
        400,
        {
            "__type": "ValidationException",
            "message": "1 validation error detected: Value null at 'repositoryName' failed to satisfy "
            "constraint: Member must not be null",
        },
    )
    assert answer(endpoint, "CreateRepository", b"{oops")[1]["__type"] == "SerializationException"
    assert answer(endpoint, "PutSigningConfiguration", b"{}")[1]["__type"] == "UnknownOperationException"
    assert answer(endpoint, "CreateRepository", b'{"repositoryName": "web"}')[0] == 200


def test_an_unexpected_failure_is_a_400_and_a_log_line(running: Running, monkeypatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(running.server, "dispatch", broken)
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(
            urllib.request.Request(f"{running.url}/", data=b"Action=ListUsers"), timeout=30
        )
    assert caught.value.code == 400
    assert json.loads(caught.value.read())["__type"] == "InternalFailure"
    assert running.records[-1].verdict == "InternalFailure"


def test_the_registry_asks_for_basic_auth_with_ecrs_challenge(running: Running) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{running.url}/v2/", timeout=30)
    assert caught.value.code == 401
    assert caught.value.headers["WWW-Authenticate"] == (
        f'Basic realm="http://{running.address}/",service="ecr.amazonaws.com"'
    )
    assert caught.value.headers["Docker-Distribution-API-Version"] == "registry/2.0"

"""The endpoint's core: one request in, one response out, one line in the log, apart from any server.

Three protocols share the port (AWS's "Protocols" pages): ECR's AWS JSON 1.1 (`X-Amz-Target`), IAM's and
STS's query protocol (a form body with `Action`, the service named by the SigV4 scope), and the Docker
Registry HTTP API v2 under `/v2/` (registry.py). Every request runs under one lock: the world is one
value, and the terminal typed on standard input shares it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from ecrsim.endpoint import sigv4
from ecrsim.endpoint.http import Request, Response, json_response
from ecrsim.endpoint.keys import find_key
from ecrsim.endpoint.wire import WireError, json_in, json_out, query_in, xml_out
from ecrsim.engine.errors import ServiceError, UnknownPrincipal
from ecrsim.engine.explanation import LineKind, explain_last_command, line
from ecrsim.engine.world import DEFAULT_ACCOUNT
from ecrsim.errors import EcrsimError
from ecrsim.shell.servicemodel import Operation, ServiceModel, load_service

if TYPE_CHECKING:
    from ecrsim.engine.iam import Caller
    from ecrsim.engine.world import World

_JSON_CONTENT = "application/x-amz-json-1.1"
_BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)
_INVALID_TOKEN = "The security token included in the request is invalid."
# What each protocol calls the same failure to say who is calling (ECR JSON / query).
_AUTH_CODES = {
    "missing": ("MissingAuthenticationTokenException", "MissingAuthenticationToken"),
    "unknown": ("UnrecognizedClientException", "InvalidClientTokenId"),
    "signature": ("InvalidSignatureException", "SignatureDoesNotMatch"),
}
_AUTH_MESSAGES = {
    "missing": "Missing Authentication Token",
    "unknown": _INVALID_TOKEN,
    "signature": _BAD_SIGNATURE,
}
# Why, in the explanation of a refused signature.
_AUTH_WHY = {
    "missing": "the request carries no AWS Signature Version 4 Authorization header",
    "unknown": "no IAM user or role session of this world holds access key {key} (or it is inactive, or "
    "the session token does not match)",
    "signature": "the signature does not match the one computed with the secret of {key}",
}
# The services spoken in AWS JSON 1.1, by the X-Amz-Target prefix their service model names.
_JSON_SERVICES = {"AmazonEC2ContainerRegistry_V20150921": "ecr", "TrentService": "kms"}
DEFAULT_LAYER_MIB = 1024
_STATUS = {
    "AccessDenied": 403,
    "AccessDeniedException": 400,
    "InvalidClientTokenId": 403,
    "NoSuchEntity": 404,
}


@dataclass(frozen=True)
class Record:
    """One request as the log shows it: when (simulated), who, what, how it ended, and why if refused."""

    time: datetime
    principal: str
    operation: str
    verdict: str  # "OK", or the error code
    explanation: tuple[str, ...] = ()

    def line(self) -> str:
        return f"{self.time.strftime('%Y-%m-%dT%H:%M:%SZ')} {self.principal} {self.operation} {self.verdict}"


class AuthFailure(EcrsimError):
    def __init__(self, kind: str, key: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.key = key


class Endpoint:
    """The world behind the port. `world()` is read at every request, because the terminal on standard
    input may replace it (`sim reset`, `sim undo`)."""

    def __init__(
        self,
        world: Callable[[], World],
        *,
        region: str,
        address: str,
        registry_id: str = DEFAULT_ACCOUNT,
        local_uris: bool = False,
        max_layer_mib: int = DEFAULT_LAYER_MIB,
        listener: Callable[[Record], None] | None = None,
    ) -> None:
        self.world = world
        self.region = region  # the Region of the registry served under /v2/
        self.registry_id = registry_id  # its account
        self.max_layer_bytes = max_layer_mib * 2**20  # layer bytes the world may hold in memory
        self.address = address  # HOST:PORT
        self.local_uris = local_uris
        self.listener = listener or (lambda record: None)
        self.lock = threading.RLock()
        self._serial = 0

    # -- dispatch ----------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        with self.lock:
            # Each request is a command of its own, so that `sim explain` typed on standard input (or the
            # UI's Explain panel) explains the last request, as it explains the terminal's last command.
            self.world().begin_command(_request_line(request))
            if request.path == "/v2" or request.path.startswith("/v2/"):
                from ecrsim.endpoint.registry import handle_registry

                return handle_registry(self, request)
            if request.method == "POST" and "x-amz-target" in request.headers:
                return self._json(request)
            if request.method in ("POST", "GET"):
                return self._query(request)
            return json_response(404, {"message": "Not Found"})

    def request_id(self) -> str:
        """A request id that looks like AWS's and is the same every run."""
        self._serial += 1
        hexed = hashlib.sha256(f"request:{self._serial}".encode()).hexdigest()
        return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:32]}"

    def caller(self, request: Request, service: str) -> tuple[Caller, sigv4.Signature]:
        """Who signed the request, checked against the world's keys now; AuthFailure otherwise."""
        claims = sigv4.parse_authorization(request.headers.get("authorization"))
        if claims is None:
            raise AuthFailure("missing")
        world = self.world()
        owner = find_key(world, claims.access_key_id)
        token = request.headers.get("x-amz-security-token")
        if owner is None or not owner.active or owner.session_token != token:
            raise AuthFailure("unknown", claims.access_key_id)
        text = sigv4.string_to_sign(
            claims, request.method, request.path, request.query, request.headers, request.body
        )
        if not sigv4.verify(owner.secret, claims, text):
            raise AuthFailure("signature", claims.access_key_id)
        try:
            return world.resolve(owner.principal_arn), claims
        except UnknownPrincipal:
            raise AuthFailure("unknown", claims.access_key_id) from None

    # -- the log -----------------------------------------------------------------------------------------
    def record(self, principal: str, operation: str, verdict: str) -> None:
        """One line in the log; a refusal carries what `sim explain` says of this request."""
        world = self.world()
        explanation: tuple[str, ...] = ()
        if verdict != "OK":
            explanation = tuple(entry.plain() for entry in explain_last_command(world))
        self.listener(Record(world.clock.now, principal, operation, verdict, explanation))

    def refuse(self, principal: str, operation: str, code: str, message: str, why: str) -> None:
        """A request refused before any API call (who is calling could not be established): the reason
        goes into the event log for `sim explain`, and the refusal into the request log."""
        self.world().record(
            "endpoint",
            operation,
            [
                line(LineKind.VERDICT, f"REFUSED: {operation}: {code}", matched=False),
                line(LineKind.NOTE, f"AWS says: {message}", 1),
                line(LineKind.TOKEN, why, 1),
            ],
            principal_arn=principal,
            error_code=code,
            error_message=message,
        )
        self.record(principal or "(anonymous)", operation, code)

    def call(
        self, caller: Caller, service: str, operation: str, params: dict[str, Any], region: str, label: str
    ) -> dict[str, Any]:
        """One engine call as `caller`, logged under `label`; ServiceError as the engine raises it."""
        try:
            response = self.world().call_as(caller, service, operation, params, region=region)
        except ServiceError as error:
            self.record(caller.arn, label, error.code)
            raise
        self.record(caller.arn, label, "OK")
        return response

    def log_internal(self, error: Exception) -> None:
        """A bug met while serving: one line in the log, and the client gets a 400, never a 5xx."""
        self.listener(
            Record(
                self.world().clock.now, "-", "-", "InternalFailure", (f"ecrsim: internal error: {error!r}",)
            )
        )

    def refused(self, failure: AuthFailure, operation: str, protocol: int) -> None:
        """`protocol`: 0 for the JSON protocol's codes, 1 for the query protocol's."""
        code, message = _auth_error(failure, protocol)
        self.refuse(failure.key, operation, code, message, _AUTH_WHY[failure.kind].format(key=failure.key))

    # -- ECR and KMS: AWS JSON 1.1 -----------------------------------------------------------------------
    def _json(self, request: Request) -> Response:
        prefix, _, name = request.headers["x-amz-target"].partition(".")
        service = _JSON_SERVICES.get(prefix, "ecr")
        model = load_service(service)
        operation = model.api_operations.get(name) if prefix == model.target_prefix else None
        label = f"{service}:{name}"
        request_id = self.request_id()
        if operation is None:
            return _json_error("UnknownOperationException", f"ecrsim does not simulate {name}", request_id)
        try:
            caller, claims = self.caller(request, service)
        except AuthFailure as failure:
            self.refused(failure, label, 0)
            return _json_error(*_auth_error(failure, 0), request_id, status=400)
        try:
            body = json.loads(request.body or b"{}")
            params = json_in(model, operation.input, body) if operation.input else {}
        except (ValueError, WireError) as error:
            return _json_error("SerializationException", str(error), request_id)
        if missing := _missing(model, operation, params):
            return _json_error("ValidationException", missing, request_id)
        try:
            response = self.call(caller, service, name, params, claims.region, label)
        except ServiceError as error:
            return _json_error(error.code, error.message, request_id, **error.fields)
        document = json_out(model, operation.output, response) if operation.output else {}
        if self.local_uris:
            document = self.localized(document)
        return json_response(200, document, _JSON_CONTENT, **{"x-amzn-RequestId": request_id})

    def localized(self, document: Any) -> Any:
        """repositoryUri and proxyEndpoint pointing at this endpoint (`--local-uris`), so that pasted
        commands reach it."""
        if isinstance(document, list):
            return [self.localized(item) for item in document]
        if not isinstance(document, dict):
            return document
        out = {key: self.localized(value) for key, value in document.items()}
        if isinstance(out.get("repositoryUri"), str):
            out["repositoryUri"] = f"{self.address}/{out['repositoryUri'].partition('/')[2]}"
        if isinstance(out.get("proxyEndpoint"), str):
            out["proxyEndpoint"] = f"http://{self.address}"
        return out

    # -- IAM and STS: the query protocol -----------------------------------------------------------------
    def _query(self, request: Request) -> Response:
        text = request.body.decode("utf-8", "replace") if request.method == "POST" else request.query
        form = dict(parse_qsl(text, keep_blank_values=True))
        name = form.get("Action", "")
        claims = sigv4.parse_authorization(request.headers.get("authorization"))
        service = claims.service if claims and claims.service in ("iam", "sts") else "sts"
        model = load_service(service)
        label = f"{service}:{name}"
        request_id = self.request_id()
        operation = model.api_operations.get(name)
        if operation is None:
            return _xml_error(model, "InvalidAction", f"ecrsim does not simulate {name}", request_id)
        try:
            caller, claims = self.caller(request, service)
        except AuthFailure as failure:
            self.refused(failure, label, 1)
            return _xml_error(model, *_auth_error(failure, 1), request_id)
        try:
            params = query_in(model, operation.input, form) if operation.input else {}
        except WireError as error:
            return _xml_error(model, "MalformedInput", str(error), request_id)
        if missing := _missing(model, operation, params):
            return _xml_error(model, "ValidationError", missing, request_id)
        try:
            response = self.call(caller, service, name, params, claims.region, label)
        except ServiceError as error:
            return _xml_error(model, error.code, error.message, request_id)
        result = ""
        if operation.output and operation.result_wrapper:
            result = xml_out(model, operation.output, response, operation.result_wrapper)
        body = (
            f'<{name}Response xmlns="{model.xml_namespace}">{result}'
            f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{name}Response>"
        )
        return Response(200, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body.encode())


def _missing(model: ServiceModel, operation: Operation, params: dict[str, Any]) -> str:
    """AWS's sentence for required members left out (clients check this first; a hand-made request may
    not), or "" when none is."""
    absent = [name for name in model.required(operation) if params.get(name) is None]
    if not absent:
        return ""
    errors = "; ".join(
        f"Value null at '{name[0].lower() + name[1:]}' failed to satisfy constraint: Member must not be null"
        for name in absent
    )
    count = len(absent)
    return f"{count} validation error{'s' if count > 1 else ''} detected: {errors}"


def _auth_error(failure: AuthFailure, protocol: int) -> tuple[str, str]:
    return _AUTH_CODES[failure.kind][protocol], _AUTH_MESSAGES[failure.kind]


def _json_error(code: str, message: str, request_id: str, status: int = 400, **fields: str) -> Response:
    """An error as AWS JSON 1.1 sends it; `fields` are the error shape's other members (kmsError)."""
    document = {"__type": code, "message": message, **fields}
    return json_response(status, document, _JSON_CONTENT, **{"x-amzn-RequestId": request_id})


def _xml_error(model: ServiceModel, code: str, message: str, request_id: str) -> Response:
    from xml.sax.saxutils import escape

    body = (
        f'<ErrorResponse xmlns="{model.xml_namespace}"><Error><Type>Sender</Type><Code>{escape(code)}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return Response(
        _STATUS.get(code, 400), {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body.encode()
    )


def _request_line(request: Request) -> str:
    """How the event log names a request (the Explain panel's "Last command"): method, path, operation."""
    operation = request.headers.get("x-amz-target", "").rpartition(".")[2]
    if not operation and request.method == "POST" and not request.path.startswith("/v2"):
        operation = dict(parse_qsl(request.body.decode("utf-8", "replace"))).get("Action", "")
    return f"{request.method} {request.path} {operation}".rstrip()

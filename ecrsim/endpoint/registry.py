"""The Docker Registry HTTP API v2 for the world's default registry, with ECR's Basic auth.

Each route is the ECR action ECR authorizes for it (ECR user guide, "Private registry authentication" and
the IAM actions of a push and a pull): HEAD blob is BatchCheckLayerAvailability, POST upload
InitiateLayerUpload, PATCH UploadLayerPart, PUT digest CompleteLayerUpload, PUT manifest PutImage, GET or
HEAD manifest BatchGetImage, GET blob GetDownloadUrlForLayer, POST with `mount=` a blob mount. Each is
made as the principal the Basic-auth password was issued to, at that moment, on the simulated clock,
through the engine's one mapping of registry requests onto ECR calls (engine.ecr.registry_calls), which
the simulated docker uses too; a refusal is the registry's JSON error with ECR's text, never a 5xx.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from ecrsim.endpoint.http import Request, Response, json_response
from ecrsim.engine.ecr.cache_import import UPSTREAM_AUTH_FAILED, sync
from ecrsim.engine.ecr.content import sha256_digest
from ecrsim.engine.ecr.registry_calls import RegistryCalls
from ecrsim.engine.ecr.tokens import check_token
from ecrsim.engine.errors import ServiceError, UnknownPrincipal
from ecrsim.errors import EcrsimError

if TYPE_CHECKING:
    from ecrsim.endpoint.app import Endpoint
    from ecrsim.engine.iam import Caller

_API_VERSION = {"Docker-Distribution-API-Version": "registry/2.0"}
_NAME = r"(?P<name>[a-z0-9]+(?:[._/-][a-z0-9]+)*)"
_DIGEST = r"(?P<digest>sha256:[a-f0-9]{64})"
_ROUTES = (
    ("manifest", re.compile(rf"/v2/{_NAME}/manifests/(?P<reference>[^/]+)")),
    ("uploads", re.compile(rf"/v2/{_NAME}/blobs/uploads/?")),
    ("upload", re.compile(rf"/v2/{_NAME}/blobs/uploads/(?P<upload>[0-9a-f-]+)")),
    ("blob", re.compile(rf"/v2/{_NAME}/blobs/{_DIGEST}")),
    ("tags", re.compile(rf"/v2/{_NAME}/tags/list")),
)
# What the registry answers for an engine error: HTTP status and the registry API's error code.
_ERRORS = {
    "AccessDeniedException": (403, "DENIED"),
    "ExpiredTokenException": (403, "DENIED"),
    "RepositoryNotFoundException": (404, "NAME_UNKNOWN"),
    "ImageNotFoundException": (404, "MANIFEST_UNKNOWN"),
    "LayersNotFoundException": (404, "BLOB_UNKNOWN"),
    "ImageTagAlreadyExistsException": (400, "TAG_INVALID"),
    "InvalidParameterException": (400, "MANIFEST_INVALID"),
    "UploadNotFoundException": (404, "BLOB_UPLOAD_UNKNOWN"),
    "InvalidLayerException": (400, "DIGEST_INVALID"),
    "InvalidLayerPartException": (416, "BLOB_UPLOAD_INVALID"),
    "ImageDigestDoesNotMatchException": (400, "DIGEST_INVALID"),
    "LimitExceededException": (400, "DENIED"),
    # The repository's KMS key cannot be used: ECR documents no registry error code for it (see docker.py).
    "KmsException": (400, "UNKNOWN"),
    "KmsError": (400, "UNKNOWN"),
}
# ECR's text for an expired authorization token (ECR troubleshooting, "Authorization token has expired").
TOKEN_EXPIRED = "Your authorization token has expired. Reauthenticate and try again."
_PRINCIPAL_GONE = "The security token included in the request is invalid."


class RegistryError(EcrsimError):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def _error(failure: RegistryError) -> Response:
    document = {"errors": [{"code": failure.code, "message": failure.message}]}
    return json_response(failure.status, document, **_API_VERSION, **failure.headers)


def handle_registry(endpoint: Endpoint, request: Request) -> Response:
    session = _RegistrySession(endpoint, request)
    try:
        return session.serve()
    except RegistryError as failure:
        return _error(failure)


class _RegistrySession:
    """One registry request: who the Basic-auth password speaks for, and the ECR calls it makes."""

    def __init__(self, endpoint: Endpoint, request: Request) -> None:
        self.endpoint = endpoint
        self.request = request
        self.world = endpoint.world()
        self.name = ""

    # -- who -----------------------------------------------------------------------------------------------
    def _challenge(self) -> RegistryError:
        realm = f'Basic realm="http://{self.endpoint.address}/",service="ecr.amazonaws.com"'
        return RegistryError(401, "UNAUTHORIZED", "Not Authorized", {"WWW-Authenticate": realm})

    def caller(self, label: str) -> Caller:
        """The principal whose token is the Basic-auth password, checked now (engine.ecr.tokens)."""
        header = self.request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            raise self._challenge()
        try:
            user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user = password = ""
        check = (
            check_token(password, self.world.token_secret, self.world.clock.now) if user == "AWS" else None
        )
        claims = check.claims if check else None
        if check is None or claims is None or claims.region != self.endpoint.region:
            why = f"the password is not an authorization token this world issued for {self.endpoint.region}"
            raise self._refused(label, "Your authorization token is invalid.", why)
        if not check.valid:
            raise self._refused(label, TOKEN_EXPIRED, check.reason, claims.principal_arn)
        try:
            return self.world.resolve(claims.principal_arn)
        except UnknownPrincipal:
            why = f"{claims.principal_arn} no longer exists"
            raise self._refused(label, _PRINCIPAL_GONE, why, claims.principal_arn) from None

    def calls(self, label: str) -> _Calls:
        """The registry's ECR calls on this repository as the caller the password names."""
        return _Calls(self.endpoint, self.caller(label), self.name)

    def _refused(self, label: str, message: str, why: str, principal: str = "") -> RegistryError:
        self.endpoint.refuse(principal, label, "DENIED", message, why)
        return RegistryError(400 if not principal else 403, "DENIED", message)

    # -- routes --------------------------------------------------------------------------------------------
    def serve(self) -> Response:
        method, path = self.request.method, self.request.path
        if path in ("/v2", "/v2/"):
            if method not in ("GET", "HEAD"):
                raise RegistryError(405, "UNSUPPORTED", "The operation is unsupported.")
            self.caller("registry:login")
            return json_response(200, {}, **_API_VERSION)
        for kind, pattern in _ROUTES:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            self.name = match["name"]
            handler = getattr(self, f"_{kind}_{method.lower()}", None)
            if handler is None:
                break
            return handler(**{key: value for key, value in match.groupdict().items() if key != "name"})
        raise RegistryError(404, "UNSUPPORTED", "The operation is unsupported.")

    def _location(self, tail: str) -> str:
        return f"/v2/{self.name}/{tail}"

    # blobs
    def _blob_head(self, digest: str) -> Response:
        sizes = self.calls("ecr:BatchCheckLayerAvailability").available([digest])
        if digest not in sizes:
            raise RegistryError(404, "BLOB_UNKNOWN", "blob unknown to registry")
        headers = {"Content-Length": str(sizes[digest]), "Docker-Content-Digest": digest, **_API_VERSION}
        return Response(200, {"Content-Type": "application/octet-stream", **headers})

    def _blob_get(self, digest: str) -> Response:
        # ECR answers with a redirect to S3; the endpoint serves the bytes itself.
        blob = self.calls("ecr:GetDownloadUrlForLayer").download(digest)
        headers = {"Content-Type": "application/octet-stream", "Docker-Content-Digest": digest}
        return Response(200, {**headers, **_API_VERSION}, blob)

    # uploads
    def _uploads_post(self) -> Response:
        query = parse_qs(self.request.query)
        mount, source = query.get("mount"), query.get("from")
        if mount and source:  # a cross-repository mount: 201 when mounted, else an upload started (202)
            calls = self.calls("ecr:MountBlob")
            upload_id = calls.mount(mount[0], source[0])
            if upload_id is None:
                return self._created(mount[0])
        else:
            calls = self.calls("ecr:InitiateLayerUpload")
            upload_id = calls.start_upload()
        digest = query.get("digest")
        if digest:  # a monolithic upload: the whole blob in this request
            return self._finish(calls, upload_id, digest[0])
        return self._upload_state(202, calls, upload_id)

    def _upload_state(self, status: int, calls: RegistryCalls, upload_id: str) -> Response:
        received = calls.received(upload_id) or 0
        headers = {
            "Location": self._location(f"blobs/uploads/{upload_id}"),
            "Docker-Upload-UUID": upload_id,
            "Range": f"0-{max(received - 1, 0)}",
            **_API_VERSION,
        }
        return Response(status, headers)

    def _upload_patch(self, upload: str) -> Response:
        calls = self.calls("ecr:UploadLayerPart")
        self._part(calls, upload)
        return self._upload_state(202, calls, upload)

    def _upload_get(self, upload: str) -> Response:
        calls = self.calls("ecr:UploadLayerPart")
        if calls.received(upload) is None:
            raise RegistryError(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry")
        return self._upload_state(204, calls, upload)

    def _upload_put(self, upload: str) -> Response:
        calls = self.calls("ecr:CompleteLayerUpload")
        digest = parse_qs(self.request.query).get("digest")
        if not digest:
            raise RegistryError(400, "DIGEST_INVALID", "provided digest did not match uploaded content")
        return self._finish(calls, upload, digest[0])

    def _part(self, calls: RegistryCalls, upload_id: str) -> None:
        body = self.request.body
        if not body:
            return
        self._check_room(len(body))
        calls.send_part(upload_id, calls.received(upload_id) or 0, body)

    def _finish(self, calls: RegistryCalls, upload_id: str, digest: str) -> Response:
        self._part(calls, upload_id)
        calls.finish_upload(upload_id, digest)
        return self._created(digest)

    def _created(self, digest: str) -> Response:
        headers = {
            "Location": self._location(f"blobs/{digest}"),
            "Docker-Content-Digest": digest,
            **_API_VERSION,
        }
        return Response(201, headers)

    def _check_room(self, incoming: int) -> None:
        """Layer bytes are kept in memory: past the world's limit, an upload is refused, not a crash."""
        limit = self.endpoint.max_layer_bytes
        repositories = [
            repository
            for account in self.world.accounts.values()
            for registry in account.registries.values()
            for repository in registry.repositories.values()
        ]
        held = sum(len(layer.blob) for repository in repositories for layer in repository.layers.values())
        held += sum(
            len(upload.received) for repository in repositories for upload in repository.uploads.values()
        )
        if held + incoming > limit:
            raise RegistryError(
                413,
                "SIZE_INVALID",
                f"ecrsim: this world keeps at most {limit // 2**20} MiB of layer bytes and holds "
                f"{held // 2**20} MiB; restart the endpoint with --max-layer-mib to raise the limit",
            )

    # manifests
    def _manifest_put(self, reference: str) -> Response:
        calls = self.calls("ecr:PutImage")
        media_type = self.request.headers.get("content-type", "").partition(";")[0].strip()
        calls.put_manifest(self.request.body.decode("utf-8", "replace"), reference, media_type)
        digest = sha256_digest(self.request.body)
        headers = {
            "Location": self._location(f"manifests/{digest}"),
            "Docker-Content-Digest": digest,
            **_API_VERSION,
        }
        return Response(201, headers)

    def _manifest_get(self, reference: str) -> Response:
        accepted = [
            part.partition(";")[0].strip()
            for part in self.request.headers.get("accept", "").split(",")
            if part.strip() and "*" not in part
        ]
        calls = self.calls("ecr:BatchGetImage")
        # A pull through cache rule imports what is not cached before the manifest is served; a refused
        # import leaves BatchGetImage to answer that the repository or image does not exist.
        tag, digest = (None, reference) if reference.startswith("sha256:") else (reference, None)
        cached = sync(self.world, calls.caller, calls.registry_id, calls.region, self.name, tag, digest)
        if cached is not None and cached.outcome == "unauthenticated":
            raise RegistryError(403, "DENIED", UPSTREAM_AUTH_FAILED)
        image = calls.get_manifest(reference, accepted)
        if image is None:
            raise RegistryError(404, "MANIFEST_UNKNOWN", "Requested image not found")
        body = image["imageManifest"].encode()
        headers = {
            "Content-Type": image.get("imageManifestMediaType") or "application/json",
            "Docker-Content-Digest": image["imageId"]["imageDigest"],
            "Content-Length": str(len(body)),
            **_API_VERSION,
        }
        return Response(200, headers, body)

    _manifest_head = _manifest_get

    def _tags_get(self) -> Response:
        tags = self.calls("ecr:ListImages").tags()
        return json_response(200, {"name": self.name, "tags": tags}, **_API_VERSION)


class _Calls(RegistryCalls):
    """The engine's registry calls as the endpoint makes them: each one logged, a refusal the registry
    API's JSON error."""

    def __init__(self, endpoint: Endpoint, caller: Caller, name: str) -> None:
        super().__init__(endpoint.world(), caller, endpoint.registry_id, endpoint.region, name)
        self.endpoint = endpoint

    def send(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        return self.endpoint.call(self.caller, "ecr", operation, params, self.region, f"ecr:{operation}")

    def refused(self, operation: str, params: dict[str, Any], error: ServiceError) -> RegistryError:
        status, code = _ERRORS.get(error.code, (400, "UNSUPPORTED"))
        message = TOKEN_EXPIRED if error.code == "ExpiredTokenException" else error.message
        return RegistryError(status, code, message)

"""The Docker Registry HTTP API's requests as the ECR calls ECR authorizes for them, written once.

A registry client never calls ECR's API: it speaks the registry protocol, and ECR authorizes each request
as one of its actions (ECR user guide, "Amazon ECR private registry authentication" and the IAM actions
a push and a pull need): HEAD blob is BatchCheckLayerAvailability, POST upload InitiateLayerUpload, PATCH
UploadLayerPart, PUT ?digest CompleteLayerUpload, PUT manifest PutImage, GET/HEAD manifest
BatchGetImage, GET blob GetDownloadUrlForLayer, and a POST upload with `mount=` a blob mount (mounting.py).
The simulated docker (engine/docker.py) and `ecrsim endpoint`'s registry routes both speak through
`RegistryCalls`, as the principal of the registry token, now; each says what its client sees when a
call is refused (`refused`), and the endpoint logs each call (`send`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ecrsim.engine.errors import ServiceError

if TYPE_CHECKING:
    from ecrsim.engine.ecr.model import Repository
    from ecrsim.engine.iam import Caller
    from ecrsim.engine.world import World


def image_id(reference: str) -> dict[str, str]:
    """A manifest reference (a tag, or a `sha256:` digest) as ECR's imageId names it."""
    return {"imageDigest" if reference.startswith("sha256:") else "imageTag": reference}


@dataclass
class RegistryCalls:
    """One client's requests to one repository: who (the token's principal), where, and which."""

    world: World
    caller: Caller
    registry_id: str
    region: str
    name: str  # the repository

    # -- how a call is made and refused: what a front end changes ------------------------------------------
    def send(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Make one ECR call as the caller (the endpoint overrides this to log each call)."""
        return self.world.call_as(self.caller, "ecr", operation, params, region=self.region)

    def refused(self, operation: str, params: dict[str, Any], error: ServiceError) -> Exception:
        """What the client meets when ECR refuses `operation` (docker's sentence, the registry's JSON)."""
        return error

    def call(self, operation: str, params: dict[str, Any], *, tolerate: str = "") -> dict[str, Any]:
        """One ECR call on this repository; `tolerate` is an error the registry protocol does not report
        (`{}` is returned instead)."""
        try:
            return self.send(
                operation, {"registryId": self.registry_id, "repositoryName": self.name, **params}
            )
        except ServiceError as error:
            if error.code == tolerate:
                return {}
            raise self.refused(operation, params, error) from None

    # -- blobs ---------------------------------------------------------------------------------------------
    def available(self, digests: list[str]) -> dict[str, int]:
        """HEAD blob (docker push asks for all of an image's blobs at once): size of each one present."""
        checked = self.call("BatchCheckLayerAvailability", {"layerDigests": digests})
        return {
            entry["layerDigest"]: entry["layerSize"]
            for entry in checked.get("layers", [])
            if entry["layerAvailability"] == "AVAILABLE"
        }

    def start_upload(self) -> str:
        """POST blobs/uploads/: a new upload's id."""
        return str(self.call("InitiateLayerUpload", {})["uploadId"])

    def mount(self, digest: str, source: str) -> str | None:
        """POST blobs/uploads/?mount=DIGEST&from=SOURCE: None when ECR mounted the blob from `source`,
        else the id of the upload it started instead (as the distribution spec lets a registry do)."""
        answer = self.call("MountBlob", {"layerDigest": digest, "fromRepository": source})
        return None if answer.get("mounted") else str(answer["uploadId"])

    def send_part(self, upload_id: str, first: int, data: bytes) -> None:
        """PATCH an upload: the bytes from `first` on."""
        params = {
            "uploadId": upload_id,
            "partFirstByte": first,
            "partLastByte": first + len(data) - 1,
            "layerPartBlob": data,
        }
        self.call("UploadLayerPart", params)

    def finish_upload(self, upload_id: str, digest: str) -> None:
        """PUT an upload ?digest=: a blob the repository already holds is simply there (docker may upload
        one twice in parallel), which the registry protocol does not report."""
        params = {"uploadId": upload_id, "layerDigests": [digest]}
        self.call("CompleteLayerUpload", params, tolerate="LayerAlreadyExistsException")

    def upload(self, data: bytes, digest: str) -> None:
        """A whole blob in one part: POST, PATCH, PUT."""
        upload_id = self.start_upload()
        self.send_part(upload_id, 0, data)
        self.finish_upload(upload_id, digest)

    def received(self, upload_id: str) -> int | None:
        """How many bytes an upload in progress holds (the registry's Range header), None if unknown."""
        upload = self._repository().uploads.get(upload_id)
        return None if upload is None else len(upload.received)

    def download(self, digest: str) -> bytes:
        """GET blob: ECR answers with a redirect to S3 once GetDownloadUrlForLayer is allowed; the bytes
        are the layer's."""
        self.call("GetDownloadUrlForLayer", {"layerDigest": digest})
        return self._repository().layers[digest].blob

    def _repository(self) -> Repository:
        return self.world.account(self.registry_id).registry(self.region).repositories[self.name]

    # -- manifests -----------------------------------------------------------------------------------------
    def put_manifest(self, manifest: str, reference: str, media_type: str = "") -> bool:
        """PUT manifest: whether it changed anything (the same manifest under the same tag again is
        ImageAlreadyExistsException for the API and a success for the registry protocol)."""
        params: dict[str, Any] = {"imageManifest": manifest, **image_id(reference)}
        if media_type:
            params["imageManifestMediaType"] = media_type
        return bool(self.call("PutImage", params, tolerate="ImageAlreadyExistsException"))

    def get_manifest(self, reference: str, accepted: list[str] | None = None) -> dict[str, Any] | None:
        """GET/HEAD manifest: ECR's image (manifest, media type, digest), None when it has none. An image
        ECR cannot decrypt (failureCode KmsError: the repository's KMS key is unusable) is refused as
        `KmsError` with ECR's failure reason."""
        params: dict[str, Any] = {"imageIds": [image_id(reference)]}
        if accepted:
            params["acceptedMediaTypes"] = accepted
        got = self.call("BatchGetImage", params)
        if got.get("images"):
            return dict(got["images"][0])
        for failure in got.get("failures", []):
            if failure["failureCode"] == "KmsError":
                raise self.refused(
                    "BatchGetImage", params, ServiceError("KmsError", failure["failureReason"])
                )
        return None

    def tags(self) -> list[str]:
        """GET tags/list."""
        listed = self.call("ListImages", {"filter": {"tagStatus": "TAGGED"}, "maxResults": 1000})
        return sorted({entry["imageTag"] for entry in listed.get("imageIds", [])})

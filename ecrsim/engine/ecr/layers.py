"""The layer calls docker makes: BatchCheckLayerAvailability, InitiateLayerUpload, UploadLayerPart,
CompleteLayerUpload and GetDownloadUrlForLayer.

Each is its own authorization decision, which is why a ReadOnly user's `docker push` gets through
BatchCheckLayerAvailability and is denied at InitiateLayerUpload (iam-evaluation.md §4.3).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import repository_for
from ecrsim.engine.ecr.content import layer_from_blob, sha256_digest
from ecrsim.engine.ecr.create_on_push import repository_for_push
from ecrsim.engine.ecr.encryption import check_push
from ecrsim.engine.ecr.model import Registry, Repository, Upload
from ecrsim.engine.ecr.names import is_digest
from ecrsim.engine.errors import ServiceError

PART_SIZE = 10_485_760  # what InitiateLayerUpload reports as partSize


@operation("ecr", "BatchCheckLayerAvailability")
def batch_check_layer_availability(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    _registry, repository = repository_for_push(call, params, "ecr:BatchCheckLayerAvailability")
    layers, failures = [], []
    for digest in params["layerDigests"]:
        if not is_digest(digest):
            failures.append(
                {
                    "layerDigest": digest,
                    "failureCode": "InvalidLayerDigest",
                    "failureReason": "Invalid layer digest",
                }
            )
            continue
        layer = repository.layers.get(digest)
        if layer is None:
            layers.append({"layerDigest": digest, "layerAvailability": "UNAVAILABLE"})
        else:
            layers.append(
                {
                    "layerDigest": digest,
                    "layerAvailability": "AVAILABLE",
                    "layerSize": layer.size,
                    "mediaType": layer.media_type,
                }
            )
    return {"layers": layers, "failures": failures}


def new_upload(registry: Registry, repository: Repository) -> str:
    """Start an upload in `repository`; its id is derived from a counter, so every run gives the same."""
    registry.upload_counter += 1
    hexed = hashlib.sha256(f"upload:{repository.arn}:{registry.upload_counter}".encode()).hexdigest()
    upload_id = f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:32]}"
    repository.uploads[upload_id] = Upload(upload_id)
    return upload_id


@operation("ecr", "InitiateLayerUpload")
def initiate_layer_upload(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for_push(call, params, "ecr:InitiateLayerUpload")
    check_push(call, repository)
    return {"uploadId": new_upload(registry, repository), "partSize": PART_SIZE}


def _upload(repository: Repository, upload_id: str) -> Upload:
    upload = repository.uploads.get(upload_id)
    if upload is None:
        raise ServiceError(
            "UploadNotFoundException",
            f"The upload with id '{upload_id}' does not exist in the repository with name "
            f"'{repository.name}' in the registry with id '{repository.registry_id}'",
        )
    return upload


@operation("ecr", "UploadLayerPart")
def upload_layer_part(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:UploadLayerPart")
    check_push(call, repository)
    upload = _upload(repository, params["uploadId"])
    blob = params["layerPartBlob"]
    if isinstance(blob, str):
        blob = blob.encode()
    first, last = int(params["partFirstByte"]), int(params["partLastByte"])
    if first != upload.last_byte + 1 or last - first + 1 != len(blob):
        raise ServiceError(
            "InvalidLayerPartException",
            f"The layer part for upload '{upload.upload_id}' is not valid: expected the part to start at "
            f"byte {upload.last_byte + 1} and to be {last - first + 1} bytes long",
        )
    upload = repository.uploads[upload.upload_id] = replace(
        upload, received=upload.received + blob, last_byte=last
    )
    return {
        "registryId": registry.account_id,
        "repositoryName": repository.name,
        "uploadId": upload.upload_id,
        "lastByteReceived": upload.last_byte,
    }


@operation("ecr", "CompleteLayerUpload")
def complete_layer_upload(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:CompleteLayerUpload")
    check_push(call, repository)
    upload = _upload(repository, params["uploadId"])
    if not upload.received:
        raise ServiceError(
            "EmptyUploadException", "The specified layer upload does not contain any layer parts."
        )
    digest = params["layerDigests"][0]
    if sha256_digest(upload.received) != digest:
        raise ServiceError(
            "InvalidLayerException",
            "The layer digest calculation performed by Amazon ECR upon receipt of the image layer does not "
            "match the digest specified.",
        )
    del repository.uploads[upload.upload_id]
    if digest in repository.layers:
        raise ServiceError(
            "LayerAlreadyExistsException", "The image layer already exists in the associated repository."
        )
    repository.layers[digest] = layer_from_blob(upload.received)
    return {
        "registryId": registry.account_id,
        "repositoryName": repository.name,
        "uploadId": upload.upload_id,
        "layerDigest": digest,
    }


@operation("ecr", "GetDownloadUrlForLayer")
def get_download_url_for_layer(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:GetDownloadUrlForLayer")
    digest = params["layerDigest"]
    if digest not in repository.layers:
        raise ServiceError(
            "LayersNotFoundException",
            "The specified layers could not be found, or the specified layer is not valid for this "
            "repository.",
        )
    bucket = f"prod-{registry.region}-starport-layer-bucket"
    key = f"{registry.account_id}/{repository.name}-{digest.removeprefix('sha256:')}"
    return {
        "downloadUrl": f"https://{bucket}.s3.{registry.region}.amazonaws.com/{key}",
        "layerDigest": digest,
    }

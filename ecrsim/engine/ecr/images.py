"""Image operations: PutImage, ListImages, DescribeImages, BatchGetImage, BatchDeleteImage.

A repository holds images by manifest digest and a tag -> digest map. Moving a tag on a MUTABLE
repository leaves the image it came from untagged; an IMMUTABLE repository refuses
(ImageTagAlreadyExistsException); putting the same manifest under the tag it already has is
ImageAlreadyExistsException in either (ECR user guide, image-tag-mutability; aws/aws-cli#8671).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ecr.access import DEFAULT_PAGE, page, repository_for
from ecrsim.engine.ecr.content import image_from_manifest
from ecrsim.engine.ecr.create_on_push import repository_for_push
from ecrsim.engine.ecr.encryption import check_push, pull_failure
from ecrsim.engine.ecr.findings import findings_summary, scan_status
from ecrsim.engine.ecr.model import Repository, StoredImage
from ecrsim.engine.ecr.names import invalid_parameter, is_digest, validate_image_tag
from ecrsim.engine.ecr.registry_scanning import scan_on_push
from ecrsim.engine.ecr.storage import restore, status_filter
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.explanation import LineKind

MAX_TAGS_PER_IMAGE = 1000


def _image_not_found(repository: Repository, image_id: Mapping[str, str]) -> ServiceError:
    digest = image_id.get("imageDigest", "null")
    tag = image_id.get("imageTag", "null")
    return ServiceError(
        "ImageNotFoundException",
        f"The image with imageId {{imageDigest:'{digest}', imageTag:'{tag}'}} does not exist within the "
        f"repository with name '{repository.name}' in the registry with id '{repository.registry_id}'",
    )


def _failure(repository: Repository, image_id: Mapping[str, str]) -> tuple[str, str] | None:
    """Why an image id names no image (BatchGetImage/BatchDeleteImage failure code and reason), or None."""
    digest, tag = image_id.get("imageDigest"), image_id.get("imageTag")
    if digest is None and tag is None:
        return "MissingDigestAndTag", "Invalid request parameters: both tag and digest cannot be null"
    if digest is not None and not is_digest(digest):
        return (
            "InvalidImageDigest",
            "Invalid request parameters: image digest should satisfy the regex "
            "'[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
        )
    if tag is not None and digest is not None and repository.image_tags.get(tag) not in (None, digest):
        return "ImageTagDoesNotMatchDigest", "Invalid request parameters: image tag does not match digest"
    found = digest if digest is not None else repository.image_tags.get(tag or "")
    if (
        found is None
        or found not in repository.images
        or (tag is not None and tag not in repository.image_tags)
    ):
        return "ImageNotFound", "Requested image not found"
    return None


def resolve_image(repository: Repository, image_id: Mapping[str, str]) -> StoredImage:
    """The image an imageId names, or ImageNotFoundException."""
    if _failure(repository, image_id) is not None:
        raise _image_not_found(repository, image_id)
    digest = image_id.get("imageDigest") or repository.image_tags[image_id["imageTag"]]
    return repository.images[digest]


def image_id_of(digest: str, tag: str | None) -> dict[str, str]:
    return {"imageDigest": digest, "imageTag": tag} if tag else {"imageDigest": digest}


def _store(call: Call, repository: Repository, stored: StoredImage, tag: str | None) -> None:
    """Add an image and/or point a tag at it, with ECR's rules for tags that already exist. Pushing an
    archived image again restores it at once (ECR user guide, restore-image)."""
    digest = stored.digest
    if stored.status(call.now) != "ACTIVE":
        stored = restore(call, repository, stored, call.now)
        call.explain(LineKind.REGISTRY, f"{digest} was archived: pushing it again restored it at once")
    if tag is not None:
        current = repository.image_tags.get(tag)
        if current == digest:
            raise ServiceError(
                "ImageAlreadyExistsException",
                f"Image with digest '{digest}' and tag '{tag}' already exists in the repository with name "
                f"'{repository.name}' in registry with id '{repository.registry_id}'",
            )
        if current is not None and repository.tag_is_immutable(tag):
            raise ServiceError(
                "ImageTagAlreadyExistsException",
                f"The image tag '{tag}' already exists in the '{repository.name}' repository and cannot be "
                "overwritten because the repository is immutable.",
            )
        if digest in repository.images and len(repository.tags_of(digest)) >= MAX_TAGS_PER_IMAGE:
            raise ServiceError(
                "LimitExceededException",
                f"Adding tag '{tag}' to an image in the repository with name '{repository.name}' in registry "
                f"with id '{repository.registry_id}' exceeds the maximum allowed number of tags per image "
                f"which is '{MAX_TAGS_PER_IMAGE}'",
            )
    elif digest in repository.images:
        raise ServiceError(
            "ImageAlreadyExistsException",
            f"Image with digest '{digest}' and tag 'null' already exists in the repository with name "
            f"'{repository.name}' in registry with id '{repository.registry_id}'",
        )
    if digest not in repository.images:
        repository.images[digest] = stored
        started = scan_on_push(call, repository, stored.image)
        if started is not None:
            repository.scans[digest] = started
    if tag is not None:
        repository.image_tags[tag] = digest


@operation("ecr", "PutImage")
def put_image(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    tag = params.get("imageTag")
    if tag is not None:
        validate_image_tag(tag)
    registry, repository = repository_for_push(call, params, "ecr:PutImage")
    check_push(call, repository)
    image = image_from_manifest(params["imageManifest"], params.get("imageManifestMediaType"), repository)
    if params.get("imageDigest") and params["imageDigest"] != image.digest:
        raise ServiceError(
            "ImageDigestDoesNotMatchException",
            f"The specified digest '{params['imageDigest']}' does not match the digest of the manifest "
            f"'{image.digest}'",
        )
    stored = repository.images.get(image.digest) or StoredImage(image, call.now)
    _store(call, repository, stored, tag)
    from ecrsim.engine.ecr.replication import start_replication  # replication reads images: import late

    start_replication(call, repository, stored, tag)
    return {
        "image": {
            "registryId": registry.account_id,
            "repositoryName": repository.name,
            "imageId": image_id_of(image.digest, tag),
            "imageManifest": image.manifest,
            "imageManifestMediaType": image.media_type,
        }
    }


def _tag_status(params: Mapping[str, Any]) -> str:
    status = (params.get("filter") or {}).get("tagStatus", "ANY")
    if status not in ("TAGGED", "UNTAGGED", "ANY"):
        raise invalid_parameter(
            "filter.tagStatus", "Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]"
        )
    return status


def _filtered(
    call: Call, repository: Repository, params: Mapping[str, Any]
) -> list[tuple[StoredImage, list[str]]]:
    """The images a listing shows: by tag status, and by image status (ACTIVE unless asked otherwise)."""
    status, storage, now = _tag_status(params), status_filter(dict(params)), call.now
    tags = repository.tags_by_digest()
    return [
        (stored, tags.get(digest, []))
        for digest, stored in repository.images.items()
        if (status == "ANY" or (status == "TAGGED") == bool(tags.get(digest)))
        and (storage == "ANY" or stored.status(now) == storage)
    ]


@operation("ecr", "ListImages")
def list_images(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    _registry, repository = repository_for(call, params, "ecr:ListImages")
    image_ids: list[dict[str, str]] = []
    add = image_ids.append
    for stored, tags in _filtered(call, repository, params):
        digest = stored.image.digest
        if not tags:
            add({"imageDigest": digest})
        for tag in tags:  # plain loops: this runs for every image of every listing
            add({"imageDigest": digest, "imageTag": tag})
    chosen, token = page(image_ids, params)
    return {"imageIds": chosen, "nextToken": token} if token else {"imageIds": chosen}


def _details(
    call: Call, repository: Repository, shown: list[tuple[StoredImage, list[str]]]
) -> list[dict[str, Any]]:
    """imageDetails for `shown`, in ECR's key order. One loop with the repository's parts read once:
    DescribeImages runs it for every image of every listing."""
    registry_id, name, scans = repository.registry_id, repository.name, repository.scans
    now = call.now
    details: list[dict[str, Any]] = []
    for stored, tags in shown:
        image = stored.image
        digest = image.digest
        detail: dict[str, Any] = {"registryId": registry_id, "repositoryName": name, "imageDigest": digest}
        if tags:
            detail["imageTags"] = tags
        detail["imageSizeInBytes"] = image.size
        detail["imagePushedAt"] = stored.pushed_at
        result = scans.get(digest)
        if result is not None:
            detail["imageScanStatus"] = scan_status(result, now)
            summary = findings_summary(result, now)
            if summary is not None:
                detail["imageScanFindingsSummary"] = summary
        detail["imageManifestMediaType"] = image.media_type
        detail["artifactMediaType"] = image.config.media_type
        if stored.last_pulled_at is not None:
            detail["lastRecordedPullTime"] = stored.last_pulled_at
        if stored.archived_at is not None:
            # Shown once an image has been archived; AWS may show imageStatus for every image (unverified).
            detail["imageStatus"] = stored.status(now)
            detail["lastArchivedAt"] = stored.archived_at
            if stored.restored_at is not None and stored.restored_at <= now:
                detail["lastActivatedAt"] = stored.restored_at
        details.append(detail)
    return details


@operation("ecr", "DescribeImages")
def describe_images(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    _registry, repository = repository_for(call, params, "ecr:DescribeImages")
    if params.get("imageIds"):
        wanted = {resolve_image(repository, image_id).digest for image_id in params["imageIds"]}
        chosen = [(repository.images[digest], repository.tags_of(digest)) for digest in wanted]
        chosen.sort(key=lambda pair: list(repository.images).index(pair[0].digest))
    else:
        chosen = _filtered(call, repository, params)
    shown, token = page(chosen, params, default=None if params.get("imageIds") else DEFAULT_PAGE)
    response: dict[str, Any] = {"imageDetails": _details(call, repository, shown)}
    if token:
        response["nextToken"] = token
    return response


@operation("ecr", "BatchGetImage")
def batch_get_image(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    registry, repository = repository_for(call, params, "ecr:BatchGetImage")
    images, failures = [], []
    unreadable = pull_failure(call, repository)
    for image_id in params["imageIds"]:
        failure = _failure(repository, image_id) or unreadable
        if failure is not None:
            failures.append(
                {"imageId": dict(image_id), "failureCode": failure[0], "failureReason": failure[1]}
            )
            continue
        stored = resolve_image(repository, image_id)
        if stored.status(call.now) != "ACTIVE":
            # "Archived images cannot be pulled. Requests to pull the archived image will fail with a 404
            # error" (archive-image): the failure a missing image gets, and why.
            call.explain(
                LineKind.REGISTRY, f"{stored.digest} is {stored.status(call.now)}: it cannot be pulled"
            )
            failures.append(
                {
                    "imageId": dict(image_id),
                    "failureCode": "ImageNotFound",
                    "failureReason": "Requested image not found",
                }
            )
            continue
        repository.images[stored.digest] = replace(stored, last_pulled_at=call.now)
        images.append(
            {
                "registryId": registry.account_id,
                "repositoryName": repository.name,
                "imageId": image_id_of(stored.digest, image_id.get("imageTag")),
                "imageManifest": stored.image.manifest,
                "imageManifestMediaType": stored.image.media_type,
            }
        )
    return {"images": images, "failures": failures}


def delete_image(repository: Repository, digest: str) -> list[str]:
    """Remove an image and every tag on it; return the tags it had."""
    tags = repository.tags_of(digest)
    for tag in tags:
        del repository.image_tags[tag]
    del repository.images[digest]
    repository.scans.pop(digest, None)
    return tags


@operation("ecr", "BatchDeleteImage")
def batch_delete_image(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    _registry, repository = repository_for(call, params, "ecr:BatchDeleteImage")
    deleted: list[dict[str, str]] = []
    failures = []
    for image_id in params["imageIds"]:
        failure = _failure(repository, image_id)
        if failure is not None:
            failures.append(
                {"imageId": dict(image_id), "failureCode": failure[0], "failureReason": failure[1]}
            )
            continue
        if "imageDigest" in image_id:
            digest = image_id["imageDigest"]
            deleted.extend(image_id_of(digest, tag) for tag in delete_image(repository, digest) or [None])
            continue
        # By tag: the tag goes; the image goes with its last tag (ECR user guide, delete_image).
        tag = image_id["imageTag"]
        digest = repository.image_tags.pop(tag)
        if digest not in repository.image_tags.values():
            del repository.images[digest]
            repository.scans.pop(digest, None)
        deleted.append(image_id_of(digest, tag))
    return {"imageIds": deleted, "failures": failures}

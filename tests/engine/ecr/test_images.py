from __future__ import annotations

import json

import pytest

from ecrsim.engine.errors import ServiceError
from ecrsim.engine.world import World

from .helpers import A, ecr, push


@pytest.fixture
def web(world: World) -> World:
    ecr(world, "CreateRepository", repositoryName="web")
    return world


def manifest_of(world: World, digest: str) -> str:
    got = ecr(world, "BatchGetImage", repositoryName="web", imageIds=[{"imageDigest": digest}])
    return got["images"][0]["imageManifest"]


def test_put_image_retags_an_existing_manifest(web: World) -> None:
    digest = push(web, "web", "v1")
    result = ecr(
        web, "PutImage", repositoryName="web", imageManifest=manifest_of(web, digest), imageTag="stable"
    )
    assert result["image"]["imageId"] == {"imageDigest": digest, "imageTag": "stable"}
    details = ecr(web, "DescribeImages", repositoryName="web")["imageDetails"]
    assert [(d["imageDigest"], d["imageTags"]) for d in details] == [(digest, ["v1", "stable"])]


def test_moving_a_tag_leaves_the_old_image_untagged(web: World) -> None:
    old = push(web, "web", "latest")
    new = push(web, "web", "latest")
    assert old != new
    assert ecr(web, "ListImages", repositoryName="web", filter={"tagStatus": "UNTAGGED"})["imageIds"] == [
        {"imageDigest": old}
    ]
    assert ecr(web, "ListImages", repositoryName="web", filter={"tagStatus": "TAGGED"})["imageIds"] == [
        {"imageDigest": new, "imageTag": "latest"}
    ]
    assert len(ecr(web, "ListImages", repositoryName="web")["imageIds"]) == 2


def test_same_digest_and_tag_is_already_exists(web: World) -> None:
    digest = push(web, "web", "v1")
    with pytest.raises(ServiceError) as caught:
        ecr(web, "PutImage", repositoryName="web", imageManifest=manifest_of(web, digest), imageTag="v1")
    assert caught.value.code == "ImageAlreadyExistsException"
    assert caught.value.message == (
        f"Image with digest '{digest}' and tag 'v1' already exists in the repository with name 'web' in "
        f"registry with id '{A}'"
    )


def test_immutable_repository_refuses_to_move_a_tag(web: World) -> None:
    ecr(web, "PutImageTagMutability", repositoryName="web", imageTagMutability="IMMUTABLE")
    first = push(web, "web", "v1")
    other = push(web, "web", "v2")
    with pytest.raises(ServiceError) as caught:
        ecr(web, "PutImage", repositoryName="web", imageManifest=manifest_of(web, other), imageTag="v1")
    assert caught.value.code == "ImageTagAlreadyExistsException"
    assert caught.value.message == (
        "The image tag 'v1' already exists in the 'web' repository and cannot be overwritten because the "
        "repository is immutable."
    )
    # A new tag on an existing image is still fine.
    ecr(web, "PutImage", repositoryName="web", imageManifest=manifest_of(web, first), imageTag="release")


def test_put_image_needs_its_layers(web: World) -> None:
    ecr(web, "CreateRepository", repositoryName="other")
    digest = push(web, "web", "v1")
    with pytest.raises(ServiceError) as caught:
        ecr(web, "PutImage", repositoryName="other", imageManifest=manifest_of(web, digest), imageTag="v1")
    assert caught.value.code == "LayersNotFoundException"
    assert caught.value.message.startswith("Layers with digests '[sha256:")
    with pytest.raises(ServiceError) as caught:
        ecr(web, "PutImage", repositoryName="web", imageManifest="{not json", imageTag="v1")
    assert (
        caught.value.message
        == "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'"
    )


def test_describe_images_details_and_missing_image(web: World) -> None:
    digest = push(web, "web", "v1")
    detail = ecr(web, "DescribeImages", repositoryName="web", imageIds=[{"imageTag": "v1"}])["imageDetails"][
        0
    ]
    assert detail["imageDigest"] == digest
    assert detail["imageSizeInBytes"] > 1_000_000
    assert detail["imagePushedAt"] == web.clock.now
    assert detail["imageManifestMediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    with pytest.raises(ServiceError) as caught:
        ecr(web, "DescribeImages", repositoryName="web", imageIds=[{"imageTag": "nope"}])
    assert caught.value.code == "ImageNotFoundException"
    assert caught.value.message == (
        "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within the repository "
        f"with name 'web' in the registry with id '{A}'"
    )


def test_batch_get_image_failures(web: World) -> None:
    push(web, "web", "v1")
    result = ecr(
        web, "BatchGetImage", repositoryName="web", imageIds=[{"imageTag": "v1"}, {"imageTag": "nope"}, {}]
    )
    assert [image["imageId"]["imageTag"] for image in result["images"]] == ["v1"]
    assert [(f["failureCode"], f["failureReason"]) for f in result["failures"]] == [
        ("ImageNotFound", "Requested image not found"),
        ("MissingDigestAndTag", "Invalid request parameters: both tag and digest cannot be null"),
    ]


def test_batch_delete_by_tag_and_by_digest(web: World) -> None:
    digest = push(web, "web", "v1")
    ecr(web, "PutImage", repositoryName="web", imageManifest=manifest_of(web, digest), imageTag="stable")
    # Removing one tag of two leaves the image.
    deleted = ecr(web, "BatchDeleteImage", repositoryName="web", imageIds=[{"imageTag": "v1"}])
    assert deleted == {"imageIds": [{"imageDigest": digest, "imageTag": "v1"}], "failures": []}
    assert ecr(web, "ListImages", repositoryName="web")["imageIds"] == [
        {"imageDigest": digest, "imageTag": "stable"}
    ]
    # Removing the last tag removes the image.
    ecr(web, "BatchDeleteImage", repositoryName="web", imageIds=[{"imageTag": "stable"}])
    assert ecr(web, "ListImages", repositoryName="web")["imageIds"] == []
    other = push(web, "web", "v2")
    deleted = ecr(
        web, "BatchDeleteImage", repositoryName="web", imageIds=[{"imageDigest": other}, {"imageTag": "x"}]
    )
    assert deleted["imageIds"] == [{"imageDigest": other, "imageTag": "v2"}]
    assert deleted["failures"][0]["failureCode"] == "ImageNotFound"


def test_readonly_may_read_but_not_put(web: World) -> None:
    digest = push(web, "web", "v1")
    assert ecr(web, "ListImages", "reader", repositoryName="web")["imageIds"]
    with pytest.raises(ServiceError) as caught:
        ecr(
            web,
            "PutImage",
            "reader",
            repositoryName="web",
            imageManifest=manifest_of(web, digest),
            imageTag="x",
        )
    assert caught.value.code == "AccessDeniedException"
    assert "ecr:PutImage" in caught.value.message


def test_list_and_describe_images_page(web: World) -> None:
    for tag in ("a", "b", "c"):
        push(web, "web", tag)
    first = ecr(web, "ListImages", repositoryName="web", maxResults=2)
    assert [entry["imageTag"] for entry in first["imageIds"]] == ["a", "b"]
    rest = ecr(web, "ListImages", repositoryName="web", maxResults=2, nextToken=first["nextToken"])
    assert [entry["imageTag"] for entry in rest["imageIds"]] == ["c"] and "nextToken" not in rest
    details = ecr(web, "DescribeImages", repositoryName="web", maxResults=1)
    assert details["imageDetails"][0]["imageTags"] == ["a"] and details["nextToken"]


def test_describe_and_list_show_every_tag_the_size_of_the_layers_and_ecrs_key_order(web: World) -> None:
    digest = push(web, "web", "v1")
    manifest = manifest_of(web, digest)
    ecr(web, "PutImage", repositoryName="web", imageManifest=manifest, imageTag="stable")
    untagged = push(web, "web", "v2")
    push(web, "web", "v2")  # moves v2 away: the first v2 image is left untagged
    assert ecr(web, "ListImages", repositoryName="web")["imageIds"][:3] == [
        {"imageDigest": digest, "imageTag": "v1"},
        {"imageDigest": digest, "imageTag": "stable"},
        {"imageDigest": untagged},
    ]
    tagged, bare, _ = ecr(web, "DescribeImages", repositoryName="web")["imageDetails"]
    # The CLI prints keys in the order the service sends them (API_ImageDetail).
    assert list(tagged) == [
        "registryId",
        "repositoryName",
        "imageDigest",
        "imageTags",
        "imageSizeInBytes",
        "imagePushedAt",
        "imageManifestMediaType",
        "artifactMediaType",
        "lastRecordedPullTime",  # BatchGetImage (manifest_of) pulled it
    ]
    assert "imageTags" not in bare
    # imageSizeInBytes is the compressed layers' total; the config blob does not count.
    assert tagged["imageSizeInBytes"] == sum(layer["size"] for layer in json.loads(manifest)["layers"])


def test_listings_without_max_results_stop_at_ecrs_default_page_of_100(web: World) -> None:
    digest = push(web, "web", "t0")
    manifest = manifest_of(web, digest)
    for number in range(1, 101):
        ecr(web, "PutImage", repositoryName="web", imageManifest=manifest, imageTag=f"t{number}")
    first = ecr(web, "ListImages", repositoryName="web")
    assert len(first["imageIds"]) == 100 and first["nextToken"]
    rest = ecr(web, "ListImages", repositoryName="web", nextToken=first["nextToken"])
    assert rest["imageIds"] == [{"imageDigest": digest, "imageTag": "t100"}] and "nextToken" not in rest

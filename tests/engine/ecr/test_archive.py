"""The archival storage class: archive, the listings' status filter, no pulls, a 20-minute restore."""

from __future__ import annotations

import pytest

from ecrsim.engine import docker
from ecrsim.engine.errors import DockerError, ServiceError
from ecrsim.engine.world import World

from .helpers import HOST_A, ecr, push


def storage(world: World, tag: str, target: str) -> str:
    answer = ecr(
        world,
        "UpdateImageStorageClass",
        repositoryName="web",
        imageId={"imageTag": tag},
        targetStorageClass=target,
    )
    return str(answer["imageStatus"])


def listed(world: World, **filter_: str) -> list[str]:
    ids = ecr(world, "ListImages", repositoryName="web", **({"filter": filter_} if filter_ else {}))[
        "imageIds"
    ]
    return sorted(image_id["imageTag"] for image_id in ids)


def test_an_archived_image_is_listed_only_when_asked_and_cannot_be_pulled(world: World) -> None:
    ecr(world, "CreateRepository", repositoryName="web")
    push(world, "web", "v1")
    push(world, "web", "v2")
    assert storage(world, "v1", "ARCHIVE") == "ARCHIVED"
    assert listed(world) == ["v2"]  # "If not specified, only images with ACTIVE status are returned"
    assert listed(world, imageStatus="ARCHIVED") == ["v1"]
    assert listed(world, imageStatus="ANY") == ["v1", "v2"]
    detail = ecr(world, "DescribeImages", repositoryName="web", imageIds=[{"imageTag": "v1"}])[
        "imageDetails"
    ][0]
    assert (detail["imageStatus"], detail["lastArchivedAt"]) == ("ARCHIVED", world.clock.now)
    got = ecr(world, "BatchGetImage", repositoryName="web", imageIds=[{"imageTag": "v1"}])
    assert got["images"] == [] and got["failures"][0]["failureCode"] == "ImageNotFound"
    docker.docker_rmi(world, f"{HOST_A}/web:v1")
    with pytest.raises(DockerError) as caught:
        docker.docker_pull(world, f"{HOST_A}/web:v1")
    assert caught.value.code == "MANIFEST_UNKNOWN"


def test_a_restore_takes_twenty_minutes_and_a_push_restores_at_once(world: World) -> None:
    ecr(world, "CreateRepository", repositoryName="web")
    push(world, "web", "v1")
    storage(world, "v1", "ARCHIVE")
    assert storage(world, "v1", "STANDARD") == "ACTIVATING"
    with pytest.raises(ServiceError) as caught:
        storage(world, "v1", "ARCHIVE")
    assert caught.value.code == "ImageStorageClassUpdateNotSupportedException"
    world.advance("19m")
    assert listed(world, imageStatus="ACTIVATING") == ["v1"]
    world.advance("1m")
    assert listed(world) == ["v1"]
    storage(world, "v1", "ARCHIVE")
    docker.docker_push(world, f"{HOST_A}/web:v1")
    assert listed(world) == ["v1"]

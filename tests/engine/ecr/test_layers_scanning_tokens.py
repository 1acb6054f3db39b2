from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from ecrsim.engine import docker
from ecrsim.engine.ecr.content import sha256_digest
from ecrsim.engine.ecr.model import Vulnerability
from ecrsim.engine.ecr.tokens import read_password
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.world import World

from .helpers import HOST_A, REGION, A, ecr, password


@pytest.fixture
def web(world: World) -> World:
    ecr(world, "CreateRepository", repositoryName="web")
    return world


def upload(world: World, blob: bytes) -> str:
    upload_id = ecr(world, "InitiateLayerUpload", repositoryName="web")["uploadId"]
    part = ecr(
        world,
        "UploadLayerPart",
        repositoryName="web",
        uploadId=upload_id,
        partFirstByte=0,
        partLastByte=len(blob) - 1,
        layerPartBlob=blob,
    )
    assert part["lastByteReceived"] == len(blob) - 1
    return upload_id


def test_layer_upload_by_hand(web: World) -> None:
    blob = b"hello layer"
    digest = sha256_digest(blob)
    check = ecr(web, "BatchCheckLayerAvailability", repositoryName="web", layerDigests=[digest])
    assert check["layers"] == [{"layerDigest": digest, "layerAvailability": "UNAVAILABLE"}]
    done = ecr(
        web, "CompleteLayerUpload", repositoryName="web", uploadId=upload(web, blob), layerDigests=[digest]
    )
    assert done["layerDigest"] == digest
    check = ecr(web, "BatchCheckLayerAvailability", repositoryName="web", layerDigests=[digest, "bad"])
    assert check["layers"][0]["layerAvailability"] == "AVAILABLE" and check["layers"][0]["layerSize"] == len(
        blob
    )
    assert check["failures"][0]["failureCode"] == "InvalidLayerDigest"
    url = ecr(web, "GetDownloadUrlForLayer", repositoryName="web", layerDigest=digest)["downloadUrl"]
    assert url.startswith(f"https://prod-{REGION}-starport-layer-bucket.s3.{REGION}.amazonaws.com/")
    with pytest.raises(ServiceError) as caught:
        ecr(
            web,
            "CompleteLayerUpload",
            repositoryName="web",
            uploadId=upload(web, blob),
            layerDigests=[digest],
        )
    assert caught.value.code == "LayerAlreadyExistsException"


def test_layer_upload_failures(web: World) -> None:
    with pytest.raises(ServiceError) as caught:
        ecr(
            web,
            "CompleteLayerUpload",
            repositoryName="web",
            uploadId=upload(web, b"abc"),
            layerDigests=["sha256:00"],
        )
    assert caught.value.code == "InvalidLayerException"
    upload_id = ecr(web, "InitiateLayerUpload", repositoryName="web")["uploadId"]
    with pytest.raises(ServiceError) as caught:
        ecr(web, "CompleteLayerUpload", repositoryName="web", uploadId=upload_id, layerDigests=["sha256:00"])
    assert caught.value.code == "EmptyUploadException"
    with pytest.raises(ServiceError) as caught:
        ecr(
            web,
            "UploadLayerPart",
            repositoryName="web",
            uploadId=upload_id,
            partFirstByte=5,
            partLastByte=7,
            layerPartBlob=b"abc",
        )
    assert caught.value.code == "InvalidLayerPartException"
    with pytest.raises(ServiceError) as caught:
        ecr(web, "CompleteLayerUpload", repositoryName="web", uploadId="nope", layerDigests=["sha256:00"])
    assert caught.value.code == "UploadNotFoundException"
    with pytest.raises(ServiceError) as caught:
        ecr(web, "GetDownloadUrlForLayer", repositoryName="web", layerDigest="sha256:00")
    assert caught.value.code == "LayersNotFoundException"


def test_scan_on_push_and_on_demand_report_declared_vulnerabilities(web: World) -> None:
    declared = (
        Vulnerability("CVE-2023-4911", "HIGH", "glibc", "2.36-9", "Looney Tunables"),
        Vulnerability("CVE-2024-0001", "LOW", "zlib", "1.2"),
    )
    docker.docker_login(web, HOST_A, "AWS", password(web, "admin"))
    docker.docker_build(web, f"{HOST_A}/web:v1", vulnerabilities=declared)
    docker.docker_push(web, f"{HOST_A}/web:v1")
    with pytest.raises(ServiceError) as caught:
        ecr(web, "DescribeImageScanFindings", repositoryName="web", imageId={"imageTag": "v1"})
    assert caught.value.code == "ScanNotFoundException"
    started = ecr(web, "StartImageScan", repositoryName="web", imageId={"imageTag": "v1"})
    assert started["imageScanStatus"] == {"status": "IN_PROGRESS"}  # as ECR answers a scan it has begun
    running = ecr(web, "DescribeImageScanFindings", repositoryName="web", imageId={"imageTag": "v1"})
    assert running["imageScanStatus"] == {"status": "IN_PROGRESS"} and "imageScanFindings" not in running
    web.advance("1m")
    findings = ecr(web, "DescribeImageScanFindings", repositoryName="web", imageId={"imageTag": "v1"})
    assert findings["imageScanStatus"]["status"] == "COMPLETE"
    assert findings["imageScanFindings"]["findingSeverityCounts"] == {"HIGH": 1, "LOW": 1}
    assert [f["name"] for f in findings["imageScanFindings"]["findings"]] == [
        "CVE-2023-4911",
        "CVE-2024-0001",
    ]
    # scan on push: a re-tag into a scanning repository carries the layers' vulnerabilities along
    ecr(
        web,
        "PutImageScanningConfiguration",
        repositoryName="web",
        imageScanningConfiguration={"scanOnPush": True},
    )
    docker.docker_build(web, f"{HOST_A}/web:v2", vulnerabilities=declared[:1])
    docker.docker_push(web, f"{HOST_A}/web:v2")
    web.advance("1m")
    detail = ecr(web, "DescribeImages", repositoryName="web", imageIds=[{"imageTag": "v2"}])["imageDetails"][
        0
    ]
    assert detail["imageScanFindingsSummary"]["findingSeverityCounts"] == {"HIGH": 1}


def test_authorization_token(world: World) -> None:
    data = ecr(world, "GetAuthorizationToken")["authorizationData"][0]
    assert data["expiresAt"] == world.clock.now + timedelta(hours=12)
    assert data["proxyEndpoint"] == f"https://{A}.dkr.ecr.{REGION}.amazonaws.com"
    user, _, secret = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    assert user == "AWS"
    claims = read_password(secret, world.token_secret)
    assert (
        claims is not None
        and claims.principal_arn == f"arn:aws:iam::{A}:user/admin"
        and claims.region == REGION
    )
    assert read_password(secret[:-4] + "AAAA", world.token_secret) is None
    with pytest.raises(ServiceError) as caught:
        ecr(world, "GetAuthorizationToken", "nobody")
    assert caught.value.message == (
        f"User: arn:aws:iam::{A}:user/nobody is not authorized to perform: ecr:GetAuthorizationToken on "
        "resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action"
    )

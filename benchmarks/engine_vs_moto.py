"""The same registry workload on ecrsim's engine and on moto's ECR, timed, up to the response dicts.

Workload: create 1,000 repositories, put 10,000 images (10 per repository), then describe every
repository and list and describe every repository's images. Both sides are called in-process and stop
at the response as Python dicts: neither parses a request from JSON or HTTP, neither encodes the
response to JSON.

ecrsim, per call: `World.call` resolves the caller from the profile, authorizes the action with the
policy engine (identity policies, resource ARN, request context) into a Decision carrying its full
statement-by-statement trace, appends the call to the event log, runs the handler and returns the
API's response shape as dicts.

moto (5.x), per call: the `ECRBackend` method, then exactly what `moto.ecr.responses.ECRResponse` does
with its result (ListImages builds one image id per tag; DescribeImages shallow-copies each image and
drops empty `image_tags`), then what `ActionResult.execute_result` does: a new `JSONSerializer` for
the operation with an `XFormedAttributePicker`, which walks the botocore output shape and reads each
member from the model objects' attributes. It is stopped where it would `json.dumps` the body
(`_serialize_body` returns the dict). moto 5 has no per-model `response_object` any more; this shape
walker is its response layer. Skipped on moto's side, and absent on ecrsim's: the HTTP dispatch,
`_get_param` reading the JSON request, the response headers and the JSON encoding. moto does no
authorization here (its IAM check is off unless enabled, and would run in the HTTP layer anyway).

PutImage differs in one respect: ecrsim checks that each blob the manifest references was uploaded,
as ECR does, so its blobs are uploaded through the layer API first. That setup is timed separately and
not compared, since moto does not implement the layer API.

Times are CPU seconds of this process (`time.process_time`), per step: the machine may be shared and
loaded, and both sides are single-threaded and CPU-bound. Garbage is collected, untimed, before each
timed step. The sides alternate for a few rounds and each keeps its fastest round.

Run with a Python that has moto (benchmark-only, not a runtime dependency), from the repository root:
    /root/.pyenv/versions/3.11.7/bin/python3 benchmarks/engine_vs_moto.py
"""

from __future__ import annotations

import copy
import gc
import itertools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ecrsim.engine.ecr.content import sha256_digest
from ecrsim.engine.world import DEFAULT_ACCOUNT, DEFAULT_REGION, default_world

REPOSITORIES = 1_000
IMAGES_PER_REPOSITORY = 10
ROUNDS = 3
BLOBS = [f"blob-{index}".encode() * 8 for index in range(5)]  # blob 0 is the config, 1-4 are layers
DIGESTS = [sha256_digest(blob) for blob in BLOBS]


def manifests() -> list[str]:
    """Ten distinct manifests over the same blobs: different orderings of three of the four layers."""
    layer_sets = list(itertools.permutations(range(1, 5), 3))[:IMAGES_PER_REPOSITORY]
    return [
        json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {
                    "mediaType": "application/vnd.docker.container.image.v1+json",
                    "size": len(BLOBS[0]),
                    "digest": DIGESTS[0],
                },
                "layers": [
                    {
                        "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                        "size": len(BLOBS[index]),
                        "digest": DIGESTS[index],
                    }
                    for index in chosen
                ],
            },
            indent=3,
        )
        for chosen in layer_sets
    ]


NAMES = [f"team-{index // 100}/service-{index}" for index in range(REPOSITORIES)]
MANIFESTS = manifests()


def timed(step: Callable[[], object]) -> float:
    """CPU seconds of `step`; garbage left by whatever ran before is collected first, untimed, so
    neither side pays for the other's."""
    gc.collect()
    started = time.process_time()
    step()
    return time.process_time() - started


class Steps(NamedTuple):
    """CPU seconds of each compared step of one run of one side."""

    create: float
    put: float
    read: float

    @property
    def total(self) -> float:
        return self.create + self.put + self.read

    def __str__(self) -> str:
        return f"{self.total:5.2f} s  (create {self.create:.2f}, put {self.put:.2f}, read {self.read:.2f})"


def run_ecrsim() -> tuple[Steps, float]:
    world = default_world()

    def call(operation: str, **params: object) -> dict:
        return world.call("ecr", operation, params, profile="admin", region=DEFAULT_REGION)

    def create() -> None:
        for name in NAMES:
            call("CreateRepository", repositoryName=name)

    def upload() -> None:
        for name in NAMES:
            for blob, digest in zip(BLOBS, DIGESTS, strict=True):
                upload_id = call("InitiateLayerUpload", repositoryName=name)["uploadId"]
                call(
                    "UploadLayerPart",
                    repositoryName=name,
                    uploadId=upload_id,
                    partFirstByte=0,
                    partLastByte=len(blob) - 1,
                    layerPartBlob=blob,
                )
                call("CompleteLayerUpload", repositoryName=name, uploadId=upload_id, layerDigests=[digest])

    def put() -> None:
        for name in NAMES:
            for index, manifest in enumerate(MANIFESTS):
                call("PutImage", repositoryName=name, imageManifest=manifest, imageTag=f"v{index}")

    def read() -> None:
        assert len(call("DescribeRepositories")["repositories"]) == REPOSITORIES
        for name in NAMES:
            assert len(call("ListImages", repositoryName=name)["imageIds"]) == IMAGES_PER_REPOSITORY
            assert len(call("DescribeImages", repositoryName=name)["imageDetails"]) == IMAGES_PER_REPOSITORY

    created = timed(create)
    setup = timed(upload)
    steps = Steps(created, timed(put), timed(read))
    assert len(world.events) == REPOSITORIES * (1 + 15 + IMAGES_PER_REPOSITORY + 2) + 1
    return steps, setup


def run_moto() -> Steps:
    from moto.core.serialize import XFormedAttributePicker, get_serializer_class
    from moto.core.utils import get_service_model
    from moto.ecr.models import ECRBackend
    from moto.ecr.responses import ECRResponse

    service = get_service_model("ecr")

    class Unencoded(get_serializer_class(service.service_name, service.protocol)):
        """moto's own serializer for ECR, stopped where it would `json.dumps` the response body."""

        def _serialize_body(self, body: dict) -> dict:
            return body

    def respond(operation: str, result: dict) -> dict:
        """What moto's `ActionResult.execute_result` does with a handler's result, minus the encoding:
        a serializer per call, driven by the botocore output shape, reading the model objects' attributes."""
        serializer = Unencoded(
            operation_model=service.operation_model(operation),
            value_picker=XFormedAttributePicker(
                response_transformers=getattr(ECRResponse, "RESPONSE_KEY_PATH_TO_TRANSFORMER", None)
            ),
        )
        return serializer.serialize(result)["body"]

    backend = ECRBackend(DEFAULT_REGION, DEFAULT_ACCOUNT)

    def create() -> None:
        for name in NAMES:
            repository = backend.create_repository(
                repository_name=name,
                registry_id=None,
                encryption_config={"encryptionType": "AES256"},
                image_scan_config={"scanOnPush": False},
                image_tag_mutability="MUTABLE",
                tags=[],
            )
            respond("CreateRepository", {"repository": repository})

    def put() -> None:
        for name in NAMES:
            for index, manifest in enumerate(MANIFESTS):
                respond("PutImage", {"image": backend.put_image(name, manifest, f"v{index}")})

    def list_images(name: str) -> dict:
        """`ECRResponse.list_images`: one image id per tag, or one untagged id."""
        image_ids = [
            {"imageDigest": image.image_digest, "imageTag": tag}
            for image in backend.list_images(name)
            for tag in image.image_tags or [None]
        ]
        return respond("ListImages", {"imageIds": image_ids})

    def describe_images(name: str) -> dict:
        """`ECRResponse.describe_images`: a shallow copy of each image, without `image_tags` if empty."""
        details = []
        for image in backend.describe_images(name):
            detail = copy.copy(image)
            if not detail.image_tags:
                del detail.image_tags
            details.append(detail)
        return respond("DescribeImages", {"imageDetails": details})

    def read() -> None:
        repositories = backend.describe_repositories()
        described = respond("DescribeRepositories", {"repositories": repositories, "failures": []})
        assert len(described["repositories"]) == REPOSITORIES
        for name in NAMES:
            assert len(list_images(name)["imageIds"]) == IMAGES_PER_REPOSITORY
            assert len(describe_images(name)["imageDetails"]) == IMAGES_PER_REPOSITORY

    return Steps(timed(create), timed(put), timed(read))


def main() -> None:
    """Alternate the sides for a few rounds and keep each side's fastest round: on a loaded machine
    the fastest round is the one least disturbed by other processes."""
    rounds = [(run_ecrsim(), run_moto()) for _ in range(ROUNDS)]
    ecrsim, setup = min((ecrsim for ecrsim, _ in rounds), key=lambda run: run[0].total)
    moto = min((moto for _, moto in rounds), key=lambda steps: steps.total)
    images = REPOSITORIES * IMAGES_PER_REPOSITORY
    print(f"workload: {REPOSITORIES} repositories, {images} images; best of {ROUNDS} rounds")
    print(f"ecrsim engine, every call authorized and logged: {ecrsim}")
    print(f"moto backend + its response serializer:          {moto}")
    print(f"ratio ecrsim / moto: {ecrsim.total / moto.total:.2f}")
    print(f"(ecrsim only, not compared: {REPOSITORIES * 15} layer-upload calls in {setup:.2f} s)")


if __name__ == "__main__":
    main()

"""The same registry workload on ecrsim's engine and on moto's ECR backend, timed.

Workload: create 1,000 repositories, put 10,000 images (10 per repository), then describe every
repository and list and describe every repository's images.

Both sides are called in-process, with no HTTP and no JSON. What ecrsim does that moto does not:
- every call goes through `World.call`: the caller is resolved from the profile, the action is
  authorized by the policy engine (identity policies, resource ARN, request context) into a Decision
  carrying its full statement-by-statement trace, and the call is appended to the event log;
- every call returns the API's response shape as dicts (moto's backend returns its own objects, which
  its response layer, not called here, would serialize);
- PutImage checks that each blob the manifest references was uploaded, as ECR does. So ecrsim's blobs
  are uploaded through the layer API first; that setup is timed separately and not compared, since moto
  does not implement the layer API.

Times are CPU seconds of this process (`time.process_time`): the machine may be shared and loaded, and
both sides are single-threaded and CPU-bound. Garbage is collected, untimed, before each timed step.

Run with a Python that has moto (benchmark-only, not a runtime dependency), from the repository root:
    /root/.pyenv/versions/3.11.7/bin/python3 benchmarks/engine_vs_moto.py
"""

from __future__ import annotations

import gc
import itertools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ecrsim.engine.ecr.content import sha256_digest
from ecrsim.engine.world import DEFAULT_ACCOUNT, DEFAULT_REGION, default_world

REPOSITORIES = 1_000
IMAGES_PER_REPOSITORY = 10
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


def run_ecrsim() -> tuple[float, float]:
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

    compared = timed(create)
    setup = timed(upload)
    compared += timed(put) + timed(read)
    assert len(world.events) == REPOSITORIES * (1 + 15 + IMAGES_PER_REPOSITORY + 2) + 1
    return compared, setup


def run_moto() -> float:
    from moto.ecr.models import ECRBackend

    backend = ECRBackend(DEFAULT_REGION, DEFAULT_ACCOUNT)

    def create() -> None:
        for name in NAMES:
            backend.create_repository(
                repository_name=name,
                registry_id=None,
                encryption_config={"encryptionType": "AES256"},
                image_scan_config={"scanOnPush": False},
                image_tag_mutability="MUTABLE",
                tags=[],
            )

    def put() -> None:
        for name in NAMES:
            for index, manifest in enumerate(MANIFESTS):
                backend.put_image(name, manifest, f"v{index}")

    def read() -> None:
        assert len(backend.describe_repositories()) == REPOSITORIES
        for name in NAMES:
            assert len(backend.list_images(name)) == IMAGES_PER_REPOSITORY
            assert len(list(backend.describe_images(name))) == IMAGES_PER_REPOSITORY

    return timed(create) + timed(put) + timed(read)


def main() -> None:
    ecrsim_seconds, setup_seconds = run_ecrsim()
    moto_seconds = run_moto()
    images = REPOSITORIES * IMAGES_PER_REPOSITORY
    print(f"workload: {REPOSITORIES} repositories, {images} images, describe+list all")
    print(f"ecrsim engine (every call authorized and logged): {ecrsim_seconds:.2f} s CPU")
    print(f"moto ECR backend (no authorization):              {moto_seconds:.2f} s CPU")
    print(f"ratio ecrsim / moto: {ecrsim_seconds / moto_seconds:.2f}")
    print(f"(ecrsim only, not compared: {REPOSITORIES * 15} layer-upload calls in {setup_seconds:.2f} s)")


if __name__ == "__main__":
    main()

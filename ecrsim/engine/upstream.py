"""Public upstream registries the simulated machine can pull from: Docker Hub and public.ecr.aws.

A small catalogue of well-known official images (alpine, busybox, nginx, node, python, ubuntu), so the
usual first lesson (`docker pull nginx`, `docker tag`, `docker push` to ECR) works offline. Nobody can
push to them: the simulated learner owns no namespace there. The catalogue is a value: docker pull and a
pull-through cache rule read the same images.

Amazon ECR Public mirrors the Docker official images under `docker/library/` (ECR Public Gallery,
"Docker Official Images"), so `public.ecr.aws/docker/library/nginx:latest` is the same image, with the
same digests, as Docker Hub's `nginx:latest`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from ecrsim.engine.ecr.content import derived_size, make_image, simulated_layer
from ecrsim.engine.ecr.model import CONFIG_V1, Image

DOCKER_HUB = "docker.io"
ECR_PUBLIC = "public.ecr.aws"
# Spellings of Docker Hub's host that docker normalises to docker.io (distribution/reference).
DOCKER_HUB_ALIASES = ("docker.io", "index.docker.io")

# Official images and the tags the catalogue holds, with how many filesystem layers each has.
_OFFICIAL: dict[str, tuple[tuple[str, ...], int]] = {
    "alpine": (("latest", "3.21", "3"), 1),
    "busybox": (("latest", "1.37", "stable"), 1),
    "nginx": (("latest", "1.27", "alpine"), 7),
    "node": (("latest", "22", "22-alpine"), 6),
    "python": (("latest", "3.13", "3.13-slim"), 6),
    "ubuntu": (("latest", "24.04", "noble"), 1),
}
# When the catalogue's images were built: `docker images` shows them as some weeks old.
BUILT_AT = datetime(2025, 12, 1, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class UpstreamImage:
    """One tag of a public image: where it lives and the image it names."""

    host: str  # docker.io or public.ecr.aws
    path: str  # the repository path in that registry: library/nginx, docker/library/nginx
    tag: str
    image: Image
    created_at: datetime


def official_name(host: str, path: str) -> str | None:
    """The official image a registry path names (`library/nginx` on Docker Hub,
    `docker/library/nginx` on ECR Public), or None."""
    prefix = "library/" if host == DOCKER_HUB else "docker/library/" if host == ECR_PUBLIC else None
    if prefix is None or not path.startswith(prefix):
        return None
    name = path.removeprefix(prefix)
    return name if name in _OFFICIAL else None


def find(host: str, path: str, tag: str | None = None, digest: str | None = None) -> UpstreamImage | None:
    """The catalogue's image for `host/path` by tag or by manifest digest, or None."""
    name = official_name(host, path)
    if name is None:
        return None
    tags, _ = _OFFICIAL[name]
    for candidate in tags:
        image = _image(name, candidate)
        if candidate == tag or (digest is not None and image.digest == digest):
            return UpstreamImage(host, path, candidate, image, BUILT_AT)
    return None


def is_upstream(host: str, path: str) -> bool:
    """Whether `host/path` is a repository of the catalogue (whatever the tag)."""
    return official_name(host, path) is not None


@cache
def _image(name: str, tag: str) -> Image:
    """An official image's layers: `latest` and the version tag it points at share one image, as on
    Docker Hub; the variant tags (alpine, slim) are images of their own."""
    tags, count = _OFFICIAL[name]
    variant = tag if tag not in ("latest", tags[1]) else "default"
    seed = f"upstream:{name}:{variant}"
    layers = tuple(
        simulated_layer(f"{seed}:{index}", derived_size(f"{seed}:{index}", 500_000, 30_000_000))
        for index in range(count)
    )
    config = simulated_layer(f"{seed}:config", derived_size(f"{seed}:config", 1_500, 8_000), CONFIG_V1)
    return make_image(config, layers)

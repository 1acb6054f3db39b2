"""Public upstream registries the simulated machine can pull from: Docker Hub and public.ecr.aws, and a
few images on the other registries an ECR pull through cache rule can sync (Quay, GitHub Container
Registry, registry.k8s.io, GitLab, an Azure container registry).

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
from ecrsim.engine.ecr.model import CONFIG_V1, Image, Vulnerability

DOCKER_HUB = "docker.io"
ECR_PUBLIC = "public.ecr.aws"
QUAY = "quay.io"
GITHUB = "ghcr.io"
KUBERNETES = "registry.k8s.io"
GITLAB = "registry.gitlab.com"
AZURE = "contoso.azurecr.io"  # an Azure registry of a made-up company: Azure has no public namespace
# Spellings of Docker Hub's host that docker normalises to docker.io (distribution/reference).
DOCKER_HUB_ALIASES = ("docker.io", "index.docker.io")

# Official images and the tags the catalogue holds, with how many filesystem layers each has.
_OFFICIAL: dict[str, tuple[tuple[str, ...], int]] = {
    "alpine": (("latest", "3.21", "3"), 1),
    "busybox": (("latest", "1.37", "stable"), 1),
    "nginx": (("latest", "1.27", "alpine"), 7),
    "node": (("latest", "22", "22-alpine", "18"), 6),
    "python": (("latest", "3.13", "3.13-slim"), 6),
    "ubuntu": (("latest", "24.04", "noble"), 1),
}
# Images on the other upstream registries: (host, repository path) -> tags (the first is the newest, which
# `latest` names too) and layer count.
_OTHERS: dict[tuple[str, str], tuple[tuple[str, ...], int]] = {
    (QUAY, "prometheus/prometheus"): (("latest", "v3.1.0"), 4),
    (QUAY, "argoproj/argocd"): (("latest", "v2.13.2"), 5),
    (GITHUB, "fluxcd/source-controller"): (("latest", "v1.4.1"), 3),
    (KUBERNETES, "pause"): (("latest", "3.10"), 1),
    (KUBERNETES, "coredns/coredns"): (("latest", "v1.11.3"), 2),
    (GITLAB, "gitlab-org/gitlab-runner"): (("latest", "v17.7.0"), 4),
    (AZURE, "samples/hello-world"): (("latest", "1.0"), 2),
}
# What the catalogue's older images are known to carry, in their top layer: the lessons on scanning read
# these. node:18 is past its end of life: an operating-system package (found by basic and enhanced
# scanning), an npm package (enhanced scanning only) and a CVE published after the simulated clock's
# default start (found only by a scan that runs after it: continuous scanning).
_VULNERABLE: dict[str, tuple[Vulnerability, ...]] = {
    "upstream:node:18": (
        Vulnerability(
            "CVE-2023-4911",
            "HIGH",
            "glibc",
            "2.36-9+deb12u1",
            "A buffer overflow in the GNU C Library's dynamic loader (Looney Tunables) lets a local user gain"
            " root through GLIBC_TUNABLES.",
            "OS",
            "2.36-9+deb12u3",
            7.8,
            "2023-10-03",
        ),
        Vulnerability(
            "CVE-2024-21538",
            "HIGH",
            "cross-spawn",
            "7.0.3",
            "Regular expression denial of service in cross-spawn through crafted input.",
            "NODEPKG",
            "7.0.5",
            7.5,
            "2024-11-08",
        ),
        Vulnerability(
            "CVE-2026-20001",
            "CRITICAL",
            "openssl",
            "3.0.15-1~deb12u1",
            "A simulated vulnerability (ecrsim) in OpenSSL published after the image was built: a scan that"
            " ran before 2026-01-12 cannot know it.",
            "OS",
            "3.0.16-1~deb12u1",
            9.8,
            "2026-01-12",
        ),
    ),
}
# Official images whose `latest` and version tag were rebuilt upstream, and when: the same tag then names a
# new image (a patch release, a base-image refresh), which a pull through cache picks up on its next check.
REBUILT: dict[str, datetime] = {"python": datetime(2026, 1, 6, 6, 0, tzinfo=UTC)}
# When the catalogue's images were built: `docker images` shows them as some weeks old.
BUILT_AT = datetime(2025, 12, 1, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class UpstreamImage:
    """One tag of a public image: where it lives and the image it names."""

    host: str  # docker.io, public.ecr.aws, quay.io, ...
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


def find(
    host: str, path: str, tag: str | None = None, digest: str | None = None, at: datetime | None = None
) -> UpstreamImage | None:
    """The catalogue's image for `host/path` by tag, as the tag stands at `at` (default: its newest
    build), or by manifest digest (every build stays pullable by digest), or None."""
    name = official_name(host, path)
    if name is not None:
        tags = _OFFICIAL[name][0]
        rebuilt = REBUILT.get(name)
        builds = [(BUILT_AT, False)] + ([(rebuilt, True)] if rebuilt else [])
        current = builds[-1] if at is None or rebuilt is None or at >= rebuilt else builds[0]
        found = [
            (
                candidate,
                _image(name, candidate, again),
                built if candidate in ("latest", tags[1]) else BUILT_AT,
            )
            for built, again in (current, *(b for b in builds if b != current))
            for candidate in tags
        ]
    elif (host, path) in _OTHERS:
        found = [
            (candidate, _other_image(host, path, candidate), BUILT_AT) for candidate in _OTHERS[host, path][0]
        ]
    else:
        return None
    for candidate, image, built in found:
        if (candidate == tag and digest is None) or (digest is not None and image.digest == digest):
            return UpstreamImage(host, path, candidate, image, built)
    return None


def is_upstream(host: str, path: str) -> bool:
    """Whether `host/path` is a repository of the catalogue (whatever the tag)."""
    return official_name(host, path) is not None or (host, path) in _OTHERS


@cache
def _other_image(host: str, path: str, tag: str) -> Image:
    """An image of another upstream: `latest` is the newest version tag's image."""
    tags, count = _OTHERS[host, path]
    return _layered(f"upstream:{host}/{path}:{tags[1] if tag == 'latest' else tag}", count)


@cache
def _image(name: str, tag: str, rebuilt: bool = False) -> Image:
    """An official image's layers: `latest` and the version tag it points at share one image, as on
    Docker Hub; the variant tags (alpine, slim) are images of their own. A rebuild gives `latest` and the
    version tag a new top layer (the variants are not rebuilt)."""
    tags, count = _OFFICIAL[name]
    default = tag in ("latest", tags[1])
    image = _layered(f"upstream:{name}:{'default' if default else tag}", count)
    if not (rebuilt and default):
        return image
    seed = f"upstream:{name}:rebuild"
    top = simulated_layer(seed, derived_size(seed, 500_000, 5_000_000))
    config = simulated_layer(f"{seed}:config", derived_size(f"{seed}:config", 1_500, 8_000), CONFIG_V1)
    return make_image(config, (*image.layers[:-1], top))


def _layered(seed: str, count: int) -> Image:
    declared = _VULNERABLE.get(seed, ())
    layers = tuple(
        simulated_layer(
            f"{seed}:{index}",
            derived_size(f"{seed}:{index}", 500_000, 30_000_000),
            vulnerabilities=declared if index == count - 1 else (),
        )
        for index in range(count)
    )
    config = simulated_layer(f"{seed}:config", derived_size(f"{seed}:config", 1_500, 8_000), CONFIG_V1)
    return make_image(config, layers)

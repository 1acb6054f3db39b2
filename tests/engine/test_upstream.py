"""The public upstream catalogue that `docker pull nginx` and pull-through cache rules read."""

from __future__ import annotations

from ecrsim.engine import upstream


def test_docker_hub_and_ecr_public_serve_the_same_official_image() -> None:
    hub = upstream.find("docker.io", "library/nginx", "latest")
    mirror = upstream.find("public.ecr.aws", "docker/library/nginx", "latest")
    assert hub is not None and mirror is not None
    assert hub.image.digest == mirror.image.digest


def test_latest_and_its_version_tag_are_one_image_and_variants_are_others() -> None:
    latest = upstream.find("docker.io", "library/python", "latest")
    version = upstream.find("docker.io", "library/python", "3.13")
    slim = upstream.find("docker.io", "library/python", "3.13-slim")
    assert latest and version and slim
    assert latest.image.digest == version.image.digest != slim.image.digest
    by_digest = upstream.find("docker.io", "library/python", digest=slim.image.digest)
    assert by_digest is not None and by_digest.tag == "3.13-slim"


def test_what_the_catalogue_does_not_hold() -> None:
    assert upstream.find("docker.io", "library/nginx", "0.0") is None
    assert upstream.find("docker.io", "someone/app", "latest") is None
    assert upstream.find("ghcr.io", "library/nginx", "latest") is None
    assert upstream.is_upstream("public.ecr.aws", "docker/library/alpine")
    assert not upstream.is_upstream("public.ecr.aws", "library/alpine")

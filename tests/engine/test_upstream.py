"""The public upstream catalogue that `docker pull nginx` and pull-through cache rules read."""

from __future__ import annotations

from datetime import timedelta

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


def test_a_rebuilt_tag_names_a_new_image_from_its_rebuild_and_the_old_stays_pullable_by_digest() -> None:
    before = upstream.find(
        "docker.io", "library/python", "3.13", at=upstream.REBUILT["python"] - timedelta(hours=1)
    )
    after = upstream.find("docker.io", "library/python", "3.13", at=upstream.REBUILT["python"])
    assert before and after and before.image.digest != after.image.digest
    assert after.image.layers[:-1] == before.image.layers[:-1]  # only the top layer changed
    old = upstream.find("docker.io", "library/python", digest=before.image.digest)
    assert old is not None and old.image == before.image and old.created_at == upstream.BUILT_AT
    slim = upstream.find("docker.io", "library/python", "3.13-slim")
    assert slim == upstream.find("docker.io", "library/python", "3.13-slim", at=upstream.BUILT_AT)


def test_the_other_upstreams_hold_a_few_images() -> None:
    for host, path, tag in (
        ("quay.io", "prometheus/prometheus", "v3.1.0"),
        ("ghcr.io", "fluxcd/source-controller", "latest"),
        ("registry.k8s.io", "pause", "3.10"),
        ("registry.gitlab.com", "gitlab-org/gitlab-runner", "latest"),
    ):
        assert upstream.find(host, path, tag) is not None, (host, path)
    assert upstream.find("registry.k8s.io", "pause", "latest") == upstream.find(
        "registry.k8s.io", "pause", "latest"
    )
    latest = upstream.find("registry.k8s.io", "pause", "latest")
    assert latest and latest.image == upstream.find("registry.k8s.io", "pause", "3.10").image  # type: ignore[union-attr]

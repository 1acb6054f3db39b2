"""docker with its own dockerd against the endpoint: login, push, pull, a ReadOnly user's denied push,
an OCI image index pulled, and a token that expires on the simulated clock."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from dockerd import Docker, binaries, private_dockerd
from layouts import oci_layout
from live import Running, need, registry_password

READ_ONLY = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"


@pytest.fixture(scope="module")
def docker() -> Iterator[Docker]:
    found = binaries()
    need(found is not None, "docker is not installed (Debian: apt-get install docker.io)")
    need(os.geteuid() == 0, "dockerd needs root")
    assert found is not None
    with private_dockerd(*found) as daemon:
        yield daemon


def login(docker: Docker, running: Running, password: str) -> None:
    result = docker.run("login", "--username", "AWS", "--password-stdin", running.address, stdin=password)
    assert result.returncode == 0, result.stderr
    assert "Login Succeeded" in result.stdout


def test_push_then_pull_then_the_token_expires_after_sim_advance(docker: Docker, running: Running) -> None:
    running.run("aws ecr create-repository --repository-name app")
    login(docker, running, registry_password(running))
    image = f"{running.address}/app:v1"
    docker.image(image, "hello from docker")
    pushed = docker.run("push", image)
    assert pushed.returncode == 0, pushed.stderr
    assert "v1: digest: sha256:" in pushed.stdout
    assert "v1" in running.run("aws ecr list-images --repository-name app")
    assert docker.run("rmi", image).returncode == 0
    pulled = docker.run("pull", image)
    assert pulled.returncode == 0, pulled.stderr
    assert f"Downloaded newer image for {image}" in pulled.stdout
    running.run("sim advance 13h")
    assert docker.run("rmi", image).returncode == 0
    expired = docker.run("pull", image)
    assert expired.returncode != 0
    assert "Your authorization token has expired. Reauthenticate and try again." in expired.stderr
    assert running.records[-1].verdict == "DENIED"


def test_a_read_only_users_push_is_denied_at_the_layer_upload(docker: Docker, running: Running) -> None:
    running.run("aws ecr create-repository --repository-name app")
    running.run("aws iam create-user --user-name reader")
    running.run(f"aws iam attach-user-policy --user-name reader --policy-arn {READ_ONLY}")
    import boto3

    iam = boto3.client(
        "iam",
        endpoint_url=running.url,
        region_name="us-east-1",
        aws_access_key_id=running.keys()[0],
        aws_secret_access_key=running.keys()[1],
    )
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    login(docker, running, registry_password(running, (key["AccessKeyId"], key["SecretAccessKey"])))
    image = f"{running.address}/app:ro"
    docker.image(image, "a reader tries to push")
    pushed = docker.run("push", image)
    assert pushed.returncode != 0
    assert (
        "denied: User: arn:aws:iam::111122223333:user/reader is not authorized to perform: "
        "ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:111122223333:repository/app because no "
        "identity-based policy allows the ecr:InitiateLayerUpload action"
    ) in pushed.stderr
    denied = next(record for record in running.records if record.verdict == "AccessDeniedException")
    assert denied.operation == "ecr:InitiateLayerUpload"
    assert denied.explanation[0].startswith("DENIED (implicit): ecr:InitiateLayerUpload")


def test_docker_pulls_its_platform_from_an_oci_index(
    docker: Docker, running: Running, tmp_path: Path
) -> None:
    skopeo = shutil.which("skopeo")
    need(skopeo is not None, "skopeo is not installed (Debian: apt-get install skopeo)")
    running.run("aws ecr create-repository --repository-name multi")
    password = registry_password(running)
    layout = oci_layout(tmp_path / "index", "hello", platforms=("amd64", "arm64"))
    pushed = subprocess.run(
        [str(skopeo), "copy", "--all", "--dest-tls-verify=false", "--dest-creds", f"AWS:{password}",
         f"oci:{layout}:latest", f"docker://{running.address}/multi:v1"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert pushed.returncode == 0, pushed.stderr
    login(docker, running, password)
    pulled = docker.run("pull", "--platform", "linux/arm64", f"{running.address}/multi:v1")
    assert pulled.returncode == 0, pulled.stderr
    inspected = docker.run("image", "inspect", "--format", "{{.Architecture}}", f"{running.address}/multi:v1")
    assert inspected.stdout.strip() == "arm64"

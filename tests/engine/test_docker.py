"""docker login/push/pull against the simulated ECR, as the real client drives it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from ecr.helpers import HOST_A, HOST_B, REGION, A, B, ecr, make_world, password

from ecrsim.engine import docker
from ecrsim.engine.errors import DockerError, ServiceError
from ecrsim.engine.identity import add_role
from ecrsim.engine.world import World

WEB = f"{HOST_A}/web"


@pytest.fixture
def world() -> World:
    world = make_world()
    ecr(world, "CreateRepository", repositoryName="web")
    return world


def login(world: World, profile: str, host: str = HOST_A) -> None:
    assert docker.docker_login(world, host, "AWS", password(world, profile)) == ["Login Succeeded"]


def build_and_push(world: World, ref: str) -> list[str]:
    docker.docker_build(world, ref)
    return docker.docker_push(world, ref)


def test_push_prints_layers_and_digest(world: World) -> None:
    login(world, "pusher")
    lines = build_and_push(world, f"{WEB}:v1")
    assert lines[0] == f"The push refers to repository [{WEB}]"
    assert sum(line.endswith(": Pushed") for line in lines) == 4
    tag, _, digest, _, size = lines[-1].split()
    assert tag == "v1:" and digest.startswith("sha256:") and int(size) > 0
    again = build_and_push(world, f"{WEB}:v2")
    assert sum(line.endswith(": Layer already exists") for line in again) == 3
    assert sum(line.endswith(": Pushed") for line in again) == 1


def test_push_without_login(world: World) -> None:
    docker.docker_build(world, f"{WEB}:v1")
    with pytest.raises(DockerError) as caught:
        docker.docker_push(world, f"{WEB}:v1")
    assert caught.value.code == "UNAUTHORIZED"
    assert caught.value.text == "no basic auth credentials"
    assert caught.value.output[0] == f"The push refers to repository [{WEB}]"


def test_readonly_push_is_denied_at_initiate_layer_upload(world: World) -> None:
    login(world, "reader")
    docker.docker_build(world, f"{WEB}:v1")
    with pytest.raises(DockerError) as caught:
        docker.docker_push(world, f"{WEB}:v1")
    assert caught.value.code == "DENIED"
    assert caught.value.text == (
        f"denied: User: arn:aws:iam::{A}:user/reader is not authorized to perform: ecr:InitiateLayerUpload "
        f"on resource: arn:aws:ecr:{REGION}:{A}:repository/web because no identity-based policy allows the "
        "ecr:InitiateLayerUpload action"
    )
    assert caught.value.decision is not None and caught.value.decision.action == "ecr:InitiateLayerUpload"
    operations = [event.operation for event in world.events[-2:]]
    assert operations == ["BatchCheckLayerAvailability", "InitiateLayerUpload"]


def test_push_never_creates_a_repository(world: World) -> None:
    login(world, "admin")
    with pytest.raises(DockerError) as caught:
        build_and_push(world, f"{HOST_A}/ghost:v1")
    assert caught.value.code == "NAME_UNKNOWN"
    assert caught.value.text == (
        f"name unknown: The repository with name 'ghost' does not exist in the registry with id '{A}'"
    )
    assert ecr(world, "DescribeRepositories")["repositories"][0]["repositoryName"] == "web"


def test_immutable_tag_push(world: World) -> None:
    ecr(world, "PutImageTagMutability", repositoryName="web", imageTagMutability="IMMUTABLE")
    login(world, "admin")
    build_and_push(world, f"{WEB}:v1")
    docker.docker_push(world, f"{WEB}:v1")  # the same image again is fine
    with pytest.raises(DockerError) as caught:
        build_and_push(world, f"{WEB}:v1")
    assert caught.value.code == "TAG_INVALID"
    assert caught.value.text == (
        "tag invalid: The image tag 'v1' already exists in the 'web' repository and cannot be overwritten "
        "because the repository is immutable."
    )


def test_token_valid_at_11h59_expired_at_12h01(world: World) -> None:
    secret = password(world, "admin")
    docker.docker_login(world, HOST_A, "AWS", secret)
    docker.docker_build(world, f"{WEB}:v1")
    world.advance("11h59m")
    docker.docker_push(world, f"{WEB}:v1")
    world.advance("2m")
    with pytest.raises(DockerError) as caught:
        docker.docker_pull(world, f"{WEB}:v1")
    assert caught.value.text == (
        f"Error response from daemon: pull access denied for {WEB}, repository does not exist or may "
        "require 'docker login': denied: Your authorization token has expired. Reauthenticate and try again."
    )
    with pytest.raises(DockerError) as caught:
        docker.docker_push(world, f"{WEB}:v1")
    assert caught.value.text == "denied: Your authorization token has expired. Reauthenticate and try again."
    with pytest.raises(DockerError) as caught:
        docker.docker_login(world, HOST_A, "AWS", secret)
    assert "400 Bad Request" in caught.value.text


def test_a_role_sessions_token_lasts_its_12_hours_after_the_session_ends(world: World) -> None:
    """A 15-minute session's token: expiresAt says 12 hours (AuthorizationData), and the registry
    honours it until then; the AWS CLI, which uses the session itself, is refused after 15 minutes."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": A}, "Action": "sts:AssumeRole"}],
    }
    add_role(world, A, "ci", trust, managed=["AmazonEC2ContainerRegistryPowerUser"])
    role_arn = f"arn:aws:iam::{A}:role/ci"
    world.call(
        "sts",
        "AssumeRole",
        {"RoleArn": role_arn, "RoleSessionName": "job", "DurationSeconds": 900},
        profile="admin",
        region=REGION,
    )
    token = world.call("ecr", "GetAuthorizationToken", {}, profile="job", region=REGION)
    assert token["authorizationData"][0]["expiresAt"] == world.clock.now + timedelta(hours=12)
    login(world, "job")
    build_and_push(world, f"{WEB}:v1")
    world.advance("16m")
    with pytest.raises(ServiceError) as refused:
        world.call("ecr", "DescribeRepositories", {}, profile="job", region=REGION)
    assert refused.value.code == "ExpiredTokenException"
    docker.docker_pull(world, f"{WEB}:v1")
    assert world.events[-1].principal_arn.endswith(":assumed-role/ci/job")
    world.advance("12h")
    with pytest.raises(DockerError) as caught:
        docker.docker_push(world, f"{WEB}:v1")
    assert (caught.value.code, caught.value.text) == ("DENIED", docker.TOKEN_EXPIRED)


def test_login_checks_region_and_username(world: World) -> None:
    secret = password(world, "admin", region="eu-west-1")
    with pytest.raises(DockerError):
        docker.docker_login(world, HOST_A, "AWS", secret)
    with pytest.raises(DockerError):
        docker.docker_login(world, HOST_A, "admin", password(world, "admin"))
    with pytest.raises(DockerError):
        docker.docker_login(world, HOST_A, "AWS", "hunter2")
    # docker says the same whether or not a credential was stored (cli/command/registry/logout.go)
    assert docker.docker_logout(world, HOST_A) == [f"Removing login credentials for {HOST_A}"]
    login(world, "admin")
    assert docker.docker_logout(world, HOST_A) == [f"Removing login credentials for {HOST_A}"]


def test_docker_acts_as_whoever_logged_in_and_permissions_are_checked_per_call(world: World) -> None:
    login(world, "pusher")
    build_and_push(world, f"{WEB}:v1")
    # Whatever profile the shell uses, docker pushes as `pusher` until the next login; detaching the policy
    # takes effect on the next call, not at the next login.
    world.call(
        "iam",
        "DetachUserPolicy",
        {"UserName": "pusher", "PolicyArn": "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"},
        profile="admin",
        region=REGION,
    )
    with pytest.raises(DockerError) as caught:
        build_and_push(world, f"{WEB}:v2")
    assert "ecr:BatchCheckLayerAvailability" in caught.value.text


def test_pull_by_tag_and_digest(world: World) -> None:
    login(world, "admin")
    digest = build_and_push(world, f"{WEB}:v1")[-1].split()[2]
    docker.docker_rmi(world, f"{WEB}:v1")
    lines = docker.docker_pull(world, f"{WEB}:v1")
    assert lines[0] == "v1: Pulling from web"
    assert lines[-3:] == [f"Digest: {digest}", f"Status: Downloaded newer image for {WEB}:v1", f"{WEB}:v1"]
    assert docker.docker_pull(world, f"{WEB}:v1")[-2] == f"Status: Image is up to date for {WEB}:v1"
    by_digest = docker.docker_pull(world, f"{WEB}@{digest}")
    assert by_digest[0] == f"{digest}: Pulling from web"
    build_and_push(world, f"{WEB}:latest")
    assert docker.docker_pull(world, WEB)[:2] == ["Using default tag: latest", "latest: Pulling from web"]


def test_pull_failures(world: World) -> None:
    with pytest.raises(DockerError) as caught:
        docker.docker_pull(world, f"{WEB}:v1")
    assert caught.value.text.endswith("no basic auth credentials")
    login(world, "admin")
    with pytest.raises(DockerError) as caught:
        docker.docker_pull(world, f"{WEB}:nope")
    assert caught.value.code == "MANIFEST_UNKNOWN"
    assert caught.value.text == (
        f"Error response from daemon: manifest for {WEB}:nope not found: manifest unknown: "
        "Requested image not found"
    )
    with pytest.raises(DockerError) as caught:
        docker.docker_pull(world, f"{HOST_A}/ghost:v1")
    assert caught.value.text == (
        f"Error response from daemon: repository {HOST_A}/ghost not found: name unknown: The repository with "
        f"name 'ghost' does not exist in the registry with id '{A}'"
    )


def _allow(principal: str, actions: list[str]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions}],
        }
    )


PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
PUSH = [*PULL, "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]


@pytest.mark.parametrize(
    ("profile", "repository_policy", "can_pull", "can_push"),
    [
        # same account: identity policy alone, or a repository policy naming the user alone
        ("pusher", None, True, True),
        ("reader", None, True, False),
        ("loginonly", None, False, False),
        ("loginonly", ("user", PULL), True, False),
        ("loginonly", ("user", PUSH), True, True),
        # naming the account delegates to IAM: loginonly has no identity allow
        ("loginonly", ("account", PUSH), False, False),
        # cross account: both sides must allow
        ("bob", None, False, False),
        ("bob", ("account-b", PULL), True, False),
        ("bob", ("account-b", PUSH), True, True),
        ("bob", ("bob", PUSH), True, True),
    ],
)
def test_push_pull_matrix(
    world: World,
    profile: str,
    repository_policy: tuple[str, list[str]] | None,
    can_pull: bool,
    can_push: bool,
) -> None:
    login(world, "admin")
    build_and_push(world, f"{WEB}:base")
    if repository_policy is not None:
        who, actions = repository_policy
        principal = {
            "user": f"arn:aws:iam::{A}:user/loginonly",
            "account": A,
            "account-b": B,
            "bob": f"arn:aws:iam::{B}:user/bob",
        }[who]
        ecr(world, "SetRepositoryPolicy", repositoryName="web", policyText=_allow(principal, actions))
    login(world, profile)  # the token is the caller's; the registry host is account A's
    outcomes = {}
    try:
        docker.docker_pull(world, f"{WEB}:base")
        outcomes["pull"] = True
    except DockerError as error:
        assert error.code == "DENIED", error.text
        outcomes["pull"] = False
    try:
        build_and_push(world, f"{WEB}:new-{profile}")
        outcomes["push"] = True
    except DockerError as error:
        assert error.code == "DENIED", error.text
        outcomes["push"] = False
    assert outcomes == {"pull": can_pull, "push": can_push}


def test_cross_account_denial_names_the_resource_policy(world: World) -> None:
    login(world, "admin")
    build_and_push(world, f"{WEB}:base")
    login(world, "bob")
    with pytest.raises(DockerError) as caught:
        docker.docker_pull(world, f"{WEB}:base")
    assert caught.value.text == (
        f"Error response from daemon: pull access denied for {WEB}, repository does not exist or may require "
        f"'docker login': denied: User: arn:aws:iam::{B}:user/bob is not authorized to perform: "
        f"ecr:BatchGetImage on resource: arn:aws:ecr:{REGION}:{A}:repository/web because no resource-based "
        "policy allows the ecr:BatchGetImage action"
    )


def test_credentials_are_per_host(world: World) -> None:
    ecr(world, "CreateRepository", "bobadmin", repositoryName="app")
    login(world, "admin")
    docker.docker_build(world, f"{HOST_B}/app:v1")
    with pytest.raises(DockerError) as caught:
        docker.docker_push(world, f"{HOST_B}/app:v1")
    assert caught.value.text == "no basic auth credentials"
    login(world, "bobadmin", HOST_B)
    docker.docker_push(world, f"{HOST_B}/app:v1")


def test_local_store(world: World) -> None:
    docker.docker_build(world, "app:1")
    docker.docker_tag(world, "app:1", f"{WEB}:v1")
    rows = {(row.repository, row.tag) for row in docker.docker_images(world)}
    assert rows == {("app", "1"), (WEB, "v1")}
    docker.docker_build(world, "app:1")  # the old image loses its name but stays
    assert ("<none>", "<none>") not in {(row.repository, row.tag) for row in docker.docker_images(world)}
    assert docker.docker_rmi(world, "app:1")[0] == "Untagged: app:1"
    with pytest.raises(DockerError) as caught:
        docker.docker_tag(world, "nope:1", "x:1")
    assert caught.value.text == "Error response from daemon: No such image: nope:1"
    with pytest.raises(DockerError) as caught:
        docker.docker_push(world, "nope:1")
    assert caught.value.text == "An image does not exist locally with the tag: nope"


def test_two_runs_give_identical_digests_and_copies_are_independent() -> None:
    def run() -> tuple[World, list[str]]:
        world = make_world()
        ecr(world, "CreateRepository", repositoryName="web")
        login(world, "admin")
        return world, build_and_push(world, f"{WEB}:v1") + build_and_push(world, f"{WEB}:v2")

    first, lines = run()
    _second, again = run()
    assert lines == again
    copy = first.copy()
    build_and_push(copy, f"{WEB}:v3")
    ecr(copy, "DeleteRepository", repositoryName="web", force=True)
    assert len(ecr(first, "ListImages", repositoryName="web")["imageIds"]) == 2
    assert {row.tag for row in docker.docker_images(first)} == {"v1", "v2"}


def test_references_and_rmi_by_id(world: World) -> None:
    with pytest.raises(DockerError) as caught:
        docker.docker_build(world, "Web:v1")
    assert caught.value.text == "invalid reference format: repository name (library/Web) must be lowercase"
    with pytest.raises(DockerError) as caught:
        docker.docker_build(world, f"{HOST_A}/Web:v1")
    assert caught.value.text == "invalid reference format: repository name (Web) must be lowercase"
    with pytest.raises(DockerError) as caught:
        docker.docker_push(world, f"{WEB}@sha256:{'0' * 64}")
    assert caught.value.text == "cannot push a digest reference"
    docker.docker_build(world, "app:1")
    image_id = docker.docker_images(world)[0].image_id
    docker.docker_tag(world, "app:1", "app:2")
    with pytest.raises(DockerError) as caught:
        docker.docker_rmi(world, image_id[7:19])
    assert "image is referenced in multiple repositories" in caught.value.text
    docker.docker_rmi(world, "app:2")
    assert docker.docker_rmi(world, image_id[7:19]) == ["Untagged: app:1", f"Deleted: {image_id}"]
    assert docker.docker_images(world) == []

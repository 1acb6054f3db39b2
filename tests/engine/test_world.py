"""The world as a value: independent copies, deterministic ids, the request context, the event log."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from ecrsim.engine.api import Call
from ecrsim.engine.clock import DEFAULT_START, DurationError
from ecrsim.engine.docker import Credential
from ecrsim.engine.ecr.model import Repository
from ecrsim.engine.errors import ServiceError, UnknownPrincipal, UnknownProfile
from ecrsim.engine.explanation import LineKind
from ecrsim.engine.identity import (
    add_customer_policy,
    add_group,
    add_user,
    attach_policy,
    store_identity_policy,
)
from ecrsim.engine.organizations.model import Organization
from ecrsim.engine.policy.document import parse_resource_policy
from ecrsim.engine.world import DEFAULT_ACCOUNT, DEFAULT_REGION, World, default_world
from ecrsim.errors import EcrsimError

A = DEFAULT_ACCOUNT
HOST = f"{A}.dkr.ecr.{DEFAULT_REGION}.amazonaws.com"
DENY_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}


def iam(world: World, operation: str, profile: str = "admin", **params: object) -> dict:
    return world.call("iam", operation, params, profile=profile, region=DEFAULT_REGION)


def test_default_world_is_the_documented_sandbox() -> None:
    world = default_world()
    assert list(world.accounts) == ["111122223333"]
    assert world.profiles == {"admin": "arn:aws:iam::111122223333:user/admin"}
    assert world.account(A).users["admin"].attached == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert world.clock.now == DEFAULT_START
    assert iam(world, "GetUser")["User"]["UserName"] == "admin"


def _populated() -> World:
    world = default_world()
    add_user(world, A, "alice", inline={"p": DENY_ALL})
    world.account(A).registry(DEFAULT_REGION).repositories["app"] = Repository(
        A, DEFAULT_REGION, "app", DEFAULT_START
    )
    world.docker.credentials[HOST] = Credential("AWS", "token")
    world.context["aws:SourceIp"] = "198.51.100.7"
    world.files["trust.json"] = "{}"
    iam(world, "ListUsers")
    return world


def test_mutating_a_copy_leaves_the_original_unchanged() -> None:
    original = _populated()
    before = (
        dict(original.profiles),
        len(original.events),
        original.clock.now,
        dict(original.context),
        dict(original.files),
        list(original.account(A).users),
        list(original.account(A).users["alice"].inline),
    )
    copy = original.copy()
    account = copy.account(A)
    account.users["alice"].inline["extra"] = store_identity_policy("extra", DENY_ALL)
    account.users["alice"].groups.append("devs")
    account.users["alice"].tags["team"] = "red"
    account.users["admin"].attached.clear()
    add_user(copy, A, "mallory")
    add_customer_policy(copy, A, "Mine", DENY_ALL)
    repository = account.registry(DEFAULT_REGION).repositories["app"]
    repository.tags["env"] = "prod"
    repository.image_tags["latest"] = "sha256:0"
    account.registry(DEFAULT_REGION).repositories["other"] = Repository(
        A, DEFAULT_REGION, "other", DEFAULT_START
    )
    copy.docker.credentials.clear()
    copy.clock.advance("13h")
    copy.call("sts", "GetCallerIdentity", {}, profile="admin", region=DEFAULT_REGION)
    copy.profiles["x"] = "arn:aws:iam::111122223333:user/x"
    copy.context["aws:SecureTransport"] = "false"
    copy.files["new.json"] = "{}"
    copy.add_account("444455556666")

    after = (
        dict(original.profiles),
        len(original.events),
        original.clock.now,
        dict(original.context),
        dict(original.files),
        list(original.account(A).users),
        list(original.account(A).users["alice"].inline),
    )
    assert after == before
    alice = original.account(A).users["alice"]
    assert alice.groups == [] and alice.tags == {}
    assert original.account(A).users["admin"].attached == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert original.account(A).policies == {}
    repository = original.account(A).registry(DEFAULT_REGION).repositories["app"]
    assert repository.tags == {} and repository.image_tags == {}
    assert list(original.account(A).registry(DEFAULT_REGION).repositories) == ["app"]
    assert original.docker.credentials == {HOST: Credential("AWS", "token")}
    assert list(original.accounts) == [A]


def test_a_copy_continues_the_same_id_sequence_as_its_original() -> None:
    original = default_world()
    copy = original.copy()
    assert add_user(copy, A, "bob").user_id == add_user(original, A, "bob").user_id


def _run_script() -> list[object]:
    world = default_world()
    user = iam(world, "CreateUser", UserName="bob")["User"]
    role = iam(
        world,
        "CreateRole",
        RoleName="r",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": A}, "Action": "sts:AssumeRole"}],
            }
        ),
    )["Role"]
    session = world.call(
        "sts",
        "AssumeRole",
        {"RoleArn": role["Arn"], "RoleSessionName": "s1"},
        profile="admin",
        region=DEFAULT_REGION,
    )
    return [user, role, session, world.account(A).users["admin"].access_keys]


def test_two_identical_runs_give_identical_ids_keys_and_tokens() -> None:
    first, second = _run_script(), _run_script()
    assert first == second
    user, role, session, keys = first
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    assert keys[0].access_key_id.startswith("AKIA") and len(keys[0].access_key_id) == 20
    assert len(keys[0].secret_access_key) == 40
    credentials = session["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert len(credentials["SecretAccessKey"]) == 40


def test_request_context_for_a_user() -> None:
    world = default_world()
    add_user(world, A, "alice", tags={"team": "payments"})
    world.clock.advance("90m")
    context = world.request_context(world.resolve(f"arn:aws:iam::{A}:user/alice"))
    assert context["aws:PrincipalArn"] == f"arn:aws:iam::{A}:user/alice"
    assert context["aws:PrincipalAccount"] == A
    assert context["aws:username"] == "alice"
    assert context["aws:userid"] == world.account(A).users["alice"].user_id
    assert context["aws:PrincipalTag/team"] == "payments"
    assert context["aws:CurrentTime"] == "2026-01-05T10:30:00Z"
    assert context["aws:EpochTime"] == str(int((DEFAULT_START + timedelta(minutes=90)).timestamp()))
    assert context["aws:SecureTransport"] == "true"
    assert context["aws:SourceIp"] == "203.0.113.25"
    assert "aws:PrincipalOrgID" not in context


def test_sim_context_overrides_and_a_vpc_endpoint_removes_the_source_ip() -> None:
    world = default_world()
    world.context.update({"aws:SecureTransport": "false", "aws:SourceVpce": "vpce-1a2b3c4d"})
    world.organization = Organization("o-a1b2c3d4e5", frozenset({A}))
    context = world.request_context(world.resolve(world.profiles["admin"]), {"aws:SourceAccount": A})
    assert context["aws:SecureTransport"] == "false"
    assert context["aws:SourceVpce"] == "vpce-1a2b3c4d"
    assert "aws:SourceIp" not in context
    assert context["aws:PrincipalOrgID"] == "o-a1b2c3d4e5"
    assert context["aws:SourceAccount"] == A


def test_a_service_principal_is_a_caller_with_no_identity_policies() -> None:
    world = default_world()
    caller = world.resolve("lambda.amazonaws.com")
    assert (caller.kind, caller.account_id, caller.identity_policies) == ("service", None, ())
    context = world.request_context(caller)
    assert context["aws:PrincipalServiceName"] == "lambda.amazonaws.com"
    assert "aws:PrincipalArn" not in context


def test_a_service_principal_acts_through_a_resource_policy_alone() -> None:
    """The ECR engine decides a service's call with the repository policy as its only source of allow."""
    world = default_world()
    caller = world.resolve("ecs-tasks.amazonaws.com")
    repository_policy = parse_resource_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "ecr:BatchGetImage",
                }
            ],
        }
    )
    call = Call(world, caller, DEFAULT_REGION, "ecr", "BatchGetImage", world.clock.now)
    arn = f"arn:aws:ecr:{DEFAULT_REGION}:{A}:repository/app"
    assert call.authorize("ecr:BatchGetImage", arn, resource_policy=repository_policy).allowed
    with pytest.raises(ServiceError) as denied:
        call.authorize("ecr:PutImage", arn, resource_policy=repository_policy)
    assert denied.value.code == "AccessDeniedException"
    assert denied.value.decision.rule == "service_principal_not_granted"


def test_unknown_principals_and_profiles() -> None:
    world = default_world()
    with pytest.raises(UnknownPrincipal, match="no such principal"):
        world.resolve(f"arn:aws:iam::{A}:user/ghost")
    with pytest.raises(UnknownProfile, match=r"The config profile \(ghost\) could not be found"):
        world.call("sts", "GetCallerIdentity", {}, profile="ghost", region=DEFAULT_REGION)


def test_a_deleted_users_profile_is_rejected_as_an_invalid_token() -> None:
    world = default_world()
    iam(world, "CreateUser", UserName="bob")
    iam(world, "DeleteUser", UserName="bob")
    for service, code in (("iam", "InvalidClientTokenId"), ("ecr", "UnrecognizedClientException")):
        operation = "ListUsers" if service == "iam" else "DescribeRepositories"
        with pytest.raises(ServiceError) as error:
            world.call(service, operation, {}, profile="bob", region=DEFAULT_REGION)
        assert (error.value.code, error.value.message) == (
            code,
            "The security token included in the request is invalid.",
        )
    assert world.events[-1].error_code == "UnrecognizedClientException"


def test_every_call_is_logged_with_its_decision_and_outcome() -> None:
    world = default_world()
    add_user(world, A, "nobody")
    iam(world, "CreateUser", UserName="bob")
    with pytest.raises(ServiceError):
        iam(world, "CreateUser", profile="nobody", UserName="carol")
    ok, denied = world.events[-2:]
    assert (ok.operation, ok.principal_arn, ok.error_code) == (
        "CreateUser",
        f"arn:aws:iam::{A}:user/admin",
        None,
    )
    assert ok.resource == f"arn:aws:iam::{A}:user/bob" and ok.decision.allowed
    assert denied.error_code == "AccessDenied" and denied.resource == f"arn:aws:iam::{A}:user/carol"
    assert denied.error_message == denied.decision.message
    assert world.last_decision() is denied.decision
    assert not world.last_decision().allowed


def test_last_decision_explains_the_most_recent_call_that_made_one() -> None:
    world = default_world()
    assert world.last_decision() is None
    iam(world, "ListUsers")
    allowed = world.last_decision()
    with pytest.raises(ServiceError):  # a parameter error makes no decision
        iam(world, "GetUser", UserName="bad name")
    assert world.last_decision() is allowed and allowed.allowed


def test_an_unknown_operation_is_an_invalid_action() -> None:
    with pytest.raises(ServiceError) as error:
        default_world().call("iam", "CreateLoginProfile", {}, profile="admin", region=DEFAULT_REGION)
    assert error.value.code == "InvalidAction"


def test_advance_moves_the_clock_and_runs_lifecycle_policies() -> None:
    world = default_world()

    def ecr(operation: str, **params: object) -> dict:
        return world.call("ecr", operation, params, profile="admin", region=DEFAULT_REGION)

    ecr("CreateRepository", repositoryName="app")
    token = ecr("GetAuthorizationToken")["authorizationData"][0]["authorizationToken"]
    world.docker_login(HOST, "AWS", base64.b64decode(token).decode().split(":", 1)[1])
    for _ in range(2):  # the second push moves `latest`, leaving the first image untagged
        world.docker_build(f"{HOST}/app:latest")
        world.docker_push(f"{HOST}/app:latest")
    rule = {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 1}
    lifecycle = {"rules": [{"rulePriority": 1, "selection": rule, "action": {"type": "expire"}}]}
    ecr("PutLifecyclePolicy", repositoryName="app", lifecyclePolicyText=json.dumps(lifecycle))
    assert len(ecr("ListImages", repositoryName="app")["imageIds"]) == 2

    assert world.advance("2d") == [
        "lifecycle policy of app expired 1 image: rule 1 (untagged, pushed more than 1 day ago)"
    ]
    assert world.clock.now == DEFAULT_START + timedelta(days=2)
    assert [image.get("imageTag") for image in ecr("ListImages", repositoryName="app")["imageIds"]] == [
        "latest"
    ]
    run = next(event for event in world.events if event.operation == "PolicyExecutionEvent")
    assert run.resource == f"arn:aws:ecr:us-east-1:{DEFAULT_ACCOUNT}:repository/app"
    assert [entry.kind for entry in run.outcomes] == [
        LineKind.VERDICT,
        LineKind.LIFECYCLE,
        LineKind.LIFECYCLE,
    ]
    assert run.outcomes[1].text.startswith("expired sha256:")
    assert run.outcomes[2].text.startswith("kept sha256:")
    assert run.outcomes[2].text.endswith("(latest, pushed 2026-01-05T09:00:00Z): no rule selects it")
    with pytest.raises(DurationError):
        world.advance("soon")


def test_add_account_needs_twelve_digits() -> None:
    with pytest.raises(EcrsimError, match="12 digits"):
        default_world().add_account("1234")


# -- what the world remembers between calls -------------------------------------------------------------
def _may_describe(world: World, profile: str) -> bool:
    try:
        world.call("ecr", "DescribeRepositories", {}, profile=profile, region=DEFAULT_REGION)
    except ServiceError as error:
        assert error.code == "AccessDeniedException"
        return False
    return True


def test_an_iam_change_takes_effect_on_the_very_next_call() -> None:
    """Callers are resolved once and remembered, yet every kind of IAM change is seen by the next call."""
    world = default_world()
    add_user(world, A, "alice", managed=["AmazonEC2ContainerRegistryReadOnly"])
    assert _may_describe(world, "alice")
    iam(world, "PutUserPolicy", UserName="alice", PolicyName="stop", PolicyDocument=json.dumps(DENY_ALL))
    assert not _may_describe(world, "alice")
    iam(world, "DeleteUserPolicy", UserName="alice", PolicyName="stop")
    assert _may_describe(world, "alice")
    add_group(world, A, "blocked", inline={"stop": DENY_ALL})
    iam(world, "AddUserToGroup", GroupName="blocked", UserName="alice")
    assert not _may_describe(world, "alice")
    # The engine's own helpers (used to lay out worlds) count as changes too.
    add_user(world, A, "bob")
    assert not _may_describe(world, "bob")
    attach_policy(world.account(A), world.account(A).users["bob"], "AmazonEC2ContainerRegistryReadOnly")
    assert _may_describe(world, "bob")
    # Code that edits the records directly says so.
    world.account(A).users["bob"].attached.clear()
    world.account(A).iam_changed()
    assert not _may_describe(world, "bob")


def test_a_resolved_caller_is_reused_until_its_account_changes() -> None:
    world = default_world()
    first = world.caller_for("admin")
    assert world.caller_for("admin") is first
    world.call("sts", "GetCallerIdentity", {}, profile="admin", region=DEFAULT_REGION)  # a read
    assert world.caller_for("admin") is first
    read_only = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
    iam(world, "AttachUserPolicy", UserName="admin", PolicyArn=read_only)
    again = world.caller_for("admin")
    assert [named.name for named in again.identity_policies] == [
        "AdministratorAccess",
        "AmazonEC2ContainerRegistryReadOnly",
    ]
    copy = world.copy()
    iam(copy, "DetachUserPolicy", UserName="admin", PolicyArn=read_only)
    assert len(copy.caller_for("admin").identity_policies) == 1
    assert world.caller_for("admin") is again


def test_the_request_context_follows_the_clock_and_sim_context() -> None:
    world = default_world()
    caller = world.caller_for("admin")
    assert world.request_context(caller)["aws:CurrentTime"] == "2026-01-05T09:00:00Z"
    world.clock.advance("1s")
    world.context["aws:SourceIp"] = "198.51.100.7"
    context = world.request_context(caller)
    assert (context["aws:CurrentTime"], context["aws:SourceIp"]) == ("2026-01-05T09:00:01Z", "198.51.100.7")
    context["aws:SourceIp"] = "changed by the reader"  # a copy: the world's own stays as it was
    assert world.request_context(caller)["aws:SourceIp"] == "198.51.100.7"


def test_world_copies_share_repositories_until_either_side_changes_one() -> None:
    world = default_world()

    def ecr(target: World, operation: str, **params: object) -> dict:
        return target.call("ecr", operation, params, profile="admin", region=DEFAULT_REGION)

    for name in ("aa", "bb"):
        ecr(world, "CreateRepository", repositoryName=name)
    copy = world.copy()
    ecr(
        copy,
        "TagResource",
        resourceArn=f"arn:aws:ecr:us-east-1:{DEFAULT_ACCOUNT}:repository/aa",
        tags=[{"Key": "k", "Value": "copy"}],
    )
    ecr(world, "PutImageTagMutability", repositoryName="aa", imageTagMutability="IMMUTABLE")
    ecr(copy, "DeleteRepository", repositoryName="bb")
    later = copy.copy()
    ecr(later, "CreateRepository", repositoryName="cc")

    def names(target: World) -> list[str]:
        return [r["repositoryName"] for r in ecr(target, "DescribeRepositories")["repositories"]]

    assert (names(world), names(copy), names(later)) == (["aa", "bb"], ["aa"], ["aa", "cc"])
    mutability = {
        w: ecr(w, "DescribeRepositories", repositoryNames=["aa"])["repositories"][0]["imageTagMutability"]
        for w in (world, copy)
    }
    assert mutability == {world: "IMMUTABLE", copy: "MUTABLE"}
    arn = f"arn:aws:ecr:us-east-1:{DEFAULT_ACCOUNT}:repository/aa"
    assert ecr(world, "ListTagsForResource", resourceArn=arn)["tags"] == []
    assert ecr(later, "ListTagsForResource", resourceArn=arn)["tags"] == [{"Key": "k", "Value": "copy"}]

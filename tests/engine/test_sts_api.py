"""STS: who am I, and AssumeRole decided by the role's trust policy together with the caller's IAM."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from ecrsim.engine.clock import DEFAULT_START
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.identity import add_role, add_user
from ecrsim.engine.world import DEFAULT_ACCOUNT, World, default_world

A = DEFAULT_ACCOUNT
B = "444455556666"
ROLE_ARN = f"arn:aws:iam::{A}:role/deployer"
ASSUME_ANY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
}


def trust(*principals: str, **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": list(principals)},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def sts(world: World, operation: str, profile: str, **params: Any) -> dict[str, Any]:
    return world.call("sts", operation, params, profile=profile, region="us-east-1")


def assume(world: World, profile: str, role_arn: str = ROLE_ARN, name: str = "deploy", **params: Any) -> dict:
    return sts(world, "AssumeRole", profile, RoleArn=role_arn, RoleSessionName=name, **params)


def refused(world: World, profile: str, role_arn: str = ROLE_ARN, **params: Any) -> ServiceError:
    with pytest.raises(ServiceError) as error:
        assume(world, profile, role_arn, **params)
    caller = world.profiles[profile]
    assert (error.value.code, error.value.message) == (
        "AccessDenied",
        f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
    )
    return error.value


@pytest.fixture
def world() -> World:
    world = default_world()
    add_user(world, A, "alice")
    add_user(world, A, "assumer", inline={"assume": ASSUME_ANY})
    return world


# -- GetCallerIdentity ----------------------------------------------------------------------------------
def test_get_caller_identity_for_a_user(world: World) -> None:
    assert sts(world, "GetCallerIdentity", "alice") == {
        "UserId": world.account(A).users["alice"].user_id,
        "Account": A,
        "Arn": f"arn:aws:iam::{A}:user/alice",
    }


def test_get_caller_identity_needs_no_permission_even_under_an_explicit_deny(world: World) -> None:
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    add_user(world, A, "locked", inline={"deny": deny})
    assert sts(world, "GetCallerIdentity", "locked")["Arn"] == f"arn:aws:iam::{A}:user/locked"


def test_get_caller_identity_for_a_session(world: World) -> None:
    role = add_role(world, A, "deployer", trust(f"arn:aws:iam::{A}:user/alice"))
    assume(world, "alice")
    assert sts(world, "GetCallerIdentity", "deploy") == {
        "UserId": f"{role.role_id}:deploy",
        "Account": A,
        "Arn": f"arn:aws:sts::{A}:assumed-role/deployer/deploy",
    }


# -- AssumeRole: the trust policy and the caller's IAM ---------------------------------------------------
def test_success_returns_credentials_and_registers_a_profile(world: World) -> None:
    role = add_role(world, A, "deployer", trust(f"arn:aws:iam::{A}:user/alice"))
    result = assume(world, "alice")
    credentials = result["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert len(credentials["SecretAccessKey"]) == 40 and credentials["SessionToken"]
    assert credentials["Expiration"] == DEFAULT_START + timedelta(hours=1)
    assert result["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role.role_id}:deploy",
        "Arn": f"arn:aws:sts::{A}:assumed-role/deployer/deploy",
    }
    assert set(result) == {"Credentials", "AssumedRoleUser"}
    assert world.profiles["deploy"] == f"arn:aws:sts::{A}:assumed-role/deployer/deploy"
    assert world.last_decision().allowed


def test_same_account_trust_naming_the_user_allows_without_identity_permission(world: World) -> None:
    add_role(world, A, "deployer", trust(f"arn:aws:iam::{A}:user/alice"))
    assume(world, "alice")
    assert world.last_decision().rule == "same_account_direct_grant"


def test_trust_naming_the_account_needs_the_callers_iam_to_allow(world: World) -> None:
    add_role(world, A, "deployer", trust(f"arn:aws:iam::{A}:root"))
    denial = refused(world, "alice")
    assert denial.decision.rule == "account_delegation_without_identity_allow"
    assert assume(world, "assumer")["AssumedRoleUser"]["Arn"].endswith("assumed-role/deployer/deploy")
    assert world.last_decision().rule == "identity_allow"


def test_identity_permission_alone_is_not_enough_when_the_trust_policy_does_not_name_the_caller(
    world: World,
) -> None:
    add_role(world, A, "deployer", trust(f"arn:aws:iam::{A}:user/alice"))
    denial = refused(world, "assumer")
    assert denial.decision.rule == "resource_policy_missing_allow"
    assert "deploy" not in world.profiles


def test_an_explicit_deny_in_the_callers_policies_wins_over_a_direct_trust(world: World) -> None:
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sts:*", "Resource": "*"}]}
    add_user(world, A, "denied", inline={"deny": deny})
    add_role(world, A, "deployer", trust(f"arn:aws:iam::{A}:user/denied"))
    assert refused(world, "denied").decision.rule == "explicit_deny"


@pytest.mark.parametrize(
    ("trusted", "identity", "allowed"),
    [
        (f"arn:aws:iam::{B}:root", True, True),
        (B, True, True),
        (f"arn:aws:iam::{B}:user/carol", True, True),
        (f"arn:aws:iam::{B}:user/carol", False, False),  # cross-account: the caller's side must allow too
        (f"arn:aws:iam::{B}:root", False, False),
        (f"arn:aws:iam::{A}:root", True, False),  # trusts another account
    ],
)
def test_cross_account_needs_both_sides(world: World, trusted: str, identity: bool, allowed: bool) -> None:
    world.add_account(B)
    add_user(world, B, "carol", inline={"assume": ASSUME_ANY} if identity else None)
    add_role(world, A, "deployer", trust(trusted))
    if allowed:
        assert (
            assume(world, "carol")["AssumedRoleUser"]["Arn"]
            == f"arn:aws:sts::{A}:assumed-role/deployer/deploy"
        )
        assert world.resolve(world.profiles["deploy"]).account_id == A
    else:
        refused(world, "carol")


def test_a_role_that_does_not_exist_is_denied_like_one_that_does_not_trust_you(world: World) -> None:
    for missing in (f"arn:aws:iam::{A}:role/ghost", f"arn:aws:iam::{B}:role/elsewhere"):
        denial = refused(world, "admin", missing)
        assert denial.decision.rule == "no_such_role"
        assert f"there is no role {missing}" in denial.decision.reason
        assert world.last_decision() is denial.decision


def test_trust_conditions_see_the_external_id(world: World) -> None:
    add_role(
        world, A, "deployer", trust(f"arn:aws:iam::{A}:user/alice", StringEquals={"sts:ExternalId": "s3cr3t"})
    )
    refused(world, "alice")
    refused(world, "alice", ExternalId="wrong")
    assert assume(world, "alice", ExternalId="s3cr3t")["Credentials"]


def test_a_service_principal_may_assume_a_role_that_trusts_it(world: World) -> None:
    service_trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    add_role(world, A, "task", service_trust)
    result = world.call_as(
        world.resolve("ecs-tasks.amazonaws.com"),
        "sts",
        "AssumeRole",
        {"RoleArn": f"arn:aws:iam::{A}:role/task", "RoleSessionName": "task-1"},
        region="us-east-1",
    )
    assert result["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{A}:assumed-role/task/task-1"


# -- sessions -------------------------------------------------------------------------------------------
def test_a_session_acts_with_the_roles_permissions(world: World) -> None:
    add_role(
        world,
        A,
        "deployer",
        trust(f"arn:aws:iam::{A}:user/alice"),
        managed=["AmazonEC2ContainerRegistryReadOnly"],
    )
    with pytest.raises(ServiceError):
        world.call("ecr", "DescribeRepositories", {}, profile="alice", region="us-east-1")
    assume(world, "alice")
    assert world.call("ecr", "DescribeRepositories", {}, profile="deploy", region="us-east-1") is not None


def test_a_session_expires_on_the_simulated_clock(world: World) -> None:
    add_role(world, A, "deployer", trust(f"arn:aws:iam::{A}:user/alice"))
    assume(world, "alice", DurationSeconds=900)
    world.clock.advance("14m")
    assert sts(world, "GetCallerIdentity", "deploy")["Arn"].endswith("/deploy")
    world.clock.advance("1m")
    for service, operation, code in (
        ("sts", "GetCallerIdentity", "ExpiredToken"),
        ("iam", "ListUsers", "ExpiredToken"),
        ("ecr", "DescribeRepositories", "ExpiredTokenException"),
    ):
        with pytest.raises(ServiceError) as error:
            world.call(service, operation, {}, profile="deploy", region="us-east-1")
        assert (error.value.code, error.value.message) == (
            code,
            "The security token included in the request is expired",
        )
    assert world.events[-1].error_code == "ExpiredTokenException"


def test_assuming_again_renews_the_profile(world: World) -> None:
    add_role(world, A, "deployer", trust(f"arn:aws:iam::{A}:user/alice"))
    assume(world, "alice")
    world.clock.advance("2h")
    assume(world, "alice")
    assert sts(world, "GetCallerIdentity", "deploy")["Arn"].endswith("/deploy")


def test_a_session_name_never_takes_over_a_users_profile(world: World) -> None:
    add_role(world, A, "deployer", trust(f"arn:aws:iam::{A}:user/alice"))
    assume(world, "alice", name="alice")
    assert world.profiles["alice"] == f"arn:aws:iam::{A}:user/alice"
    assert world.profiles["deployer/alice"] == f"arn:aws:sts::{A}:assumed-role/deployer/alice"


def test_duration_limits(world: World) -> None:
    add_role(world, A, "deployer", trust(f"arn:aws:iam::{A}:user/alice", f"arn:aws:iam::{A}:root"))
    add_role(world, A, "long", trust(f"arn:aws:iam::{A}:user/alice"), max_session_duration=43200)
    long = assume(world, "alice", f"arn:aws:iam::{A}:role/long", DurationSeconds=43200)
    assert long["Credentials"]["Expiration"] == DEFAULT_START + timedelta(hours=12)
    cases = [
        (
            {"DurationSeconds": 7200},
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ),
        (
            {"DurationSeconds": 60},
            "1 validation error detected: Value '60' at 'durationSeconds' failed to satisfy constraint:"
            " Member must have value greater than or equal to 900",
        ),
    ]
    for params, message in cases:
        with pytest.raises(ServiceError) as error:
            assume(world, "alice", **params)
        assert (error.value.code, error.value.message) == ("ValidationError", message)


def test_role_chaining_is_limited_to_one_hour(world: World) -> None:
    add_role(world, A, "first", trust(f"arn:aws:iam::{A}:user/alice"), managed=["AdministratorAccess"])
    add_role(world, A, "second", trust(f"arn:aws:iam::{A}:root"), max_session_duration=43200)
    assume(world, "alice", f"arn:aws:iam::{A}:role/first", name="hop1")
    with pytest.raises(ServiceError) as error:
        assume(world, "hop1", f"arn:aws:iam::{A}:role/second", name="hop2", DurationSeconds=7200)
    assert error.value.message == (
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
    )
    assert assume(world, "hop1", f"arn:aws:iam::{A}:role/second", name="hop2")["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::{A}:assumed-role/second/hop2"
    )


@pytest.mark.parametrize(
    ("name", "constraint"),
    [
        ("x", "Member must have length greater than or equal to 2"),
        ("y" * 65, "Member must have length less than or equal to 64"),
        ("has space", "Member must satisfy regular expression pattern: [\\w+=,.@-]*"),
    ],
)
def test_role_session_name_validation(world: World, name: str, constraint: str) -> None:
    with pytest.raises(ServiceError) as error:
        assume(world, "admin", name=name)
    assert (error.value.code, error.value.message) == (
        "ValidationError",
        f"1 validation error detected: Value '{name}' at 'roleSessionName' failed to satisfy constraint:"
        f" {constraint}",
    )


PULL_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["ecr:DescribeRepositories"], "Resource": "*"}],
}


def test_a_session_policy_narrows_the_session_and_names_itself_in_the_denial(world: World) -> None:
    """AssumeRole API reference, Policy: "The resulting session's permissions are the intersection of the
    role's identity-based policy and the session policies"."""
    add_role(world, A, "deployer", trust(f"arn:aws:iam::{A}:user/alice"), managed=["AdministratorAccess"])
    assume(world, "alice", Policy=json.dumps(PULL_ONLY))
    world.call("ecr", "DescribeRepositories", {}, profile="deploy", region="us-east-1")
    with pytest.raises(ServiceError) as error:
        world.call("ecr", "CreateRepository", {"repositoryName": "web"}, profile="deploy", region="us-east-1")
    assert error.value.message.endswith("because no session policy allows the ecr:CreateRepository action")


def test_managed_session_policies_must_exist_and_a_malformed_inline_one_is_refused(world: World) -> None:
    add_role(world, A, "deployer", trust(f"arn:aws:iam::{A}:user/alice"))
    with pytest.raises(ServiceError) as error:
        assume(world, "alice", PolicyArns=[{"arn": f"arn:aws:iam::{A}:policy/nope"}])
    assert error.value.code == "MalformedPolicyDocument"
    with pytest.raises(ServiceError) as error:
        assume(world, "alice", Policy='{"Statement": "x"}')
    assert (error.value.code, error.value.message) == ("MalformedPolicyDocument", "Syntax errors in policy.")
    assume(world, "alice", PolicyArns=[{"arn": "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"}])
    caller = world.caller_for("deploy")
    assert caller.session_policies and caller.session_policies[0].name == "AmazonEC2ContainerRegistryReadOnly"

"""Laying out principals, and resolving a principal to the policies and context that apply to it."""

from __future__ import annotations

import json

import pytest

from ecrsim.engine.errors import ServiceError
from ecrsim.engine.identity import (
    add_customer_policy,
    add_group,
    add_role,
    add_user,
    add_user_to_group,
    attach_policy,
)
from ecrsim.engine.world import DEFAULT_ACCOUNT, DEFAULT_REGION, World, default_world

A = DEFAULT_ACCOUNT
B = "444455556666"
ECR_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ecr:DescribeRepositories", "Resource": "*"}],
}
TRUST_ACCOUNT = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "sts:AssumeRole"}
    ],
}


def _allowed(world: World, profile: str, operation: str = "DescribeRepositories") -> bool:
    try:
        world.call("ecr", operation, {}, profile=profile, region=DEFAULT_REGION)
    except ServiceError as error:
        assert error.code == "AccessDeniedException"
        return False
    return True


def test_a_groups_policies_apply_to_its_members_only() -> None:
    world = default_world()
    add_group(world, A, "readers", inline={"read": ECR_READ})
    add_user(world, A, "member", groups=["readers"])
    add_user(world, A, "outsider")
    assert _allowed(world, "member")
    assert not _allowed(world, "outsider")
    decision = world.last_decision()
    assert decision.rule == "no_allow"


def test_joining_and_leaving_a_group_takes_effect_on_the_next_call() -> None:
    world = default_world()
    group = add_group(world, A, "readers", managed=["AmazonEC2ContainerRegistryReadOnly"])
    user = add_user(world, A, "later")
    assert not _allowed(world, "later")
    add_user_to_group(world.account(A), user, group.name)
    assert _allowed(world, "later")
    world.call(
        "iam",
        "RemoveUserFromGroup",
        {"GroupName": "readers", "UserName": "later"},
        profile="admin",
        region=DEFAULT_REGION,
    )
    assert not _allowed(world, "later")


def test_the_trace_names_aws_managed_and_customer_policies() -> None:
    world = default_world()
    add_customer_policy(world, A, "TeamEcr", ECR_READ)
    add_user(world, A, "alice", managed=["TeamEcr", "AmazonEC2ContainerRegistryPullOnly"])
    caller = world.resolve(world.profiles["alice"])
    assert [named.name for named in caller.identity_policies] == [
        "TeamEcr",
        "AmazonEC2ContainerRegistryPullOnly",
    ]
    assert world.account(A).users["alice"].attached == [
        f"arn:aws:iam::{A}:policy/TeamEcr",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    ]


def test_unknown_managed_policies_and_groups_are_no_such_entity() -> None:
    world = default_world()
    with pytest.raises(ServiceError) as error:
        add_user(world, A, "alice", managed=["NoSuchPolicy"])
    assert (error.value.code, error.value.message) == (
        "NoSuchEntity",
        "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.",
    )
    assert "alice" not in world.account(A).users
    with pytest.raises(ServiceError, match=r"The group with name devs cannot be found\."):
        add_user(world, A, "bob", groups=["devs"])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda w: add_user(w, A, "Admin"), "User with name Admin already exists."),
        (lambda w: add_group(w, A, "ops"), "Group with name ops already exists."),
        (lambda w: add_role(w, A, "ROLE", TRUST_ACCOUNT), "Role with name ROLE already exists."),
        (
            lambda w: add_customer_policy(w, A, "Mine", ECR_READ, path="/other/"),
            "A policy called Mine already exists. Duplicate names are not allowed.",
        ),
    ],
)
def test_names_are_unique_whatever_their_case_or_path(make, message: str) -> None:
    world = default_world()
    add_group(world, A, "ops")
    add_role(world, A, "role", TRUST_ACCOUNT)
    add_customer_policy(world, A, "Mine", ECR_READ)
    with pytest.raises(ServiceError) as error:
        make(world)
    assert (error.value.code, error.value.message) == ("EntityAlreadyExists", message)


def test_malformed_policies_are_rejected_with_iams_message() -> None:
    world = default_world()
    with pytest.raises(ServiceError) as error:
        add_user(world, A, "alice", inline={"bad": {"Statement": [{"Effect": "Allow", "Action": "*"}]}})
    assert error.value.code == "MalformedPolicyDocument"
    with pytest.raises(ServiceError) as error:
        add_role(world, A, "r", ECR_READ)  # an identity policy is no trust policy
    assert error.value.code == "MalformedPolicyDocument"


def test_a_trust_policy_naming_a_missing_user_is_an_invalid_principal() -> None:
    world = default_world()
    ghost = f"arn:aws:iam::{A}:user/ghost"
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": ghost}, "Action": "sts:AssumeRole"}],
    }
    with pytest.raises(ServiceError) as error:
        add_role(world, A, "r", trust)
    assert (error.value.code, error.value.message) == (
        "MalformedPolicyDocument",
        f'Invalid principal in policy: "AWS":"{ghost}"',
    )
    # Accounts outside the world and service principals are taken as written.
    trust["Statement"][0]["Principal"] = {
        "AWS": f"arn:aws:iam::{B}:user/anyone",
        "Service": "ecs-tasks.amazonaws.com",
    }
    assert add_role(world, A, "r", json.dumps(trust)).trust is not None


def test_a_session_acts_with_its_roles_policies_and_context() -> None:
    world = default_world()
    role = add_role(world, A, "reader", TRUST_ACCOUNT, managed=["AmazonEC2ContainerRegistryReadOnly"])
    world.call(
        "sts",
        "AssumeRole",
        {"RoleArn": role.arn, "RoleSessionName": "ci"},
        profile="admin",
        region=DEFAULT_REGION,
    )
    caller = world.resolve(f"arn:aws:sts::{A}:assumed-role/reader/ci")
    assert caller.kind == "session"
    assert [named.name for named in caller.identity_policies] == ["AmazonEC2ContainerRegistryReadOnly"]
    context = world.request_context(caller)
    assert context["aws:PrincipalArn"] == f"arn:aws:iam::{A}:role/reader"
    assert context["aws:userid"] == f"{role.role_id}:ci"
    assert "aws:username" not in context
    assert _allowed(world, "ci")


def test_a_session_of_a_deleted_or_recreated_role_keeps_no_permissions() -> None:
    world = default_world()
    role = add_role(world, A, "reader", TRUST_ACCOUNT, managed=["AmazonEC2ContainerRegistryReadOnly"])
    world.call(
        "sts",
        "AssumeRole",
        {"RoleArn": role.arn, "RoleSessionName": "ci"},
        profile="admin",
        region=DEFAULT_REGION,
    )
    del world.account(A).roles["reader"]
    add_role(world, A, "reader", TRUST_ACCOUNT, managed=["AmazonEC2ContainerRegistryReadOnly"])
    assert world.resolve(world.profiles["ci"]).identity_policies == ()
    assert not _allowed(world, "ci")


def test_root_resolves_to_the_account_and_may_do_anything_in_it() -> None:
    world = default_world()
    world.profiles["root"] = f"arn:aws:iam::{A}:root"
    caller = world.resolve(world.profiles["root"])
    assert (caller.kind, caller.account_id) == ("root", A)
    assert _allowed(world, "root")


def test_attaching_twice_attaches_once() -> None:
    world = default_world()
    user = world.account(A).users["admin"]
    attach_policy(world.account(A), user, "AdministratorAccess")
    assert user.attached == ["arn:aws:iam::aws:policy/AdministratorAccess"]


def test_a_user_of_the_same_name_in_another_account_gets_name_at_account() -> None:
    world = default_world()
    world.add_account(B)
    add_user(world, B, "admin", managed=["AdministratorAccess"])
    assert world.profiles["admin"] == f"arn:aws:iam::{A}:user/admin"
    assert world.profiles[f"admin@{B}"] == f"arn:aws:iam::{B}:user/admin"


def test_a_new_user_takes_over_the_profile_of_a_deleted_principal() -> None:
    world = default_world()
    add_user(world, A, "bob", path="/old/")
    del world.account(A).users["bob"]
    add_user(world, A, "bob", path="/new/")
    assert world.profiles["bob"] == f"arn:aws:iam::{A}:user/new/bob"

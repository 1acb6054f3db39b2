"""The IAM operations `aws iam` reaches: IAM's shapes, codes and messages, and each call authorized."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecrsim.engine.clock import DEFAULT_START
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.identity import add_user
from ecrsim.engine.world import DEFAULT_ACCOUNT, World, default_world

A = DEFAULT_ACCOUNT
READ_ONLY = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
ECR_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ecr:DescribeRepositories", "Resource": "*"}],
}
TRUST_ALICE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{A}:user/alice"}, "Action": "sts:AssumeRole"}
    ],
}


@pytest.fixture
def world() -> World:
    world = default_world()
    add_user(world, A, "alice", access_key=False)
    add_user(world, A, "nobody")
    return world


def iam(world: World, operation: str, profile: str = "admin", **params: Any) -> dict[str, Any]:
    return world.call("iam", operation, params, profile=profile, region="eu-west-1")


def fails(
    world: World, operation: str, code: str, message: str, profile: str = "admin", **params: Any
) -> None:
    with pytest.raises(ServiceError) as error:
        iam(world, operation, profile, **params)
    assert (error.value.code, error.value.message) == (code, message)


def denied(world: World, operation: str, resource: str, **params: Any) -> None:
    fails(
        world,
        operation,
        "AccessDenied",
        f"User: arn:aws:iam::{A}:user/nobody is not authorized to perform: iam:{operation}"
        f" on resource: {resource} because no identity-based policy allows the iam:{operation} action",
        profile="nobody",
        **params,
    )


# -- users ----------------------------------------------------------------------------------------------
def test_create_user_returns_the_user_and_gives_it_a_profile(world: World) -> None:
    user = iam(world, "CreateUser", UserName="bob", Tags=[{"Key": "team", "Value": "red"}])["User"]
    assert user == {
        "Path": "/",
        "UserName": "bob",
        "UserId": user["UserId"],
        "Arn": f"arn:aws:iam::{A}:user/bob",
        "CreateDate": DEFAULT_START,
        "Tags": [{"Key": "team", "Value": "red"}],
    }
    assert user["UserId"].startswith("AIDA")
    assert world.profiles["bob"] == user["Arn"]
    assert world.account(A).users["bob"].access_keys == []  # CreateUser makes no access key, as in IAM
    assert world.call("sts", "GetCallerIdentity", {}, profile="bob", region="us-east-1")["Arn"] == user["Arn"]


def test_create_user_with_a_path(world: World) -> None:
    tags = [{"Key": "team", "Value": "red"}]
    user = iam(world, "CreateUser", UserName="carol", Path="/eng/", Tags=tags)["User"]
    assert user["Arn"] == f"arn:aws:iam::{A}:user/eng/carol"
    assert iam(world, "GetUser", UserName="carol")["User"] == user
    del user["Tags"]  # ListUsers does not return tags
    assert iam(world, "ListUsers", PathPrefix="/eng/")["Users"] == [user]


def test_create_user_errors(world: World) -> None:
    fails(
        world, "CreateUser", "EntityAlreadyExists", "User with name alice already exists.", UserName="alice"
    )
    fails(
        world,
        "CreateUser",
        "ValidationError",
        "1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint:"
        " Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        UserName="bad name",
    )
    fails(
        world,
        "CreateUser",
        "ValidationError",
        f"1 validation error detected: Value '{'x' * 65}' at 'userName' failed to satisfy constraint:"
        " Member must have length less than or equal to 64",
        UserName="x" * 65,
    )
    fails(
        world,
        "CreateUser",
        "ValidationError",
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint:"
        " Member must not be null",
    )
    denied(world, "CreateUser", f"arn:aws:iam::{A}:user/eve", UserName="eve")
    assert "eve" not in world.account(A).users


def test_get_user_by_name_and_as_oneself(world: World) -> None:
    alice = iam(world, "GetUser", UserName="alice")["User"]
    assert (alice["UserName"], alice["Arn"]) == ("alice", f"arn:aws:iam::{A}:user/alice")
    assert iam(world, "GetUser")["User"]["UserName"] == "admin"
    fails(world, "GetUser", "NoSuchEntity", "The user with name ghost cannot be found.", UserName="ghost")
    denied(world, "GetUser", f"arn:aws:iam::{A}:user/alice", UserName="alice")


def test_list_users_in_name_order(world: World) -> None:
    iam(world, "CreateUser", UserName="Bob")
    listed = iam(world, "ListUsers")
    assert [user["UserName"] for user in listed["Users"]] == ["admin", "alice", "Bob", "nobody"]
    assert listed["IsTruncated"] is False
    first = iam(world, "ListUsers", MaxItems=3)
    assert (len(first["Users"]), first["IsTruncated"]) == (3, True)
    rest = iam(world, "ListUsers", MaxItems=3, Marker=first["Marker"])
    assert [user["UserName"] for user in rest["Users"]] == ["nobody"] and rest["IsTruncated"] is False
    denied(world, "ListUsers", f"arn:aws:iam::{A}:user/")


def test_delete_user_refuses_while_anything_is_attached(world: World) -> None:
    iam(world, "CreateUser", UserName="bob")
    iam(world, "CreateGroup", GroupName="devs")
    iam(world, "PutUserPolicy", UserName="bob", PolicyName="inline", PolicyDocument=json.dumps(ECR_READ))
    iam(world, "AttachUserPolicy", UserName="bob", PolicyArn=READ_ONLY)
    iam(world, "AddUserToGroup", UserName="bob", GroupName="devs")
    conflict = "DeleteConflict"
    fails(world, "DeleteUser", conflict, "Cannot delete entity, must delete policies first.", UserName="bob")
    iam(world, "DeleteUserPolicy", UserName="bob", PolicyName="inline")
    fails(
        world, "DeleteUser", conflict, "Cannot delete entity, must detach all policies first.", UserName="bob"
    )
    iam(world, "DetachUserPolicy", UserName="bob", PolicyArn=READ_ONLY)
    fails(
        world,
        "DeleteUser",
        conflict,
        "Cannot delete entity, must remove users from group first.",
        UserName="bob",
    )
    iam(world, "RemoveUserFromGroup", UserName="bob", GroupName="devs")
    assert iam(world, "DeleteUser", UserName="bob") == {}
    assert "bob" not in world.account(A).users
    fails(world, "DeleteUser", "NoSuchEntity", "The user with name bob cannot be found.", UserName="bob")


def test_delete_user_with_an_access_key(world: World) -> None:
    fails(
        world,
        "DeleteUser",
        "DeleteConflict",
        "Cannot delete entity, must delete access keys first.",
        UserName="nobody",
    )
    denied(world, "DeleteUser", f"arn:aws:iam::{A}:user/alice", UserName="alice")


# -- groups ---------------------------------------------------------------------------------------------
def test_groups_membership_and_group_policies(world: World) -> None:
    group = iam(world, "CreateGroup", GroupName="readers")["Group"]
    assert group == {
        "Path": "/",
        "GroupName": "readers",
        "GroupId": group["GroupId"],
        "Arn": f"arn:aws:iam::{A}:group/readers",
        "CreateDate": DEFAULT_START,
    }
    assert group["GroupId"].startswith("AGPA")
    fails(
        world,
        "CreateGroup",
        "EntityAlreadyExists",
        "Group with name readers already exists.",
        GroupName="readers",
    )
    assert iam(world, "AttachGroupPolicy", GroupName="readers", PolicyArn=READ_ONLY) == {}
    assert iam(world, "AddUserToGroup", GroupName="readers", UserName="alice") == {}
    assert world.call("ecr", "DescribeRepositories", {}, profile="alice", region="us-east-1") is not None
    iam(world, "DetachGroupPolicy", GroupName="readers", PolicyArn=READ_ONLY)
    with pytest.raises(ServiceError, match="AccessDeniedException"):
        world.call("ecr", "DescribeRepositories", {}, profile="alice", region="us-east-1")


def test_group_membership_errors(world: World) -> None:
    iam(world, "CreateGroup", GroupName="readers")
    fails(
        world,
        "AddUserToGroup",
        "NoSuchEntity",
        "The group with name ops cannot be found.",
        GroupName="ops",
        UserName="alice",
    )
    fails(
        world,
        "AddUserToGroup",
        "NoSuchEntity",
        "The user with name ghost cannot be found.",
        GroupName="readers",
        UserName="ghost",
    )
    fails(
        world,
        "RemoveUserFromGroup",
        "NoSuchEntity",
        "The user with name alice cannot be found.",
        GroupName="readers",
        UserName="alice",
    )
    denied(world, "AddUserToGroup", f"arn:aws:iam::{A}:group/readers", GroupName="readers", UserName="nobody")
    denied(world, "CreateGroup", f"arn:aws:iam::{A}:group/admins", GroupName="admins")


# -- roles ----------------------------------------------------------------------------------------------
def test_create_role_returns_the_trust_policy_decoded(world: World) -> None:
    role = iam(
        world,
        "CreateRole",
        RoleName="deployer",
        AssumeRolePolicyDocument=json.dumps(TRUST_ALICE),
        Description="CI pushes",
        MaxSessionDuration=7200,
    )["Role"]
    assert role == {
        "Path": "/",
        "RoleName": "deployer",
        "RoleId": role["RoleId"],
        "Arn": f"arn:aws:iam::{A}:role/deployer",
        "CreateDate": DEFAULT_START,
        "AssumeRolePolicyDocument": TRUST_ALICE,
        "Description": "CI pushes",
    }
    assert world.account(A).roles["deployer"].max_session_duration == 7200
    assert role["RoleId"].startswith("AROA")
    fails(
        world,
        "CreateRole",
        "EntityAlreadyExists",
        "Role with name deployer already exists.",
        RoleName="deployer",
        AssumeRolePolicyDocument=json.dumps(TRUST_ALICE),
    )


def test_create_role_validates_the_trust_policy(world: World) -> None:
    no_principal = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
    with pytest.raises(ServiceError) as error:
        iam(world, "CreateRole", RoleName="r", AssumeRolePolicyDocument=json.dumps(no_principal))
    assert error.value.code == "MalformedPolicyDocument"
    fails(
        world,
        "CreateRole",
        "ValidationError",
        "1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint:"
        " Member must have value greater than or equal to 3600",
        RoleName="r",
        AssumeRolePolicyDocument=json.dumps(TRUST_ALICE),
        MaxSessionDuration=60,
    )
    denied(
        world,
        "CreateRole",
        f"arn:aws:iam::{A}:role/r",
        RoleName="r",
        AssumeRolePolicyDocument=json.dumps(TRUST_ALICE),
    )
    assert world.account(A).roles == {}


def test_delete_role_refuses_while_policies_remain(world: World) -> None:
    iam(world, "CreateRole", RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST_ALICE))
    iam(world, "PutRolePolicy", RoleName="r", PolicyName="read", PolicyDocument=json.dumps(ECR_READ))
    iam(world, "AttachRolePolicy", RoleName="r", PolicyArn=READ_ONLY)
    fails(
        world,
        "DeleteRole",
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
        RoleName="r",
    )
    iam(world, "DeleteRolePolicy", RoleName="r", PolicyName="read")
    fails(
        world,
        "DeleteRole",
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
        RoleName="r",
    )
    assert iam(world, "ListAttachedRolePolicies", RoleName="r") == {
        "AttachedPolicies": [{"PolicyName": "AmazonEC2ContainerRegistryReadOnly", "PolicyArn": READ_ONLY}],
        "IsTruncated": False,
    }
    iam(world, "DetachRolePolicy", RoleName="r", PolicyArn=READ_ONLY)
    assert iam(world, "DeleteRole", RoleName="r") == {}
    fails(world, "DeleteRole", "NoSuchEntity", "The role with name r cannot be found.", RoleName="r")


# -- managed policies -----------------------------------------------------------------------------------
def test_create_policy_and_its_attachment_count(world: World) -> None:
    policy = iam(world, "CreatePolicy", PolicyName="TeamEcr", PolicyDocument=json.dumps(ECR_READ))["Policy"]
    arn = f"arn:aws:iam::{A}:policy/TeamEcr"
    assert policy == {
        "PolicyName": "TeamEcr",
        "PolicyId": policy["PolicyId"],
        "Arn": arn,
        "Path": "/",
        "DefaultVersionId": "v1",
        "AttachmentCount": 0,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": DEFAULT_START,
        "UpdateDate": DEFAULT_START,
    }
    assert policy["PolicyId"].startswith("ANPA")
    iam(world, "AttachUserPolicy", UserName="alice", PolicyArn=arn)
    assert world.account(A).attachment_count(arn) == 1
    assert world.call("ecr", "DescribeRepositories", {}, profile="alice", region="us-east-1") is not None
    fails(
        world,
        "CreatePolicy",
        "EntityAlreadyExists",
        "A policy called TeamEcr already exists. Duplicate names are not allowed.",
        PolicyName="TeamEcr",
        PolicyDocument=json.dumps(ECR_READ),
    )


def test_create_policy_rejects_a_malformed_document(world: World) -> None:
    with pytest.raises(ServiceError) as error:
        iam(world, "CreatePolicy", PolicyName="Bad", PolicyDocument='{"Statement": [{"Effect": "Maybe"}]}')
    assert error.value.code == "MalformedPolicyDocument"
    with pytest.raises(ServiceError) as error:
        iam(world, "CreatePolicy", PolicyName="Bad", PolicyDocument="not json")
    assert (error.value.code, error.value.message) == (
        "MalformedPolicyDocument",
        "This policy contains invalid Json",
    )
    denied(
        world,
        "CreatePolicy",
        f"arn:aws:iam::{A}:policy/P",
        PolicyName="P",
        PolicyDocument=json.dumps(ECR_READ),
    )


def test_delete_policy(world: World) -> None:
    arn = iam(world, "CreatePolicy", PolicyName="TeamEcr", PolicyDocument=json.dumps(ECR_READ))["Policy"][
        "Arn"
    ]
    iam(world, "AttachUserPolicy", UserName="alice", PolicyArn=arn)
    fails(
        world, "DeletePolicy", "DeleteConflict", "Cannot delete a policy attached to entities.", PolicyArn=arn
    )
    denied(world, "DeletePolicy", arn, PolicyArn=arn)
    iam(world, "DetachUserPolicy", UserName="alice", PolicyArn=arn)
    assert iam(world, "DeletePolicy", PolicyArn=arn) == {}
    fails(world, "DeletePolicy", "NoSuchEntity", f"Policy {arn} was not found.", PolicyArn=arn)


def test_attach_and_detach_errors(world: World) -> None:
    missing = f"arn:aws:iam::{A}:policy/Nope"
    fails(
        world,
        "AttachUserPolicy",
        "NoSuchEntity",
        f"Policy {missing} does not exist or is not attachable.",
        UserName="alice",
        PolicyArn=missing,
    )
    fails(
        world,
        "AttachUserPolicy",
        "InvalidInput",
        "ARN not-an-arn-at-all-really is not valid.",
        UserName="alice",
        PolicyArn="not-an-arn-at-all-really",
    )
    fails(
        world,
        "AttachRolePolicy",
        "NoSuchEntity",
        "The role with name ghost cannot be found.",
        RoleName="ghost",
        PolicyArn=READ_ONLY,
    )
    fails(
        world,
        "DetachUserPolicy",
        "NoSuchEntity",
        f"Policy {READ_ONLY} was not found.",
        UserName="alice",
        PolicyArn=READ_ONLY,
    )
    denied(world, "AttachUserPolicy", f"arn:aws:iam::{A}:user/nobody", UserName="nobody", PolicyArn=READ_ONLY)


def test_attach_decisions_carry_the_policy_arn_condition_key(world: World) -> None:
    """A delegated administrator may attach only the policies an iam:PolicyARN condition names."""
    only_read_only = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iam:AttachUserPolicy",
                "Resource": "*",
                "Condition": {"ArnEquals": {"iam:PolicyARN": READ_ONLY}},
            }
        ],
    }
    add_user(world, A, "delegate", inline={"attach": only_read_only})
    iam(world, "AttachUserPolicy", "delegate", UserName="alice", PolicyArn=READ_ONLY)
    with pytest.raises(ServiceError) as error:
        iam(
            world,
            "AttachUserPolicy",
            "delegate",
            UserName="alice",
            PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess",
        )
    assert error.value.code == "AccessDenied"
    assert world.account(A).users["alice"].attached == [READ_ONLY]


def test_list_attached_user_policies(world: World) -> None:
    arn = iam(
        world, "CreatePolicy", PolicyName="TeamEcr", Path="/teams/", PolicyDocument=json.dumps(ECR_READ)
    )["Policy"]["Arn"]
    assert arn == f"arn:aws:iam::{A}:policy/teams/TeamEcr"
    iam(world, "AttachUserPolicy", UserName="alice", PolicyArn=READ_ONLY)
    iam(world, "AttachUserPolicy", UserName="alice", PolicyArn=arn)
    assert iam(world, "ListAttachedUserPolicies", UserName="alice")["AttachedPolicies"] == [
        {"PolicyName": "AmazonEC2ContainerRegistryReadOnly", "PolicyArn": READ_ONLY},
        {"PolicyName": "TeamEcr", "PolicyArn": arn},
    ]
    assert iam(world, "ListAttachedUserPolicies", UserName="alice", PathPrefix="/teams/")[
        "AttachedPolicies"
    ] == [{"PolicyName": "TeamEcr", "PolicyArn": arn}]
    fails(
        world,
        "ListAttachedUserPolicies",
        "NoSuchEntity",
        "The user with name ghost cannot be found.",
        UserName="ghost",
    )
    denied(world, "ListAttachedUserPolicies", f"arn:aws:iam::{A}:user/alice", UserName="alice")


# -- inline policies ------------------------------------------------------------------------------------
def test_inline_user_policies_round_trip(world: World) -> None:
    assert (
        iam(world, "PutUserPolicy", UserName="alice", PolicyName="read", PolicyDocument=json.dumps(ECR_READ))
        == {}
    )
    assert iam(world, "GetUserPolicy", UserName="alice", PolicyName="read") == {
        "UserName": "alice",
        "PolicyName": "read",
        "PolicyDocument": ECR_READ,
    }
    iam(world, "PutUserPolicy", UserName="alice", PolicyName="another", PolicyDocument=json.dumps(ECR_READ))
    assert iam(world, "ListUserPolicies", UserName="alice") == {
        "PolicyNames": ["another", "read"],
        "IsTruncated": False,
    }
    assert world.call("ecr", "DescribeRepositories", {}, profile="alice", region="us-east-1") is not None
    assert iam(world, "DeleteUserPolicy", UserName="alice", PolicyName="read") == {}
    fails(
        world,
        "GetUserPolicy",
        "NoSuchEntity",
        "The user policy with name read cannot be found.",
        UserName="alice",
        PolicyName="read",
    )
    fails(
        world,
        "DeleteUserPolicy",
        "NoSuchEntity",
        "The user policy with name read cannot be found.",
        UserName="alice",
        PolicyName="read",
    )
    denied(
        world,
        "PutUserPolicy",
        f"arn:aws:iam::{A}:user/nobody",
        UserName="nobody",
        PolicyName="p",
        PolicyDocument=json.dumps(ECR_READ),
    )


def test_put_user_policy_replaces_a_policy_of_the_same_name(world: World) -> None:
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ecr:*", "Resource": "*"}]}
    iam(world, "PutUserPolicy", UserName="alice", PolicyName="p", PolicyDocument=json.dumps(ECR_READ))
    iam(world, "PutUserPolicy", UserName="alice", PolicyName="p", PolicyDocument=json.dumps(deny))
    assert iam(world, "GetUserPolicy", UserName="alice", PolicyName="p")["PolicyDocument"] == deny
    with pytest.raises(ServiceError) as error:
        iam(
            world,
            "PutUserPolicy",
            UserName="alice",
            PolicyName="bad",
            PolicyDocument='{"Version": "2012-10-17"}',
        )
    assert error.value.code == "MalformedPolicyDocument"


def test_inline_role_policies_round_trip(world: World) -> None:
    iam(world, "CreateRole", RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST_ALICE))
    iam(world, "PutRolePolicy", RoleName="r", PolicyName="read", PolicyDocument=json.dumps(ECR_READ))
    assert iam(world, "GetRolePolicy", RoleName="r", PolicyName="read") == {
        "RoleName": "r",
        "PolicyName": "read",
        "PolicyDocument": ECR_READ,
    }
    iam(world, "DeleteRolePolicy", RoleName="r", PolicyName="read")
    fails(
        world,
        "GetRolePolicy",
        "NoSuchEntity",
        "The role policy with name read cannot be found.",
        RoleName="r",
        PolicyName="read",
    )
    fails(
        world,
        "PutRolePolicy",
        "NoSuchEntity",
        "The role with name ghost cannot be found.",
        RoleName="ghost",
        PolicyName="p",
        PolicyDocument=json.dumps(ECR_READ),
    )


def test_iam_is_global_and_acts_on_the_callers_account(world: World) -> None:
    other = "444455556666"
    world.add_account(other)
    add_user(world, other, "admin2", managed=["AdministratorAccess"])
    iam(world, "CreateUser", "admin2", UserName="carol")
    assert "carol" in world.account(other).users and "carol" not in world.account(A).users


def _big_policy(actions: int) -> str:
    statement = {"Effect": "Allow", "Action": [f"ecr:Action{i:04d}" for i in range(actions)], "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=4)


def test_policy_size_quotas_count_characters_without_white_space(world: World) -> None:
    small, large = _big_policy(60), _big_policy(110)  # about 1,100 and 2,000 characters without spaces
    iam(world, "PutUserPolicy", UserName="alice", PolicyName="one", PolicyDocument=small)
    iam(world, "PutUserPolicy", UserName="alice", PolicyName="one", PolicyDocument=small)  # replacing
    fails(
        world,
        "PutUserPolicy",
        "LimitExceeded",
        "Maximum policy size of 2048 bytes exceeded for user alice",
        UserName="alice",
        PolicyName="two",
        PolicyDocument=small,
    )
    assert list(world.account(A).users["alice"].inline) == ["one"]
    iam(world, "CreatePolicy", PolicyName="Big", PolicyDocument=large)
    fails(
        world,
        "CreatePolicy",
        "LimitExceeded",
        "Cannot exceed quota for PolicySize: 6144",
        PolicyName="Huge",
        PolicyDocument=_big_policy(400),
    )


def test_a_self_service_policy_with_a_policy_variable(world: World) -> None:
    """The IAM user guide's "manage your own inline policies" pattern: ${aws:username} in Resource."""
    own = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["iam:GetUser", "iam:PutUserPolicy", "iam:ListUserPolicies"],
                "Resource": "arn:aws:iam::*:user/${aws:username}",
            }
        ],
    }
    add_user(world, A, "self", inline={"own": own})
    assert iam(world, "GetUser", "self")["User"]["UserName"] == "self"
    assert iam(world, "ListUserPolicies", "self", UserName="self")["PolicyNames"] == ["own"]
    iam(
        world,
        "PutUserPolicy",
        "self",
        UserName="self",
        PolicyName="more",
        PolicyDocument=json.dumps(ECR_READ),
    )
    with pytest.raises(ServiceError) as error:
        iam(
            world,
            "PutUserPolicy",
            "self",
            UserName="alice",
            PolicyName="p",
            PolicyDocument=json.dumps(ECR_READ),
        )
    assert error.value.code == "AccessDenied"
    assert error.value.decision.resource_arn == f"arn:aws:iam::{A}:user/alice"

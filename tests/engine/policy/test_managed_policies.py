"""The shipped AWS managed policies: each is AWS's document under its IAM path, found by name or by its
exact ARN, and decides as AWS's would."""

from __future__ import annotations

import pytest

from ecrsim.engine.errors import ServiceError
from ecrsim.engine.identity import add_role, add_user
from ecrsim.engine.policy.evaluate import decide
from ecrsim.engine.policy.managed import MANAGED_POLICY_NAMES, managed_policy, managed_policy_arn
from ecrsim.engine.policy.types import NamedPolicy, Request
from ecrsim.engine.world import default_world

ECS_TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
    '"Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
)
USER = "arn:aws:iam::111122223333:user/alice"
REPOSITORY = "arn:aws:ecr:us-east-1:111122223333:repository/web"


def verdict(name: str, action: str, resource: str = REPOSITORY) -> str:
    managed = managed_policy(name)
    assert managed is not None
    request = Request(USER, action, resource, identity_policies=(NamedPolicy(managed.name, managed.policy),))
    return decide(request).verdict


@pytest.mark.parametrize("name", MANAGED_POLICY_NAMES)
def test_every_shipped_policy_is_an_attachable_one_under_its_path_with_its_source(name: str) -> None:
    managed = managed_policy(name)
    assert managed is not None and managed.name == name
    assert managed.arn == managed_policy_arn(name) == f"arn:aws:iam::aws:policy{managed.path}{name}"
    assert managed.path != "/aws-service-role/"
    assert managed.source.startswith(("https://docs.aws.amazon.com/", "shared/reference/"))
    assert managed.version is None or managed.version.startswith("v")


def test_only_policies_written_from_aws_documentation_ship() -> None:
    assert MANAGED_POLICY_NAMES == (
        "AWSAppRunnerServicePolicyForECRAccess",
        "AdministratorAccess",
        "AmazonEC2ContainerRegistryFullAccess",
        "AmazonEC2ContainerRegistryPowerUser",
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonEC2ContainerRegistryReadOnly",
        "AmazonECSTaskExecutionRolePolicy",
        "PowerUserAccess",
    )


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("AmazonECSTaskExecutionRolePolicy", "/service-role/"),
        ("AWSAppRunnerServicePolicyForECRAccess", "/service-role/"),
        ("PowerUserAccess", "/"),
        ("AmazonEC2ContainerRegistryPullOnly", "/"),
    ],
)
def test_the_policies_ecr_workloads_use_are_there_with_their_paths(name: str, path: str) -> None:
    managed = managed_policy(name)
    assert managed is not None and managed.path == path


@pytest.mark.parametrize(
    "name", ["ReadOnlyAccess", "SecurityAudit", "AmazonEC2ContainerServiceforEC2Role", "ViewOnlyAccess"]
)
def test_a_policy_not_shipped_names_nothing(name: str) -> None:
    assert managed_policy(name) is None and managed_policy_arn(name) is None


def test_an_arn_without_the_policys_path_names_nothing() -> None:
    assert managed_policy("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
    assert managed_policy("arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy") is None
    assert managed_policy_arn("NoSuchPolicy") is None


@pytest.mark.parametrize(
    ("name", "action", "expected"),
    [
        ("AmazonECSTaskExecutionRolePolicy", "ecr:BatchGetImage", "allow"),
        ("AmazonECSTaskExecutionRolePolicy", "ecr:PutImage", "implicit_deny"),
        ("PowerUserAccess", "ecr:DeleteRepository", "allow"),
        ("PowerUserAccess", "iam:CreateUser", "implicit_deny"),
        ("AWSAppRunnerServicePolicyForECRAccess", "ecr:DescribeImages", "allow"),
        ("AWSAppRunnerServicePolicyForECRAccess", "ecr:PutImage", "implicit_deny"),
    ],
)
def test_documents_decide_as_aws_writes_them(name: str, action: str, expected: str) -> None:
    assert verdict(name, action) == expected


def test_a_world_attaches_a_service_role_policy_by_name_under_its_path() -> None:
    world = default_world()
    role = add_role(world, "111122223333", "exec", ECS_TRUST, managed=["AmazonECSTaskExecutionRolePolicy"])
    assert role.attached == ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]
    with pytest.raises(ServiceError) as caught:
        add_user(
            world, "111122223333", "bob", managed=["arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy"]
        )
    assert caught.value.code == "NoSuchEntity"

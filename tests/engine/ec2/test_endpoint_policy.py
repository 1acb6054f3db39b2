"""A VPC endpoint policy limits what passes through the endpoint, whatever the caller's own policies allow."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from ecrsim.engine.errors import ServiceError

if TYPE_CHECKING:
    from .conftest import Vpc

ONLY_WEB = {
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["ecr:BatchGetImage", "ecr:DescribeRepositories"],
            "Resource": "arn:aws:ecr:us-east-1:111122223333:repository/web",
        }
    ]
}


def _endpoint(vpc: Vpc, policy: dict[str, object] | None) -> str:
    params = {
        "VpcId": vpc.vpc,
        "VpcEndpointType": "Interface",
        "ServiceName": "com.amazonaws.us-east-1.ecr.api",
        "SubnetIds": [vpc.private],
        "SecurityGroupIds": [vpc.endpoint_group],
    }
    if policy is not None:
        params["PolicyDocument"] = json.dumps(policy)
    return vpc.ec2("CreateVpcEndpoint", **params)["VpcEndpoint"]["VpcEndpointId"]


def _describe(vpc: Vpc, name: str, endpoint: str | None) -> dict[str, object]:
    world = vpc.world
    context = {"aws:SourceVpce": endpoint, "aws:SourceVpc": vpc.vpc} if endpoint else None
    params = {"repositoryNames": [name]}
    admin = world.caller_for("admin")
    return world.call_as(admin, "ecr", "DescribeRepositories", params, region="us-east-1", context=context)


@pytest.fixture
def repositories(vpc: Vpc) -> Vpc:
    for name in ("web", "audit"):
        vpc.world.call(
            "ecr", "CreateRepository", {"repositoryName": name}, profile="admin", region="us-east-1"
        )
    return vpc


def test_the_default_policy_lets_everything_through(repositories: Vpc) -> None:
    endpoint = _endpoint(repositories, None)
    assert _describe(repositories, "audit", endpoint)["repositories"]


def test_an_endpoint_policy_keeps_an_administrator_to_the_repository_it_names(repositories: Vpc) -> None:
    endpoint = _endpoint(repositories, ONLY_WEB)
    assert _describe(repositories, "web", endpoint)["repositories"]
    with pytest.raises(ServiceError) as denied:
        _describe(repositories, "audit", endpoint)
    assert denied.value.code == "AccessDeniedException"
    assert denied.value.message.endswith(
        "because no VPC endpoint policy allows the ecr:DescribeRepositories action"
    )
    decision = denied.value.decision
    assert decision is not None and decision.rule == "vpc_endpoint_policy_missing_allow"
    assert any(trace.policy == f"VPC endpoint {endpoint}" for trace in decision.statements)
    # The same administrator outside the endpoint is not limited by it.
    assert _describe(repositories, "audit", None)["repositories"]


def test_an_explicit_deny_in_an_endpoint_policy_is_named_so(repositories: Vpc) -> None:
    web = "arn:aws:ecr:us-east-1:111122223333:repository/web"
    deny = {"Effect": "Deny", "Principal": "*", "Action": "ecr:*", "Resource": web}
    endpoint = _endpoint(repositories, {"Statement": [*ONLY_WEB["Statement"], deny]})
    with pytest.raises(ServiceError) as denied:
        _describe(repositories, "web", endpoint)
    assert denied.value.message.endswith("with an explicit deny in a VPC endpoint policy")


def test_a_malformed_endpoint_policy_is_refused(repositories: Vpc) -> None:
    with pytest.raises(ServiceError) as refused:
        _endpoint(repositories, {"Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]})
    assert refused.value.code == "InvalidPolicyDocument"

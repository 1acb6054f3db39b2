"""The bill: which line a byte is billed under by its path, and a month's cost of the same 2 TB of pulls
through a NAT gateway or through ECR's interface endpoints and the S3 gateway endpoint."""

from __future__ import annotations

import pytest

from ecrsim.engine.billing.bill import monthly, so_far
from ecrsim.engine.billing.meter import charges
from ecrsim.engine.billing.traffic import blocked, describe, pull_flow
from ecrsim.engine.ec2.reach import Path
from ecrsim.engine.world import DEFAULT_ACCOUNT

from .conftest import Vpc


def path(via: str) -> Path:
    return Path("s3", "host", True, via, "")


@pytest.mark.parametrize(
    ("via", "same_region", "keys"),
    [
        (None, True, ["internet-out"]),
        ("NAT gateway nat-1", True, ["nat-data"]),
        ("NAT gateway nat-1", False, ["nat-data", "inter-region"]),
        ("interface endpoint vpce-1", True, ["endpoint-data"]),
        ("gateway endpoint vpce-2", True, ["s3-gateway"]),
        ("internet gateway igw-1", True, []),
        ("internet gateway igw-1", False, ["inter-region"]),
    ],
)
def test_a_pulled_gb_is_billed_by_its_path(via: str | None, same_region: bool, keys: list[str]) -> None:
    assert charges(path(via) if via else None, same_region, "pull") == keys


def test_pushes_are_free_in_but_a_nat_gateway_processes_them() -> None:
    assert charges(None, False, "push") == []
    assert charges(path("NAT gateway nat-1"), True, "push") == ["nat-data"]


def cost(bill: object, label: str) -> float:
    return next(line.dollars for line in bill.lines if line.price.label == label)  # type: ignore[attr-defined]


def test_two_terabytes_a_month_through_nat_versus_endpoints(vpc: Vpc) -> None:
    vpc.nat(vpc.public)
    flow = pull_flow(vpc.world, DEFAULT_ACCOUNT, vpc.private, 2048, None)
    vpc.world.meter.flows.append(flow)
    through_nat = monthly(vpc.world)
    assert cost(through_nat, "NAT gateway hours") == 32.85  # 730 h x $0.045
    assert cost(through_nat, "NAT gateway data processed") == 92.16  # 2,048 GB x $0.045
    vpc.interface_endpoints()
    vpc.open_endpoint_group()
    vpc.s3_gateway()
    with_endpoints = monthly(vpc.world)
    assert (
        cost(with_endpoints, "Interface endpoint hours (per AZ)") == 14.6
    )  # 2 endpoints x 1 AZ x 730 h x $0.01
    assert cost(with_endpoints, "S3 gateway endpoint data") == 0.0  # the layers come from S3, free
    assert "NAT gateway data processed" not in [line.price.label for line in with_endpoints.lines]


def test_what_lasts_accrues_on_the_clock(vpc: Vpc) -> None:
    vpc.nat(vpc.public)
    vpc.world.advance("10d")
    assert cost(so_far(vpc.world), "NAT gateway hours") == 10.8  # 240 h x $0.045


def test_a_flow_that_cannot_reach_the_registry_costs_nothing_and_says_why(vpc: Vpc) -> None:
    vpc.world.meter.flows.append(pull_flow(vpc.world, DEFAULT_ACCOUNT, vpc.private, 2048, None))
    bill = monthly(vpc.world)
    assert all("data" not in line.price.label for line in bill.lines)
    assert "has no route to the internet" in bill.notes[0]


def test_a_flow_without_a_path_to_the_ecr_api_fails_like_a_task_would(vpc: Vpc) -> None:
    """The registry and S3 endpoints alone are not enough: the token comes from api.ecr (ECR user guide,
    "Amazon ECR interface VPC endpoints"), as the ECS agent finds."""
    vpc.interface_endpoints()
    vpc.open_endpoint_group()
    vpc.s3_gateway()
    api = next(e for e in vpc.world.accounts[DEFAULT_ACCOUNT].networks["us-east-1"].endpoints.values()
               if e.service_name.endswith("ecr.api"))  # fmt: skip
    vpc.ec2("DeleteVpcEndpoints", VpcEndpointIds=[api.endpoint_id])
    flow = pull_flow(vpc.world, DEFAULT_ACCOUNT, vpc.private, 2048, None)
    assert blocked(vpc.world, flow)
    assert describe(vpc.world, flow).endswith(
        "but cannot reach api.ecr.us-east-1.amazonaws.com for ecr:GetAuthorizationToken: route table"
        f" {vpc.private_table} of {vpc.private} has no route to the internet (0.0.0.0/0 to an internet"
        " gateway or NAT gateway), and no interface endpoint for com.amazonaws.us-east-1.ecr.api serves the"
        " subnet"
    )

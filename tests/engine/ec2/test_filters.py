"""EC2 Describe* filters as EC2 applies them: the operation's own request member (`Filter` for
DescribeNatGateways), wildcards in values, tag filters, and a refused unknown name."""

from __future__ import annotations

import pytest

from ecrsim.engine.errors import ServiceError
from ecrsim.engine.world import DEFAULT_ACCOUNT

from .conftest import Vpc


def subnet_ids(vpc: Vpc, *filters: tuple[str, list[str]]) -> list[str]:
    specs = [{"Name": name, "Values": values} for name, values in filters]
    return [s["SubnetId"] for s in vpc.ec2("DescribeSubnets", Filters=specs)["Subnets"]]


def test_nat_gateways_are_filtered_by_their_filter_member(vpc: Vpc) -> None:
    vpc.nat(vpc.public)
    nat = vpc.ec2("DescribeNatGateways")["NatGateways"][0]["NatGatewayId"]
    vpc.ec2("DeleteNatGateway", NatGatewayId=nat)
    available = vpc.ec2("DescribeNatGateways", Filter=[{"Name": "state", "Values": ["available"]}])
    assert available["NatGateways"] == []
    deleted = vpc.ec2("DescribeNatGateways", Filter=[{"Name": "state", "Values": ["deleted"]}])
    assert [n["NatGatewayId"] for n in deleted["NatGateways"]] == [nat]


def test_values_take_wildcards_and_a_backslash_escapes_them(vpc: Vpc) -> None:
    mine = ("vpc-id", [vpc.vpc])
    assert subnet_ids(vpc, mine, ("cidr-block", ["10.0.?.0/24"])) == [vpc.public, vpc.private]
    assert subnet_ids(vpc, mine, ("cidr-block", ["10.0.1*"])) == [vpc.private]
    assert subnet_ids(vpc, mine, ("cidr-block", ["10.0.1"])) == []  # a whole value, not a prefix
    network = vpc.world.accounts[DEFAULT_ACCOUNT].networks["us-east-1"]
    network.subnets[vpc.public].tags["Name"] = "web*"
    assert subnet_ids(vpc, ("tag:Name", ["web\\*"])) == [vpc.public]
    assert subnet_ids(vpc, ("tag:Name", ["web\\?"])) == []
    assert subnet_ids(vpc, ("tag-key", ["Na*"])) == [vpc.public]


def test_an_unknown_filter_name_is_refused(vpc: Vpc) -> None:
    with pytest.raises(ServiceError, match="The filter 'status' is invalid"):
        vpc.ec2("DescribeNatGateways", Filter=[{"Name": "status", "Values": ["available"]}])

"""The path from a subnet to ECR's API, its registry and S3: each missing piece of a private subnet in
turn, as the SAA-C03 questions about tasks in private subnets walk it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecrsim.engine.ec2.reach import Origin, trace
from ecrsim.engine.world import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from .conftest import Vpc


def test_a_private_subnet_with_no_route_reaches_nothing(vpc: Vpc) -> None:
    paths = vpc.paths()
    assert not any(path.reachable for path in paths.values())
    assert "has no route to the internet" in paths["api"].reason
    assert paths["dkr"].host == f"{DEFAULT_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"


def test_interface_endpoints_whose_security_group_refuses_443_time_out(vpc: Vpc) -> None:
    vpc.interface_endpoints()
    paths = vpc.paths()
    assert not paths["api"].reachable and not paths["dkr"].reachable
    assert "admit no HTTPS (TCP 443)" in paths["dkr"].reason
    assert "times out" in paths["dkr"].reason


def test_the_two_ecr_endpoints_are_not_enough_without_a_way_to_s3(vpc: Vpc) -> None:
    vpc.interface_endpoints()
    vpc.open_endpoint_group()
    paths = vpc.paths()
    assert paths["api"].reachable and paths["dkr"].reachable
    assert paths["dkr"].endpoint_id is not None and paths["dkr"].vpc_id == vpc.vpc
    assert not paths["s3"].reachable
    assert "no gateway or interface endpoint for S3" in paths["s3"].reason


def test_the_s3_gateway_endpoint_completes_the_private_path(vpc: Vpc) -> None:
    vpc.interface_endpoints()
    vpc.open_endpoint_group()
    vpc.s3_gateway()
    paths = vpc.paths()
    assert all(path.reachable for path in paths.values())
    assert paths["s3"].via.startswith("gateway endpoint vpce-0")


def test_a_nat_gateway_in_a_public_subnet_reaches_everything(vpc: Vpc) -> None:
    vpc.nat(vpc.public)
    paths = vpc.paths()
    assert all(path.reachable and path.via.startswith("NAT gateway nat-0") for path in paths.values())
    assert paths["api"].endpoint_id is None


def test_a_nat_gateway_in_a_private_subnet_does_not(vpc: Vpc) -> None:
    vpc.nat(vpc.private)
    path = vpc.paths()["api"]
    assert not path.reachable
    assert "a NAT gateway belongs in a public subnet" in path.reason


def test_private_dns_sends_traffic_to_a_blocked_endpoint_even_with_a_nat_gateway(vpc: Vpc) -> None:
    vpc.nat(vpc.public)
    vpc.interface_endpoints()
    paths = vpc.paths()
    assert not paths["dkr"].reachable and "admit no HTTPS" in paths["dkr"].reason
    assert paths["s3"].reachable and paths["s3"].via.startswith("NAT gateway")


def test_the_default_vpc_needs_a_public_ip(vpc: Vpc) -> None:
    network = vpc.world.accounts[DEFAULT_ACCOUNT].networks["us-east-1"]
    default_subnet = next(s for s in network.subnets.values() if s.default_for_az)
    default_group = next(g for g in network.security_groups.values() if g.vpc_id == default_subnet.vpc_id)
    with_ip = trace(network, Origin(default_subnet.subnet_id, (default_group.group_id,), True), "dkr")
    assert with_ip.reachable and with_ip.via.startswith("internet gateway igw-0")
    without = trace(network, Origin(default_subnet.subnet_id, (default_group.group_id,), False), "dkr")
    assert not without.reachable and "no public IP address" in without.reason


def test_a_security_group_with_no_egress_keeps_every_request_in(vpc: Vpc) -> None:
    vpc.nat(vpc.public)
    vpc.ec2(
        "RevokeSecurityGroupEgress",
        GroupId=vpc.task_group,
        IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    path = vpc.paths()["api"]
    assert not path.reachable and "allow no outbound HTTPS" in path.reason


def test_world_copies_have_independent_networks(vpc: Vpc) -> None:
    copy = vpc.world.copy()
    vpc.interface_endpoints()
    assert copy.accounts[DEFAULT_ACCOUNT].networks["us-east-1"].endpoints == {}
    assert len(vpc.world.accounts[DEFAULT_ACCOUNT].networks["us-east-1"].endpoints) == 2


def test_another_regions_hosts_are_not_served_by_this_regions_endpoints(vpc: Vpc) -> None:
    """A VPC endpoint serves only its own Region's service: eu-west-1's ECR needs the internet."""
    vpc.interface_endpoints()
    vpc.open_endpoint_group()
    vpc.s3_gateway()
    network = vpc.world.accounts[DEFAULT_ACCOUNT].networks["us-east-1"]
    origin = Origin(vpc.private, (vpc.task_group,))
    paths = {target: trace(network, origin, target, "eu-west-1") for target in ("api", "dkr", "s3")}
    assert not any(path.reachable for path in paths.values())
    assert paths["api"].host == "api.ecr.eu-west-1.amazonaws.com"
    assert "which no us-east-1 VPC endpoint serves" in paths["api"].reason
    assert paths["s3"].hint.startswith(f"route 0.0.0.0/0 of {vpc.private_table} to a NAT gateway")
    vpc.nat(vpc.public)
    assert trace(network, origin, "dkr", "eu-west-1").via.startswith("NAT gateway nat-0")


def route_states(vpc: Vpc, table: str) -> dict[str, str]:
    routes = vpc.ec2("DescribeRouteTables", RouteTableIds=[table])["RouteTables"][0]["Routes"]
    return {route["DestinationCidrBlock"]: route["State"] for route in routes}


def test_a_route_to_a_deleted_nat_gateway_is_a_blackhole_that_drops_the_traffic(vpc: Vpc) -> None:
    vpc.nat(vpc.public)
    assert route_states(vpc, vpc.private_table) == {"10.0.0.0/16": "active", "0.0.0.0/0": "active"}
    nat = next(iter(vpc.world.accounts[DEFAULT_ACCOUNT].networks["us-east-1"].nat_gateways))
    vpc.ec2("DeleteNatGateway", NatGatewayId=nat)
    assert route_states(vpc, vpc.private_table) == {"10.0.0.0/16": "active", "0.0.0.0/0": "blackhole"}
    path = vpc.paths()["dkr"]
    assert not path.reachable
    assert path.reason == (
        f"route table {vpc.private_table} sends 0.0.0.0/0 to NAT gateway {nat}, which is deleted"
        " (a blackhole route)"
    )


def test_a_route_to_a_detached_internet_gateway_is_a_blackhole(vpc: Vpc) -> None:
    vpc.nat(vpc.public)
    network = vpc.world.accounts[DEFAULT_ACCOUNT].networks["us-east-1"]
    gateway = next(g for g in network.internet_gateways.values() if g.vpc_id == vpc.vpc).igw_id
    main = next(t for t in network.route_tables.values() if t.vpc_id == vpc.vpc and t.main).route_table_id
    vpc.ec2("DetachInternetGateway", InternetGatewayId=gateway, VpcId=vpc.vpc)
    assert route_states(vpc, main)["0.0.0.0/0"] == "blackhole"
    vpc.ec2("DeleteInternetGateway", InternetGatewayId=gateway)
    assert route_states(vpc, main)["0.0.0.0/0"] == "blackhole"
    assert "a blackhole route" in vpc.paths(vpc.public, public_ip=True)["api"].reason

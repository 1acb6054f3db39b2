"""VPCs and subnets (EC2 API: CreateVpc, CreateSubnet and their Describe, Modify and Delete)."""

from __future__ import annotations

import ipaddress
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ec2.access import (
    arn,
    authorize,
    canonical_cidr,
    find_subnet,
    find_vpc,
    make_id,
    network,
    tag_list,
    tags_of,
)
from ecrsim.engine.ec2.describe import described
from ecrsim.engine.ec2.model import Subnet, add_vpc
from ecrsim.engine.errors import ServiceError


# -- VPCs ----------------------------------------------------------------------------------------------------
def _show_vpc(call: Call, vpc: Any) -> dict[str, Any]:
    return {
        "OwnerId": call.caller.account_id,
        "InstanceTenancy": "default",
        "CidrBlockAssociationSet": [
            {
                "AssociationId": f"vpc-cidr-assoc-{vpc.vpc_id[4:]}",
                "CidrBlock": vpc.cidr,
                "CidrBlockState": {"State": "associated"},
            }
        ],
        "IsDefault": vpc.is_default,
        **({"Tags": tag_list(vpc.tags)} if vpc.tags else {}),
        "VpcId": vpc.vpc_id,
        "State": "available",
        "CidrBlock": vpc.cidr,
        "DhcpOptionsId": "dopt-" + vpc.vpc_id[4:],
    }


@operation("ec2", "CreateVpc")
def create_vpc(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    authorize(call, "CreateVpc", "vpc")
    cidr = canonical_cidr(params.get("CidrBlock") or "", 16, 28, "InvalidVpc.Range")
    vpc = add_vpc(network(call), lambda prefix: make_id(call, prefix), cidr)
    vpc.tags = tags_of(params, "vpc")
    return {"Vpc": {**_show_vpc(call, vpc), "State": "pending"}}


VPCS = described(
    ("DescribeVpcs", "vpc", "vpcs", "VpcIds", "Vpcs"),
    _show_vpc,
    {"vpc-id": "vpc_id", "cidr": "cidr", "is-default": "is_default"},
    ("InvalidVpcID.NotFound", "The vpc ID '{}' does not exist"),
)


@operation("ec2", "ModifyVpcAttribute")
def modify_vpc_attribute(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    vpc = find_vpc(call, params["VpcId"])
    authorize(call, "ModifyVpcAttribute", "vpc", vpc.vpc_id)
    if "EnableDnsSupport" in params:
        vpc.dns_support = bool(params["EnableDnsSupport"].get("Value"))
    if "EnableDnsHostnames" in params:
        vpc.dns_hostnames = bool(params["EnableDnsHostnames"].get("Value"))
    return {}


@operation("ec2", "DeleteVpc")
def delete_vpc(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    net = network(call)
    vpc = find_vpc(call, params["VpcId"])
    authorize(call, "DeleteVpc", "vpc", vpc.vpc_id)
    dependants = [
        *net.in_vpc(net.subnets, vpc.vpc_id),
        *net.in_vpc(net.endpoints, vpc.vpc_id),
        *[gateway for gateway in net.internet_gateways.values() if gateway.vpc_id == vpc.vpc_id],
        *[table for table in net.in_vpc(net.route_tables, vpc.vpc_id) if not table.main],
        *[group for group in net.in_vpc(net.security_groups, vpc.vpc_id) if group.name != "default"],
    ]
    if dependants:
        raise ServiceError(
            "DependencyViolation", f"The vpc '{vpc.vpc_id}' has dependencies and cannot be deleted."
        )
    for collection in (net.route_tables, net.security_groups):
        for record in net.in_vpc(collection, vpc.vpc_id):
            del collection[next(key for key, value in collection.items() if value is record)]
    del net.vpcs[vpc.vpc_id]
    return {}


# -- subnets -------------------------------------------------------------------------------------------------
def _show_subnet(call: Call, subnet: Subnet) -> dict[str, Any]:
    return {
        "AvailabilityZone": subnet.zone,
        "AvailableIpAddressCount": ipaddress.ip_network(subnet.cidr).num_addresses - 5,
        "CidrBlock": subnet.cidr,
        "DefaultForAz": subnet.default_for_az,
        "MapPublicIpOnLaunch": subnet.map_public_ip,
        "State": "available",
        "SubnetId": subnet.subnet_id,
        "VpcId": subnet.vpc_id,
        "OwnerId": call.caller.account_id,
        **({"Tags": tag_list(subnet.tags)} if subnet.tags else {}),
        "SubnetArn": arn(call, "subnet", subnet.subnet_id),
    }


@operation("ec2", "CreateSubnet")
def create_subnet(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    net = network(call)
    vpc = find_vpc(call, params["VpcId"])
    authorize(call, "CreateSubnet", "subnet")
    cidr = canonical_cidr(params.get("CidrBlock") or "", 16, 28, "InvalidSubnet.Range")
    block = ipaddress.IPv4Network(cidr)
    if not block.subnet_of(ipaddress.IPv4Network(vpc.cidr)):
        raise ServiceError("InvalidSubnet.Range", f"The CIDR '{cidr}' is invalid.")
    for other in net.in_vpc(net.subnets, vpc.vpc_id):
        if block.overlaps(ipaddress.IPv4Network(other.cidr)):
            raise ServiceError("InvalidSubnet.Conflict", f"The CIDR '{cidr}' conflicts with another subnet")
    zone = params.get("AvailabilityZone") or f"{call.region}a"
    subnet = Subnet(make_id(call, "subnet-"), vpc.vpc_id, cidr, zone, tags=tags_of(params, "subnet"))
    net.subnets[subnet.subnet_id] = subnet
    return {"Subnet": _show_subnet(call, subnet)}


SUBNETS = described(
    ("DescribeSubnets", "subnet", "subnets", "SubnetIds", "Subnets"),
    _show_subnet,
    {
        "vpc-id": "vpc_id",
        "subnet-id": "subnet_id",
        "availability-zone": "zone",
        "cidr-block": "cidr",
        "default-for-az": "default_for_az",
        "map-public-ip-on-launch": "map_public_ip",
    },
    ("InvalidSubnetID.NotFound", "The subnet ID '{}' does not exist"),
)


@operation("ec2", "ModifySubnetAttribute")
def modify_subnet_attribute(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    subnet = find_subnet(call, params["SubnetId"])
    authorize(call, "ModifySubnetAttribute", "subnet", subnet.subnet_id)
    if "MapPublicIpOnLaunch" in params:
        subnet.map_public_ip = bool(params["MapPublicIpOnLaunch"].get("Value"))
    return {}


@operation("ec2", "DeleteSubnet")
def delete_subnet(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    net = network(call)
    subnet = find_subnet(call, params["SubnetId"])
    authorize(call, "DeleteSubnet", "subnet", subnet.subnet_id)
    in_use = any(
        nat.subnet_id == subnet.subnet_id and nat.state != "deleted" for nat in net.nat_gateways.values()
    )
    in_use = in_use or any(subnet.subnet_id in endpoint.subnet_ids for endpoint in net.endpoints.values())
    if in_use:
        raise ServiceError(
            "DependencyViolation", f"The subnet '{subnet.subnet_id}' has dependencies and cannot be deleted."
        )
    for table in net.route_tables.values():
        table.subnet_ids.pop(subnet.subnet_id, None)
    del net.subnets[subnet.subnet_id]
    return {}

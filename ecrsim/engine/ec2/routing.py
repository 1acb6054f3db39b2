"""Route tables and routes, internet gateways, Elastic IP addresses and NAT gateways: where a subnet's
traffic goes."""

from __future__ import annotations

from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ec2.access import (
    authorize,
    canonical_cidr,
    find_gateway,
    find_route_table,
    find_subnet,
    find_vpc,
    lookup,
    make_id,
    network,
    tag_list,
    tags_of,
)
from ecrsim.engine.ec2.describe import described
from ecrsim.engine.ec2.model import Address, InternetGateway, NatGateway, Network, Route, RouteTable
from ecrsim.engine.errors import ServiceError


# -- route tables --------------------------------------------------------------------------------------------
def _show_route(net: Network, table: RouteTable, route: Route) -> dict[str, Any]:
    target = {
        "local": ("GatewayId", "local"),
        "igw": ("GatewayId", route.target_id),
        "vpce": ("GatewayId", route.target_id),
        "nat": ("NatGatewayId", route.target_id),
    }[route.target]
    destination = "DestinationPrefixListId" if route.is_prefix_list else "DestinationCidrBlock"
    origin = "CreateRouteTable" if route.target == "local" else "CreateRoute"
    state = net.route_state(route, table.vpc_id)
    return {destination: route.destination, target[0]: target[1], "Origin": origin, "State": state}


def _show_route_table(call: Call, table: RouteTable) -> dict[str, Any]:
    associations = [
        {
            "Main": False,
            "RouteTableAssociationId": association,
            "RouteTableId": table.route_table_id,
            "SubnetId": subnet_id,
            "AssociationState": {"State": "associated"},
        }
        for subnet_id, association in table.subnet_ids.items()
    ]
    if table.main:
        associations.insert(
            0,
            {
                "Main": True,
                "RouteTableAssociationId": "rtbassoc-" + table.route_table_id[4:],
                "RouteTableId": table.route_table_id,
                "AssociationState": {"State": "associated"},
            },
        )
    return {
        "Associations": associations,
        "PropagatingVgws": [],
        "RouteTableId": table.route_table_id,
        "Routes": [_show_route(network(call), table, route) for route in table.routes],
        **({"Tags": tag_list(table.tags)} if table.tags else {}),
        "VpcId": table.vpc_id,
        "OwnerId": call.caller.account_id,
    }


@operation("ec2", "CreateRouteTable")
def create_route_table(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    vpc = find_vpc(call, params["VpcId"])
    authorize(call, "CreateRouteTable", "route-table")
    table = RouteTable(
        make_id(call, "rtb-"),
        vpc.vpc_id,
        routes=[Route(vpc.cidr, "local", "local")],
        tags=tags_of(params, "route-table"),
    )
    network(call).route_tables[table.route_table_id] = table
    return {"RouteTable": _show_route_table(call, table)}


ROUTE_TABLES = described(
    ("DescribeRouteTables", "route-table", "route_tables", "RouteTableIds", "RouteTables"),
    _show_route_table,
    {
        "vpc-id": "vpc_id",
        "route-table-id": "route_table_id",
        "association.subnet-id": "subnet_ids",
        "association.main": "main",
    },
    ("InvalidRouteTableID.NotFound", "The routeTable ID '{}' does not exist"),
)


@operation("ec2", "AssociateRouteTable")
def associate_route_table(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    table = find_route_table(call, params["RouteTableId"])
    subnet = find_subnet(call, params["SubnetId"])
    authorize(call, "AssociateRouteTable", "route-table", table.route_table_id)
    if subnet.vpc_id != table.vpc_id:
        raise ServiceError(
            "InvalidParameterValue",
            f"routetable {table.route_table_id} and subnet {subnet.subnet_id} belong to different networks",
        )
    net = network(call)
    for other in net.route_tables.values():
        if subnet.subnet_id in other.subnet_ids:
            raise ServiceError(
                "Resource.AlreadyAssociated",
                f"the specified association for route table {other.route_table_id} conflicts "
                "with an existing association",
            )
    association = make_id(call, "rtbassoc-")
    table.subnet_ids[subnet.subnet_id] = association
    return {"AssociationId": association, "AssociationState": {"State": "associated"}}


@operation("ec2", "DisassociateRouteTable")
def disassociate_route_table(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    association = params["AssociationId"]
    for table in network(call).route_tables.values():
        for subnet_id, value in table.subnet_ids.items():
            if value == association:
                authorize(call, "DisassociateRouteTable", "route-table", table.route_table_id)
                del table.subnet_ids[subnet_id]
                return {}
    raise ServiceError("InvalidAssociationID.NotFound", f"The association ID '{association}' does not exist")


@operation("ec2", "DeleteRouteTable")
def delete_route_table(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    table = find_route_table(call, params["RouteTableId"])
    authorize(call, "DeleteRouteTable", "route-table", table.route_table_id)
    if table.main or table.subnet_ids:
        raise ServiceError(
            "DependencyViolation",
            f"The routeTable '{table.route_table_id}' has dependencies and cannot be deleted.",
        )
    del network(call).route_tables[table.route_table_id]
    return {}


@operation("ec2", "CreateRoute")
def create_route(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    net = network(call)
    table = find_route_table(call, params["RouteTableId"])
    authorize(call, "CreateRoute", "route-table", table.route_table_id)
    destination = canonical_cidr(params.get("DestinationCidrBlock") or "", 0, 32, "InvalidParameterValue")
    if params.get("GatewayId"):
        gateway = find_gateway(call, params["GatewayId"])
        if gateway.vpc_id != table.vpc_id:
            raise ServiceError(
                "InvalidParameterValue",
                f"route table {table.route_table_id} and network "
                f"gateway {gateway.igw_id} belong to different networks",
            )
        route = Route(destination, "igw", gateway.igw_id)
    elif params.get("NatGatewayId"):
        nat_id = params["NatGatewayId"]
        nat = net.nat_gateways.get(nat_id)
        if nat is None or nat.state == "deleted":
            raise ServiceError("InvalidNatGatewayID.NotFound", f"The natGateway ID '{nat_id}' does not exist")
        route = Route(destination, "nat", nat_id)
    else:
        raise ServiceError(
            "InvalidParameterCombination",
            "The request must contain exactly one of gatewayId, natGatewayId, or another target",
        )
    if any(existing.destination == destination for existing in table.routes):
        raise ServiceError("RouteAlreadyExists", f"The route identified by {destination} already exists.")
    table.routes.append(route)
    return {"Return": True}


@operation("ec2", "DeleteRoute")
def delete_route(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    table = find_route_table(call, params["RouteTableId"])
    authorize(call, "DeleteRoute", "route-table", table.route_table_id)
    destination = params.get("DestinationCidrBlock") or ""
    route = next((r for r in table.routes if r.destination == destination and r.target != "local"), None)
    if route is None:
        raise ServiceError(
            "InvalidRoute.NotFound",
            f"no route with destination-cidr-block {destination} in route table {table.route_table_id}",
        )
    table.routes.remove(route)
    return {}


# -- internet gateways, Elastic IPs, NAT gateways ------------------------------------------------------------
def _show_gateway(call: Call, gateway: InternetGateway) -> dict[str, Any]:
    attachments = [{"State": "available", "VpcId": gateway.vpc_id}] if gateway.vpc_id else []
    return {
        "Attachments": attachments,
        "InternetGatewayId": gateway.igw_id,
        "OwnerId": call.caller.account_id,
        **({"Tags": tag_list(gateway.tags)} if gateway.tags else {}),
    }


@operation("ec2", "CreateInternetGateway")
def create_internet_gateway(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    authorize(call, "CreateInternetGateway", "internet-gateway")
    gateway = InternetGateway(make_id(call, "igw-"), tags=tags_of(params, "internet-gateway"))
    network(call).internet_gateways[gateway.igw_id] = gateway
    return {"InternetGateway": _show_gateway(call, gateway)}


INTERNET_GATEWAYS = described(
    (
        "DescribeInternetGateways",
        "internet-gateway",
        "internet_gateways",
        "InternetGatewayIds",
        "InternetGateways",
    ),
    _show_gateway,
    {"attachment.vpc-id": "vpc_id", "internet-gateway-id": "igw_id"},
    ("InvalidInternetGatewayID.NotFound", "The internetGateway ID '{}' does not exist"),
)


@operation("ec2", "AttachInternetGateway")
def attach_internet_gateway(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    gateway = find_gateway(call, params["InternetGatewayId"])
    vpc = find_vpc(call, params["VpcId"])
    authorize(call, "AttachInternetGateway", "internet-gateway", gateway.igw_id)
    if gateway.vpc_id is not None:
        raise ServiceError(
            "Resource.AlreadyAssociated",
            f"resource {gateway.igw_id} is already attached to network {gateway.vpc_id}",
        )
    if any(other.vpc_id == vpc.vpc_id for other in network(call).internet_gateways.values()):
        raise ServiceError(
            "InvalidParameterValue", f"Network {vpc.vpc_id} already has an internet gateway attached"
        )
    gateway.vpc_id = vpc.vpc_id
    return {}


@operation("ec2", "DetachInternetGateway")
def detach_internet_gateway(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    gateway = find_gateway(call, params["InternetGatewayId"])
    authorize(call, "DetachInternetGateway", "internet-gateway", gateway.igw_id)
    if gateway.vpc_id != params["VpcId"]:
        raise ServiceError(
            "Gateway.NotAttached", f"resource {gateway.igw_id} is not attached to network {params['VpcId']}"
        )
    gateway.vpc_id = None
    return {}


@operation("ec2", "DeleteInternetGateway")
def delete_internet_gateway(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    gateway = find_gateway(call, params["InternetGatewayId"])
    authorize(call, "DeleteInternetGateway", "internet-gateway", gateway.igw_id)
    if gateway.vpc_id is not None:
        raise ServiceError(
            "DependencyViolation",
            f"The internetGateway '{gateway.igw_id}' has dependencies and cannot be deleted.",
        )
    del network(call).internet_gateways[gateway.igw_id]
    return {}


def _show_address(address: Address) -> dict[str, Any]:
    return {
        "PublicIp": address.public_ip,
        "AllocationId": address.allocation_id,
        "Domain": "vpc",
        **({"AssociationId": f"eipassoc-{address.allocation_id[9:]}"} if address.association else {}),
        "PublicIpv4Pool": "amazon",
        "NetworkBorderGroup": "",
    }


def _show_listed_address(call: Call, address: Address) -> dict[str, Any]:
    """An address as DescribeAddresses lists it, with the Region as its network border group."""
    return {**_show_address(address), "NetworkBorderGroup": call.region}


@operation("ec2", "AllocateAddress")
def allocate_address(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    authorize(call, "AllocateAddress", "elastic-ip")
    net = network(call)
    net.addresses_allocated += 1
    # Addresses from TEST-NET-2 (RFC 5737): clearly not real, and the same for the same history.
    address = Address(
        make_id(call, "eipalloc-"),
        f"198.51.100.{net.addresses_allocated % 254 + 1}",
        tags=tags_of(params, "elastic-ip"),
    )
    net.addresses[address.allocation_id] = address
    shown = _show_address(address)
    shown["NetworkBorderGroup"] = call.region
    return shown


ADDRESSES = described(
    ("DescribeAddresses", "elastic-ip", "addresses", "AllocationIds", "Addresses"),
    _show_listed_address,
    {"allocation-id": "allocation_id", "public-ip": "public_ip"},
    ("InvalidAllocationID.NotFound", "The allocation ID '{}' does not exist"),
)


@operation("ec2", "ReleaseAddress")
def release_address(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    allocation_id = params.get("AllocationId") or ""
    address = ADDRESSES.find(call, allocation_id)
    authorize(call, "ReleaseAddress", "elastic-ip", allocation_id)
    if address.association:
        raise ServiceError("InvalidIPAddress.InUse", f"Address {address.public_ip} is in use.")
    del network(call).addresses[allocation_id]
    return {}


def _show_nat(call: Call, nat: NatGateway) -> dict[str, Any]:
    net = network(call)
    address = net.addresses.get(nat.allocation_id or "")
    addresses = (
        [
            {
                "AllocationId": address.allocation_id,
                "PublicIp": address.public_ip,
                "PrivateIp": net.subnets[nat.subnet_id].first_host if nat.subnet_id in net.subnets else "",
                "IsPrimary": True,
                "Status": "succeeded",
            }
        ]
        if address
        else []
    )
    return {
        "CreateTime": nat.created,
        "NatGatewayAddresses": addresses,
        "NatGatewayId": nat.nat_id,
        "State": nat.state,
        "SubnetId": nat.subnet_id,
        "VpcId": nat.vpc_id,
        **({"Tags": tag_list(nat.tags)} if nat.tags else {}),
        "ConnectivityType": nat.connectivity,
    }


@operation("ec2", "CreateNatGateway")
def create_nat_gateway(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    net = network(call)
    subnet = find_subnet(call, params["SubnetId"])
    authorize(call, "CreateNatGateway", "natgateway")
    connectivity = params.get("ConnectivityType") or "public"
    allocation_id = params.get("AllocationId")
    if connectivity == "public":
        if not allocation_id:
            raise ServiceError(
                "MissingParameter",
                "The request must include the AllocationId parameter. "
                "Add the required parameter and retry the request.",
            )
        error = ServiceError(
            "InvalidAllocationID.NotFound", f"The allocation ID '{allocation_id}' does not exist"
        )
        address = lookup(net.addresses, allocation_id, error)
        if address.association:
            raise ServiceError(
                "Resource.AlreadyAssociated", f"Elastic IP address [{allocation_id}] is already associated"
            )
    nat = NatGateway(
        make_id(call, "nat-"),
        subnet.subnet_id,
        subnet.vpc_id,
        call.now,
        connectivity,
        allocation_id,
        tags=tags_of(params, "natgateway"),
    )
    if allocation_id:
        net.addresses[allocation_id].association = nat.nat_id
    net.nat_gateways[nat.nat_id] = nat
    # AWS reports `pending` first; the simulated NAT gateway is usable at once (`available` when described).
    return {"NatGateway": {**_show_nat(call, nat), "State": "pending"}}


NAT_GATEWAYS = described(
    ("DescribeNatGateways", "natgateway", "nat_gateways", "NatGatewayIds", "NatGateways"),
    _show_nat,
    {"vpc-id": "vpc_id", "subnet-id": "subnet_id", "state": "state", "nat-gateway-id": "nat_id"},
    ("NatGatewayNotFound", "The Nat Gateway {} was not found"),
    "Filter",  # DescribeNatGateways alone names its filters `Filter` (`--filter` in the CLI)
)


@operation("ec2", "DeleteNatGateway")
def delete_nat_gateway(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    net = network(call)
    nat_id = params["NatGatewayId"]
    nat = NAT_GATEWAYS.find(call, nat_id)
    authorize(call, "DeleteNatGateway", "natgateway", nat_id)
    nat.state = "deleted"
    if nat.allocation_id in net.addresses:
        net.addresses[nat.allocation_id].association = None
    return {"NatGatewayId": nat_id}

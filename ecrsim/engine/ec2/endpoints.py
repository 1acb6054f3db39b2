"""VPC endpoints: interface endpoints (with private DNS and security groups) and gateway endpoints (routes
to a prefix list), each with its endpoint policy."""

from __future__ import annotations

import json
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ec2.access import (
    authorize,
    find_group,
    find_route_table,
    find_subnet,
    find_vpc,
    make_id,
    network,
    tag_list,
    tags_of,
)
from ecrsim.engine.ec2.describe import described
from ecrsim.engine.ec2.model import EndpointPolicy, Network, Route, VpcEndpoint
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.policy.document import PolicyError, parse_endpoint_policy

# The endpoint services a learner's VPC can reach privately, by the name after `com.amazonaws.REGION.`,
# with the endpoint types each offers (PrivateLink guide, "AWS services that integrate with AWS PrivateLink").
ENDPOINT_SERVICES: dict[str, tuple[str, ...]] = {
    "ecr.api": ("Interface",),
    "ecr.dkr": ("Interface",),
    "s3": ("Gateway", "Interface"),
    "dynamodb": ("Gateway", "Interface"),
    "logs": ("Interface",),
    "secretsmanager": ("Interface",),
    "ssm": ("Interface",),
    "ecs": ("Interface",),
    "ecs-agent": ("Interface",),
    "ecs-telemetry": ("Interface",),
    "sts": ("Interface",),
    "kms": ("Interface",),
    "lambda": ("Interface",),
}
# What an endpoint created without a policy gets: "we attach a default policy that allows full access to
# the service" (CreateVpcEndpoint, PolicyDocument).
FULL_ACCESS_POLICY = json.dumps(
    {"Statement": [{"Action": "*", "Effect": "Allow", "Principal": "*", "Resource": "*"}]}
)


# -- VPC endpoints -------------------------------------------------------------------------------------------
def _endpoint_policy(document: str | None) -> EndpointPolicy:
    text = document or FULL_ACCESS_POLICY
    try:
        return EndpointPolicy(text, parse_endpoint_policy(text))
    except PolicyError as error:
        raise ServiceError("InvalidPolicyDocument", f"Invalid policy document: {error}") from None


def _show_endpoint(call: Call, endpoint: VpcEndpoint) -> dict[str, Any]:
    net = network(call)
    interface = endpoint.endpoint_type == "Interface"
    service = endpoint.service_name.split(".", 3)[-1]
    host = (
        f"{service.replace('ecr.api', 'api.ecr').replace('ecr.dkr', 'dkr.ecr')}.{call.region}.amazonaws.com"
    )
    return {
        "VpcEndpointId": endpoint.endpoint_id,
        "VpcEndpointType": endpoint.endpoint_type,
        "VpcId": endpoint.vpc_id,
        "ServiceName": endpoint.service_name,
        "State": endpoint.state,
        "PolicyDocument": endpoint.policy.document,
        "RouteTableIds": list(endpoint.route_table_ids),
        "SubnetIds": list(endpoint.subnet_ids),
        "Groups": [
            {"GroupId": g, "GroupName": net.security_groups[g].name}
            for g in endpoint.group_ids
            if g in net.security_groups
        ],
        "PrivateDnsEnabled": endpoint.private_dns,
        "RequesterManaged": False,
        "NetworkInterfaceIds": [
            f"eni-0{endpoint.endpoint_id[6:]}{i}"[:21] for i in range(len(endpoint.subnet_ids))
        ],
        "DnsEntries": [{"DnsName": f"{endpoint.endpoint_id}-0000000.{host}", "HostedZoneId": "Z7HUB22UULQXV"}]
        if interface
        else [],
        "CreationTimestamp": endpoint.created,
        **({"Tags": tag_list(endpoint.tags)} if endpoint.tags else {}),
        "OwnerId": call.caller.account_id,
    }


@operation("ec2", "CreateVpcEndpoint")
def create_vpc_endpoint(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    net = network(call)
    vpc = find_vpc(call, params["VpcId"])
    authorize(call, "CreateVpcEndpoint", "vpc-endpoint")
    service_name = params["ServiceName"]
    prefix = f"com.amazonaws.{call.region}."
    types = (
        ENDPOINT_SERVICES.get(service_name.removeprefix(prefix)) if service_name.startswith(prefix) else None
    )
    if types is None:
        raise ServiceError("InvalidServiceName", f"The Vpc Endpoint Service '{service_name}' does not exist")
    endpoint_type = params.get("VpcEndpointType") or "Gateway"
    if endpoint_type not in types:
        raise ServiceError(
            "InvalidParameter",
            f"Endpoint type ({endpoint_type}) does not match available service types ([{', '.join(types)}]).",
        )
    subnets = [find_subnet(call, subnet_id) for subnet_id in params.get("SubnetIds") or []]
    groups = [find_group(call, group_id) for group_id in params.get("SecurityGroupIds") or []]
    tables = [find_route_table(call, table_id) for table_id in params.get("RouteTableIds") or []]
    if endpoint_type == "Gateway" and (subnets or groups):
        raise ServiceError(
            "InvalidParameter", "Subnets and security groups are not supported for Gateway endpoints."
        )
    if endpoint_type == "Interface" and tables:
        raise ServiceError("InvalidParameter", "Route tables are not supported for Interface endpoints.")
    for record in (*subnets, *groups, *tables):
        if record.vpc_id != vpc.vpc_id:
            raise ServiceError(
                "InvalidParameter",
                f"The vpc-endpoint and the resources it uses must be in the same VPC ({vpc.vpc_id})",
            )
    if endpoint_type == "Interface" and not groups:
        # Without security groups AWS uses the VPC's default one (CreateVpcEndpoint, SecurityGroupIds).
        groups = [next(g for g in net.in_vpc(net.security_groups, vpc.vpc_id) if g.name == "default")]
    # Interface endpoints of AWS services default to private DNS (CreateVpcEndpoint, PrivateDnsEnabled).
    private_dns = endpoint_type == "Interface" and params.get("PrivateDnsEnabled", True)
    if private_dns and not (vpc.dns_support and vpc.dns_hostnames):
        raise ServiceError(
            "InvalidParameter",
            "Enabling private DNS requires both enableDnsSupport and "
            f"enableDnsHostnames VPC attributes set to true for {vpc.vpc_id}",
        )
    if private_dns and any(
        e.private_dns and e.service_name == service_name for e in net.in_vpc(net.endpoints, vpc.vpc_id)
    ):
        raise ServiceError(
            "InvalidParameter",
            "private-dns-enabled cannot be set because there is already a "
            f"conflicting DNS domain for {service_name} in the VPC {vpc.vpc_id}",
        )
    endpoint = VpcEndpoint(
        make_id(call, "vpce-"),
        vpc.vpc_id,
        service_name,
        endpoint_type,
        call.now,
        _endpoint_policy(params.get("PolicyDocument")),
        [s.subnet_id for s in subnets],
        [g.group_id for g in groups],
        [t.route_table_id for t in tables],
        bool(private_dns),
        tags=tags_of(params, "vpc-endpoint"),
    )
    for table in tables:
        table.routes.append(Route(endpoint.prefix_list_id, "vpce", endpoint.endpoint_id))
    net.endpoints[endpoint.endpoint_id] = endpoint
    return {"VpcEndpoint": {**_show_endpoint(call, endpoint), "State": "pending" if subnets else "available"}}


VPC_ENDPOINTS = described(
    ("DescribeVpcEndpoints", "vpc-endpoint", "endpoints", "VpcEndpointIds", "VpcEndpoints"),
    _show_endpoint,
    {
        "vpc-id": "vpc_id",
        "service-name": "service_name",
        "vpc-endpoint-id": "endpoint_id",
        "vpc-endpoint-type": "endpoint_type",
        "vpc-endpoint-state": "state",
    },
    ("InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '{}' does not exist"),
)


def _endpoint(call: Call, endpoint_id: str) -> VpcEndpoint:
    return VPC_ENDPOINTS.find(call, endpoint_id)


@operation("ec2", "ModifyVpcEndpoint")
def modify_vpc_endpoint(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    endpoint = _endpoint(call, params["VpcEndpointId"])
    authorize(call, "ModifyVpcEndpoint", "vpc-endpoint", endpoint.endpoint_id)
    if params.get("ResetPolicy"):
        endpoint.policy = _endpoint_policy(None)
    elif "PolicyDocument" in params:
        endpoint.policy = _endpoint_policy(params["PolicyDocument"])
    for key, attribute, get in (
        ("AddSecurityGroupIds", "group_ids", lambda i: find_group(call, i).group_id),
        ("AddSubnetIds", "subnet_ids", lambda i: find_subnet(call, i).subnet_id),
        ("AddRouteTableIds", "route_table_ids", lambda i: find_route_table(call, i).route_table_id),
    ):
        values = getattr(endpoint, attribute)
        values.extend(value for value in map(get, params.get(key) or []) if value not in values)
    for key, attribute in (
        ("RemoveSecurityGroupIds", "group_ids"),
        ("RemoveSubnetIds", "subnet_ids"),
        ("RemoveRouteTableIds", "route_table_ids"),
    ):
        setattr(
            endpoint, attribute, [v for v in getattr(endpoint, attribute) if v not in (params.get(key) or [])]
        )
    _sync_gateway_routes(network(call), endpoint)
    if "PrivateDnsEnabled" in params:
        endpoint.private_dns = bool(params["PrivateDnsEnabled"]) and endpoint.endpoint_type == "Interface"
    return {"Return": True}


def _sync_gateway_routes(net: Network, endpoint: VpcEndpoint) -> None:
    """A gateway endpoint's route is in exactly the route tables it is associated with."""
    for table in net.route_tables.values():
        table.routes = [r for r in table.routes if r.target_id != endpoint.endpoint_id]
        if table.route_table_id in endpoint.route_table_ids:
            table.routes.append(Route(endpoint.prefix_list_id, "vpce", endpoint.endpoint_id))


@operation("ec2", "DeleteVpcEndpoints")
def delete_vpc_endpoints(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    net = network(call)
    unsuccessful = []
    for endpoint_id in params.get("VpcEndpointIds") or []:
        endpoint = net.endpoints.get(endpoint_id)
        if endpoint is None:
            unsuccessful.append(
                {
                    "Error": {
                        "Code": "InvalidVpcEndpoint.NotFound",
                        "Message": f"The VPC Endpoint Id '{endpoint_id}' does not exist",
                    },
                    "ResourceId": endpoint_id,
                }
            )
            continue
        authorize(call, "DeleteVpcEndpoints", "vpc-endpoint", endpoint_id)
        endpoint.route_table_ids = []
        _sync_gateway_routes(net, endpoint)
        del net.endpoints[endpoint_id]
    return {"Unsuccessful": unsuccessful}

"""The path a request from a subnet takes to the three places an image pull needs, and why it fails.

Pulling an image from ECR reaches three hosts (ECR user guide, "Amazon ECR interface VPC endpoints
(AWS PrivateLink)"): the ECR API `api.ecr.REGION.amazonaws.com` (GetAuthorizationToken), the registry
`ACCOUNT.dkr.ecr.REGION.amazonaws.com` (manifests), and Amazon S3, where the layers are stored. From a
subnet, each one is reached, in AWS's order:
1. through an interface endpoint of the service in the VPC with private DNS on: the public name then
   resolves to the endpoint's private addresses, so the endpoint's security groups must admit HTTPS
   (TCP 443) from the caller, or the connection times out, whatever other route exists;
2. for S3, through a gateway endpoint in the subnet's route table (a route to the S3 prefix list);
3. over the internet: the subnet's route table sends 0.0.0.0/0 to an internet gateway attached to the
   VPC (the caller then needs a public IP address) or to a NAT gateway in a subnet that has such a route.
At every step the caller's own security groups must allow the HTTPS traffic out.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace

from ecrsim.engine.ec2.model import Network, Route, SecurityGroup, Subnet, VpcEndpoint
from ecrsim.engine.policy.types import ContextValue

# The three hosts of a pull, or another AWS service a command on an instance calls by its endpoint prefix
# (`sts`, `iam`, `ec2`, `ecs`, `lambda`): reached like the ECR API, privately only through an interface
# endpoint of that service.
Target = str
TARGETS: tuple[Target, ...] = ("api", "dkr", "s3")
# What a pull needs each of the three for, as the ECS agent's account and `sim traffic` say it.
PULL_PURPOSE: dict[Target, str] = {
    "api": "for ecr:GetAuthorizationToken",
    "dkr": "for the image manifest",
    "s3": "for the image's layers, which are stored in S3",
}
HTTPS = 443
# An address on the internet each host resolves to without private DNS: only security group egress rules
# read it, so any public address serves (these are from AWS's published ranges for us-east-1).
_PUBLIC_ADDRESS = {"api": "3.227.250.10", "dkr": "3.227.250.11", "s3": "52.216.0.10"}
_OTHER_SERVICE_ADDRESS = "3.227.250.12"
_ENDPOINT_SERVICE = {"api": "ecr.api", "dkr": "ecr.dkr"}


def host(target: Target, account_id: str, region: str) -> str:
    if target == "api":
        return f"api.ecr.{region}.amazonaws.com"
    if target == "dkr":
        return f"{account_id}.dkr.ecr.{region}.amazonaws.com"
    if target == "s3":
        return f"prod-{region}-starport-layer-bucket.s3.{region}.amazonaws.com"
    if target == "iam":  # IAM is global: one endpoint for every Region
        return "iam.amazonaws.com"
    return f"{target}.{region}.amazonaws.com"


def service_name(target: Target, region: str) -> str:
    return f"com.amazonaws.{region}.{_ENDPOINT_SERVICE.get(target, target)}"


def public_address(target: Target) -> str:
    return _PUBLIC_ADDRESS.get(target, _OTHER_SERVICE_ADDRESS)


@dataclass(frozen=True)
class Origin:
    """Where a request starts: a network interface in a subnet, with its security groups."""

    subnet_id: str
    group_ids: tuple[str, ...]
    public_ip: bool = False


@dataclass(frozen=True)
class Path:
    """How a request from an Origin reaches one host, or why it cannot."""

    target: Target
    host: str
    reachable: bool
    via: str  # "interface endpoint vpce-…", "NAT gateway nat-…", "internet gateway igw-…", ... or ""
    reason: str  # one sentence a learner can read
    endpoint_id: str | None = None  # the VPC endpoint the request goes through (aws:SourceVpce)
    vpc_id: str | None = None  # the VPC of that endpoint (aws:SourceVpc)
    address: str = ""  # the address the host's name resolves to for the caller: where it connects
    hint: str = ""  # the smallest change that would open the path, when it is closed


def trace(
    network: Network, origin: Origin, target: Target, region: str | None = None, account_id: str | None = None
) -> Path:
    """The path from `origin` to `target`'s host in `region` (default: the origin's Region) of
    `account_id`'s registry (default: the network's account). A host in another Region is never served by
    this VPC's endpoints, which serve their own Region's services only (PrivateLink guide)."""
    subnet = network.subnets[origin.subnet_id]
    region = region or network.region
    name = host(target, account_id or network.account_id, region)
    groups = [network.security_groups[g] for g in origin.group_ids if g in network.security_groups]
    service = service_name(target, region)
    endpoints = [e for e in network.in_vpc(network.endpoints, subnet.vpc_id) if e.service_name == service]

    interface = next((e for e in endpoints if e.endpoint_type == "Interface" and e.private_dns), None)
    if interface is not None:
        path = _through_interface(network, origin, subnet, groups, interface, target, name)
        return replace(path, address=_endpoint_address(network, interface))
    return replace(
        _outside(network, origin, subnet, groups, endpoints, target, name, region),
        address=public_address(target),
    )


def _outside(
    network: Network,
    origin: Origin,
    subnet: Subnet,
    groups: list[SecurityGroup],
    endpoints: list[VpcEndpoint],
    target: Target,
    name: str,
    region: str,
) -> Path:
    """The path when the host's name resolves to its public addresses: an S3 gateway endpoint, or the
    internet."""
    table = network.route_table_of(subnet)
    routes = table.routes if table is not None else []
    if target == "s3":
        gateway = next(
            (
                e
                for e in endpoints
                if e.endpoint_type == "Gateway" and table and table.route_table_id in e.route_table_ids
            ),
            None,
        )
        if gateway is not None:
            if not _egress_allows(groups, public_address(target), ()):
                return _blocked_out(target, name, groups, f"the S3 prefix list {gateway.prefix_list_id}")
            return Path(
                target,
                name,
                True,
                f"gateway endpoint {gateway.endpoint_id}",
                f"route table {table.route_table_id} sends S3 traffic ({gateway.prefix_list_id}) to gateway"  # type: ignore[union-attr]
                f" endpoint {gateway.endpoint_id}",
                gateway.endpoint_id,
                subnet.vpc_id,
            )
    private_off = next((e for e in endpoints if e.endpoint_type == "Interface"), None)
    return _over_internet(
        network,
        origin,
        subnet,
        groups,
        routes,
        target,
        name,
        table.route_table_id if table else "",
        private_off,
        region,
    )


def request_context(network: Network, path: Path, public_ip: str) -> dict[str, ContextValue]:
    """The request context a call along `path` carries (IAM condition keys: aws:SourceVpce, aws:SourceVpc,
    aws:SourceIp; through a VPC endpoint there is no aws:SourceIp). `public_ip` is the caller's own public
    address, the source of a request through an internet gateway."""
    if path.endpoint_id is not None:
        return {"aws:SourceVpce": path.endpoint_id, "aws:SourceVpc": path.vpc_id or ""}
    if path.via.startswith("NAT gateway"):
        nat = network.nat_gateways[path.via.rsplit(" ", 1)[-1]]
        address = network.addresses.get(nat.allocation_id or "")
        return {"aws:SourceIp": address.public_ip} if address else {}
    return {"aws:SourceIp": public_ip}


def trace_all(network: Network, origin: Origin) -> tuple[Path, ...]:
    return tuple(trace(network, origin, target) for target in TARGETS)


def _through_interface(
    network: Network,
    origin: Origin,
    subnet: Subnet,
    groups: list[SecurityGroup],
    endpoint: VpcEndpoint,
    target: Target,
    name: str,
) -> Path:
    endpoint_subnets = [network.subnets[s] for s in endpoint.subnet_ids if s in network.subnets]
    address = _endpoint_address(network, endpoint)
    where = f"interface endpoint {endpoint.endpoint_id}"
    if not endpoint_subnets:
        return Path(
            target,
            name,
            False,
            where,
            f"{name} resolves to {where} (private DNS), but the endpoint has no subnet, so it has no address"
            " to connect to: the connection times out",
            hint=f"give {endpoint.endpoint_id} a subnet (aws ec2 modify-vpc-endpoint --add-subnet-ids)",
        )
    if not _egress_allows(groups, address, tuple(endpoint.group_ids)):
        return _blocked_out(target, name, groups, where)
    endpoint_groups = [network.security_groups[g] for g in endpoint.group_ids if g in network.security_groups]
    source = subnet.first_host
    if not any(
        rule.admits(HTTPS, source, origin.group_ids) for group in endpoint_groups for rule in group.ingress
    ):
        shown = ", ".join(g.group_id for g in endpoint_groups) or "none"
        return Path(
            target,
            name,
            False,
            where,
            f"{name} resolves to {where} (private DNS), but its security groups ({shown}) admit no HTTPS"
            f" (TCP {HTTPS}) from {subnet.subnet_id} ({subnet.cidr}) or from the caller's security groups:"
            " the connection times out",
            endpoint.endpoint_id,
            endpoint.vpc_id,
            hint=f"allow inbound HTTPS (TCP {HTTPS}) in {shown} from {subnet.cidr} or from the caller's"
            " security group (aws ec2 authorize-security-group-ingress)",
        )
    return Path(
        target,
        name,
        True,
        where,
        f"{name} resolves to {where} (private DNS), whose security groups admit HTTPS from the caller",
        endpoint.endpoint_id,
        endpoint.vpc_id,
    )


def _endpoint_address(network: Network, endpoint: VpcEndpoint) -> str:
    """The private address of the endpoint's network interface in its first subnet."""
    subnet = next((network.subnets[s] for s in endpoint.subnet_ids if s in network.subnets), None)
    if subnet is None:
        return ""
    return str(ipaddress.ip_network(subnet.cidr).network_address + 10 + len(endpoint.service_name) % 100)


def _over_internet(
    network: Network,
    origin: Origin,
    subnet: Subnet,
    groups: list[SecurityGroup],
    routes: list[Route],
    target: Target,
    name: str,
    table_id: str,
    private_off: VpcEndpoint | None,
    region: str,
) -> Path:
    """The path over the internet to `name` in `region`; `private_off` is an interface endpoint of the
    service whose private DNS is off, which the caller's name lookup therefore ignores."""
    note = (
        f" (interface endpoint {private_off.endpoint_id} has private DNS off,"
        f" so {name} resolves to public addresses)"
        if private_off is not None
        else ""
    )
    address = public_address(target)
    route = _best_route(routes, address)
    endpoint_kind = (
        f"and {name} is in {region}, which no {network.region} VPC endpoint serves (an endpoint serves only"
        " its own Region's service)"
        if region != network.region
        else "and no gateway or interface endpoint for S3 serves the subnet"
        if target == "s3"
        else f"and no interface endpoint for {service_name(target, region)} serves the subnet"
    )
    if route is None:
        return Path(
            target,
            name,
            False,
            "",
            f"route table {table_id} of {subnet.subnet_id} has no route to the internet (0.0.0.0/0 to an"
            f" internet gateway or NAT gateway), {endpoint_kind}{note}",
            hint=_no_route_hint(network, target, table_id, private_off, region),
        )
    if route.target == "igw":
        gateway = network.internet_gateways.get(route.target_id)
        if gateway is None or network.route_state(route, subnet.vpc_id) == "blackhole":
            return Path(
                target,
                name,
                False,
                "",
                f"route table {table_id} sends {route.destination} to {route.target_id},"
                f" which is not attached to {subnet.vpc_id} (a blackhole route){note}",
                hint=f"attach an internet gateway to {subnet.vpc_id} and route {route.destination} to it",
            )
        if not origin.public_ip:
            return Path(
                target,
                name,
                False,
                "",
                f"route table {table_id} sends {route.destination} to internet gateway {gateway.igw_id}, but"
                f" the caller has no public IP address, and an internet gateway only serves addresses it can"
                f" translate (give it a public IP, or route through a NAT gateway){note}",
                hint="run the task with assignPublicIp=ENABLED, or route the subnet through a NAT gateway"
                " in a public subnet",
            )
        via = f"internet gateway {gateway.igw_id}"
    else:
        nat = network.nat_gateways.get(route.target_id)
        problem = _nat_problem(network, route.target_id)
        if problem or nat is None:
            return Path(
                target,
                name,
                False,
                "",
                f"route table {table_id} sends {route.destination} to {problem}{note}",
                hint=f"route {route.destination} of {table_id} to an available public NAT gateway in a subnet"
                " whose route table sends 0.0.0.0/0 to the VPC's internet gateway",
            )
        via = f"NAT gateway {nat.nat_id}"
    if not _egress_allows(groups, address, ()):
        return _blocked_out(target, name, groups, via)
    return Path(target, name, True, via, f"route table {table_id} sends {route.destination} to {via}{note}")


def _no_route_hint(
    network: Network, target: Target, table_id: str, private_off: VpcEndpoint | None, region: str
) -> str:
    """What opens a path that has neither an endpoint nor a route out (ECR user guide, "Amazon ECR interface
    VPC endpoints": both ECR endpoints with private DNS, and the S3 gateway endpoint for the layers). A host
    in another Region only the internet reaches: "Endpoints are supported within the same Region only"
    (PrivateLink guide; cross-Region interface endpoints are not simulated)."""
    nat = f"or route 0.0.0.0/0 of {table_id} to a NAT gateway in a public subnet"
    if region != network.region:
        return (
            f"route 0.0.0.0/0 of {table_id} to a NAT gateway in a public subnet (a {network.region} endpoint"
            f" cannot reach {region}), or keep a copy of the image in {network.region} (replication)"
        )
    if private_off is not None:
        return (
            f"turn on private DNS for {private_off.endpoint_id} (aws ec2 modify-vpc-endpoint"
            f" --private-dns-enabled), {nat}"
        )
    if target == "s3":
        return (
            f"add a gateway endpoint for {service_name('s3', network.region)} to route table {table_id}"
            f" (the layers are stored in S3), {nat}"
        )
    return f"create an interface endpoint for {service_name(target, network.region)} with private DNS, {nat}"


def _nat_problem(network: Network, nat_id: str) -> str:
    """Why traffic sent to a NAT gateway does not reach the internet, or "" if it does."""
    nat = network.nat_gateways.get(nat_id)
    if nat is None or nat.state != "available":
        return f"NAT gateway {nat_id}, which is {nat.state if nat else 'gone'} (a blackhole route)"
    if nat.connectivity != "public":
        return f"NAT gateway {nat_id}, a private NAT gateway, which cannot reach the internet"
    home = network.subnets.get(nat.subnet_id)
    table = network.route_table_of(home) if home else None
    route = _best_route(table.routes if table else [], _PUBLIC_ADDRESS["api"])
    gateway = (
        network.internet_gateways.get(route.target_id)
        if route is not None and route.target == "igw"
        else None
    )
    if gateway is None or gateway.vpc_id != nat.vpc_id:
        return (
            f"NAT gateway {nat_id}, but its own subnet {nat.subnet_id} has no route to an attached internet"
            " gateway (a NAT gateway belongs in a public subnet)"
        )
    return ""


def _best_route(routes: list[Route], address: str) -> Route | None:
    """The most specific route for `address` (longest prefix wins, as in every VPC route table)."""
    covering = [route for route in routes if route.covers(address)]
    return max(covering, key=lambda route: int(route.destination.rsplit("/", 1)[1]), default=None)


def _egress_allows(groups: list[SecurityGroup], address: str, peer_groups: tuple[str, ...]) -> bool:
    return any(rule.admits(HTTPS, address, peer_groups) for group in groups for rule in group.egress)


def _blocked_out(target: Target, name: str, groups: list[SecurityGroup], toward: str) -> Path:
    shown = ", ".join(group.group_id for group in groups) or "none"
    return Path(
        target,
        name,
        False,
        "",
        f"the caller's security groups ({shown}) allow no outbound HTTPS (TCP {HTTPS}) toward {toward},"
        f" so the request to {name} never leaves",
        hint=f"allow outbound HTTPS (TCP {HTTPS}) in {shown} (aws ec2 authorize-security-group-egress)",
    )

"""One account's network in one Region: the records the EC2 API creates, and the default VPC.

Records that change (a route table gains routes, a security group gains rules) are plain mutable objects
owned by their `Network` and copied with it (`Network.copy`); what never changes once made (a route, a rule,
a parsed endpoint policy) is frozen and shared between world copies, as in the registry engine.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ecrsim.engine.docker import DockerMachine
    from ecrsim.engine.policy.document import Policy

EndpointType = Literal["Interface", "Gateway"]
RouteTarget = Literal["local", "igw", "nat", "vpce"]
Direction = Literal["ingress", "egress"]

# The default VPC every account has in every Region (VPC user guide, "Default VPCs"): 172.31.0.0/16, a /20
# default subnet in each Availability Zone that gives instances public IPv4 addresses, an internet gateway,
# and a main route table sending 0.0.0.0/0 to it.
DEFAULT_VPC_CIDR = "172.31.0.0/16"
DEFAULT_ZONES = ("a", "b", "c")
ANYWHERE = "0.0.0.0/0"


@dataclass(frozen=True)
class Route:
    """Where traffic for `destination` (a CIDR, or an AWS prefix list for a gateway endpoint) goes."""

    destination: str
    target: RouteTarget
    target_id: str  # "local", igw-..., nat-..., vpce-...

    @property
    def is_prefix_list(self) -> bool:
        return self.destination.startswith("pl-")

    def covers(self, address: str) -> bool:
        if self.is_prefix_list:
            return False
        return ipaddress.ip_address(address) in ipaddress.ip_network(self.destination)


@dataclass(frozen=True)
class Rule:
    """One security group rule: a protocol and port range, from or to a CIDR or another security group."""

    rule_id: str
    direction: Direction
    protocol: str  # "-1" (all traffic), "tcp", "udp", "icmp"
    from_port: int | None
    to_port: int | None
    cidr: str | None = None
    group_id: str | None = None
    description: str = ""

    def admits(self, port: int, address: str, group_ids: tuple[str, ...]) -> bool:
        """Does this rule let TCP traffic on `port` through, to or from `address` / those security groups?"""
        if self.protocol not in ("-1", "tcp", "6"):
            return False
        if self.protocol != "-1" and not (
            self.from_port is not None and self.to_port is not None and self.from_port <= port <= self.to_port
        ):
            return False
        if self.group_id is not None:
            return self.group_id in group_ids
        return self.cidr is not None and ipaddress.ip_address(address) in ipaddress.ip_network(self.cidr)

    def describe(self) -> str:
        ports = "all traffic" if self.protocol == "-1" else f"{self.protocol} {_ports(self)}"
        peer = self.group_id or self.cidr or "?"
        return f"{ports} {'from' if self.direction == 'ingress' else 'to'} {peer}"


def _ports(rule: Rule) -> str:
    if rule.from_port == rule.to_port:
        return f"port {rule.from_port}"
    return f"ports {rule.from_port}-{rule.to_port}"


@dataclass
class Vpc:
    vpc_id: str
    cidr: str
    is_default: bool = False
    dns_support: bool = True
    dns_hostnames: bool = False
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Subnet:
    subnet_id: str
    vpc_id: str
    cidr: str
    zone: str
    map_public_ip: bool = False
    default_for_az: bool = False
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def first_host(self) -> str:
        """An address a resource in this subnet could have: the first after the four AWS reserves."""
        return str(ipaddress.ip_network(self.cidr).network_address + 4)


@dataclass
class RouteTable:
    route_table_id: str
    vpc_id: str
    main: bool = False
    routes: list[Route] = field(default_factory=list)
    subnet_ids: dict[str, str] = field(default_factory=dict)  # subnet id -> association id
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class InternetGateway:
    igw_id: str
    vpc_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class Address:
    """An Elastic IP address."""

    allocation_id: str
    public_ip: str
    association: str | None = None  # the NAT gateway using it
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class NatGateway:
    nat_id: str
    subnet_id: str
    vpc_id: str
    created: datetime
    connectivity: Literal["public", "private"] = "public"
    allocation_id: str | None = None
    state: Literal["pending", "available", "deleting", "deleted"] = "available"
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class SecurityGroup:
    group_id: str
    name: str
    description: str
    vpc_id: str
    ingress: list[Rule] = field(default_factory=list)
    egress: list[Rule] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EndpointPolicy:
    """A VPC endpoint policy as written and as parsed (a resource-based policy that takes part in every
    decision for a request through the endpoint)."""

    document: str
    policy: Policy


@dataclass
class VpcEndpoint:
    endpoint_id: str
    vpc_id: str
    service_name: str
    endpoint_type: EndpointType
    created: datetime
    policy: EndpointPolicy
    subnet_ids: list[str] = field(default_factory=list)
    group_ids: list[str] = field(default_factory=list)
    route_table_ids: list[str] = field(default_factory=list)
    private_dns: bool = False
    state: str = "available"
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def prefix_list_id(self) -> str:
        """The prefix list a gateway endpoint's routes name (one per service and Region in AWS)."""
        return "pl-63a5400a" if self.service_name.endswith(".s3") else "pl-02cd2c6b"


@dataclass
class Instance:
    """An EC2 instance: where it sits in the network, the instance profile it carries, and its own docker
    machine (made the first time someone works on it), which is copied with it."""

    instance_id: str
    image_id: str
    instance_type: str
    subnet_id: str
    vpc_id: str
    zone: str
    group_ids: tuple[str, ...]
    private_ip: str
    launched: datetime
    public_ip: str | None = None
    profile_arn: str | None = None  # the instance profile's ARN
    profile_id: str | None = None
    state: Literal["running", "terminated"] = "running"
    launch_index: int = 0
    reservation_id: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    docker: DockerMachine | None = None

    def copy(self) -> Instance:
        clone = object.__new__(Instance)
        clone.__dict__.update(self.__dict__)
        clone.tags = dict(self.tags)
        clone.docker = self.docker.copy() if self.docker is not None else None
        return clone


_Record = Any


def _copied(record: _Record) -> _Record:
    """A copy whose lists and dicts are its own (their items are frozen or plain values)."""
    clone = object.__new__(type(record))
    clone.__dict__.update(
        {
            key: value.copy() if isinstance(value, (list, dict)) else value
            for key, value in record.__dict__.items()
        }
    )
    return clone


@dataclass
class Network:
    """Everything the EC2 API made in one account and Region, by id."""

    account_id: str
    region: str
    vpcs: dict[str, Vpc] = field(default_factory=dict)
    subnets: dict[str, Subnet] = field(default_factory=dict)
    route_tables: dict[str, RouteTable] = field(default_factory=dict)
    internet_gateways: dict[str, InternetGateway] = field(default_factory=dict)
    addresses: dict[str, Address] = field(default_factory=dict)
    nat_gateways: dict[str, NatGateway] = field(default_factory=dict)
    security_groups: dict[str, SecurityGroup] = field(default_factory=dict)
    endpoints: dict[str, VpcEndpoint] = field(default_factory=dict)
    instances: dict[str, Instance] = field(default_factory=dict)
    addresses_allocated: int = 0

    def copy(self) -> Network:
        return Network(
            account_id=self.account_id,
            region=self.region,
            addresses_allocated=self.addresses_allocated,
            instances={key: instance.copy() for key, instance in self.instances.items()},
            **{
                name: {key: _copied(record) for key, record in getattr(self, name).items()}
                for name in _COLLECTIONS
            },
        )

    def route_table_of(self, subnet: Subnet) -> RouteTable | None:
        """The subnet's explicitly associated route table, else its VPC's main route table."""
        tables = [table for table in self.route_tables.values() if table.vpc_id == subnet.vpc_id]
        explicit = next((table for table in tables if subnet.subnet_id in table.subnet_ids), None)
        return explicit or next((table for table in tables if table.main), None)

    def route_state(self, route: Route, vpc_id: str) -> Literal["active", "blackhole"]:
        """`blackhole` when the route's target isn't available: "the specified gateway isn't attached to
        the VPC, or the specified NAT instance has been terminated" (EC2 API reference, Route: state), as an
        internet gateway detached or deleted, or a NAT gateway deleted. Traffic the route matches is
        dropped: a blackhole route does not fall back to a less specific one."""
        if route.target == "igw":
            gateway = self.internet_gateways.get(route.target_id)
            return "active" if gateway is not None and gateway.vpc_id == vpc_id else "blackhole"
        if route.target == "nat":
            nat = self.nat_gateways.get(route.target_id)
            return "active" if nat is not None and nat.state in ("pending", "available") else "blackhole"
        return "active"

    def in_vpc(self, collection: dict[str, _Record], vpc_id: str) -> list[_Record]:
        return [record for record in collection.values() if record.vpc_id == vpc_id]


_COLLECTIONS = (
    "vpcs",
    "subnets",
    "route_tables",
    "internet_gateways",
    "addresses",
    "nat_gateways",
    "security_groups",
    "endpoints",
)

IdMaker = Callable[[str], str]


def add_vpc(network: Network, make_id: IdMaker, cidr: str, *, is_default: bool = False) -> Vpc:
    """A VPC with what AWS creates with every VPC: its main route table (one local route), its default
    security group (all traffic in from itself, all traffic out), and its default network ACL (not
    modelled: it allows everything)."""
    vpc = Vpc(make_id("vpc-"), cidr, is_default=is_default, dns_hostnames=is_default)
    network.vpcs[vpc.vpc_id] = vpc
    table = RouteTable(make_id("rtb-"), vpc.vpc_id, main=True, routes=[Route(cidr, "local", "local")])
    network.route_tables[table.route_table_id] = table
    group = SecurityGroup(make_id("sg-"), "default", "default VPC security group", vpc.vpc_id)
    group.ingress.append(Rule(make_id("sgr-"), "ingress", "-1", None, None, group_id=group.group_id))
    group.egress.append(Rule(make_id("sgr-"), "egress", "-1", None, None, cidr=ANYWHERE))
    network.security_groups[group.group_id] = group
    return vpc


def add_default_vpc(network: Network, make_id: IdMaker) -> None:
    """The default VPC, as every account has it in every Region (see DEFAULT_VPC_CIDR)."""
    vpc = add_vpc(network, make_id, DEFAULT_VPC_CIDR, is_default=True)
    gateway = InternetGateway(make_id("igw-"), vpc.vpc_id)
    network.internet_gateways[gateway.igw_id] = gateway
    main = next(table for table in network.route_tables.values() if table.vpc_id == vpc.vpc_id)
    main.routes.append(Route(ANYWHERE, "igw", gateway.igw_id))
    for index, zone in enumerate(DEFAULT_ZONES):
        subnet = Subnet(
            make_id("subnet-"),
            vpc.vpc_id,
            f"172.31.{index * 16}.0/20",
            f"{network.region}{zone}",
            map_public_ip=True,
            default_for_az=True,
        )
        network.subnets[subnet.subnet_id] = subnet

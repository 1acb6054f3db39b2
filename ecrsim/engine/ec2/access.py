"""What every EC2 operation here shares: the caller's network, EC2-style ids, authorization as
`ec2:ACTION` on the resource's ARN (Service Authorization Reference, Amazon EC2; `TYPE/*` for what does not
exist yet), tags, lookups that fail with EC2's NotFound codes, CIDR checks and Describe* filters.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ecrsim.engine.api import Call
from ecrsim.engine.ec2.model import (
    InternetGateway,
    Network,
    RouteTable,
    SecurityGroup,
    Subnet,
    Vpc,
    add_default_vpc,
)
from ecrsim.engine.errors import ServiceError

_HEX = "0123456789abcdef"


def network(call: Call, region: str | None = None) -> Network:
    """The caller's network in the call's Region, made with its default VPC on first use."""
    account = call.world.accounts[call.caller.account_id or ""]
    region = region or call.region
    found = account.networks.get(region)
    if found is None:
        found = account.networks[region] = Network(account.id, region)
        add_default_vpc(found, lambda prefix: make_id(call, prefix))
    return found


def make_id(call: Call, prefix: str) -> str:
    """An EC2-style id, `vpc-0` and 16 more hex digits, deterministic like every id in the world."""
    return call.world.make_id(prefix + "0", 16, _HEX)


def arn(call: Call, kind: str, resource_id: str = "*") -> str:
    return f"arn:aws:ec2:{call.region}:{call.caller.account_id}:{kind}/{resource_id}"


def authorize(call: Call, action: str, kind: str, resource_id: str = "*") -> None:
    call.authorize(f"ec2:{action}", arn(call, kind, resource_id))


def tags_of(params: dict[str, Any], resource_type: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for spec in params.get("TagSpecifications") or []:
        if spec.get("ResourceType", resource_type) == resource_type:
            tags.update({tag["Key"]: tag.get("Value", "") for tag in spec.get("Tags") or []})
    return tags


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def lookup(collection: dict[str, Any], resource_id: str, error: ServiceError) -> Any:
    record = collection.get(resource_id)
    if record is None:
        raise error
    return record


def not_found(code: str, kind: str, resource_id: str) -> ServiceError:
    return ServiceError(code, f"The {kind} ID '{resource_id}' does not exist")


def find_vpc(call: Call, vpc_id: str) -> Vpc:
    return lookup(network(call).vpcs, vpc_id, not_found("InvalidVpcID.NotFound", "vpc", vpc_id))


def find_subnet(call: Call, subnet_id: str) -> Subnet:
    return lookup(
        network(call).subnets, subnet_id, not_found("InvalidSubnetID.NotFound", "subnet", subnet_id)
    )


def find_route_table(call: Call, table_id: str) -> RouteTable:
    error = not_found("InvalidRouteTableID.NotFound", "routeTable", table_id)
    return lookup(network(call).route_tables, table_id, error)


def find_gateway(call: Call, igw_id: str) -> InternetGateway:
    error = not_found("InvalidInternetGatewayID.NotFound", "internetGateway", igw_id)
    return lookup(network(call).internet_gateways, igw_id, error)


def find_group(call: Call, group_id: str) -> SecurityGroup:
    error = ServiceError("InvalidGroup.NotFound", f"The security group '{group_id}' does not exist")
    return lookup(network(call).security_groups, group_id, error)


def canonical_cidr(value: str, low: int, high: int, code: str) -> str:
    """A canonical IPv4 CIDR with a netmask between /low and /high (VPC user guide, "VPC CIDR blocks")."""
    try:
        block = ipaddress.IPv4Network(value, strict=False)
    except ValueError:
        raise ServiceError(
            "InvalidParameterValue",
            f"Value ({value}) for parameter cidrBlock is invalid. This is not a valid CIDR block.",
        ) from None
    if not low <= block.prefixlen <= high:
        raise ServiceError(code, f"The CIDR '{value}' is invalid.")
    return str(block)


def filtered(
    records: Mapping[str, Any],
    params: dict[str, Any],
    ids_key: str,
    fields: Mapping[str, Callable[[Any], Iterable[str]]],
    missing: Callable[[str], ServiceError],
    filters_key: str = "Filters",
) -> list[Any]:
    """Describe* selection among `records` (by id): the ids asked for (each must exist), then the filters
    under `filters_key` (the request member the operation's model names: `Filter` for DescribeNatGateways,
    `Filters` elsewhere). Every filter must hold; any of a filter's values may match."""
    wanted = params.get(ids_key) or []
    for resource_id in wanted:
        if resource_id not in records:
            raise missing(resource_id)
    chosen = [record for resource_id, record in records.items() if not wanted or resource_id in wanted]
    for spec in params.get(filters_key) or []:
        name, patterns = spec.get("Name", ""), [_pattern(v) for v in spec.get("Values") or []]
        field = _filter_field(name, fields)
        chosen = [record for record in chosen if any(p.fullmatch(v) for p in patterns for v in field(record))]
    return chosen


def _filter_field(
    name: str, fields: Mapping[str, Callable[[Any], Iterable[str]]]
) -> Callable[[Any], Iterable[str]]:
    """What filter `name` reads of a record: `tag:KEY` the tag's value, `tag-key` the tags' keys (EC2 API
    reference, on every Describe* with tags), or the operation's own filter; an unknown name is refused."""
    if name.startswith("tag:"):
        key = name[4:]
        return lambda record: [record.tags[key]] if key in record.tags else []
    if name == "tag-key":
        return lambda record: list(record.tags)
    field = fields.get(name)
    if field is None:
        raise ServiceError("InvalidParameterValue", f"The filter '{name}' is invalid")
    return field


def _pattern(value: str) -> re.Pattern[str]:
    """A filter value as a pattern: values are case-sensitive, and "* specifies that zero or more characters
    must match, and ? specifies that exactly one character must match. Use a backslash to escape special
    characters" (EC2 API reference, Filter)."""
    parts = []
    escaped = False
    for char in value:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "*?":
            parts.append(".*" if char == "*" else ".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)

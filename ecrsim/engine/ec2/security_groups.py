"""Security groups and their rules: what a network interface lets in and out."""

from __future__ import annotations

from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ec2.access import (
    arn,
    authorize,
    canonical_cidr,
    find_group,
    find_vpc,
    make_id,
    network,
    tag_list,
    tags_of,
)
from ecrsim.engine.ec2.describe import described
from ecrsim.engine.ec2.model import ANYWHERE, Rule, SecurityGroup
from ecrsim.engine.errors import ServiceError


# -- security groups -----------------------------------------------------------------------------------------
def _show_permission(rule: Rule) -> dict[str, Any]:
    shown: dict[str, Any] = {"IpProtocol": rule.protocol}
    if rule.protocol != "-1":
        shown.update(FromPort=rule.from_port, ToPort=rule.to_port)
    shown["UserIdGroupPairs"] = [{"GroupId": rule.group_id}] if rule.group_id else []
    shown["IpRanges"] = [{"CidrIp": rule.cidr}] if rule.cidr else []
    shown["Ipv6Ranges"] = []
    shown["PrefixListIds"] = []
    return shown


def _show_group(call: Call, group: SecurityGroup) -> dict[str, Any]:
    return {
        "GroupId": group.group_id,
        "IpPermissionsEgress": [_show_permission(rule) for rule in group.egress],
        "VpcId": group.vpc_id,
        "SecurityGroupArn": arn(call, "security-group", group.group_id),
        "OwnerId": call.caller.account_id,
        "GroupName": group.name,
        "Description": group.description,
        "IpPermissions": [_show_permission(rule) for rule in group.ingress],
        **({"Tags": tag_list(group.tags)} if group.tags else {}),
    }


@operation("ec2", "CreateSecurityGroup")
def create_security_group(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    net = network(call)
    vpc_id = params.get("VpcId") or next(vpc.vpc_id for vpc in net.vpcs.values() if vpc.is_default)
    vpc = find_vpc(call, vpc_id)
    authorize(call, "CreateSecurityGroup", "security-group")
    name = params["GroupName"]
    if any(group.name == name for group in net.in_vpc(net.security_groups, vpc.vpc_id)):
        raise ServiceError(
            "InvalidGroup.Duplicate", f"The security group '{name}' already exists for VPC '{vpc.vpc_id}'"
        )
    group = SecurityGroup(
        make_id(call, "sg-"), name, params["Description"], vpc.vpc_id, tags=tags_of(params, "security-group")
    )
    # A new group allows all outbound traffic and no inbound traffic (VPC user guide, "Security groups").
    group.egress.append(Rule(make_id(call, "sgr-"), "egress", "-1", None, None, cidr=ANYWHERE))
    net.security_groups[group.group_id] = group
    return {"GroupId": group.group_id, "SecurityGroupArn": arn(call, "security-group", group.group_id)}


SECURITY_GROUPS = described(
    ("DescribeSecurityGroups", "security-group", "security_groups", "GroupIds", "SecurityGroups"),
    _show_group,
    {"vpc-id": "vpc_id", "group-name": "name", "group-id": "group_id"},
    ("InvalidGroup.NotFound", "The security group '{}' does not exist"),
)


@operation("ec2", "DeleteSecurityGroup")
def delete_security_group(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    net = network(call)
    group = find_group(call, params.get("GroupId") or "")
    authorize(call, "DeleteSecurityGroup", "security-group", group.group_id)
    if group.name == "default":
        raise ServiceError(
            "CannotDelete",
            f'the specified group: "{group.group_id}" name: "default" cannot be deleted by a user',
        )
    referenced = any(group.group_id in endpoint.group_ids for endpoint in net.endpoints.values())
    referenced = referenced or any(
        rule.group_id == group.group_id
        for other in net.security_groups.values()
        if other is not group
        for rule in (*other.ingress, *other.egress)
    )
    if referenced:
        raise ServiceError("DependencyViolation", f"resource {group.group_id} has a dependent object")
    del net.security_groups[group.group_id]
    return {}


def _rules(call: Call, params: dict[str, Any], direction: str) -> list[Rule]:
    """The rules an Authorize/Revoke call names: `--protocol --port --cidr` or `--ip-permissions`."""
    permissions = params.get("IpPermissions")
    if permissions is None:
        port = params.get("FromPort"), params.get("ToPort")
        permissions = [
            {
                "IpProtocol": params.get("IpProtocol") or "-1",
                "FromPort": port[0],
                "ToPort": port[1],
                "IpRanges": [{"CidrIp": params["CidrIp"]}] if params.get("CidrIp") else [],
                "UserIdGroupPairs": [{"GroupId": params["SourceSecurityGroupId"]}]
                if params.get("SourceSecurityGroupId")
                else [],
            }
        ]
    rules = []
    for permission in permissions:
        protocol = str(permission.get("IpProtocol") or "-1").lower()
        protocol = {"6": "tcp", "17": "udp", "1": "icmp", "all": "-1"}.get(protocol, protocol)
        if protocol not in ("-1", "tcp", "udp", "icmp"):
            raise ServiceError(
                "InvalidParameterValue", f"Invalid value '{protocol}' for IP protocol. Unknown protocol."
            )
        ports = (None, None) if protocol == "-1" else (permission.get("FromPort"), permission.get("ToPort"))
        if protocol in ("tcp", "udp") and None in ports:
            raise ServiceError(
                "InvalidParameterValue",
                "Invalid value 'Must specify both from and to ports "
                "with TCP/UDP.' for portRange. Invalid port range.",
            )
        peers = [(r.get("CidrIp"), None) for r in permission.get("IpRanges") or []]
        peers += [
            (None, find_group(call, g.get("GroupId") or "").group_id)
            for g in permission.get("UserIdGroupPairs") or []
        ]
        if not peers:
            raise ServiceError("MissingParameter", "The request must contain the parameter ipPermissions")
        for cidr, group_id in peers:
            canonical = canonical_cidr(cidr, 0, 32, "InvalidParameterValue") if cidr else None
            rules.append(
                Rule(
                    make_id(call, "sgr-"),
                    direction,
                    protocol,
                    ports[0],
                    ports[1],  # type: ignore[arg-type]
                    canonical,
                    group_id,
                )
            )
    return rules


def _same_rule(a: Rule, b: Rule) -> bool:
    return (a.protocol, a.from_port, a.to_port, a.cidr, a.group_id) == (
        b.protocol,
        b.from_port,
        b.to_port,
        b.cidr,
        b.group_id,
    )


def _authorize_rules(call: Call, params: dict[str, Any], direction: str, action: str) -> dict[str, Any]:
    group = find_group(call, params.get("GroupId") or "")
    authorize(call, action, "security-group", group.group_id)
    existing = group.ingress if direction == "ingress" else group.egress
    added = _rules(call, params, direction)
    for rule in added:
        if any(_same_rule(rule, old) for old in existing):
            peer = rule.cidr or rule.group_id
            raise ServiceError(
                "InvalidPermission.Duplicate",
                f'the specified rule "peer: {peer}, '
                f"{rule.protocol.upper()}, from port: {rule.from_port}, to port: {rule.to_port}, "
                'ALLOW" already exists',
            )
    existing.extend(added)
    return {
        "Return": True,
        "SecurityGroupRules": [
            {
                "SecurityGroupRuleId": rule.rule_id,
                "GroupId": group.group_id,
                "GroupOwnerId": call.caller.account_id,
                "IsEgress": direction == "egress",
                "IpProtocol": rule.protocol,
                "FromPort": -1 if rule.from_port is None else rule.from_port,
                "ToPort": -1 if rule.to_port is None else rule.to_port,
                **(
                    {"CidrIpv4": rule.cidr}
                    if rule.cidr
                    else {"ReferencedGroupInfo": {"GroupId": rule.group_id}}
                ),
                "SecurityGroupRuleArn": arn(call, "security-group-rule", rule.rule_id),
            }
            for rule in added
        ],
    }


def _revoke_rules(call: Call, params: dict[str, Any], direction: str, action: str) -> dict[str, Any]:
    group = find_group(call, params.get("GroupId") or "")
    authorize(call, action, "security-group", group.group_id)
    existing = group.ingress if direction == "ingress" else group.egress
    for rule in _rules(call, params, direction):
        match = next((old for old in existing if _same_rule(rule, old)), None)
        if match is None:
            raise ServiceError(
                "InvalidPermission.NotFound", "The specified rule does not exist in this security group."
            )
        existing.remove(match)
    return {"Return": True}


@operation("ec2", "AuthorizeSecurityGroupIngress")
def authorize_security_group_ingress(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    return _authorize_rules(call, params, "ingress", "AuthorizeSecurityGroupIngress")


@operation("ec2", "AuthorizeSecurityGroupEgress")
def authorize_security_group_egress(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    return _authorize_rules(call, params, "egress", "AuthorizeSecurityGroupEgress")


@operation("ec2", "RevokeSecurityGroupIngress")
def revoke_security_group_ingress(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    return _revoke_rules(call, params, "ingress", "RevokeSecurityGroupIngress")


@operation("ec2", "RevokeSecurityGroupEgress")
def revoke_security_group_egress(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    return _revoke_rules(call, params, "egress", "RevokeSecurityGroupEgress")

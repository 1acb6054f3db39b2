"""EC2 instances, as far as a build server meets ECR: RunInstances (an AMI id, a type, a subnet, security
groups, an instance profile), DescribeInstances and TerminateInstances, with EC2's shapes and errors.

An instance gets a public IPv4 address when its subnet's MapPublicIpOnLaunch says so (VPC user guide, "IP
addressing for your VPCs and subnets"). Launching with an instance profile needs iam:PassRole on its role
("Using an IAM role to grant permissions to applications running on Amazon EC2 instances", IAM user
guide). The simulator boots an instance at once: RunInstances answers `pending`, as EC2 does, and the
instance is `running` from then on (AWS gives no fixed boot time; no lesson here depends on it).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from ecrsim.engine.api import Call, operation
from ecrsim.engine.ec2.access import (
    authorize,
    filtered,
    find_group,
    find_subnet,
    make_id,
    network,
    tag_list,
    tags_of,
)
from ecrsim.engine.ec2.model import Instance, Network
from ecrsim.engine.errors import ServiceError
from ecrsim.engine.iam import InstanceProfile

# Public addresses instances get, from TEST-NET-1 (RFC 5737) after the one ECS tasks use (192.0.2.10).
_PUBLIC_BASE = ipaddress.ip_address("192.0.2.20")
_STATES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48}


def _state(name: str) -> dict[str, Any]:
    return {"Code": _STATES[name], "Name": name}


def _show(call: Call, net: Network, instance: Instance, state: str | None = None) -> dict[str, Any]:
    groups = [
        {"GroupId": g, "GroupName": net.security_groups[g].name}
        for g in instance.group_ids
        if g in net.security_groups
    ]
    dns = f"ip-{instance.private_ip.replace('.', '-')}.ec2.internal"
    running = instance.state == "running"
    shown: dict[str, Any] = {
        "AmiLaunchIndex": instance.launch_index,
        "ImageId": instance.image_id,
        "InstanceId": instance.instance_id,
        "InstanceType": instance.instance_type,
        "LaunchTime": instance.launched,
        "Monitoring": {"State": "disabled"},
        "Placement": {"AvailabilityZone": instance.zone, "GroupName": "", "Tenancy": "default"},
        "PrivateDnsName": dns if running else "",
        "PrivateIpAddress": instance.private_ip,
        "PublicDnsName": "",
        **({"PublicIpAddress": instance.public_ip} if instance.public_ip and running else {}),
        "State": _state(state or instance.state),
        "SubnetId": instance.subnet_id,
        "VpcId": instance.vpc_id,
        "Architecture": "x86_64",
        **(
            {"IamInstanceProfile": {"Arn": instance.profile_arn, "Id": instance.profile_id}}
            if instance.profile_arn
            else {}
        ),
        "SecurityGroups": groups,
        **({"Tags": tag_list(instance.tags)} if instance.tags else {}),
    }
    return shown


def _profile(call: Call, spec: dict[str, Any]) -> InstanceProfile:
    """The instance profile `IamInstanceProfile` names (Name or Arn), in the caller's account."""
    account = call.world.accounts[call.caller.account_id or ""]
    name = spec.get("Name") or (spec.get("Arn") or "").rsplit("/", 1)[-1]
    profile = account.instance_profiles.get(name)
    if profile is None or (spec.get("Arn") and spec["Arn"] != profile.arn):
        field, value = ("name", spec.get("Name")) if spec.get("Name") else ("arn", spec.get("Arn"))
        raise ServiceError(
            "InvalidParameterValue",
            f"Value ({value}) for parameter iamInstanceProfile.{field} is invalid."
            f" Invalid IAM Instance Profile {field}",
        )
    return profile


@operation("ec2", "RunInstances")
def run_instances(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    authorize(call, "RunInstances", "instance")
    image_id = params.get("ImageId") or ""
    if not image_id.startswith("ami-"):
        raise ServiceError("InvalidAMIID.Malformed", f'Invalid id: "{image_id}" (expecting "ami-...")')
    net = network(call)
    if params.get("SubnetId"):
        subnet = find_subnet(call, params["SubnetId"])
    else:  # EC2 launches into a default subnet of the default VPC
        subnet = next(s for s in net.subnets.values() if s.default_for_az)
    group_ids = tuple(params.get("SecurityGroupIds") or ())
    for group_id in group_ids:
        if find_group(call, group_id).vpc_id != subnet.vpc_id:
            raise ServiceError(
                "InvalidParameter",
                f"Security group {group_id} and subnet {subnet.subnet_id} belong to different networks.",
            )
    if not group_ids:  # the VPC's default security group
        group_ids = tuple(
            g.group_id for g in net.in_vpc(net.security_groups, subnet.vpc_id) if g.name == "default"
        )
    profile = _profile(call, params["IamInstanceProfile"]) if params.get("IamInstanceProfile") else None
    if profile is not None:
        for role_name in profile.roles:
            role_arn = call.world.accounts[call.caller.account_id or ""].roles[role_name].arn
            call.authorize("iam:PassRole", role_arn, context={"iam:PassedToService": "ec2.amazonaws.com"})
    count = int(params.get("MinCount") or 1)
    reservation = "r-0" + make_id(call, "")[1:]
    launched = []
    for index in range(count):
        in_subnet = sum(1 for i in net.instances.values() if i.subnet_id == subnet.subnet_id)
        private_ip = str(ipaddress.ip_network(subnet.cidr).network_address + 4 + in_subnet)
        public_ip = None
        if subnet.map_public_ip:
            public_ip = str(_PUBLIC_BASE + sum(1 for i in net.instances.values() if i.public_ip))
        instance = Instance(
            make_id(call, "i-"),
            image_id,
            params.get("InstanceType") or "m1.small",
            subnet.subnet_id,
            subnet.vpc_id,
            subnet.zone,
            group_ids,
            private_ip,
            call.now,
            public_ip,
            profile.arn if profile else None,
            profile.profile_id if profile else None,
            launch_index=index,
            reservation_id=reservation,
            tags=tags_of(params, "instance"),
        )
        net.instances[instance.instance_id] = instance
        launched.append(instance)
        call.resource = f"arn:aws:ec2:{call.region}:{call.caller.account_id}:instance/{instance.instance_id}"
    return {
        "Groups": [],
        "Instances": [_show(call, net, i, "pending") for i in launched],
        "OwnerId": call.caller.account_id,
        "ReservationId": reservation,
    }


@operation("ec2", "DescribeInstances")
def describe_instances(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    authorize(call, "DescribeInstances", "instance")
    net = network(call)

    def missing(instance_id: str) -> ServiceError:
        return ServiceError("InvalidInstanceID.NotFound", f"The instance ID '{instance_id}' does not exist")

    chosen = filtered(
        net.instances,
        params,
        "InstanceIds",
        {
            "instance-id": lambda i: [i.instance_id],
            "instance-state-name": lambda i: [i.state],
            "subnet-id": lambda i: [i.subnet_id],
            "vpc-id": lambda i: [i.vpc_id],
            "iam-instance-profile.arn": lambda i: [i.profile_arn or ""],
        },
        missing,
    )
    reservations: dict[str, list[Instance]] = {}
    for instance in chosen:
        reservations.setdefault(instance.reservation_id, []).append(instance)
    return {
        "Reservations": [
            {
                "Groups": [],
                "Instances": [_show(call, net, i) for i in members],
                "OwnerId": call.caller.account_id,
                "ReservationId": reservation,
            }
            for reservation, members in reservations.items()
        ]
    }


@operation("ec2", "TerminateInstances")
def terminate_instances(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    net = network(call)
    changes = []
    for instance_id in params.get("InstanceIds") or []:
        authorize(call, "TerminateInstances", "instance", instance_id)
        instance = net.instances.get(instance_id)
        if instance is None:
            raise ServiceError(
                "InvalidInstanceID.NotFound", f"The instance ID '{instance_id}' does not exist"
            )
        before = instance.state
        instance.state = "terminated"
        changes.append(
            {
                "CurrentState": _state("terminated" if before == "terminated" else "shutting-down"),
                "InstanceId": instance_id,
                "PreviousState": _state(before),
            }
        )
    return {"TerminatingInstances": changes}

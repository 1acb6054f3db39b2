"""The AWS CLI's short options for security group rules: `--protocol tcp --port 443 --cidr 10.0.0.0/16`.

The EC2 API takes a rule as `IpPermissions`; the CLI adds `--protocol`, `--port`, `--cidr`,
`--source-group` and `--group-owner` to the four authorize/revoke commands and builds the one permission
they describe (aws-cli, customizations/ec2/secgroupsimplify.py). A mistake in them is an error the CLI
raises while building the request, which it reports with exit status 255.
"""

from __future__ import annotations

from typing import Any

from ecrsim.errors import EcrsimError

OPERATIONS = frozenset(
    {
        "authorize-security-group-ingress",
        "authorize-security-group-egress",
        "revoke-security-group-ingress",
        "revoke-security-group-egress",
    }
)
OPTIONS = ("--protocol", "--port", "--cidr", "--source-group", "--group-owner")
ERROR_STATUS = 255


class RuleOptionError(EcrsimError):
    """One of the short options cannot be turned into a permission; the text is the CLI's."""


def options_for(service: str, cli_name: str) -> tuple[str, ...]:
    return OPTIONS if service == "ec2" and cli_name in OPERATIONS else ()


def add_permission(params: dict[str, Any], given: dict[str, str]) -> None:
    """Put the permission the short options in `given` describe into `params` as `IpPermissions`."""
    used = [option for option in OPTIONS if given.get(option)]
    if not used:
        return
    if params.get("IpPermissions"):
        raise RuleOptionError(f"The {used[0]} option is not compatible with the --ip-permissions option ")
    permission: dict[str, Any] = {}
    if given.get("--protocol"):
        permission["IpProtocol"] = _protocol(given["--protocol"])
    if given.get("--port"):
        permission["FromPort"], permission["ToPort"] = _ports(given["--port"])
    if given.get("--cidr"):
        permission["IpRanges"] = [{"CidrIp": given["--cidr"]}]
    pair: dict[str, str] = {}
    if given.get("--source-group"):
        group = given["--source-group"]
        pair["GroupId" if group.startswith("sg-") else "GroupName"] = group
    if given.get("--group-owner"):
        pair["UserId"] = given["--group-owner"]
    if pair:
        permission["UserIdGroupPairs"] = [pair]
    params["IpPermissions"] = [permission]


def _protocol(value: str) -> str:
    try:
        number = int(value)
    except ValueError:
        if value not in ("tcp", "udp", "icmp", "all"):
            raise RuleOptionError(
                "protocol parameter should be one of: tcp|udp|icmp|all or any valid protocol number."
            ) from None
        return "-1" if value == "all" else value
    if not (0 <= number <= 255 or number == -1):
        raise RuleOptionError("protocol numbers must be in the range 0-255 or -1 to specify all protocols")
    return value


def _ports(value: str) -> tuple[int, int]:
    low, _, high = value.partition("-") if value not in ("-1", "all") else ("-1", "", "-1")
    try:
        return int(low), int(high or low)
    except ValueError:
        raise RuleOptionError("port parameter should be of the form <from[-to]> (e.g. 22 or 22-25)") from None

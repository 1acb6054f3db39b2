"""The AWS CLI's `--count` on `aws ec2 run-instances`.

The EC2 API requires MinCount and MaxCount; the CLI fills both from `--count N` or `--count MIN:MAX`, one
instance by default, so neither is required on the command line (aws-cli,
customizations/ec2/runinstances.py).
"""

from __future__ import annotations

from typing import Any

from ecrsim.errors import EcrsimError

OPTIONS = ("--count",)
FILLED = ("MinCount", "MaxCount")


class CountError(EcrsimError):
    """`--count` is not N or MIN:MAX."""


def applies(service: str, cli_name: str) -> bool:
    return service == "ec2" and cli_name == "run-instances"


def add_count(params: dict[str, Any], given: dict[str, str]) -> None:
    """MinCount and MaxCount from `--count` (default 1), unless the command line gave them."""
    low, _, high = given.get("--count", "1").partition(":")
    try:
        counts = int(low), int(high or low)
    except ValueError:
        raise CountError(
            f"count parameter should be of the form <min>[:<max>] (got {given['--count']})"
        ) from None
    params.setdefault("MinCount", counts[0])
    params.setdefault("MaxCount", counts[1])

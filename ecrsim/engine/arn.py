"""The one ARN parser: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, split once, typed.

AWS's format (IAM User Guide, "IAM identifiers", and the AWS General Reference, "Amazon Resource Names"):
six colon-separated fields, the last of which may itself hold colons or slashes (`repository/team/web`,
`assumed-role/deploy/session`, `log-group:/aws/x:*`). Every part of ecrsim that needs an account, a
Region or a resource out of an ARN asks `parse_arn`, so no two places read one differently.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Arn:
    partition: str  # aws, aws-cn, aws-us-gov
    service: str  # ecr, iam, sts, ec2, ...
    region: str  # "" for global services (IAM, STS principals)
    account: str  # "" where AWS leaves it out; "aws" for AWS managed policies
    resource: str  # everything after the fifth colon: "repository/team/web", "user/ci/alice", "root"

    @property
    def resource_type(self) -> str:
        """The resource's type: `repository`, `user`, `role`, `assumed-role`, `policy`; `root` for an
        account's root user."""
        return self.resource.split("/", 1)[0].split(":", 1)[0]

    @property
    def resource_id(self) -> str:
        """What follows the type: a repository's full name (`team/web`), or an IAM path and name
        (`ci/alice`); "" when there is nothing after it."""
        separator = next((char for char in self.resource if char in "/:"), "")
        return self.resource.partition(separator)[2] if separator else ""

    @property
    def name(self) -> str:
        """An IAM entity's or policy's name: the id's last segment (`alice` of `user/ci/alice`); for an
        assumed role, the role's name (`deploy` of `assumed-role/deploy/session`)."""
        if self.resource_type == "assumed-role":
            return self.resource_id.split("/", 1)[0]
        return self.resource_id.rsplit("/", 1)[-1]

    @property
    def path(self) -> str:
        """An IAM entity's or policy's path: `/ci/` of `user/ci/alice`, `/` of `user/alice`."""
        head, slash, _ = self.resource_id.rpartition("/")
        return f"/{head}/" if slash else "/"

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


@lru_cache(maxsize=4096)
def parse_arn(text: str) -> Arn | None:
    """`text` split into its six fields, or None when it has not six or does not start with `arn:`.
    No field is validated here (IAM's policy grammar judges an empty partition differently from a
    missing field): callers that need a service, a 12-digit account or a Region check it themselves."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])

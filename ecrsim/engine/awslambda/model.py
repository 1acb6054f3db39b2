"""A Lambda function packaged as a container image, and its states on the simulated clock.

Lambda optimizes an image before a function can run it: the function is `Pending` after CreateFunction,
and an update is `InProgress`, until that is done; then `Active` and `Successful` (Lambda developer guide,
"Lambda function states"). Lambda fetches the image from ECR again from time to time, and "if the
corresponding container image no longer exists on Amazon ECR or permissions are revoked, the function
enters the Failed state, and Lambda returns a failure for any function invocations" (developer guide,
"Invoking functions defined as container images").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# How long Lambda takes to optimize an image. AWS says "a few seconds"; the simulation takes 10, so that
# `sim advance 1m` shows the function Active.
OPTIMIZE = timedelta(seconds=10)


@dataclass
class LambdaFunction:
    name: str
    arn: str
    role: str
    image_uri: str  # as given: a tag or a digest
    resolved_uri: str  # REPOSITORY@sha256:...: Lambda translates a tag to its digest once
    last_modified: datetime
    ready_at: datetime  # when the image optimization ends
    revision: int = 1
    description: str = ""
    timeout: int = 3
    memory: int = 128
    state: str = "Pending"  # Pending, Active, Failed
    state_reason: str | None = "The function is being created."
    state_reason_code: str | None = "Creating"
    update_status: str | None = None  # InProgress, Successful, Failed (None until the first ready)
    update_reason: str | None = None
    update_reason_code: str | None = None

    @property
    def digest(self) -> str:
        return self.resolved_uri.rsplit("@", 1)[-1]

    def settle(self, now: datetime) -> None:
        """A creation or update whose image optimization has ended."""
        if now >= self.ready_at and (self.state == "Pending" or self.update_status == "InProgress"):
            self.state, self.state_reason, self.state_reason_code = "Active", None, None
            self.update_status, self.update_reason, self.update_reason_code = "Successful", None, None

    def fail(self, code: str, reason: str) -> None:
        self.state, self.state_reason, self.state_reason_code = "Failed", reason, code

"""How fast the policy engine decides: a caller with five identity policies of twenty statements each, all
with conditions, plus a repository policy. Every decision carries its full trace, as the world's do.

The engine remembers outcomes (whole decisions by their inputs, each statement's and condition's by the
context values it reads), so the figures differ by what is already remembered: the same request again;
a clock that moved (conditions on aws:CurrentTime are worked out again); policies seen for the first
time; and the first decision of a fresh process, with every compiled pattern forgotten too.

With `--managed NAME` the caller has that shipped AWS managed policy instead (e.g. PowerUserAccess, whose
NotAction statement every action is matched against): what attaching a managed policy costs each decision.

Run: python benchmarks/policy_eval.py [--seconds 3] [--managed NAME]
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from ecrsim.engine.policy.document import parse_identity_policy, parse_resource_policy
from ecrsim.engine.policy.evaluate import decide, forget
from ecrsim.engine.policy.managed import MANAGED_POLICY_NAMES, managed_policy
from ecrsim.engine.policy.types import NamedPolicy, Request

ACCOUNT = "111122223333"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
REPOSITORY = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/team/web-app"
CONDITIONS: list[dict[str, Any]] = [
    {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}},
    {"StringEquals": {"ecr:ResourceTag/team": "${aws:PrincipalTag/team}"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}},
    {"ForAllValues:StringLike": {"aws:TagKeys": ["team", "env-*"]}},
]


def identity_policy(number: int) -> NamedPolicy:
    statements = []
    for index in range(20):
        statements.append(
            {
                "Sid": f"P{number}S{index}",
                "Effect": "Deny" if index == 19 else "Allow",
                "Action": ["ecr:BatchGetImage", "ecr:Describe*", f"ecr:Get{index}*"]
                if index % 2
                else f"ecr:*Layer{index}",
                "Resource": f"arn:aws:ecr:*:{ACCOUNT}:repository/team/*" if index % 3 else "*",
                "Condition": CONDITIONS[index % len(CONDITIONS)]
                | ({"StringNotEquals": {"aws:username": "mallory"}} if index % 4 == 0 else {}),
            }
        )
    return NamedPolicy(
        f"policy-{number}", parse_identity_policy({"Version": "2012-10-17", "Statement": statements})
    )


REPOSITORY_POLICY = parse_resource_policy(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Pull", "Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": ["ecr:BatchGetImage"]},
            {"Sid": "Ci", "Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "ecr:*"},
            {
                "Sid": "OnlyOrg",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "ecr:*",
                "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-example"}},
            },
        ],
    }
)


def make_request(policies: tuple[NamedPolicy, ...]) -> Request:
    return Request(
        principal_arn=ALICE,
        action="ecr:BatchGetImage",
        resource_arn=REPOSITORY,
        identity_policies=policies,
        resource_policy=REPOSITORY_POLICY,
        context={
            "aws:SourceIp": "198.51.100.7",
            "aws:PrincipalTag/team": "payments",
            "ecr:ResourceTag/team": "payments",
            "aws:SecureTransport": "true",
            "aws:CurrentTime": "2026-01-05T09:00:00Z",
            "aws:PrincipalOrgID": "o-example",
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--managed", choices=MANAGED_POLICY_NAMES, metavar="NAME")
    args = parser.parse_args()
    seconds = args.seconds

    def policies() -> tuple[NamedPolicy, ...]:
        if args.managed is None:
            return tuple(identity_policy(n) for n in range(5))
        managed = managed_policy(args.managed)
        assert managed is not None
        return (NamedPolicy(managed.name, parse_identity_policy(managed.document)),)

    start = time.process_time()
    request = make_request(policies())
    print(f"policies parsed in {(time.process_time() - start) * 1e3:,.1f} ms")
    decision = decide(request)
    print(f"{len(decision.statements)} statements per decision, verdict {decision.verdict} ({decision.rule})")
    ticks = iter(range(10**9))

    def same() -> Request:
        return request

    def clock_moved() -> Request:
        """The world's clock advanced: every condition reading aws:CurrentTime must be evaluated again."""
        moment = datetime(2026, 1, 5, 9, tzinfo=timezone.utc) + timedelta(seconds=next(ticks))
        context = {**request.context, "aws:CurrentTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}
        return replace(request, context=context)

    def first_sight() -> Request:
        """Policies never decided before: freshly parsed (untimed), so no statement, condition or decision
        is remembered; the process has decided other requests, so compiled patterns may be."""
        return make_request(policies())

    def cold_process() -> Request:
        """As first sight, and every pattern, variable, date and address the engine (and `re`) ever
        compiled or parsed forgotten too: the very first decision a process makes."""
        fresh = first_sight()
        forget()
        re.purge()
        return fresh

    print("CPU time per decision (time.process_time, so other processes on the machine do not count):")
    measure("  the same request again (warm)", seconds, same)
    measure("  the clock moved since the last request", seconds, clock_moved)
    measure("  first sight of the policies (cold)", seconds, first_sight, limit=300)
    measure("  first sight in a fresh process (coldest)", seconds, cold_process, limit=300)


def measure(label: str, seconds: float, next_request: Callable[[], Request], limit: int = 10**9) -> None:
    """Only `decide` is timed; `limit` bounds the cases whose untimed preparation (parsing) is slow."""
    count = 0
    busy = 0.0
    while busy < seconds and count < limit:
        for _ in range(50):
            request = next_request()
            start = time.process_time()
            decide(request)
            busy += time.process_time() - start
        count += 50
    print(f"{label}: {count / busy:,.0f} decisions per second, {busy / count * 1e6:,.1f} µs per decision")


if __name__ == "__main__":
    main()

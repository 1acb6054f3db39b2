"""Agreement with an independent evaluator: ecrsim's policy engine against @cloud-copilot/iam-simulate on
seeded random requests, with identity policies, repository policies, SCPs and RCPs by organization level,
permissions boundaries and session policies.

It installs iam-simulate with npm into a temporary folder (network needed once per run), generates the
cases, decides each with both, and prints the agreement and every disagreement. A disagreement of a kind
where iam-simulate departs from AWS's documentation is shown with the documentation and counted apart
(see EXCLUDED); everything else must agree.

What the generator leaves out, because iam-simulate leaves it to its caller and ecrsim's world decides it:
- the root user (iam-simulate does not model the root user's implicit permissions in its own account);
- service-linked roles, and SCPs for service principals (which SCPs and RCPs reach a request is the
  caller's choice in iam-simulate; ecrsim's world applies none of these, as AWS documents);
- a repository policy for ecr:GetAuthorizationToken (resource `*`: ECR never consults one).

Run: python benchmarks/iam_agreement.py [--cases 3000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecrsim.engine.policy.document import (
    parse_identity_policy,
    parse_resource_control_policy,
    parse_resource_policy,
)
from ecrsim.engine.policy.evaluate import decide
from ecrsim.engine.policy.guardrails import rcp_full_access
from ecrsim.engine.policy.types import NamedPolicy, OrgLevel, Request

A, B = "111122223333", "444455556666"
ORG = "o-a1b2c3d4e5"
REPO = f"arn:aws:ecr:us-east-1:{A}:repository/web"
ALICE = f"arn:aws:iam::{A}:user/alice"
BOB = f"arn:aws:iam::{B}:user/bob"
CI_ROLE = f"arn:aws:iam::{A}:role/ci"
CI = f"arn:aws:sts::{A}:assumed-role/ci/build"
DEPLOY_ROLE = f"arn:aws:iam::{B}:role/deploy"
DEPLOY = f"arn:aws:sts::{B}:assumed-role/deploy/run"
SERVICE = "lambda.amazonaws.com"
PRINCIPALS = {ALICE: ALICE, BOB: BOB, CI: CI_ROLE, DEPLOY: DEPLOY_ROLE, SERVICE: None}
ACTIONS = ("ecr:PutImage", "ecr:BatchGetImage", "ecr:DeleteRepository", "ecr:DescribeImages")
TOKEN = "ecr:GetAuthorizationToken"
ACTION_PATTERNS = ("ecr:*", "ecr:Batch*", "ecr:Put*", "ecr:*Image*", *ACTIONS, TOKEN)
RESOURCES = ("*", REPO, f"arn:aws:ecr:*:{A}:repository/*", f"arn:aws:ecr:us-east-1:{A}:repository/tools")
CONDITIONS: tuple[dict[str, Any], ...] = (
    {"StringEquals": {"aws:PrincipalOrgID": ORG}},
    {"StringNotEquals": {"aws:PrincipalOrgID": ORG}},
    {"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG}},
    {"Bool": {"aws:SecureTransport": "false"}},
    {"BoolIfExists": {"aws:SecureTransport": "false"}},
    {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/*"}},
    {"Null": {"aws:PrincipalOrgID": "true"}},
)
REPOSITORY_PRINCIPALS: tuple[Any, ...] = (
    {"AWS": ALICE},
    {"AWS": CI_ROLE},
    {"AWS": CI},
    {"AWS": A},
    {"AWS": f"arn:aws:iam::{B}:root"},
    {"AWS": BOB},
    {"AWS": DEPLOY_ROLE},
    "*",
    {"Service": SERVICE},
)
VERDICTS = {"allow": "Allowed", "implicit_deny": "ImplicitlyDenied", "explicit_deny": "ExplicitlyDenied"}

# Where iam-simulate departs from AWS's documentation, shown and counted apart, never hidden:
EXCLUDED = {
    "session-arn-grant": (
        "IAM user guide, 'Session policies': 'A resource-based policy can specify the ARN of the session as a"
        " principal. In that case, the permissions from the resource-based policy are added after the"
        " session is created. The resource-based policy permissions are not limited by the session policy.'"
        " iam-simulate caps every path by the session policy."
    ),
    "notprincipal-account": (
        "IAM user guide, 'NotPrincipal': 'When you use NotPrincipal with Deny, you must also specify the"
        " account ARN of the not-denied principal ... AWS might validate the account first and then the"
        " user', so listing only the account leaves its users and roles denied; iam-simulate exempts every"
        " principal of a listed account."
    ),
}


@dataclass
class Case:
    simulation: dict[str, Any]  # iam-simulate's input
    request: Request  # ecrsim's
    kind: str | None  # the EXCLUDED kind this case belongs to, if a disagreement on it is documented


def statement(
    rng: random.Random, *, resource_policy: bool = False, deny_only: bool = False
) -> dict[str, Any]:
    effect = "Deny" if deny_only or rng.random() < 0.3 else "Allow"
    patterns = rng.sample(ACTION_PATTERNS, rng.randint(1, 2))
    if resource_policy or deny_only:
        patterns = [p for p in patterns if p != TOKEN] or ["ecr:*"]
    result: dict[str, Any] = {"Effect": effect}
    result["NotAction" if rng.random() < 0.1 and not deny_only else "Action"] = patterns
    if resource_policy:
        key = "NotPrincipal" if effect == "Deny" and rng.random() < 0.1 else "Principal"
        result[key] = (
            rng.choice(REPOSITORY_PRINCIPALS[:7])
            if key == "NotPrincipal"
            else rng.choice(REPOSITORY_PRINCIPALS)
        )
    else:
        result["Resource"] = rng.sample(RESOURCES, rng.randint(1, 2))
    if deny_only:
        result["Principal"] = "*"
    if rng.random() < 0.35:
        result["Condition"] = rng.choice(CONDITIONS)
    return result


def document(rng: random.Random, count: int, **kind: bool) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [statement(rng, **kind) for _ in range(count)]}


def make_case(rng: random.Random) -> Case:
    principal = rng.choice(list(PRINCIPALS))
    service = principal == SERVICE
    session = ":assumed-role/" in principal
    action = rng.choice((*ACTIONS, TOKEN))
    resource = "*" if action == TOKEN else REPO
    caller_account = None if service else principal.split(":")[4]
    resource_account = A if resource != "*" else caller_account or A
    context: dict[str, Any] = {
        "aws:SourceIp": rng.choice(("203.0.113.25", "198.51.100.7")),
        "aws:SecureTransport": rng.choice(("true", "false")),
    }
    if not service:
        context["aws:PrincipalArn"] = PRINCIPALS[principal]
        context["aws:PrincipalAccount"] = caller_account
        if caller_account == A or rng.random() < 0.5:
            context["aws:PrincipalOrgID"] = ORG

    identity = [] if service else [document(rng, rng.randint(1, 3)) for _ in range(rng.randint(0, 2))]
    repository = (
        document(rng, rng.randint(1, 3), resource_policy=True)
        if resource != "*" and rng.random() < 0.7
        else None
    )
    scps: list[tuple[str, list[Any]]] = []
    if not service and rng.random() < 0.5:
        for level in ("r-ab12", "ou-ab12-11111111", caller_account)[: rng.randint(1, 3)]:
            policies: list[Any] = ["FullAWSAccess"] if rng.random() < 0.85 else []
            policies += [document(rng, 1) for _ in range(rng.randint(0, 1))]
            scps.append((str(level), policies))
    rcps: list[tuple[str, list[Any]]] = []
    if rng.random() < 0.4:
        for level in ("r-ab12", A)[: rng.randint(1, 2)]:
            rcps.append((level, [document(rng, 1, deny_only=True) for _ in range(rng.randint(0, 1))]))
    boundary = document(rng, rng.randint(1, 2)) if not service and rng.random() < 0.3 else None
    session_policy = document(rng, rng.randint(1, 2)) if session and rng.random() < 0.35 else None

    full_scp = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    simulation: dict[str, Any] = {
        "request": {
            "principal": principal,
            "action": action,
            "resource": {"resource": resource, "accountId": resource_account},
            "contextVariables": context,
        },
        "identityPolicies": [{"name": f"identity{i}", "policy": p} for i, p in enumerate(identity)],
        "serviceControlPolicies": [
            {
                "orgIdentifier": level,
                "policies": [
                    {"name": f"scp{i}", "policy": full_scp if p == "FullAWSAccess" else p}
                    for i, p in enumerate(ps)
                ],
            }
            for level, ps in scps
        ],
        "resourceControlPolicies": [
            {"orgIdentifier": level, "policies": [{"name": f"rcp{i}", "policy": p} for i, p in enumerate(ps)]}
            for level, ps in rcps
        ],
    }
    if repository is not None:
        simulation["resourcePolicy"] = repository
    if boundary is not None:
        simulation["permissionBoundaryPolicies"] = [{"name": "boundary", "policy": boundary}]
    if session_policy is not None:
        simulation["sessionPolicy"] = session_policy

    request = Request(
        principal,
        action,
        resource,
        tuple(NamedPolicy(f"identity:{i}", parse_identity_policy(p)) for i, p in enumerate(identity)),
        parse_resource_policy(repository, reject_authorization_token=False) if repository else None,
        resource_account,
        context,
        scps=tuple(
            OrgLevel(
                level,
                tuple(
                    NamedPolicy(f"scp{i}", parse_identity_policy(full_scp if p == "FullAWSAccess" else p))
                    for i, p in enumerate(ps)
                ),
            )
            for level, ps in scps
        )
        or None,
        rcps=tuple(
            OrgLevel(
                level,
                (
                    rcp_full_access(),
                    *(NamedPolicy(f"rcp{i}", parse_resource_control_policy(p)) for i, p in enumerate(ps)),
                ),
            )
            for level, ps in rcps
        )
        or None,
        boundary=NamedPolicy("boundary", parse_identity_policy(boundary)) if boundary else None,
        session_policies=(NamedPolicy("session", parse_identity_policy(session_policy)),)
        if session_policy
        else None,
    )
    names_session = repository is not None and any(
        s.get("Principal") == {"AWS": principal} and s["Effect"] == "Allow" for s in repository["Statement"]
    )
    kind = "session-arn-grant" if session_policy is not None and names_session else None
    if (
        repository is not None
        and caller_account
        and _excepts_only_the_account(repository, principal, caller_account)
    ):
        kind = "notprincipal-account"
    return Case(simulation, request, kind)


def _excepts_only_the_account(repository: dict[str, Any], principal: str, account: str) -> bool:
    """Does a NotPrincipal Deny list the caller's account but not the caller itself?"""
    for entry in repository["Statement"]:
        listed = (
            entry.get("NotPrincipal", {}).get("AWS") if isinstance(entry.get("NotPrincipal"), dict) else None
        )
        if listed in (account, f"arn:aws:iam::{account}:root") and listed != principal:
            return True
    return False


def install() -> Path:
    """iam-simulate in a temporary folder, with a runner that decides a JSON array of simulations."""
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("iam_agreement: npm is needed to install @cloud-copilot/iam-simulate")
    folder = Path(tempfile.mkdtemp(prefix="iam-agreement-"))
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--silent", "@cloud-copilot/iam-simulate"],
        cwd=folder,
        check=True,
    )
    (folder / "run.cjs").write_text(
        """const { runSimulation } = require('@cloud-copilot/iam-simulate');
let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', async () => {
  const out = [];
  for (const simulation of JSON.parse(input)) {
    const response = await runSimulation(simulation, {});
    const failed = response.resultType === 'error';
    out.push(failed ? { error: response.errors } : { result: response.overallResult });
  }
  process.stdout.write(JSON.stringify(out));
});
""",
        encoding="utf-8",
    )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    cases = [make_case(rng) for _ in range(options.cases)]
    folder = install()
    try:
        answer = subprocess.run(
            ["node", str(folder / "run.cjs")],
            input=json.dumps([case.simulation for case in cases]),
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    theirs = json.loads(answer.stdout)
    agree = errors = 0
    documented: dict[str, int] = {}
    rules: dict[str, int] = {}
    for number, (case, their) in enumerate(zip(cases, theirs, strict=True)):
        if "error" in their:
            errors += 1
            print(f"case {number}: iam-simulate refused it: {json.dumps(their['error'])[:300]}")
            continue
        ours = decide(case.request)
        rules[ours.rule] = rules.get(ours.rule, 0) + 1
        if VERDICTS[ours.verdict] == their["result"]:
            agree += 1
        elif case.kind is not None:
            documented[case.kind] = documented.get(case.kind, 0) + 1
        else:
            print(
                f"DISAGREE case {number}: ecrsim {ours.verdict} ({ours.rule}), iam-simulate {their['result']}"
            )
            print(f"  {json.dumps(case.simulation)}")
    compared = len(cases) - errors - sum(documented.values())
    print(f"{len(cases)} cases (seed {options.seed}); iam-simulate refused {errors}")
    for kind, count in documented.items():
        print(f"{count} documented disagreements of kind {kind!r}, not counted: {EXCLUDED[kind]}")
    print(
        "decided by:",
        ", ".join(f"{rule} {count}" for rule, count in sorted(rules.items(), key=lambda r: -r[1])),
    )
    print(f"agreement: {agree}/{compared} = {100 * agree / max(compared, 1):.2f} %")


if __name__ == "__main__":
    main()

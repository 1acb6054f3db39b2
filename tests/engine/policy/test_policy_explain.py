"""render_decision: the trace a learner reads in `sim explain`, the player and `--explain`."""

from __future__ import annotations

from ecrsim.engine.policy.document import parse_identity_policy, parse_resource_policy
from ecrsim.engine.policy.evaluate import decide
from ecrsim.engine.policy.explain import render_decision
from ecrsim.engine.policy.managed import managed_policy
from ecrsim.engine.policy.types import NamedPolicy, Request

BOB = "arn:aws:iam::444455556666:user/bob"
REPO = "arn:aws:ecr:us-east-1:111122223333:repository/web-app"


def test_cross_account_denial_reads_as_a_story() -> None:
    readonly = managed_policy("AmazonEC2ContainerRegistryReadOnly")
    assert readonly is not None
    extra = parse_identity_policy(
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "NoDelete", "Effect": "Deny", "Action": "ecr:Delete*", "Resource": "*"}],
        }
    )
    repository = parse_resource_policy(
        {
            "Version": "2008-10-17",
            "Statement": [
                {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "999988887777"}, "Action": "ecr:*"}
            ],
        }
    )
    request = Request(
        BOB,
        "ecr:BatchGetImage",
        REPO,
        (NamedPolicy(readonly.name, readonly.policy), NamedPolicy("identity:1", extra)),
        repository,
    )
    assert render_decision(decide(request)) == "\n".join(
        [
            f"DENIED (implicit): ecr:BatchGetImage on {REPO}",
            f"  caller: {BOB}",
            "  rule:   cross_account_missing_resource_allow",
            "  Implicitly denied: an identity-based policy allows ecr:BatchGetImage (statement #0 of"
            " AmazonEC2ContainerRegistryReadOnly), but the resource belongs to account 111122223333, and"
            " cross-account access also needs the repository policy to allow the caller.",
            f"  AWS says: User: {BOB} is not authorized to perform: ecr:BatchGetImage on resource: {REPO}"
            " because no resource-based policy allows the ecr:BatchGetImage action",
            "",
            "Policy AmazonEC2ContainerRegistryReadOnly:",
            "  [x] #0 Allow: action matched ecr:BatchGetImage, resource matched *, no conditions",
            "",
            "Identity policy 1 (inline):",
            '  [ ] #0 "NoDelete" Deny: action ecr:BatchGetImage not in Action [ecr:Delete*]',
            "",
            "Repository policy:",
            '  [ ] #0 "Partner" Allow: principal does not name arn:aws:iam::444455556666:user/bob'
            " (names [999988887777])",
            "",
            "Hint: account 111122223333, which owns the repository, must name account 444455556666"
            f" (or {BOB}) in the repository policy for ecr:BatchGetImage",
        ]
    )


def test_no_policies_at_all() -> None:
    text = render_decision(decide(Request(BOB, "ecr:GetAuthorizationToken", "*")))
    assert "No policy statements were considered." in text
    assert text.startswith("DENIED (implicit): ecr:GetAuthorizationToken on *")

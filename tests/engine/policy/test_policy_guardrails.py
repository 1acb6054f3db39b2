"""decide() with the policies above IAM: SCPs, RCPs, permissions boundaries and session policies.

Each test states the rule it checks and the AWS page that says it:
- IAM user guide, "Policy evaluation logic" (reference_policies_evaluation-logic.html) and its "How AWS
  enforcement code logic evaluates requests" page (..._policy-eval-denyallow.html): the order of the steps.
- Organizations user guide, "SCP evaluation" (orgs_manage_policies_scps_evaluation.html) and "RCP
  evaluation": every level of the organization must allow; service-linked roles are not affected.
- IAM user guide, "Permissions boundaries for IAM entities" (access_policies_boundaries.html).
- IAM user guide, "Session policies" (access_policies.html#policies_session).
- IAM user guide, "Troubleshoot access denied error messages" (troubleshoot_access-denied.html): the wording.
"""

from __future__ import annotations

from typing import Any

from ecrsim.engine.policy.document import (
    parse_identity_policy,
    parse_resource_control_policy,
    parse_resource_policy,
)
from ecrsim.engine.policy.evaluate import decide
from ecrsim.engine.policy.guardrails import rcp_full_access
from ecrsim.engine.policy.types import Decision, NamedPolicy, OrgLevel, Request

A = "111122223333"
B = "444455556666"
ALICE = f"arn:aws:iam::{A}:user/alice"
SESSION = f"arn:aws:sts::{A}:assumed-role/deploy/ci"
DEPLOY = f"arn:aws:iam::{A}:role/deploy"
ROOT = f"arn:aws:iam::{A}:root"
REPO = f"arn:aws:ecr:us-east-1:{A}:repository/web-app"
EVERYTHING = {"Effect": "Allow", "Action": "*", "Resource": "*"}


def identity(*statements: dict[str, Any], name: str = "p") -> NamedPolicy:
    return NamedPolicy(name, parse_identity_policy({"Version": "2012-10-17", "Statement": list(statements)}))


def rcp(*statements: dict[str, Any], name: str = "r") -> NamedPolicy:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return NamedPolicy(name, parse_resource_control_policy(document))


def level(target: str, *policies: NamedPolicy) -> OrgLevel:
    return OrgLevel(target, policies)


FULL = identity(EVERYTHING, name="FullAWSAccess")
ADMIN = (identity(EVERYTHING, name="admin"),)


def ask(
    principal: str = ALICE, action: str = "ecr:PutImage", resource: str = REPO, **fields: Any
) -> Decision:
    repository = fields.pop("repository", None)
    policy = parse_resource_policy({"Version": "2012-10-17", "Statement": repository}) if repository else None
    return decide(
        Request(principal, action, resource, fields.pop("identity", ADMIN), policy, **fields),
        resource_policy_required=False,
    )


# -- service control policies -------------------------------------------------------------------------
def test_an_scp_deny_beats_the_accounts_own_administrator() -> None:
    """An explicit deny in any applicable policy wins (denyallow page, step 1); SCPs apply to every IAM
    principal of a member account, its administrators included."""
    scps = (
        level("r-ab12 (root)", FULL, identity({"Effect": "Deny", "Action": "ecr:PutImage", "Resource": "*"})),
    )
    decision = ask(scps=scps)
    assert decision.verdict == "explicit_deny"
    assert decision.rule == "service_control_policy_deny"
    assert decision.message == (
        f"User: {ALICE} is not authorized to perform: ecr:PutImage on resource: {REPO}"
        " with an explicit deny in a service control policy"
    )


def test_every_level_of_the_organization_must_allow() -> None:
    """SCP evaluation: an action must be allowed at the root, every OU and the account; FullAWSAccess
    at the root alone does not let through what an OU's allow-list leaves out."""
    pull_only = identity({"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*"}, name="PullOnly")
    scps = (
        level("r-ab12 (root)", FULL),
        level("ou-ab12-11111111 (Sandbox)", pull_only),
        level(f"account {A}", FULL),
    )
    decision = ask(scps=scps)
    assert (decision.verdict, decision.rule) == ("implicit_deny", "service_control_policy_missing_allow")
    assert decision.message and decision.message.endswith(
        "because no service control policy allows the ecr:PutImage action"
    )
    assert "ou-ab12-11111111 (Sandbox)" in decision.reason
    assert ask(action="ecr:BatchGetImage", scps=scps).allowed


def test_an_scp_grants_nothing() -> None:
    """SCPs never grant permissions: FullAWSAccess with no identity allow is still an implicit deny."""
    decision = ask(identity=(), scps=(level("r-ab12 (root)", FULL),))
    assert (decision.verdict, decision.rule) == ("implicit_deny", "no_allow")


def test_scps_limit_the_member_accounts_root_user() -> None:
    """SCPs affect the root user of member accounts (Organizations, "SCP effects on permissions")."""
    deny_all = identity({"Effect": "Deny", "Action": "ecr:*", "Resource": "*"})
    assert ask(ROOT, identity=(), scps=(level("r-ab12 (root)", FULL, deny_all),)).verdict == "explicit_deny"


def test_scps_do_not_apply_to_service_linked_roles_nor_service_principals() -> None:
    """ "SCPs don't affect service-linked roles"; a service principal is no member account's principal."""
    deny_all = (level("r-ab12 (root)", identity({"Effect": "Deny", "Action": "*", "Resource": "*"})),)
    linked = f"arn:aws:sts::{A}:assumed-role/AWSServiceRoleForECRReplication/s"
    role = "aws-service-role/replication.ecr.amazonaws.com/AWSServiceRoleForECRReplication"
    context = {"aws:PrincipalArn": f"arn:aws:iam::{A}:role/{role}"}
    assert ask(linked, scps=deny_all, context=context).allowed
    service = [{"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "ecr:*"}]
    decision = ask("codebuild.amazonaws.com", identity=(), repository=service, scps=deny_all)
    assert decision.allowed
    assert any("not evaluated: service control policies" in trace.why for trace in decision.statements)


def test_an_scp_does_not_cap_a_resource_policy_it_never_sees_for_another_accounts_caller() -> None:
    """SCPs apply to the caller's account: a request carries the caller's SCPs, not the resource owner's."""
    grant_b = [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{B}:root"}, "Action": "ecr:*"}]
    bob = f"arn:aws:iam::{B}:user/bob"
    assert ask(bob, repository=grant_b, scps=(level("r-ab12 (root)", FULL),)).allowed


# -- resource control policies ------------------------------------------------------------------------
ONLY_ORG = rcp(
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "ecr:*",
        "Resource": "*",
        "Condition": {
            "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
        },
    },
    name="OnlyOrg",
)


def test_an_rcp_denies_a_caller_from_outside_the_organization_whatever_the_repository_policy_says() -> None:
    """RCPs cap what the resources of member accounts allow, to any caller (RCP evaluation); here the
    repository policy names the outside account, and the RCP still denies."""
    outsider = f"arn:aws:iam::{B}:user/bob"
    grant_b = [{"Effect": "Allow", "Principal": {"AWS": B}, "Action": "ecr:*"}]
    decision = ask(outsider, repository=grant_b, rcps=(level("r-ab12 (root)", rcp_full_access(), ONLY_ORG),))
    assert decision.rule == "resource_control_policy_deny"
    assert decision.message and decision.message.endswith(
        "with an explicit deny in a resource control policy"
    )
    inside = ask(
        outsider,
        repository=grant_b,
        rcps=(level("r-ab12 (root)", rcp_full_access(), ONLY_ORG),),
        context={"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
    )
    assert inside.allowed


def test_rcps_apply_to_service_principals_too() -> None:
    """RCPs restrict service principals as well, which is why AWS's examples exempt them by condition."""
    blunt = rcp({"Effect": "Deny", "Principal": "*", "Action": "ecr:BatchGetImage", "Resource": "*"})
    service = [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "ecr:*"}]
    decision = ask(
        "lambda.amazonaws.com",
        "ecr:BatchGetImage",
        identity=(),
        repository=service,
        rcps=(level("r", rcp_full_access(), blunt),),
    )
    assert decision.rule == "resource_control_policy_deny"


def test_an_rcp_level_without_an_allow_denies() -> None:
    """Like SCPs, each RCP level must allow; RCPFullAWSAccess always does, so only a level stripped of it
    (possible in `policy simulate`, not in AWS) shows the implicit form."""
    decision = ask(rcps=(level("r-ab12 (root)", ONLY_ORG),), context={"aws:PrincipalOrgID": "o-a1b2c3d4e5"})
    assert decision.rule == "resource_control_policy_missing_allow"


def test_an_rcp_principal_must_be_everyone() -> None:
    import pytest

    from ecrsim.engine.policy.document import PolicyError

    with pytest.raises(PolicyError):
        rcp({"Effect": "Deny", "Principal": {"AWS": B}, "Action": "ecr:*", "Resource": "*"})


# -- permissions boundaries ---------------------------------------------------------------------------
PULL_BOUNDARY = identity(
    {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "Resource": "*"},
    name="pull-only",
)


def test_a_boundary_caps_the_identity_policies() -> None:
    """ "An entity's permissions boundary allows it to perform only the actions that are allowed by both
    its identity-based policies and its permissions boundaries" (access_policies_boundaries.html)."""
    decision = ask(boundary=PULL_BOUNDARY)
    assert (decision.verdict, decision.rule) == ("implicit_deny", "permissions_boundary_missing_allow")
    assert decision.message and decision.message.endswith(
        "because no permissions boundary allows the ecr:PutImage action"
    )
    assert ask(action="ecr:BatchGetImage", boundary=PULL_BOUNDARY).allowed


def test_a_boundary_grants_nothing() -> None:
    decision = ask(identity=(), boundary=identity(EVERYTHING, name="wide"))
    assert decision.rule == "no_allow"


def test_a_deny_in_the_boundary_is_explicit() -> None:
    boundary = identity(EVERYTHING, {"Effect": "Deny", "Action": "ecr:PutImage", "Resource": "*"}, name="b")
    decision = ask(boundary=boundary)
    assert decision.rule == "permissions_boundary_deny"
    assert decision.message and decision.message.endswith("with an explicit deny in a permissions boundary")


def test_a_same_account_resource_policy_naming_the_user_is_not_capped_by_its_boundary() -> None:
    """Within an account, a resource-based policy naming the user "is not limited by an implicit deny in an
    identity-based policy or permissions boundary" (evaluation logic, resource-based policies step)."""
    names_alice = [{"Effect": "Allow", "Principal": {"AWS": ALICE}, "Action": "ecr:PutImage"}]
    assert (
        ask(identity=(), repository=names_alice, boundary=PULL_BOUNDARY).rule == "same_account_direct_grant"
    )


def test_a_grant_to_the_role_is_capped_by_the_boundary_but_one_to_the_session_is_not() -> None:
    """A grant to the role ARN "is limited by an implicit deny in a permissions boundary or session
    policy"; a grant to the role session ARN is not (same step)."""
    names_role = [{"Effect": "Allow", "Principal": {"AWS": DEPLOY}, "Action": "ecr:PutImage"}]
    names_session = [{"Effect": "Allow", "Principal": {"AWS": SESSION}, "Action": "ecr:PutImage"}]
    capped = ask(SESSION, identity=(), repository=names_role, boundary=PULL_BOUNDARY)
    assert capped.rule == "permissions_boundary_missing_allow"
    assert ask(SESSION, identity=(), repository=names_session, boundary=PULL_BOUNDARY).allowed


def test_a_boundary_caps_cross_account_access() -> None:
    """Across accounts the caller's side needs its identity policies, and so its boundary, to allow."""
    bob = f"arn:aws:iam::{B}:user/bob"
    grant_bob = [{"Effect": "Allow", "Principal": {"AWS": bob}, "Action": "ecr:*"}]
    assert ask(bob, repository=grant_bob, boundary=PULL_BOUNDARY).rule == "permissions_boundary_missing_allow"


def test_a_not_principal_deny_always_denies_a_principal_with_a_boundary() -> None:
    """ "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a
    permissions boundary policy attached, regardless of the values specified in the NotPrincipal element"
    (access_policies_boundaries.html)."""
    not_alice = [
        {"Effect": "Deny", "NotPrincipal": {"AWS": [ALICE, f"arn:aws:iam::{A}:root"]}, "Action": "ecr:*"}
    ]
    assert ask(repository=not_alice).allowed
    wide = identity(EVERYTHING, name="wide")
    assert ask(repository=not_alice, boundary=wide).rule == "explicit_deny"


# -- session policies ---------------------------------------------------------------------------------
def test_a_session_policy_narrows_an_assumed_role() -> None:
    """ "The resulting session's permissions are the intersection of the role's identity-based policy and
    the session policies" (IAM user guide, "Session policies")."""
    decision = ask(SESSION, session_policies=(PULL_BOUNDARY,))
    assert (decision.verdict, decision.rule) == ("implicit_deny", "session_policy_missing_allow")
    assert decision.message and decision.message.endswith(
        "because no session policy allows the ecr:PutImage action"
    )
    assert ask(SESSION, "ecr:BatchGetImage", session_policies=(PULL_BOUNDARY,)).allowed


def test_session_policies_together_allow_what_any_of_them_allows() -> None:
    """An inline session policy and managed session policies (--policy-arns) are one set: any may allow."""
    push = identity({"Effect": "Allow", "Action": "ecr:PutImage", "Resource": "*"}, name="push")
    assert ask(SESSION, session_policies=(PULL_BOUNDARY, push)).allowed


def test_a_resource_policy_naming_the_session_is_not_capped_by_its_session_policy() -> None:
    """ "The resource-based policy permissions are not limited by the session policy" when the policy names
    the session ARN; naming the role (or the user) the session policy limits (Session policies)."""
    names_session = [{"Effect": "Allow", "Principal": {"AWS": SESSION}, "Action": "ecr:PutImage"}]
    names_role = [{"Effect": "Allow", "Principal": {"AWS": DEPLOY}, "Action": "ecr:PutImage"}]
    assert ask(SESSION, identity=(), repository=names_session, session_policies=(PULL_BOUNDARY,)).allowed
    capped = ask(SESSION, identity=(), repository=names_role, session_policies=(PULL_BOUNDARY,))
    assert capped.rule == "session_policy_missing_allow"


def test_a_session_deny_is_explicit() -> None:
    no_push = identity(EVERYTHING, {"Effect": "Deny", "Action": "ecr:PutImage", "Resource": "*"}, name="s")
    decision = ask(SESSION, session_policies=(no_push,))
    assert decision.message and decision.message.endswith("with an explicit deny in a session policy")


# -- the trace -----------------------------------------------------------------------------------------
def test_the_trace_shows_every_guardrail_statement_by_name() -> None:
    scps = (level("r-ab12 (root)", FULL),)
    decision = ask(SESSION, scps=scps, boundary=PULL_BOUNDARY, session_policies=(PULL_BOUNDARY,))
    names = [trace.policy for trace in decision.statements]
    assert "SCP FullAWSAccess at r-ab12 (root)" in names
    assert "boundary pull-only" in names
    assert "session pull-only" in names


def test_decisions_are_remembered_per_guardrail_policy() -> None:
    """The memo must tell apart two requests that differ only in their guardrails."""
    assert ask(SESSION, session_policies=(PULL_BOUNDARY,)).rule == "session_policy_missing_allow"
    assert ask(SESSION).allowed
    assert ask(SESSION, session_policies=()).rule == "session_policy_missing_allow"


def test_a_level_with_nothing_attached_denies() -> None:
    """A level with no SCP at all allows nothing (FullAWSAccess detached and nothing in its place)."""
    assert ask(scps=(level("r-ab12 (root)", FULL), level(f"account {A}"))).rule == (
        "service_control_policy_missing_allow"
    )

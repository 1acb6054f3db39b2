"""decide(): each rule of iam-evaluation.md §8, from the AWS docs, as a learner would see it."""

from __future__ import annotations

from typing import Any

import pytest

from ecrsim.engine.policy.document import parse_identity_policy, parse_resource_policy, parse_trust_policy
from ecrsim.engine.policy.evaluate import decide
from ecrsim.engine.policy.managed import managed_policy
from ecrsim.engine.policy.types import Decision, NamedPolicy, Request

A = "111122223333"
B = "444455556666"
ALICE = f"arn:aws:iam::{A}:user/alice"
BOB = f"arn:aws:iam::{B}:user/bob"
DEPLOY = f"arn:aws:iam::{A}:role/deploy"
SESSION = f"arn:aws:sts::{A}:assumed-role/deploy/ci"
ROOT = f"arn:aws:iam::{A}:root"
REPO = f"arn:aws:ecr:us-east-1:{A}:repository/web-app"


def allow(action: Any = "ecr:*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any = "ecr:*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def grant(principal: Any, action: Any = "ecr:*", effect: str = "Allow", **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Principal": principal, "Action": action, **extra}


def ask(
    principal: str = ALICE,
    action: str = "ecr:PutImage",
    resource: str = REPO,
    *,
    identity: list[dict[str, Any]] | None = None,
    repository: list[dict[str, Any]] | None = None,
    context: dict[str, Any] | None = None,
    version: str | None = "2012-10-17",
    **options: Any,
) -> Decision:
    """Decide one request; identity statements go in one inline policy, repository ones in the repo policy."""

    def document(statements: list[dict[str, Any]]) -> dict[str, Any]:
        return {"Statement": statements} | ({"Version": version} if version else {})

    policies = (NamedPolicy("identity:0", parse_identity_policy(document(identity))),) if identity else ()
    repo = parse_resource_policy(document(repository)) if repository is not None else None
    return decide(Request(principal, action, resource, policies, repo, context=context or {}), **options)


# Explicit deny precedence


def test_identity_deny_beats_identity_allow() -> None:
    decision = ask(identity=[allow(), deny("ecr:PutImage")])
    assert decision.verdict == "explicit_deny"
    assert decision.rule == "explicit_deny"
    assert decision.message == (
        f"User: {ALICE} is not authorized to perform: ecr:PutImage on resource: {REPO}"
        " with an explicit deny in an identity-based policy"
    )


def test_repository_deny_beats_identity_allow_and_names_the_resource_policy() -> None:
    decision = ask(identity=[allow()], repository=[grant({"AWS": ALICE}, "ecr:PutImage", "Deny")])
    assert decision.verdict == "explicit_deny"
    assert decision.message.endswith("with an explicit deny in a resource-based policy")
    assert "statement #0 of the repository policy" in decision.reason


def test_repository_deny_for_another_principal_does_not_apply() -> None:
    decision = ask(identity=[allow()], repository=[grant({"AWS": BOB}, effect="Deny")])
    assert decision.verdict == "allow"
    assert "does not name" in decision.statements[1].why


def test_deny_with_failing_condition_does_not_deny() -> None:
    statement = deny(Condition={"Bool": {"aws:SecureTransport": "false"}})
    decision = ask(identity=[allow(), statement], context={"aws:SecureTransport": "true"})
    assert decision.allowed


# Same account grants


@pytest.mark.parametrize(
    ("caller", "named"),
    [
        (ALICE, ALICE),
        (DEPLOY, DEPLOY),
        (SESSION, SESSION),
        (SESSION, DEPLOY),  # a role ARN covers its sessions
        (ALICE, "*"),
    ],
)
def test_same_account_direct_grant_allows_without_identity_policy(caller: str, named: str) -> None:
    decision = ask(caller, repository=[grant({"AWS": named} if named != "*" else "*")])
    assert decision.verdict == "allow"
    assert decision.rule == "same_account_direct_grant"


@pytest.mark.parametrize("named", [A, f"arn:aws:iam::{A}:root"])
def test_same_account_account_grant_delegates_to_identity_policies(named: str) -> None:
    denied = ask(repository=[grant({"AWS": named})])
    assert denied.verdict == "implicit_deny"
    assert denied.rule == "account_delegation_without_identity_allow"
    assert "no identity-based policy allows" in denied.message
    assert "instead of the account" in denied.hint
    allowed = ask(repository=[grant({"AWS": named})], identity=[allow("ecr:PutImage", REPO)])
    assert allowed.verdict == "allow"


def test_same_account_identity_allow_alone_is_enough() -> None:
    decision = ask(identity=[allow("ecr:PutImage", REPO)])
    assert decision.rule == "identity_allow"


def test_grant_to_another_user_does_not_allow() -> None:
    decision = ask(repository=[grant({"AWS": f"arn:aws:iam::{A}:user/carol"})])
    assert decision.verdict == "implicit_deny"
    assert decision.rule == "no_allow"
    assert decision.hint.startswith(f"add ecr:PutImage on {REPO} to an identity policy of user alice")


def test_role_arn_with_a_path_covers_the_sessions_of_that_role() -> None:
    assert ask(SESSION, repository=[grant({"AWS": f"arn:aws:iam::{A}:role/ci/deploy"})]).allowed
    assert not ask(SESSION, repository=[grant({"AWS": f"arn:aws:iam::{A}:role/deploy-other"})]).allowed


def test_a_session_is_known_by_its_roles_full_arn_from_the_request_context() -> None:
    """The session ARN drops the role's path; aws:PrincipalArn in the request carries it, so the trace
    and the hint name the role as a policy must (a hint naming role/deploy would name no role)."""
    with_path = f"arn:aws:iam::{A}:role/ci/deploy"
    context = {"aws:PrincipalArn": with_path}
    granted = ask(SESSION, repository=[grant({"AWS": with_path})], context=context)
    assert granted.rule == "same_account_direct_grant"
    assert granted.statements[0].why.startswith(f"principal {with_path} names the caller's role")
    denied = ask(SESSION, repository=[grant({"AWS": ALICE})], context=context)
    assert denied.hint.endswith(f"or allow {with_path} in the repository policy")
    # A context naming some other role (or none) leaves the session as its ARN says.
    assert ask(
        SESSION, repository=[grant({"AWS": ALICE})], context={"aws:PrincipalArn": f"arn:aws:iam::{A}:role/x"}
    ).hint.endswith(f"or allow {DEPLOY} in the repository policy")


def test_principal_arn_is_case_sensitive() -> None:
    assert not ask(repository=[grant({"AWS": f"arn:aws:iam::{A}:user/Alice"})]).allowed


def test_session_identity_hint_names_the_role() -> None:
    decision = ask(SESSION)
    assert "identity policy of role deploy" in decision.hint


def test_root_user_is_allowed_in_its_own_account_unless_denied() -> None:
    assert ask(ROOT).rule == "root_user"
    assert ask(ROOT, repository=[grant({"AWS": A}, effect="Deny")]).verdict == "explicit_deny"


# Cross account: both sides


@pytest.mark.parametrize(
    ("identity", "repository", "verdict", "rule"),
    [
        (True, True, "allow", "cross_account_allow"),
        (True, False, "implicit_deny", "cross_account_missing_resource_allow"),
        (False, True, "implicit_deny", "cross_account_missing_identity_allow"),
        (False, False, "implicit_deny", "no_allow"),
    ],
)
def test_cross_account_needs_both_sides(identity: bool, repository: bool, verdict: str, rule: str) -> None:
    decision = ask(
        BOB,
        identity=[allow("ecr:PutImage", REPO)] if identity else None,
        repository=[grant({"AWS": BOB})] if repository else [grant({"AWS": f"arn:aws:iam::{A}:user/x"})],
    )
    assert (decision.verdict, decision.rule) == (verdict, rule)


def test_cross_account_missing_repository_grant_says_resource_based() -> None:
    decision = ask(BOB, identity=[allow()])
    assert decision.message == (
        f"User: {BOB} is not authorized to perform: ecr:PutImage on resource: {REPO}"
        " because no resource-based policy allows the ecr:PutImage action"
    )
    assert decision.hint == (
        f"account {A}, which owns the repository, must name account {B} (or {BOB}) in the repository policy"
        " for ecr:PutImage"
    )


def test_a_hint_never_offers_a_repository_policy_for_an_action_it_cannot_grant() -> None:
    """A repository policy lives on an existing repository: it cannot grant CreateRepository, nor an
    action over every repository, nor one with no resource type."""
    alice = f"arn:aws:iam::{A}:user/alice"
    for action, resource in (
        ("ecr:CreateRepository", REPO),
        ("ecr:DescribeRepositories", f"arn:aws:ecr:us-east-1:{A}:repository/*"),
        ("ecr:GetAuthorizationToken", "*"),
    ):
        decision = decide(Request(alice, action, resource))
        assert decision.rule == "no_allow"
        assert decision.hint is not None and "to an identity policy of user alice" in decision.hint
        assert "allow arn" not in decision.hint and "in the repository policy" not in decision.hint
    same_account = decide(Request(alice, "ecr:PutImage", REPO))
    assert same_account.hint is not None
    assert same_account.hint.endswith(f"or allow {alice} in the repository policy")


def test_a_cross_account_hint_says_which_account_must_change() -> None:
    granted = parse_resource_policy(
        {"Statement": [{"Effect": "Allow", "Principal": {"AWS": B}, "Action": "ecr:PutImage"}]}
    )
    decision = decide(Request(BOB, "ecr:PutImage", REPO, (), granted))
    assert decision.rule == "cross_account_missing_identity_allow"
    assert decision.hint == (
        f"account {B}, the caller's, must add ecr:PutImage on {REPO} to an identity policy of user bob"
    )


@pytest.mark.parametrize("named", [B, f"arn:aws:iam::{B}:root"])
def test_cross_account_grant_to_the_account_is_enough_with_identity_allow(named: str) -> None:
    assert ask(BOB, identity=[allow()], repository=[grant({"AWS": named})]).allowed


def test_cross_account_grant_to_a_different_account_does_not_match() -> None:
    assert not ask(BOB, identity=[allow()], repository=[grant({"AWS": "999988887777"})]).allowed


# Service principals


def test_service_principal_is_decided_by_the_repository_policy_alone() -> None:
    lambda_grant = grant({"Service": "lambda.amazonaws.com"}, ["ecr:BatchGetImage"])
    assert ask("lambda.amazonaws.com", "ecr:BatchGetImage", repository=[lambda_grant]).rule == (
        "service_principal_grant"
    )
    denied = ask("lambda.amazonaws.com", "ecr:BatchGetImage", repository=[grant({"AWS": ALICE})])
    assert denied.rule == "service_principal_not_granted"
    assert "no resource-based policy allows" in denied.message


def test_service_principal_identity_policies_are_not_evaluated() -> None:
    decision = ask("lambda.amazonaws.com", "ecr:BatchGetImage", identity=[allow()])
    assert not decision.allowed
    assert "service principal has no identity-based policies" in decision.statements[0].why


def test_service_grant_condition_on_source_arn() -> None:
    statement = grant(
        {"Service": "lambda.amazonaws.com"},
        "ecr:BatchGetImage",
        Condition={"StringLike": {"aws:sourceArn": f"arn:aws:lambda:us-east-1:{A}:function:*"}},
    )
    good = {"aws:SourceArn": f"arn:aws:lambda:us-east-1:{A}:function:api"}
    bad = {"aws:SourceArn": f"arn:aws:lambda:us-east-1:{B}:function:api"}
    assert ask("lambda.amazonaws.com", "ecr:BatchGetImage", repository=[statement], context=good).allowed
    assert not ask("lambda.amazonaws.com", "ecr:BatchGetImage", repository=[statement], context=bad).allowed


# Resource `*` actions: identity only


def test_get_authorization_token_ignores_repository_allow_and_deny() -> None:
    token = "ecr:GetAuthorizationToken"
    decision = ask(
        action=token, resource="*", identity=[allow(token)], repository=[grant("*", "ecr:*", "Deny")]
    )
    assert decision.allowed
    assert "never consulted" in decision.statements[1].why
    denied = ask(action=token, resource="*", repository=[grant("*")])
    assert denied.message == (
        f"User: {ALICE} is not authorized to perform: ecr:GetAuthorizationToken on resource: *"
        " because no identity-based policy allows the ecr:GetAuthorizationToken action"
    )
    assert '"Resource": "*"' in denied.hint


def test_resource_less_action_needs_resource_star() -> None:
    decision = ask(action="ecr:GetAuthorizationToken", resource="*", identity=[allow("ecr:*", REPO)])
    assert not decision.allowed
    assert 'matched only by "Resource": "*"' in decision.statements[0].why


def test_not_resource_with_specific_arns_matches_resource_star() -> None:
    statement = {"Effect": "Allow", "Action": "ecr:*", "NotResource": REPO}
    assert ask(action="ecr:GetAuthorizationToken", resource="*", identity=[statement]).allowed


# NotAction, NotResource, NotPrincipal


def test_not_action_with_allow_grants_everything_else() -> None:
    statement = {"Effect": "Allow", "NotAction": "ecr:Delete*", "Resource": "*"}
    assert ask(identity=[statement]).allowed
    denied = ask(action="ecr:DeleteRepository", identity=[statement])
    assert not denied.allowed
    assert "listed in NotAction" in denied.statements[0].why


def test_not_action_with_deny_denies_everything_else_but_grants_nothing() -> None:
    guard = {
        "Effect": "Deny",
        "NotAction": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        "Resource": "*",
    }
    assert ask(identity=[allow(), guard]).verdict == "explicit_deny"
    assert ask(action="ecr:BatchGetImage", identity=[allow(), guard]).allowed
    assert ask(action="ecr:BatchGetImage", identity=[guard]).verdict == "implicit_deny"


def test_deny_with_not_resource_denies_every_other_resource() -> None:
    other = f"arn:aws:ecr:us-east-1:{A}:repository/other"
    guard = {"Effect": "Deny", "Action": "ecr:*", "NotResource": REPO}
    assert ask(identity=[allow(), guard]).allowed
    assert ask(resource=other, identity=[allow(), guard]).verdict == "explicit_deny"


def test_not_principal_with_deny_denies_everyone_not_listed() -> None:
    guard = {"Effect": "Deny", "NotPrincipal": {"AWS": [ALICE, f"arn:aws:iam::{A}:root"]}, "Action": "ecr:*"}
    assert ask(identity=[allow()], repository=[guard]).allowed
    carol = f"arn:aws:iam::{A}:user/carol"
    decision = ask(carol, identity=[allow()], repository=[guard])
    assert decision.verdict == "explicit_deny"
    assert "not listed in NotPrincipal" in decision.statements[1].why
    without_account = {**guard, "NotPrincipal": {"AWS": ALICE}}
    advice = ask(identity=[allow()], repository=[without_account]).statements[1].why
    assert advice.endswith(f"(AWS advises listing its account arn:aws:iam::{A}:root too)")


# Actions and resources: case and wildcards


def test_actions_match_case_insensitively() -> None:
    assert ask(action="ecr:putimage", identity=[allow("ECR:PutImage")]).allowed
    assert ask(identity=[allow("ecr:Put?mage")]).allowed
    assert ask(identity=[allow("*")]).allowed


def test_resources_match_case_sensitively() -> None:
    assert not ask(identity=[allow(resource=REPO.replace("web-app", "Web-App"))]).allowed
    assert ask(identity=[allow(resource=f"arn:aws:ecr:*:{A}:repository/web-*")]).allowed
    assert ask(identity=[allow(resource=f"arn:aws:ecr:us-east-1:{A}:repository/web-ap?")]).allowed
    assert not ask(identity=[allow(resource=f"arn:aws:ecr:us-east-1:{A}:repository/web")]).allowed


def test_resource_star_in_a_segment_also_matches_namespaces() -> None:
    namespaced = f"arn:aws:ecr:us-east-1:{A}:repository/team/web-app"
    assert ask(
        resource=namespaced, identity=[allow(resource=f"arn:aws:ecr:us-east-1:{A}:repository/*")]
    ).allowed


# Policy variables


def test_username_variable_in_resource() -> None:
    own = f"arn:aws:ecr:us-east-1:{A}:repository/alice/app"
    statement = allow(resource=f"arn:aws:ecr:us-east-1:{A}:repository/${{aws:username}}/*")
    assert ask(resource=own, identity=[statement]).allowed
    assert not ask(resource=own.replace("alice/", "bob/"), identity=[statement]).allowed


def test_variables_are_literal_in_2008_policies() -> None:
    literal = f"arn:aws:ecr:us-east-1:{A}:repository/${{aws:username}}"
    statement = allow(resource=literal)
    assert not ask(
        resource=f"arn:aws:ecr:us-east-1:{A}:repository/alice", identity=[statement], version=None
    ).allowed
    assert ask(resource=literal, identity=[statement], version="2008-10-17").allowed


def test_unresolved_variable_matches_nothing_and_says_so() -> None:
    statement = allow(resource=f"arn:aws:ecr:us-east-1:{A}:repository/${{aws:PrincipalTag/team}}")
    decision = ask(resource=f"arn:aws:ecr:us-east-1:{A}:repository/payments", identity=[statement])
    assert not decision.allowed
    assert "has no value in this request" in decision.statements[0].why


def test_variable_default_and_context_value() -> None:
    statement = allow(resource=f"arn:aws:ecr:us-east-1:{A}:repository/${{aws:PrincipalTag/team, 'shared'}}-*")
    shared = f"arn:aws:ecr:us-east-1:{A}:repository/shared-base"
    payments = f"arn:aws:ecr:us-east-1:{A}:repository/payments-api"
    assert ask(resource=shared, identity=[statement]).allowed
    assert ask(resource=payments, identity=[statement], context={"aws:PrincipalTag/team": "payments"}).allowed


def test_escaped_star_is_a_literal_character() -> None:
    statement = allow(
        "ecr:*",
        "*",
        Condition={"StringLike": {"ecr:ResourceTag/stage": "prod${*}"}},
    )
    assert ask(identity=[statement], context={"ecr:ResourceTag/stage": "prod*"}).allowed
    assert not ask(identity=[statement], context={"ecr:ResourceTag/stage": "production"}).allowed


def test_derived_context_keys_for_sessions_and_users() -> None:
    role_only = allow(Condition={"ArnEquals": {"aws:PrincipalArn": DEPLOY}})
    assert ask(SESSION, identity=[role_only]).allowed  # aws:PrincipalArn of a session is the role
    assert ask(identity=[allow(Condition={"StringEquals": {"aws:username": "alice"}})]).allowed
    assert not ask(SESSION, identity=[allow(Condition={"StringEquals": {"aws:username": "deploy"}})]).allowed
    assert ask(BOB, identity=[allow(Condition={"StringEquals": {"aws:PrincipalAccount": B}})]).rule == (
        "cross_account_missing_resource_allow"
    )


# Trust policies: the resource policy is required


def test_trust_policy_must_allow_even_with_identity_allow() -> None:
    role = DEPLOY
    trust = parse_trust_policy(
        {"Version": "2012-10-17", "Statement": [grant({"AWS": ALICE}, "sts:AssumeRole")]}
    )
    identity = (NamedPolicy("identity:0", parse_identity_policy({"Statement": [allow("sts:AssumeRole")]})),)
    carol = f"arn:aws:iam::{A}:user/carol"
    denied = decide(
        Request(carol, "sts:AssumeRole", role, identity, trust, resource_policy_name="trust"),
        resource_policy_required=True,
    )
    assert denied.rule == "resource_policy_missing_allow"
    assert "trust policy" in denied.reason
    allowed = decide(Request(ALICE, "sts:AssumeRole", role, (), trust), resource_policy_required=True)
    assert allowed.allowed


# Conditions and hints


def test_near_miss_hint_names_the_failing_condition() -> None:
    statement = allow(Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    decision = ask(identity=[statement], context={"aws:SourceIp": "198.51.100.7"})
    assert decision.hint == (
        "statement #0 of identity:0 would apply here, but its condition IpAddress aws:SourceIp failed:"
        " request value 198.51.100.7 not in [203.0.113.0/24]"
    )


def test_every_statement_of_every_policy_is_traced() -> None:
    decision = ask(
        identity=[allow("ecr:BatchGetImage"), deny("ecr:DeleteRepository"), allow("ecr:PutImage")],
        repository=[grant({"AWS": BOB}), grant({"AWS": ALICE}, "ecr:PutImage")],
    )
    assert [(t.policy, t.index, t.matched) for t in decision.statements] == [
        ("identity:0", 0, False),
        ("identity:0", 1, False),
        ("identity:0", 2, True),
        ("repository", 0, False),
        ("repository", 1, True),
    ]


def test_managed_policy_decisions() -> None:
    readonly = managed_policy("AmazonEC2ContainerRegistryReadOnly")
    power = managed_policy("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser")
    assert readonly is not None and power is not None
    push = Request(ALICE, "ecr:PutImage", REPO, (NamedPolicy(readonly.name, readonly.policy),))
    assert decide(push).verdict == "implicit_deny"
    assert decide(Request(ALICE, "ecr:PutImage", REPO, (NamedPolicy(power.name, power.policy),))).allowed
    assert managed_policy("NoSuchPolicy") is None
    assert managed_policy("arn:aws:iam::aws:policy/Nope/AmazonEC2ContainerRegistryReadOnly") is None

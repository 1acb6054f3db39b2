"""What the policy engine remembers between decisions, and that remembering never changes an answer."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace

import pytest

from ecrsim.engine.policy.document import parse_identity_policy
from ecrsim.engine.policy.evaluate import decide, forget
from ecrsim.engine.policy.types import Decision, NamedPolicy, Request

ALICE = "arn:aws:iam::111122223333:user/alice"
REPO = "arn:aws:ecr:us-east-1:111122223333:repository/web"
BEFORE_2027 = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "ecr:*",
            "Resource": "*",
            "Condition": {"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}},
        }
    ],
}


def policies() -> tuple[NamedPolicy, ...]:
    return (NamedPolicy("until-2027", parse_identity_policy(BEFORE_2027)),)


def ask(identity: tuple[NamedPolicy, ...], when: str, resource: str = REPO) -> Decision:
    return decide(Request(ALICE, "ecr:PutImage", resource, identity, context={"aws:CurrentTime": when}))


def test_the_same_inputs_give_the_same_decision_and_any_input_that_matters_a_new_one() -> None:
    identity = policies()
    first = ask(identity, "2026-06-01T00:00:00Z")
    assert first.allowed
    assert ask(identity, "2026-06-01T00:00:00Z") is first
    later = ask(identity, "2027-06-01T00:00:00Z")  # the clock moved past the condition
    assert not later.allowed and later.rule == "no_allow"
    other = ask(identity, "2026-06-01T00:00:00Z", REPO + "-2")
    assert other.allowed and other.resource_arn == REPO + "-2"


def test_policies_seen_for_the_first_time_and_a_forgetful_engine_decide_alike() -> None:
    known = ask(policies(), "2026-06-01T00:00:00Z")
    fresh = ask(policies(), "2026-06-01T00:00:00Z")  # equal documents, new objects: decided anew
    assert fresh is not known and fresh == known
    forget()
    assert ask(policies(), "2026-06-01T00:00:00Z") == known


def test_decisions_stay_frozen_values_that_replace_can_reword() -> None:
    decision = ask(policies(), "2026-06-01T00:00:00Z")
    with pytest.raises(FrozenInstanceError):
        decision.rule = "changed"  # type: ignore[misc]
    reworded = replace(decision, rule="no_such_role", reason="r")
    assert (reworded.rule, reworded.reason, reworded.statements) == ("no_such_role", "r", decision.statements)
    assert Request(ALICE, "ecr:PutImage", REPO).context == {}  # the default factory still applies

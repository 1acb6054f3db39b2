"""How a command's outcome is put in words for a verdict: never cut, because its reason is the lesson."""

from __future__ import annotations

from ecrsim.scenarios.outcomes import Ran, describe


def test_a_long_aws_message_is_given_whole() -> None:
    message = (
        "An error occurred (AccessDeniedException) when calling the PutImage operation: User: "
        "arn:aws:iam::444455556666:user/ci is not authorized to perform: ecr:PutImage on resource: "
        "arn:aws:ecr:us-east-1:111122223333:repository/web because no resource-based policy allows "
        "the ecr:PutImage action"
    )
    said = describe(Ran("aws ecr put-image", 254, "", message + "\n", "AccessDeniedException"))
    assert said.endswith("because no resource-based policy allows the ecr:PutImage action")
    assert said.startswith("it failed with AccessDeniedException (status 254): User: arn:aws:iam::")

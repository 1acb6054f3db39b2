"""`aws SERVICE wait NAME ...`: botocore's waiters against the simulated world.

A waiter calls its operation until an acceptor matches (success: exit 0, silently; failure or an
unexpected error: botocore's WaiterError text, exit 255) or it runs out of attempts. Between attempts
the simulated clock moves on by the waiter's delay, as real time would: a wait that never succeeds
costs `delay x maxAttempts` of simulated time, exactly what it would cost a learner at a real terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jmespath

from ecrsim.engine.errors import ServiceError
from ecrsim.errors import EcrsimError
from ecrsim.shell.servicemodel import Waiter

Caller = Callable[[], dict[str, Any]]  # one call of the waiter's operation; raises ServiceError


class WaiterFailed(EcrsimError):
    """botocore's WaiterError: `Waiter NAME failed: REASON`."""


def _explanation(acceptor: dict[str, Any]) -> str:
    matcher, argument, expected = acceptor["matcher"], acceptor.get("argument"), acceptor["expected"]
    return {
        "path": f'For expression "{argument}" we matched expected path: "{expected}"',
        "pathAll": f'For expression "{argument}" all members matched expected path: "{expected}"',
        "pathAny": f'For expression "{argument}" we matched expected path: "{expected}" at least once',
        "status": f"Matched expected HTTP status code: {expected}",
        "error": f"Matched expected service error code: {expected}",
    }.get(matcher, f'No explanation for unknown waiter type: "{matcher}"')


def _matches(acceptor: dict[str, Any], response: dict[str, Any] | None, error: ServiceError | None) -> bool:
    matcher, expected = acceptor["matcher"], acceptor["expected"]
    if matcher == "error":
        return error is not None and error.code == expected
    if matcher == "status":  # the simulator knows success (200), not the HTTP status of each error
        return error is None and expected == 200
    if error is not None:
        return False
    found = jmespath.search(acceptor["argument"], response)
    if matcher == "path":
        return found == expected
    if not isinstance(found, list) or not found:
        return False
    if matcher == "pathAll":
        return all(element == expected for element in found)
    return any(element == expected for element in found)  # pathAny


def wait(waiter: Waiter, call: Caller, advance: Callable[[int], object]) -> None:
    """Poll as botocore's Waiter.wait does; raise WaiterFailed with its reason."""
    failed = f"Waiter {waiter.name} failed: "
    state = "waiting"
    acceptor: dict[str, Any] = {}
    matched_before = False
    for attempt in range(1, waiter.max_attempts + 1):
        response, error = None, None
        try:
            response = call()
        except ServiceError as caught:
            error = caught
        for acceptor in waiter.acceptors:  # botocore's messages name the last acceptor looked at
            if _matches(acceptor, response, error):
                matched_before, state = True, acceptor["state"]
                break
        else:
            if error is not None:
                raise WaiterFailed(
                    f"Waiter {waiter.name} failed: An error occurred ({error.code}): {error.message}"
                )
        if state == "success":
            return
        if state == "failure":
            raise WaiterFailed(
                f"{failed}Waiter encountered a terminal failure state: {_explanation(acceptor)}"
            )
        if attempt == waiter.max_attempts:
            reason = "Max attempts exceeded"
            if matched_before:
                reason += f". Previously accepted state: {_explanation(acceptor)}"
            raise WaiterFailed(failed + reason)
        advance(waiter.delay)

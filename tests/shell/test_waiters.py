"""botocore's waiter semantics and messages, against calls that succeed, fail or never get there."""

from __future__ import annotations

from typing import Any

import pytest

from ecrsim.engine.errors import ServiceError
from ecrsim.shell.servicemodel import load_service
from ecrsim.shell.waiters import WaiterFailed, wait

SCAN = load_service("ecr").waiters["image-scan-complete"]
USER = load_service("iam").waiters["user-exists"]


def responses(*answers: Any) -> Any:
    items = list(answers)

    def call() -> dict[str, Any]:
        answer = items.pop(0) if len(items) > 1 else items[0]
        if isinstance(answer, ServiceError):
            raise answer
        return answer

    return call


def scan(status: str) -> dict[str, Any]:
    return {"imageScanStatus": {"status": status}}


def test_success_after_retries_moves_the_clock_by_the_delay() -> None:
    slept: list[int] = []
    wait(SCAN, responses(scan("IN_PROGRESS"), scan("IN_PROGRESS"), scan("COMPLETE")), slept.append)
    assert slept == [5, 5]


def test_failure_state_is_terminal() -> None:
    with pytest.raises(WaiterFailed) as caught:
        wait(SCAN, responses(scan("FAILED")), lambda _: None)
    assert str(caught.value) == (
        "Waiter ImageScanComplete failed: Waiter encountered a terminal failure state: "
        'For expression "imageScanStatus.status" we matched expected path: "FAILED"'
    )


def test_an_error_no_acceptor_expects_stops_the_wait() -> None:
    error = ServiceError("RepositoryNotFoundException", "The repository with name 'x' does not exist")
    with pytest.raises(WaiterFailed) as caught:
        wait(SCAN, responses(error), lambda _: None)
    assert str(caught.value) == (
        "Waiter ImageScanComplete failed: An error occurred (RepositoryNotFoundException): "
        "The repository with name 'x' does not exist"
    )


def test_max_attempts_names_the_last_state_seen() -> None:
    slept: list[int] = []
    with pytest.raises(WaiterFailed) as caught:
        wait(
            USER,
            responses(ServiceError("NoSuchEntity", "The user with name ghost cannot be found.")),
            slept.append,
        )
    assert str(caught.value) == (
        "Waiter UserExists failed: Max attempts exceeded. Previously accepted state: "
        "Matched expected service error code: NoSuchEntity"
    )
    assert slept == [1] * 19
    with pytest.raises(WaiterFailed, match=r"^Waiter ImageScanComplete failed: Max attempts exceeded$"):
        wait(SCAN, responses(scan("IN_PROGRESS")), lambda _: None)

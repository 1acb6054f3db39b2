"""Every worked request in shared/reference/iam-vectors.json gets AWS's decision."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecrsim.engine.policy.evaluate import decide
from ecrsim.engine.simulate import build_request

VECTORS = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "iam-vectors.json"


def _vectors() -> list[dict]:
    if not VECTORS.is_file():
        return []
    return json.loads(VECTORS.read_text(encoding="utf-8"))


@pytest.mark.skipif(not VECTORS.is_file(), reason=f"shared/ is not beside the checkout ({VECTORS} absent)")
@pytest.mark.parametrize("vector", _vectors(), ids=lambda v: v["id"])
def test_vector_gets_the_decision_aws_makes(vector: dict) -> None:
    decision = decide(build_request(vector))
    assert decision.verdict == vector["expected"], decision.reason
    assert (decision.message is None) == (vector["expected"] == "allow")

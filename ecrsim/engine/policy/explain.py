"""A Decision as readable text: what the player and `ecrsim policy simulate --explain` print.

The lines are the engine's explanation of a decision (ecrsim.engine.explanation.decision_lines), so a
decision reads the same in `sim explain`, the player and the UI.
"""

from __future__ import annotations

from ecrsim.engine.explanation import decision_lines, render
from ecrsim.engine.policy.types import Decision


def render_decision(decision: Decision) -> str:
    return render(decision_lines(decision))

"""A Decision as readable text: the one renderer behind `sim explain`, the player and `--explain`.

Plain text with no colour or markup, so every interface can show it as it is (the UI may style lines by
their leading marker: `[x]` applied, `[ ]` did not).
"""

from __future__ import annotations

from ecrsim.engine.policy.types import Decision

_VERDICTS = {"allow": "ALLOWED", "implicit_deny": "DENIED (implicit)", "explicit_deny": "DENIED (explicit)"}


def render_decision(decision: Decision) -> str:
    lines = [
        f"{_VERDICTS[decision.verdict]}: {decision.action} on {decision.resource_arn}",
        f"  caller: {decision.principal_arn}",
        f"  rule:   {decision.rule}",
        f"  {decision.reason}",
    ]
    if decision.message:
        lines.append(f"  AWS says: {decision.message}")
    current = None
    if not decision.statements:
        lines += ["", "No policy statements were considered."]
    for trace in decision.statements:
        if trace.policy != current:
            current = trace.policy
            lines += ["", f"{_policy_title(current)}:"]
        mark = "[x]" if trace.matched else "[ ]"
        sid = f' "{trace.sid}"' if trace.sid else ""
        lines.append(f"  {mark} #{trace.index}{sid} {trace.effect}: {trace.why}")
    if decision.hint:
        lines += ["", f"Hint: {decision.hint}"]
    return "\n".join(lines)


def _policy_title(name: str) -> str:
    if name.startswith("identity:"):
        return f"Identity policy {name.removeprefix('identity:')} (inline)"
    if name in ("repository", "trust"):
        return f"{name.capitalize()} policy"
    return f"Policy {name}"

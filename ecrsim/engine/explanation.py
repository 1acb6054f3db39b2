"""Explanations: what happened in a command, as typed lines every interface renders without reading back.

Every command leaves its outcomes in the world's event log (ecrsim.engine.api.Event): the IAM decisions of
each API call, and the outcomes that are not IAM's (a token checked, a parameter AWS refuses, a layer the
registry already had, an image a lifecycle rule expired). An explanation is a list of `ExplanationLine`s:
the shell prints each line's `plain()` text, the UI styles each by its `kind` (and `matched`), and nobody
parses the text back. `explain_last_command(world)` is what `sim explain` and the Explain panel show.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ecrsim.engine.api import Event
    from ecrsim.engine.policy.types import Decision
    from ecrsim.engine.world import World


class LineKind(StrEnum):
    VERDICT = "verdict"  # the headline of one outcome: ALLOWED, DENIED, REFUSED, FAILED, ...
    RULE = "rule"  # which rule of IAM's evaluation decided
    STATEMENT = "statement"  # one policy statement, matched or not
    CONDITION = "condition"  # a request-context value a condition read
    TOKEN = "token"  # a registry token or temporary credentials checked: whose, issued, expires, now
    VALIDATION = "validation"  # a parameter AWS refuses, and the AWS rule it breaks
    REGISTRY = "registry"  # what the registry answered docker (layer already there, tag immutable, ...)
    LOCAL = "local"  # what docker found on the learner's machine (no credentials, no such image)
    LIFECYCLE = "lifecycle"  # which lifecycle rule expired or kept which image, and why
    NETWORK = "network"  # one hop of a network path: the route, endpoint or security group, open or closed
    KEY = "key"  # a KMS key a service used: which key an id or alias named, its state, the grants made
    REPLICATION = "replication"  # an image's replication started, failed or landed, and where
    HINT = "hint"  # the smallest change that would make it work
    NOTE = "note"  # anything else: the caller, a section title, a blank separator


@dataclass(frozen=True)
class ExplanationLine:
    """One line of an explanation. `depth` indents it; `matched` is a statement's (did it apply?) or a
    verdict's (did the outcome go the learner's way?), None where it means nothing."""

    kind: LineKind
    text: str
    depth: int = 0
    matched: bool | None = None

    def plain(self) -> str:
        """The line as a terminal prints it: indented, a statement marked `[x]`/`[ ]`, a hint labelled."""
        text = self.text
        if self.kind is LineKind.STATEMENT and self.matched is not None:
            text = f"{'[x]' if self.matched else '[ ]'} {text}"
        elif self.kind is LineKind.HINT:
            text = f"Hint: {text}"
        return "  " * self.depth + text if text else ""


Lines = list[ExplanationLine]
NOTHING_DECIDED = "nothing was decided by AWS for this command"
NOTHING_YET = "nothing to explain yet: no command has run"
_VERDICTS = {"allow": "ALLOWED", "implicit_deny": "DENIED (implicit)", "explicit_deny": "DENIED (explicit)"}
_BLANK = ExplanationLine(LineKind.NOTE, "")


def render(lines: Iterable[ExplanationLine]) -> str:
    """Plain text, one line per ExplanationLine (no trailing newline)."""
    return "\n".join(line.plain() for line in lines)


def stamp(moment: datetime) -> str:
    """A simulated time as explanations write it: `2026-01-05T09:00:00Z`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def line(kind: LineKind, text: str, depth: int = 0, matched: bool | None = None) -> ExplanationLine:
    return ExplanationLine(kind, text, depth, matched)


# -- IAM decisions ---------------------------------------------------------------------------------------
def decision_lines(decision: Decision) -> Lines:
    """A decision with its trace: verdict, caller, rule, reason, AWS's message, every statement, hint."""
    lines = [
        line(
            LineKind.VERDICT,
            f"{_VERDICTS[decision.verdict]}: {decision.action} on {decision.resource_arn}",
            matched=decision.allowed,
        ),
        line(LineKind.NOTE, f"caller: {decision.principal_arn}", 1),
        line(LineKind.RULE, f"rule:   {decision.rule}", 1),
        line(LineKind.NOTE, decision.reason, 1),
    ]
    if decision.message:
        lines.append(line(LineKind.NOTE, f"AWS says: {decision.message}", 1))
    if not decision.statements:
        lines += [_BLANK, line(LineKind.NOTE, "No policy statements were considered.")]
    current = None
    for trace in decision.statements:
        if trace.policy != current:
            current = trace.policy
            lines += [_BLANK, line(LineKind.NOTE, f"{_policy_title(current)}:")]
        sid = f' "{trace.sid}"' if trace.sid else ""
        lines.append(
            line(LineKind.STATEMENT, f"#{trace.index}{sid} {trace.effect}: {trace.why}", 1, trace.matched)
        )
    if decision.hint:
        lines += [_BLANK, line(LineKind.HINT, decision.hint)]
    return lines


def decision_summary(decision: Decision, depth: int = 0) -> ExplanationLine:
    """One line for a decision that did not decide the command: verdict, action, resource and rule."""
    return line(
        LineKind.VERDICT,
        f"{_VERDICTS[decision.verdict]}: {decision.action} on {decision.resource_arn} ({decision.rule})",
        depth,
        decision.allowed,
    )


# How the trace names the policies above IAM (policy/guardrails.py), and how a title spells them out.
_GUARDRAIL_TITLES = {
    "SCP ": "Service control policy ",
    "RCP ": "Resource control policy ",
    "boundary ": "Permissions boundary ",
    "session ": "Session policy ",
}


def _policy_title(name: str) -> str:
    for prefix, title in _GUARDRAIL_TITLES.items():
        if name.startswith(prefix):
            return title + name.removeprefix(prefix)
    if name.startswith("identity:"):
        return f"Identity policy {name.removeprefix('identity:')} (inline)"
    if name in ("repository", "trust", "registry", "key"):
        return f"{name.capitalize()} policy"
    return f"Policy {name}"


# -- events and commands ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Outcome:
    """One outcome of a command: in full when it decided the command, else in summary."""

    full: Lines
    summary: Lines
    failed: bool
    decision: bool  # an IAM decision (what decides a command that succeeded)


def _outcomes(event: Event) -> list[_Outcome]:
    """An event's outcomes in the order they happened: its decisions, then what it recorded besides."""
    outcomes = [
        _Outcome(decision_lines(decision), [decision_summary(decision)], not decision.allowed, True)
        for decision in event.decisions
    ]
    denied = any(outcome.failed for outcome in outcomes)
    if event.outcomes or (event.error_code and not denied):
        lines = list(event.outcomes)
        if event.error_code and not denied and event.service in ("ecr", "iam", "sts"):
            head = line(
                LineKind.VERDICT,
                f"REFUSED: {event.service} {event.operation} by {event.principal_arn}: {event.error_code}",
                matched=False,
            )
            lines = [head, line(LineKind.NOTE, f"AWS says: {event.error_message}", 1), *lines]
        failed = (bool(event.error_code) and not denied) or any(_failure_headline(entry) for entry in lines)
        outcomes.append(_Outcome(lines, lines, failed, False))
    return outcomes


def _failure_headline(entry: ExplanationLine) -> bool:
    """A top-level verdict that went against the learner: an outcome that failed although its call did not
    (DescribeTasks succeeds in saying that a task stopped)."""
    return entry.kind is LineKind.VERDICT and entry.depth == 0 and entry.matched is False


def explain_event(event: Event) -> Lines:
    """Everything one event recorded, in full (the UI shows this for an event chosen from its list)."""
    lines: Lines = []
    for outcome in _outcomes(event):
        lines += [_BLANK, *outcome.full] if lines else outcome.full
    if not lines:
        lines.append(line(LineKind.NOTE, "This call made no authorization decision."))
    return lines


def command_events(world: World) -> Sequence[Event]:
    """The events the last command produced (those recorded since `world.begin_command`)."""
    events = world.events
    start = len(events)
    while start and events[start - 1].command == world.command:
        start -= 1
    return events[start:] if world.command else ()


def explain_last_command(world: World) -> Lines:
    """What `sim explain` and the Explain panel show: the last command's outcomes in order, the
    decisive one first and in full, then every other one in summary.

    The decisive outcome is the last one when it failed (docker's account of a refusal comes after the
    API call's, and says more); for a command that succeeded, its last IAM decision, else its last outcome.
    """
    if not world.command:
        return [line(LineKind.NOTE, NOTHING_YET)]
    outcomes = [outcome for event in command_events(world) for outcome in _outcomes(event)]
    if not outcomes:
        return [line(LineKind.NOTE, NOTHING_DECIDED)]
    decisive = outcomes[-1]
    if not decisive.failed:
        decisive = next((o for o in reversed(outcomes) if o.decision), decisive)
    lines = list(decisive.full)
    others = [o for o in outcomes if o is not decisive]
    if others:
        lines += [_BLANK, line(LineKind.NOTE, "Also in this command, in order:")]
        summaries = [indent(summary) for other in others for summary in other.summary]
        lines += _collapse(summaries)
    return lines


def indent(entry: ExplanationLine, by: int = 1) -> ExplanationLine:
    return ExplanationLine(entry.kind, entry.text, entry.depth + by, entry.matched)


def _collapse(lines: Lines) -> Lines:
    """A run of the same line, or of the same short group of lines, once and counted: a pull's
    GetDownloadUrlForLayer per layer reads `(3 times)`, and a push's InitiateLayerUpload, UploadLayerPart
    and CompleteLayerUpload per layer read as three lines `(7 times)` each, not twenty-one lines."""
    collapsed: Lines = []
    i = 0
    while i < len(lines):
        size, repeats = _longest_repetition(lines, i)
        for entry in lines[i : i + size]:
            text = entry.text if repeats == 1 else f"{entry.text} ({repeats} times)"
            collapsed.append(ExplanationLine(entry.kind, text, entry.depth, entry.matched))
        i += size * repeats
    return collapsed


_LONGEST_GROUP = 4  # a layer's upload is three calls; nothing longer repeats per layer


def _longest_repetition(lines: Lines, start: int) -> tuple[int, int]:
    """The group of lines starting at `start` that repeats back to back over the most lines, as (group size,
    repeats); (1, 1) when nothing repeats. A single line wins a tie, so plain runs read as before."""
    best = (1, 1)
    for size in range(1, _LONGEST_GROUP + 1):
        group = lines[start : start + size]
        if len(group) < size:
            break
        repeats = 1
        while lines[start + repeats * size : start + (repeats + 1) * size] == group:
            repeats += 1
        if repeats > 1 and size * repeats > best[0] * best[1]:
            best = (size, repeats)
    return best

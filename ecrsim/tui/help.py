"""F1 help: the keys of every screen and the commands the simulated terminal understands.

Both lists are read from their sources (the screens' bindings, the shell's own `help`), so help cannot
drift from what the program does.
"""

from __future__ import annotations

import re
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from ecrsim.tui.on_top import ModalFromTop

_KEY_NAMES = {"slash": "/"}

EXTRA_KEYS = [
    ("ctrl+p", "Command palette: every action and scenario by name"),
    ("tab / shift+tab", "Move between panels (in the terminal, tab completes; on an empty line it moves on)"),
    ("up / down", "In the terminal: earlier and later commands"),
]


def _key_table(title: str, bindings: list[BindingType]) -> str:
    rows = [f"### {title}", "", "| key | does |", "|---|---|"]
    for binding in bindings:
        if isinstance(binding, Binding) and binding.description:
            keys = ", ".join(_KEY_NAMES.get(key, key) for key in binding.key.split(","))
            rows.append(f"| `{keys}` | {binding.description} |")
    return "\n".join(rows)


def help_markdown() -> str:
    from ecrsim.tui.app import EcrsimApp
    from ecrsim.tui.exam_screen import ExamScreen
    from ecrsim.tui.home import HomeScreen
    from ecrsim.tui.progress_screen import ProgressScreen
    from ecrsim.tui.review_screen import ReviewScreen
    from ecrsim.tui.scenario_screen import ScenarioScreen

    general = "\n".join(f"| `{key}` | {what} |" for key, what in EXTRA_KEYS)
    sections = [
        "# ecrsim help",
        _key_table("Everywhere", EcrsimApp.BINDINGS) + "\n" + general,
        _key_table("Home", HomeScreen.BINDINGS),
        _key_table("Scenario and sandbox", ScenarioScreen.BINDINGS),
        _key_table("Review (F6 from home): the cards that are due", ReviewScreen.BINDINGS),
        _key_table("Exam (F7 from home)", ExamScreen.BINDINGS),
        _key_table("Progress (F8 from home)", ProgressScreen.BINDINGS),
        "## The terminal",
        "Type the real tools' commands: `aws ecr ...`, `aws iam ...`, `aws sts ...`, `aws ec2 ...`, "
        "`aws ecs ...`, `aws lambda ...`, `docker ...`, and the simulator's own `sim ...` verbs. "
        "`|` pipes one command into the next.",
        terminal_markdown(shell_help()),
    ]
    return "\n\n".join(sections)


_COMMAND = re.compile(r"(aws|docker|sim|export|help)\b")


def terminal_markdown(text: str) -> str:
    """The terminal's `help` as nested bullets that wrap at any width (a code block would be cut at the
    panel's edge): each `COMMAND   what it does` line becomes the command in code and its description."""
    lines = []
    for line in text.splitlines():
        body = line.strip()
        if not body:
            lines.append("")
            continue
        indent = "  " * ((len(line) - len(line.lstrip())) // 2)
        command, _, what = body.partition("   ")
        if what:
            lines.append(f"{indent}- `{command}`: {what.strip()}")
        elif _COMMAND.match(body):
            lines.append(f"{indent}- `{body}`")
        else:
            lines.append(f"{indent}- {body}")
    return "\n".join(lines)


def shell_help() -> str:
    """What `help` prints in the simulated terminal."""
    from ecrsim.engine.world import default_world
    from ecrsim.shell import Shell

    return Shell(default_world()).run_line("help").stdout


class HelpScreen(ModalFromTop[None]):
    AUTO_FOCUS = "#help-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close help", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(help_markdown())
        yield Static("escape closes help", id="help-hint")

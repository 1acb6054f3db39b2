"""The workspace for a scenario or the sandbox: guide, world and explanation beside a terminal.

A scenario opens on its briefing. Then the guide narrates, asks and sets tasks; the terminal runs what the
learner types; after every command the header, the world and the explanation are redrawn from the world.
All the screen's keys are function or ctrl keys, because the terminal's input takes every printable key.

Every answered question and completed task is also a review of its card, as in `ecrsim play`: replaying a
scenario is practice, and spaced review counts it. The attempt is timed from when the step appeared with the
injected monotonic `clock`, and scheduled at the injected `now` (the real date: the world's clock is
simulated), so tests are deterministic.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Markdown, Static, TabbedContent, TabPane

from ecrsim.scenarios.console import Clock, Now, utc_now
from ecrsim.scenarios.review import Attempt, card_key
from ecrsim.scenarios.session import Happening, Narration, Session, Typed
from ecrsim.tui.briefing import Briefing
from ecrsim.tui.explain_view import ExplainView
from ecrsim.tui.focus import focus_first
from ecrsim.tui.guide_log import GuideLog
from ecrsim.tui.handback import on_stack
from ecrsim.tui.live_calls import LiveCalls
from ecrsim.tui.off_thread import in_thread
from ecrsim.tui.on_top import ClosesFromTop
from ecrsim.tui.question_view import QuestionView
from ecrsim.tui.sim_header import SimHeader
from ecrsim.tui.task_view import TaskView
from ecrsim.tui.terminal import Terminal
from ecrsim.tui.world_view import WorldView

if TYPE_CHECKING:
    from collections.abc import Callable

    from ecrsim.scenarios.progress import ProgressStore
    from ecrsim.scenarios.study_store import StudyStore
    from ecrsim.tui.app import EcrsimApp
    from ecrsim.tui.commands import PaletteEntry

SANDBOX_INTRO = (
    "Sandbox: a free world to try anything. Type commands in the terminal; `help` lists them.\n\n"
    "F8 undoes the last command that changed the world, F9 resets it. "
    "F7 starts over from any scenario's world."
)


class SidePanel(TabbedContent):
    """The guide, world and explanation tabs; F11 may fill the screen with them."""

    ALLOW_MAXIMIZE = True


class ScenarioScreen(ClosesFromTop, Screen[None]):
    app: EcrsimApp  # type: ignore[assignment]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Home", id="scenario.home"),
        # The tab labels show F2-F4 already; the footer keeps its room for the rest.
        Binding("f2", "focus_tab('guide')", "Guide", id="scenario.guide", show=False),
        Binding("f3", "focus_tab('world')", "World", id="scenario.world", show=False),
        Binding("f4", "focus_tab('explain')", "Explain", id="scenario.explain", show=False),
        Binding("f12", "focus_tab('live')", "Live calls", id="scenario.live", show=False),
        Binding("f5", "hint", "Hint", id="scenario.hint"),
        Binding("f6", "solution", "Solution", id="scenario.solution"),
        Binding("f7", "next", "Next", id="scenario.next"),
        Binding("f7", "pick_world", "Worlds", id="sandbox.worlds"),
        Binding("f8", "undo", "Undo", id="scenario.undo"),
        Binding("f9", "reset", "Reset", id="scenario.reset"),
        Binding("f11", "zoom", "Zoom", id="scenario.zoom"),
        Binding("ctrl+t", "focus_terminal", "Terminal", id="scenario.terminal", show=False),
        Binding("ctrl+l", "clear_terminal", "Clear terminal", id="scenario.clear", show=False),
    ]

    ALLOW_IN_MAXIMIZED_VIEW = "SimHeader, Footer"

    def __init__(self, session: Session, *, now: Now = utc_now, clock: Clock = time.monotonic) -> None:
        super().__init__()
        self.session = session
        self.started = False
        self.now = now
        self.clock = clock
        self.step_shown = 0.0  # clock() when the waiting question or task appeared
        self.reviews: StudyStore | None = None  # loaded at the first attempt

    # -- layout -------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield SimHeader(id="sim-header")
        if self.session.entry is not None and not self.session.is_sandbox:
            yield Briefing(self.session.entry, self.session.references, id="briefing")
        with Horizontal(id="workspace"):
            with SidePanel(id="side", initial="guide"):
                with TabPane("Guide F2", id="guide"), GuideLog(id="guide-log"):
                    pass
                with TabPane("World F3", id="world"):
                    yield WorldView(id="world-view")
                with TabPane("Explain F4", id="explain"):
                    yield ExplainView(id="explain-view")
                with TabPane("Live", id="live"):
                    yield LiveCalls(self.session, id="live-view")
            yield Terminal(self.session.completions, escape_leaves=True, id="terminal")
        yield Footer(compact=True, show_command_palette=False)  # 80 columns: ctrl+p is in F1 help

    def on_mount(self) -> None:
        if not on_stack(self):  # closed before it mounted (Enter, then Escape faster than a frame)
            return
        self.refresh_world()
        if self.session.is_sandbox:
            self._begin()
        else:
            self.query_one("#workspace").display = False

    @on(Button.Pressed, "#briefing-start")
    def _start_pressed(self) -> None:
        self._begin()

    def _begin(self) -> None:
        if self.started:
            return
        self.started = True
        if self.query("#briefing"):
            self.query_one("#briefing").remove()
        self.query_one("#workspace").display = True
        if self.session.is_sandbox:
            self._guide(Static(Text(SANDBOX_INTRO), classes="narration"))
            if self.session.entry is not None:
                started = f"Started from the world of: {self.session.entry.title}"
                self._guide(Static(Text(started), classes="dim"))  # Text: a title is not markup
        self._play()
        if not self._awaiting_answer():
            self.query_one(Terminal).focus_input()

    # -- playing the scenario -----------------------------------------------------------------------------
    def _play(self) -> None:
        """Run steps up to the next question or task, show what they did, then show that step."""
        self._show(self.session.advance())
        step = self.session.current
        self.step_shown = self.clock()
        if step is None:
            if not self.session.is_sandbox:
                self._finished()
        elif step.kind == "ask":
            view = QuestionView(step.text, step.choices, multiple=step.multiple, classes="step")
            self._guide(view)
            self.action_show_tab("guide")
            self.call_after_refresh(focus_first, view, ".question-choices")
        else:
            view = TaskView(step.text, step.hints, step.solution, classes="step")
            self._guide(view)
            self.call_after_refresh(view.show_goals, self.session.goals())
            self.call_after_refresh(self.action_focus_terminal)
        if step is not None:
            # The new step's top in view, not the end of its last choice; and a task, not the verdict
            # before it (scrolled to the end before the task was laid out, the guide stayed on the verdict).
            self.call_after_refresh(view.scroll_visible, top=True, animate=False)
        self.refresh_world()

    def _show(self, happenings: list[Happening]) -> None:
        terminal = self.query_one(Terminal)
        for happening in happenings:
            if isinstance(happening, Narration):
                self._guide(Markdown(happening.text, classes="narration"))  # `say` is Markdown
            elif isinstance(happening, Typed):
                terminal.show_command(happening.prompt, happening.line)
                terminal.show_output(happening.stdout, happening.stderr)
            else:
                terminal.show_note(happening.text)

    def _finished(self) -> None:
        entry = self.session.entry
        assert entry is not None
        self._record(lambda progress, sid: progress.finish(sid))
        summary = f"★ Scenario complete: {entry.title}.\n{self.session.summary()}  Escape returns home."
        self._guide(Static(Text(summary, style="bold"), classes="finished"))
        self.notify(f"Scenario complete: {entry.title}", title="Well done", markup=False)

    def _record(self, change: Callable[[ProgressStore, str], None]) -> None:
        """Save a change to the learner's progress in this scenario (the sandbox keeps none); a save that
        fails is a notification, never an error."""
        if self.session.entry is None or self.session.is_sandbox:
            return
        change(self.app.progress, self.session.entry.id)
        self.app.report_progress_warnings()

    def _review(self, attempt: Attempt) -> None:
        """Schedule the waiting step's card after `attempt` (the sandbox has no cards); a save that fails is
        a notification, as for progress."""
        if self.session.entry is None or self.session.is_sandbox:
            return
        from ecrsim.scenarios.study_store import StudyStore

        if self.reviews is None:
            self.reviews = StudyStore.load()
        self.reviews.record(card_key(self.session.entry.id, self.session.step_index), attempt, self.now())
        while self.reviews.warnings:
            warning = self.reviews.warnings.pop(0)
            self.notify(warning, title="Review", severity="warning", timeout=10, markup=False)

    def _guide(self, widget: Static | Markdown | QuestionView | TaskView) -> None:
        self.query_one("#guide-log", VerticalScroll).mount(widget)
        self._scroll_guide()

    def _scroll_guide(self) -> None:
        log = self.query_one("#guide-log", VerticalScroll)
        log.call_after_refresh(log.scroll_end, animate=False)

    def _awaiting_answer(self) -> bool:
        step = self.session.current
        return step is not None and step.kind == "ask" and not self._current_view_done()

    def _current_view(self) -> QuestionView | TaskView | None:
        views = self.query(".step")
        return views.last() if views else None  # type: ignore[return-value]

    def _current_view_done(self) -> bool:
        view = self._current_view()
        if isinstance(view, QuestionView):
            return view.answered
        return isinstance(view, TaskView) and view.done

    # -- the terminal -------------------------------------------------------------------------------------
    @on(Terminal.Submitted)
    async def _run(self, event: Terminal.Submitted) -> None:
        terminal = self.query_one(Terminal)
        terminal.show_command(self.session.prompt, event.line)
        with terminal.running():
            live = self.query_one(LiveCalls)
            result = await in_thread(lambda: live.exclusively(lambda: self.session.run(event.line)))
        terminal.show_output(result.stdout, result.stderr)
        self.refresh_world()
        self._check_task()

    def _check_task(self) -> None:
        """After every command: the goal view redrawn, the task complete (or open again after an undo)."""
        view = self._current_view()
        if not isinstance(view, TaskView) or self.session.current is None:
            return
        view.show_goals(self.session.goals())
        done = self.session.task_done()
        if view.done and not done:
            view.undo_success()
            self._scroll_guide()
            return
        if view.done or not done:
            problems = self.session.task_problems()
            view.show_problem(problems[-1] if problems and all(g.met for g in self.session.goals()) else None)
            return
        view.show_success()
        self._scroll_guide()
        step = self.session.step_index
        self._record(lambda progress, sid: progress.task_done(sid, step))
        seconds = self.clock() - self.step_shown
        self._review(
            Attempt("task", True, hints=view.hints_shown, solution_shown=view.solution_shown, seconds=seconds)
        )
        self.action_show_tab("guide")
        self.notify("Every check holds.", title="Task complete")

    @on(LiveCalls.Served)
    def _served(self) -> None:
        self.refresh_world()

    def refresh_world(self) -> None:
        session = self.session
        self.query_one(SimHeader).show(
            title=session.title, now=session.world.clock.now, profile=session.profile, region=session.region
        )
        self.query_one(Terminal).set_prompt(session.prompt)
        self.query_one(WorldView).show(session.world)
        self.query_one(ExplainView).show(session.world)

    # -- questions ----------------------------------------------------------------------------------------
    @on(QuestionView.Answered)
    async def _answered(self, event: QuestionView.Answered) -> None:
        seconds = self.clock() - self.step_shown  # before marking, which runs the simulation
        verdict = self.session.answer(event.choices)
        view = event.control if isinstance(event.control, QuestionView) else self._current_view()
        assert isinstance(view, QuestionView)
        detail = verdict.detail
        if verdict.decision is not None:
            self.query_one(ExplainView).show_decision(verdict.decided_by, verdict.decision)
            detail = f"{detail or ''} F4 shows the decision behind it.".strip()
        view.show_verdict(
            correct=verdict.correct,
            right=verdict.right,
            explain=verdict.explain,
            detail=detail,
            reasons=verdict.reasons,
        )
        step = self.session.step_index
        self._record(lambda progress, sid: progress.answer(sid, step, event.choices, correct=verdict.correct))
        self._review(Attempt("question", verdict.correct, seconds=seconds))
        log = self.query_one(GuideLog)
        log.focus()  # the choices are disabled now: arrows scroll the verdict, the footer shows the keys
        # Scrolled once the verdict and the hint are laid out: after they have mounted, then a refresh.
        await log.mount(Static("F7: next step", classes="dim next-hint"))
        self.call_after_refresh(self._verdict_in_view, view)

    def _verdict_in_view(self, view: QuestionView) -> None:
        """The verdict from its first line, with "F7: next step" under it when both fit: scrolled to the
        end, an 80x24 guide showed only the last reasons of a long verdict, not whether it was right."""
        log = self.query_one(GuideLog)
        for result in view.query(".question-result"):
            top = result.region.y - log.content_region.y + log.scroll_y  # where it starts in the log
            log.scroll_to(y=min(log.max_scroll_y, top), animate=False, immediate=True)

    # -- actions ------------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hints, solutions and steps belong to scenarios; choosing another world belongs to the sandbox."""
        if action in ("hint", "solution", "next"):
            return not self.session.is_sandbox
        if action == "pick_world":
            return self.session.is_sandbox
        return True

    def action_leave(self) -> None:
        """Home, after asking if that loses the learner's work (as F9 asks before a reset): one Escape too
        many, from a panel rather than the terminal, must not throw away a world or a scenario half done."""
        if self.session.is_sandbox:
            text = "Leave the sandbox? Its world is lost: every change since it started."
        else:
            text = "Leave the scenario? Opened again, it starts from its briefing. (Your answers are kept.)"
        self._unless_it_loses_work(text, "Leave", self._leave_now)

    def _leave_now(self) -> None:
        if not self.is_current:  # a screen opened over this one since (help): not it to close
            return
        self.app.clear_notifications()  # this scenario's notices ("Well done") do not cover the next screen
        self.dismiss()

    def _unless_it_loses_work(self, text: str, label: str, then: Callable[[], None]) -> None:
        """Do `then` at once if it loses nothing the learner did; else only if they confirm."""
        if self.session.leaving_loses:
            self._confirm(text, "leave", label, then)
        else:
            then()

    def _confirm(self, text: str, choice: str, label: str, then: Callable[[], None]) -> None:
        """Ask before something that cannot be taken back; "Keep going", the safe choice, comes first."""
        from ecrsim.tui.confirm import Confirm

        def chosen(answer: str | None) -> None:
            if answer == choice:
                then()

        self.app.push_screen(Confirm(text, [("keep", "Keep going"), (choice, label)]), chosen)

    def action_show_tab(self, tab: str) -> None:
        if self.started:
            self.query_one(TabbedContent).active = tab

    def action_focus_tab(self, tab: str) -> None:
        """Show a tab and move focus into it, so the keys pressed next act on what is shown (a number
        answers the question, arrows scroll the world) rather than on the panel left behind."""
        if not self.started:
            return
        self.action_show_tab(tab)
        self.call_after_refresh(self._focus_in_tab, tab)

    def _focus_in_tab(self, tab: str) -> None:
        if tab == "guide":
            self.query_one(GuideLog).focus_here()
            return
        pane = self.query_one(f"#{tab}", TabPane)
        target = next((widget for widget in self.focus_chain if pane in widget.ancestors), None)
        if target is not None:
            target.focus()

    @on(Terminal.Left)
    def _left_terminal(self) -> None:
        self.action_focus_tab("guide")

    def action_focus_terminal(self) -> None:
        if self.started:
            self.query_one(Terminal).focus_input()

    def action_zoom(self) -> None:
        """Fill the screen with the panel that has focus (the terminal, or the guide/world/explain tabs):
        for an 80-column terminal or a projector. F11 or escape goes back."""
        if not self.started:
            return
        if self.maximized is not None:
            self.minimize()
            return
        terminal = self.query_one(Terminal)
        focused = self.focused
        inside_terminal = focused is not None and terminal in focused.ancestors_with_self
        self.maximize(terminal if inside_terminal else self.query_one(SidePanel), container=False)

    def action_clear_terminal(self) -> None:
        self.query_one(Terminal).clear()

    def action_next(self) -> None:
        if not self.started:
            self._begin()
        elif self.session.current is None:
            self.notify("This scenario is complete. Escape returns home.")
        elif not self._current_view_done():
            what = "Answer the question" if self.session.current.kind == "ask" else "Finish the task"
            self.notify(f"{what} first.", severity="warning")
        else:
            for hint in self.query(".next-hint"):  # "F7: next step" is done with once F7 is pressed
                hint.remove()
            self.session.next_step()
            self._play()

    def action_hint(self) -> None:
        view = self._current_view()
        if not isinstance(view, TaskView) or view.done:
            self.notify("Hints are for tasks; there is no open task.", severity="warning")
            return
        if not view.next_hint():
            self.notify("No more hints. F6 shows the solution.")
            return
        self.action_show_tab("guide")
        step, shown = self.session.step_index, view.hints_shown
        self._record(lambda progress, sid: progress.task_hint(sid, step, shown))

    def action_solution(self) -> None:
        view = self._current_view()
        if not isinstance(view, TaskView) or view.done:
            self.notify("There is no open task.", severity="warning")
            return
        view.show_solution()
        self.action_show_tab("guide")
        step = self.session.step_index
        self._record(lambda progress, sid: progress.task_solution_shown(sid, step))

    def action_undo(self) -> None:
        self._run_sim("sim undo")

    def action_reset(self) -> None:
        """Reset the sandbox or restart the scenario, after asking: the world made so far is lost."""
        if self.session.is_sandbox:
            text, label = "Reset the sandbox to its starting world? Every change since is lost.", "Reset"
        else:
            text = "Restart the scenario from its briefing, with a fresh world? (Your progress is kept.)"
            label = "Restart"

        def reset() -> None:
            if self.session.is_sandbox:
                self._run_sim("sim reset")
            else:
                self.app.replace_with(self, self.session.entry, sandbox=False)

        self._confirm(text, "reset", label, reset)

    def _run_sim(self, line: str) -> None:
        if self.started:
            self.post_message(Terminal.Submitted(line))

    def action_pick_world(self) -> None:
        from ecrsim.tui.world_picker import DEFAULT_WORLD, WorldPicker

        def chosen(scenario_id: str | None) -> None:
            if scenario_id is None:
                return
            entry = None if scenario_id == DEFAULT_WORLD else self.app.entry(scenario_id)
            text = "Start over from that world? This sandbox's world is lost: every change since it started."
            self._unless_it_loses_work(
                text, "Start over", lambda: self.app.replace_with(self, entry, sandbox=True)
            )

        self.app.push_screen(WorldPicker(self.app.entries), chosen)

    def palette_actions(self) -> list[PaletteEntry]:
        actions: list[PaletteEntry] = []
        if self.session.is_sandbox:
            actions += [
                ("Reset the sandbox", "Back to the starting world (F9)", self.action_reset),
                (
                    "Start from another world",
                    "The default world or a scenario's (F7)",
                    self.action_pick_world,
                ),
            ]
        else:
            actions += [
                ("Next hint", "Reveal the next hint of the current task (F5)", self.action_hint),
                ("Show solution", "Show the commands that solve the current task (F6)", self.action_solution),
                ("Next step", "Go on to the next step of the scenario (F7)", self.action_next),
                ("Restart the scenario", "From the briefing, with a fresh world (F9)", self.action_reset),
            ]
        actions += [
            ("Undo", "Undo the last command that changed the world (F8)", self.action_undo),
            ("Home", "Back to the list of scenarios (Escape)", self.action_leave),
        ]
        return actions

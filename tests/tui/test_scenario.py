"""A learner's path through a scenario: briefing, question right and wrong, a task with a hint, progress."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from fsrs import Rating
from textual.widgets import OptionList, SelectionList, TabbedContent
from tui_helpers import HOST, ready, static_text, terminal_text, type_line

from ecrsim.scenarios.progress import ProgressStore
from ecrsim.scenarios.session import Session
from ecrsim.scenarios.study_store import StudyStore
from ecrsim.tui.app import EcrsimApp
from ecrsim.tui.home import HomeScreen
from ecrsim.tui.question_view import QuestionView
from ecrsim.tui.scenario_screen import ScenarioScreen
from ecrsim.tui.task_view import TaskView

LOGIN = f"aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin {HOST}"


async def _open(pilot, scenario_id: str) -> ScenarioScreen:
    await ready(pilot)
    pilot.app.open_scenario(scenario_id)
    await pilot.pause()
    assert isinstance(pilot.app.screen, ScenarioScreen)
    return pilot.app.screen


async def test_a_scenario_opens_on_its_briefing_and_enter_starts_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(pilot, "tui-first-push")
        assert "Sam has an image on the laptop" in static_text(pilot, "#briefing-text")
        assert not screen.query_one("#workspace").display
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#workspace").display
        assert not screen.query("#briefing")
        assert "Sam has not logged Docker in" in static_text(pilot, ".narration")
        # The header shows the simulated clock, the profile the scenario switched to, and the Region.
        assert "2026-03-02 08:00 UTC" in static_text(pilot, "#sim-status")
        assert "profile sam" in static_text(pilot, "#sim-status")
        assert "us-east-1" in static_text(pilot, "#sim-status")


async def test_a_right_answer_by_number_key(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(pilot, "tui-first-push")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.focused, OptionList)  # the choices, so number keys answer
        await pilot.press("2")
        await pilot.pause()
        result = static_text(pilot, ".question-result")
        assert "✓ Right!" in result
        assert "needs a login" in result  # the author's explanation
        assert "UNAUTHORIZED" in result  # and what the probe really did
        assert app.progress.record("tui-first-push").questions[2].first_try
        assert screen.session.current is not None and screen.session.current.kind == "ask"


async def test_a_wrong_answer_by_click_shows_the_right_one(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot, "tui-first-push")
        await pilot.press("enter")
        await pilot.pause()
        choices = app.screen.query_one(QuestionView).query_one(OptionList)
        await pilot.click(choices, offset=(4, 1))  # the first choice's row: "1. It succeeds."
        await pilot.pause()
        result = static_text(pilot, ".question-result")
        assert "✗ Not quite. The right answer: 2." in result
        record = app.progress.record("tui-first-push").questions[2]
        assert record.attempts == [[1]] and not record.correct
        await pilot.press("1")  # an answered question takes no second answer
        await pilot.pause()
        assert app.progress.record("tui-first-push").questions[2].attempts == [[1]]


async def test_a_fix_question_is_marked_by_applying_each_choice(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot, "tui-readonly")
        await pilot.press("enter")
        await pilot.pause()
        assert "AccessDeniedException" in terminal_text(pilot)  # the scenario's own `run` step
        await pilot.press("1")
        await pilot.pause()
        result = static_text(pilot, ".question-result")
        assert "The right answer: 2." in result
        assert "Choice 1:" in result and "still fails" in result


async def test_a_task_with_a_hint_ends_in_success_and_the_scenario_completes(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(pilot, "tui-first-push")
        await pilot.press("enter", "2")
        await pilot.pause()
        await pilot.press("f7")  # on to the task
        await pilot.pause()
        assert app.focused is screen.query_one("#terminal-input")
        task = screen.query_one(TaskView)
        await pilot.press("f5")
        await pilot.pause()
        assert "Hint 1: Docker has to log in first" in static_text(pilot, ".task-hints")
        assert "Hint 2" not in static_text(pilot, ".task-hints")
        await pilot.press("f7")  # not done yet: F7 refuses to skip it
        await pilot.pause()
        assert screen.session.current is not None and screen.session.current.kind == "task"

        await type_line(pilot, LOGIN)
        assert not task.done
        await type_line(pilot, f"docker push {HOST}/api:1.0")
        assert task.done
        assert "Task complete" in static_text(pilot, ".task-status")
        record = app.progress.record("tui-first-push").tasks[3]
        assert record.done and record.hints_used == 1 and not record.solution_shown

        await pilot.press("f7")
        await pilot.pause()
        assert "The image is in the registry." in static_text(pilot, ".narration")
        assert "Scenario complete" in static_text(pilot, ".finished")
        assert app.progress.record("tui-first-push").finished


async def test_the_solution_is_shown_on_request_and_recorded(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot, "tui-first-push")
        await pilot.press("enter", "2", "f7", "f6")
        await pilot.pause()
        assert f"$ docker push {HOST}/api:1.0" in static_text(pilot, ".task-solution")
        assert app.progress.record("tui-first-push").tasks[3].solution_shown


async def test_a_command_shows_its_output_and_its_decision_explained(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(pilot, "tui-readonly")
        await pilot.press("enter")
        await pilot.pause()
        await type_line(pilot, "aws ecr describe-repositories --repository-names nope")
        output = terminal_text(pilot)
        assert "dana@111122223333 us-east-1 $ aws ecr describe-repositories" in output
        assert "An error occurred (RepositoryNotFoundException)" in output
        await pilot.press("f4")
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "explain"
        explanation = static_text(pilot, "#explain-text")
        assert explanation.startswith(
            "Last command: aws ecr describe-repositories --repository-names nope\n\n"
            "REFUSED: ecr DescribeRepositories by arn:aws:iam::111122223333:user/dana:"
            " RepositoryNotFoundException"
        )
        assert "Also in this command, in order:\n  ALLOWED: ecr:DescribeRepositories" in explanation
        # An earlier call, chosen from the history, is explained instead.
        calls = screen.query_one("#explain-calls", OptionList)
        assert calls.highlighted is None
        calls.highlighted = 0
        await pilot.pause()
        explanation = static_text(pilot, "#explain-text")
        assert "DENIED (implicit): ecr:CreateRepository" in explanation
        assert "AmazonEC2ContainerRegistryReadOnly" in explanation


async def test_the_world_panel_follows_the_commands(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot, "tui-first-push")
        await pilot.press("enter", "2", "f7")
        await pilot.pause()
        world = static_text(pilot, "#world-text")
        assert "api  MUTABLE" in world and "no images" in world
        assert "not logged in" in world
        await type_line(pilot, LOGIN)
        assert "logged in, token 12h 00m left" in static_text(pilot, "#world-text")
        await type_line(pilot, "sim advance 13h")
        assert "token expired 1h 00m ago" in static_text(pilot, "#world-text")
        assert "2026-03-02 21:00 UTC" in static_text(pilot, "#sim-status")


async def test_progress_survives_a_restart(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot, "tui-first-push")
        await pilot.press("enter", "2")
        await pilot.pause()
    assert ProgressStore.load().record("tui-first-push").questions[2].correct

    again = make_app()
    async with again.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        assert isinstance(again.screen, HomeScreen)
        row = next(
            str(o.prompt) for o in again.screen.query_one(OptionList).options if o.id == "tui-first-push"
        )
        assert row.rstrip().endswith("1/2")


async def test_a_scenario_played_to_the_end_reads_finished_on_the_home_list(make_app) -> None:
    """A wrong answer on the way does not leave a finished scenario reading "1/2" (half done)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, "tui-first-push")
        await pilot.press("enter", "1", "f7")  # the wrong answer
        await pilot.pause()
        await type_line(pilot, LOGIN)
        await type_line(pilot, f"docker push {HOST}/api:1.0")
        await pilot.press("f7")
        await pilot.pause()
        app.pop_screen()
        await pilot.pause()
        row = next(
            str(o.prompt) for o in app.screen.query_one(OptionList).options if o.id == "tui-first-push"
        )
        assert row.rstrip().endswith("✓ finished") and len(row) < 80


async def test_a_damaged_progress_file_is_a_warning_not_a_crash(home, make_app) -> None:
    (home / "progress.json").write_text("{garbage")
    app: EcrsimApp = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert any("damaged" in n.message for n in app._notifications)
    assert (home / "progress.json.damaged").exists()


async def test_a_question_with_several_right_answers_takes_ticks_then_submit(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot, "tui-readonly")
        await pilot.press("enter", "2")
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()
        question = app.screen.query(QuestionView).last()
        assert question.multiple and isinstance(app.focused, SelectionList)
        await pilot.press("1", "2", "2", "s")  # tick 1, tick and untick 2: only choice 1 is submitted
        await pilot.pause()
        result = static_text(pilot, ".question-result")
        assert "The right answer: 3, 4." in result
        # FullAccess lets her create it too, but opens far more: the simulation says so
        assert (
            "1. Attach AmazonEC2ContainerRegistryFullAccess to her. -- wrong: every check holds, but it is "
            "too broad: it also lets dana run" in result
        )
        record = app.progress.record("tui-readonly").questions[3]
        assert record.attempts == [[1]] and not record.correct


async def test_after_an_answer_the_explanation_shows_the_decision_made_on_the_copy(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot, "tui-readonly")
        await pilot.press("enter", "1")  # PullOnly: the create-repository check is still denied
        await pilot.pause()
        assert "F4 shows the decision behind it." in static_text(pilot, ".question-result")
        await pilot.press("f4")
        await pilot.pause()
        explanation = static_text(pilot, "#explain-text")
        assert explanation.startswith("On a copy of the world: choice 1, then the checks")
        assert "DENIED (implicit): ecr:CreateRepository" in explanation
        assert "AmazonEC2ContainerRegistryPullOnly" in explanation


async def open_first_push(pilot, app, now: datetime, elapsed: list[float]) -> None:
    """Open tui-first-push past its briefing, on an injected date and a clock the test moves."""
    await ready(pilot)
    session = Session.for_scenario(app.entry("tui-first-push"), shuffle=False)  # type: ignore[arg-type]
    app.push_screen(ScenarioScreen(session, now=lambda: now, clock=lambda: elapsed[0]))
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def test_answers_and_tasks_played_in_the_ui_count_in_spaced_review(make_app) -> None:
    """As in `ecrsim play`: each attempt schedules its card, rated from how it went and how long it took."""
    app = make_app()
    now = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
    elapsed = [0.0]
    async with app.run_test(size=(100, 30)) as pilot:
        await open_first_push(pilot, app, now, elapsed)
        elapsed[0] = 12.0
        await pilot.press("2")  # right at the first try, within half a minute
        await pilot.pause()
        await pilot.press("f7", "f5")  # the task, with a hint
        await pilot.pause()
        await type_line(pilot, LOGIN)
        await type_line(pilot, f"docker push {HOST}/api:1.0")
        assert "Task complete" in static_text(pilot, ".task-status")
    cards = StudyStore.load().cards
    assert {key: state.history for key, state in cards.items()} == {
        "tui-first-push#2": [(now, Rating.Easy)],
        "tui-first-push#3": [(now, Rating.Hard)],
    }


async def test_a_slow_answer_and_a_task_solved_from_its_solution_are_rated_so(make_app) -> None:
    app = make_app()
    now = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
    elapsed = [0.0]
    async with app.run_test(size=(100, 30)) as pilot:
        await open_first_push(pilot, app, now, elapsed)
        elapsed[0] = 45.0
        await pilot.press("2")  # right, but not quickly
        await pilot.pause()
        await pilot.press("f7", "f6")  # the task, with its solution shown
        await pilot.pause()
        await type_line(pilot, LOGIN)
        await type_line(pilot, f"docker push {HOST}/api:1.0")
    ratings = {key: state.last_rating for key, state in StudyStore.load().cards.items()}
    assert ratings == {"tui-first-push#2": Rating.Good, "tui-first-push#3": Rating.Again}


async def test_undo_reopens_a_completed_task_and_the_end_says_how_it_went(make_app) -> None:
    """Stale state: F8 undoing the completing push takes "Task complete" back; "F7: next step" goes once
    used; the end has a summary as `ecrsim play` has; leaving clears the "Well done" notice."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _open(pilot, "tui-first-push")
        await pilot.press("enter", "2")
        await pilot.pause()
        assert "F7: next step" in static_text(pilot, ".next-hint")
        await pilot.press("f7")
        await pilot.pause()
        assert not screen.query(".next-hint")
        task = screen.query_one(TaskView)
        assert "· aws ecr describe-images" in static_text(pilot, ".task-goals")  # the goal view: not met yet
        await type_line(pilot, LOGIN)
        await type_line(pilot, f"docker push {HOST}/api:1.0")
        assert task.done and "✓ aws ecr describe-images" in static_text(pilot, ".task-goals")
        await pilot.press("f8")  # undo the push
        await pilot.pause()
        await pilot.pause()
        assert not task.done and not screen.query_one(".task-status").display
        await type_line(pilot, f"docker push {HOST}/api:1.0")
        assert task.done
        await pilot.press("f7")
        await pilot.pause()
        assert "1 of 1 questions right; 1 of 1 tasks solved." in static_text(pilot, ".finished")
        assert app._notifications
        screen.action_leave()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and not app._notifications


async def test_f8_after_a_push_that_failed_undoes_the_push_that_completed_the_task(make_app) -> None:
    """A refused push changed nothing, so F8 takes back the command before it (here the push that completed
    the task), and the guide reopens the task; "Undid" never names a command that changed nothing."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, "tui-first-push")
        await pilot.press("enter", "2", "f7")
        await pilot.pause()
        task = screen.query_one(TaskView)
        await type_line(pilot, LOGIN)
        await type_line(pilot, f"docker push {HOST}/api:1.0")
        assert task.done
        await type_line(pilot, f"docker push {HOST}/api:2.0")  # no such local image: refused, nothing sent
        await pilot.press("f8")
        await pilot.pause()
        await pilot.pause()
        undid = f"Undid: docker push {HOST}/api:1.0".replace(" ", "")
        assert terminal_text(pilot).replace(" ", "").endswith(undid)  # (the panel wraps inside words)
        assert not task.done and not screen.query_one(".task-status").display
        assert "· aws ecr describe-images" in static_text(pilot, ".task-goals")


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
async def test_after_an_answer_the_verdict_shows_from_its_first_line_and_the_guide_has_focus(
    make_app, size: tuple[int, int]
) -> None:
    """Scrolled to the end, a verdict longer than the panel showed only its last reasons (at 80x24 not even
    whether the answer was right), and focus was nowhere (the choices disabled), so no key scrolled it."""
    from ecrsim.tui.guide_log import GuideLog

    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await _open(pilot, "tui-first-push")
        await pilot.press("enter", "1")
        await pilot.pause()
        await pilot.pause()
        log = screen.query_one(GuideLog)
        result = screen.query(".question-result").last()
        assert "✗ Not quite" in str(result.content)
        view = log.content_region
        assert view.y <= result.region.y < view.bottom  # its first line is in the panel
        if result.region.height + 2 <= view.height:  # room for it and the hint: both are shown
            assert view.contains_region(screen.query_one(".next-hint").region)
        assert app.focused is log
        await pilot.press("up")  # the keys scroll the guide
        await pilot.pause()
        assert log.scroll_y < log.max_scroll_y or log.max_scroll_y == 0


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
async def test_f7_brings_the_task_into_view_from_its_top(make_app, size: tuple[int, int]) -> None:
    """After a long verdict, F7 set the task below it and left the guide on the verdict: the learner saw
    no task, only the terminal taking focus."""
    from ecrsim.tui.guide_log import GuideLog

    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await _open(pilot, "tui-first-push")
        await pilot.press("enter", "1")
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause()
        await pilot.pause()
        task = screen.query_one(TaskView)
        view = screen.query_one(GuideLog).content_region
        assert view.y <= task.region.y < view.bottom
        assert app.focused is screen.query_one("#terminal-input")

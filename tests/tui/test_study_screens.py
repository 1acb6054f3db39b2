"""The study screens: Review plays due cards and rates them from the attempt, Exam gives no feedback until
it is finished (or time is up), Progress draws where the learner stands; all reachable from the palette."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from tui_helpers import static_text, type_line

from ecrsim.scenarios.review import Attempt, Rating
from ecrsim.scenarios.study_store import StudyStore
from ecrsim.tui.app import EcrsimApp
from ecrsim.tui.exam_screen import ExamScreen
from ecrsim.tui.progress_screen import ProgressScreen
from ecrsim.tui.review_screen import ReviewScreen

STUDY_PACK = Path(__file__).resolve().parent.parent / "scenarios" / "study_pack"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


def app() -> EcrsimApp:
    return EcrsimApp(pack_dir=STUDY_PACK, shuffle=False)


async def settle(pilot) -> None:
    """Wait for the screen just pushed to mount, then for the worker its mount started, then for what the
    worker hands back (on a busy machine the mount may not have happened at the first pause)."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_review_rates_a_question_from_the_answer_and_a_task_from_its_hints(home: Path) -> None:
    store = StudyStore.load()
    store.record("study-d1#1", Attempt("question", False), T0)
    store.record("study-d1#3", Attempt("task", False), T0)
    ticks = iter([0.0, 5.0, 10.0, 500.0])
    screen = ReviewScreen(now=lambda: T0 + timedelta(minutes=5), clock=lambda: next(ticks))
    async with app().run_test(size=(120, 40)) as pilot:
        pilot.app.push_screen(screen)
        await settle(pilot)
        assert "Card 1 of 2: question 1 of Study pack scenario for domain 1" in static_text(
            pilot, "#review-status"
        )
        assert "The account has one repository, web." in static_text(pilot, ".review-context")
        await pilot.press("1")
        await pilot.pause()
        assert "✓ Right!" in static_text(pilot, ".question-result")
        assert "Rated Easy; next review in" in static_text(pilot, ".review-rating")  # first try, in 5 s
        await pilot.press("f7")
        await pilot.pause()
        assert "Card 2 of 2: task 1" in static_text(pilot, "#review-status")
        await pilot.press("f5")
        await type_line(pilot, "aws ecr create-repository --repository-name api")
        assert "Task complete" in static_text(pilot, ".task-status")
        assert "Rated Hard;" in static_text(pilot, ".review-rating")  # after a hint
        await pilot.press("f7")
        await pilot.pause()
        assert "Review done: 2 of 2 cards rated." in static_text(pilot, "#review-status")
    cards = StudyStore.load().cards
    assert cards["study-d1#1"].last_rating == Rating.Easy and cards["study-d1#3"].last_rating == Rating.Hard


async def test_review_with_nothing_due(home: Path) -> None:
    async with app().run_test(size=(100, 30)) as pilot:
        pilot.app.push_screen(ReviewScreen(now=lambda: T0))
        await settle(pilot)
        assert static_text(pilot, "#review-status") == "Nothing is due for review."


async def test_an_exam_shows_no_verdict_until_finished_then_every_explanation(home: Path) -> None:
    async with app().run_test(size=(120, 40)) as pilot:
        pilot.app.push_screen(ExamScreen(2, seed=3, now=lambda: T0, clock=lambda: 0.0))
        await settle(pilot)
        assert "Question 1 of 2 · 0 answered · flagged: none · 4:00 left" in static_text(
            pilot, "#exam-status"
        )
        await pilot.press("f8")  # flag the first question
        await pilot.press("2")
        await pilot.pause()
        assert static_text(pilot, ".question-result") == ""  # no verdict, right or wrong
        assert "Question 2 of 2 · 1 answered · flagged: 1" in static_text(pilot, "#exam-status")
        await pilot.press("1")
        await pilot.press("f6")
        await pilot.pause()
        assert "Your answer: 2. Answer again to change it." in static_text(pilot, ".exam-answer")
        await pilot.press("f9")  # question 1 is flagged: F9 asks first
        await pilot.click("#confirm-finish")
        await pilot.pause()
        status = static_text(pilot, "#exam-status")
        assert status.startswith("Score: ") and "seed 3 sets this exam again" in status
        result = static_text(pilot, "#exam-result")
        assert "By domain:" in result and "Question by question:" in result and "(flagged)" in result
        assert result.count("Your answer:") == 2
    assert len(StudyStore.load().cards) == 2  # both answers rated for review


async def test_when_time_is_up_the_exam_is_scored(home: Path) -> None:
    now = [0.0]
    async with app().run_test(size=(120, 40)) as pilot:
        pilot.app.push_screen(ExamScreen(2, minutes=1, seed=3, now=lambda: T0, clock=lambda: now[0]))
        await settle(pilot)
        await pilot.press("1")
        now[0] = 61.0
        pilot.app.screen.tick()
        await pilot.pause()
        assert static_text(pilot, "#exam-status").startswith("Score: ")
        assert "not answered" in static_text(pilot, "#exam-result")


async def test_progress_draws_done_and_due_with_bars(home: Path) -> None:
    StudyStore.load().record("study-d4#2", Attempt("question", True), T0 - timedelta(days=1))
    async with app().run_test(size=(120, 40)) as pilot:
        pilot.app.push_screen(ProgressScreen(now=lambda: T0))
        await settle(pilot)
        text = static_text(pilot, "#progress-body")
        assert text.startswith("Done 1 of 12 questions and tasks [##------------------]")
        assert "4 Design Cost-Optimized Architectures" in text and "Streak: 1 day" in text


async def test_the_study_screens_are_in_the_command_palette(home: Path) -> None:
    async with app().run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        for key in "Progress":
            await pilot.press(key)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProgressScreen)


async def test_an_exam_ready_after_its_screen_began_to_close_is_not_a_crash(home: Path, monkeypatch) -> None:
    """The exam is set in a worker; when it is ready the screen may already be taking itself apart (the
    monkey test met this as a NoMatches on #exam-body). It must then do nothing, not crash the app."""
    import threading

    from ecrsim.scenarios import cards

    release = threading.Event()
    load_pack = cards.load_pack

    def slow_load(*args, **kwargs):
        release.wait(10)
        return load_pack(*args, **kwargs)

    monkeypatch.setattr(cards, "load_pack", slow_load)
    async with app().run_test(size=(100, 30)) as pilot:
        screen = ExamScreen(2, seed=3, now=lambda: T0, clock=lambda: 0.0)
        pilot.app.push_screen(screen)
        await pilot.pause()
        await screen.query_one("#exam-body").remove()
        release.set()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert pilot.app.is_running and screen.exam is None


async def test_a_result_for_a_screen_the_learner_left_is_dropped(home: Path) -> None:
    """A worker that finishes after its screen was popped hands back nothing (the monkey test met a
    NoMatches on #progress-body when the learner pressed Escape before the counts were ready)."""
    from ecrsim.tui.handback import hand_back

    calls: list[str] = []
    async with app().run_test(size=(100, 30)) as pilot:
        screen = ProgressScreen(now=lambda: T0)
        await pilot.app.push_screen(screen)
        await settle(pilot)
        pilot.app.pop_screen()
        await pilot.app.workers.wait_for_complete()
        worker = pilot.app.run_worker(lambda: hand_back(screen, calls.append, "late"), thread=True)
        await worker.wait()
        await pilot.pause()
        assert calls == [] and pilot.app.is_running
        here = pilot.app.screen
        worker = pilot.app.run_worker(lambda: hand_back(here, calls.append, "on time"), thread=True)
        await worker.wait()
        await pilot.pause()
        assert calls == ["on time"]

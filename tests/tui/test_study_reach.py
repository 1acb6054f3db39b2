"""Review, Exam and Progress are reached from the home footer and F1 help; the exam starts from a form,
asks before ending with questions open, and brings flagged or unanswered ones back; F9 asks first."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from textual.widgets import Input
from tui_helpers import ready, static_text, terminal_text, type_line, until

from ecrsim.tui.app import EcrsimApp
from ecrsim.tui.confirm import Confirm
from ecrsim.tui.exam_screen import ExamScreen
from ecrsim.tui.exam_start import ExamStart
from ecrsim.tui.help import help_markdown
from ecrsim.tui.home import HomeScreen
from ecrsim.tui.progress_screen import ProgressScreen
from ecrsim.tui.review_screen import ReviewScreen

STUDY_PACK = Path(__file__).resolve().parent.parent / "scenarios" / "study_pack"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


async def test_the_home_footer_opens_review_exam_and_progress(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        shown = {active.binding.description for active in app.screen.active_bindings.values()}
        assert {"Review", "Exam", "Progress"} <= shown
        for key, screen in (("f6", ReviewScreen), ("f7", ExamStart), ("f8", ProgressScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)


def test_f1_help_lists_the_study_screens_and_their_keys() -> None:
    text = help_markdown()
    assert "| `f6` | Review |" in text and "| `f7` | Exam |" in text and "| `f8` | Progress |" in text
    assert "### Exam (F7 from home)" in text and "| `f9` | Finish |" in text


async def test_the_exam_form_sets_questions_minutes_domain_and_seed(home: Path) -> None:
    async with EcrsimApp(pack_dir=STUDY_PACK).run_test(size=(100, 30)) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, ExamStart)
        form.query_one("#exam-questions", Input).value = "0"
        await pilot.click("#exam-start-go")
        assert "more than 0" in static_text(pilot, "#exam-start-error")  # refused, said why
        form.query_one("#exam-questions", Input).value = "2"
        form.query_one("#exam-minutes", Input).value = "3"
        form.query_one("#exam-seed", Input).value = "3"
        form.query_one("#exam-seed", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        exam = pilot.app.screen
        assert isinstance(exam, ExamScreen)
        assert (exam.count, exam.minutes, exam.seed) == (2, 3, 3)
        assert "Question 1 of 2 · 0 answered" in static_text(pilot, "#exam-status")


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
async def test_the_exam_form_fits_the_terminal_and_is_filled_by_keys(
    home: Path, size: tuple[int, int]
) -> None:
    """Every field, its label and the buttons are on the screen at once (at 80x24 the form used to run off
    it, the buttons out of sight); Tab walks the fields and Enter in the last one starts the exam."""
    async with EcrsimApp(pack_dir=STUDY_PACK).run_test(size=size) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, ExamStart)
        screen = form.region
        dialog = form.query_one("#exam-start")
        assert screen.contains_region(dialog.region)  # the border included: nothing cut
        for widget in form.query(
            "#exam-start Label, #exam-start Input, #exam-start Select, #exam-start Button"
        ):
            assert dialog.region.contains_region(widget.region), widget
        await pilot.press("backspace", "backspace", "2", "tab", "3", "tab", "tab", "4", "enter")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        exam = pilot.app.screen
        assert isinstance(exam, ExamScreen)
        assert (exam.count, exam.minutes, exam.seed) == (2, 3, 4)


async def test_finishing_with_open_questions_asks_and_revisit_brings_them_back(home: Path) -> None:
    async with EcrsimApp(pack_dir=STUDY_PACK).run_test(size=(100, 30)) as pilot:
        await pilot.app.push_screen(ExamScreen(3, seed=3, now=lambda: T0, clock=lambda: 0.0))
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("f8", "1")  # flag question 1, answer it; 2 and 3 stay unanswered
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(pilot.app.screen, Confirm)
        await pilot.press("enter")  # the safe choice: revisit
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, ExamScreen) and not screen.finished and screen.index == 0
        await pilot.press("f5")  # the next flagged or unanswered one
        await pilot.pause()
        assert screen.index == 1
        await pilot.press("f9")
        await pilot.click("#confirm-finish")
        await pilot.pause()
        assert screen.finished and static_text(pilot, "#exam-status").startswith("Score: ")


async def test_f9_in_the_sandbox_asks_before_resetting_the_world(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("f5")
        await pilot.pause()
        await type_line(pilot, "aws ecr create-repository --repository-name web")
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("escape")  # keep going
        await pilot.pause()
        assert "The world is back" not in terminal_text(pilot)
        assert "web" in static_text(pilot, "#world-text")


async def test_at_80x24_the_exam_footer_shows_every_key_and_the_confirm_names_questions(home: Path) -> None:
    """The footer cut "f9 Finish" off at 80 columns; "Unanswered: 3" read as a count of questions."""
    from textual.widgets._footer import FooterKey

    async with EcrsimApp(pack_dir=STUDY_PACK).run_test(size=(80, 24)) as pilot:
        await pilot.app.push_screen(ExamScreen(3, seed=3, now=lambda: T0, clock=lambda: 0.0))
        await pilot.app.workers.wait_for_complete()
        await until(
            pilot,
            lambda: any(key.region.width for key in pilot.app.screen.query(FooterKey)),
            "the exam footer laid out its keys",
        )
        keys = list(pilot.app.screen.query(FooterKey))
        assert {key.description for key in keys} >= {"Finish", "Revisit", "Help"}
        assert all(key.region.width and key.region.right <= 80 for key in keys)
        await pilot.press("1", "f9")  # question 1 answered; 2 and 3 open
        await pilot.pause()
        assert isinstance(pilot.app.screen, Confirm)
        assert "Flagged: none. Unanswered: questions 2, 3." in static_text(pilot, "Static")

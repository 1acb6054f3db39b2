"""`ecrsim play` end to end, with the answers piped in as a script or a screen reader user would."""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Rating

from ecrsim.scenarios.commands import run_play
from ecrsim.scenarios.questions import Shuffle
from ecrsim.scenarios.study_store import StudyStore

GOOD = Path(__file__).resolve().parent / "good" / "token-expires.yaml"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
QUESTION_1, TASK_1, QUESTION_2 = "token-expires#4", "token-expires#5", "token-expires#6"
LOGIN = (
    "aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin "
    "111122223333.dkr.ecr.us-east-1.amazonaws.com"
)


def play(target: str, answers: str) -> subprocess.CompletedProcess[str]:
    """The real program in a child process: what a user with a pipe gets, streams and status."""
    return subprocess.run(
        [sys.executable, "-m", "ecrsim", "play", target],
        input=answers,
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
    )


def shown(key: str, file_number: int, count: int, now: datetime = T0) -> str:
    """The number a learner sees for choice `file_number` of the question `key` in a play started at `now`:
    choices are shuffled per play, seeded by its start."""
    return str(Shuffle.of(count, int(now.timestamp()), key).shown(file_number))


# The right choices (file order: question 1's second of three, question 2's first of two) as shown at T0.
RIGHT_1, RIGHT_2, WRONG_2 = shown(QUESTION_1, 2, 3), shown(QUESTION_2, 1, 2), shown(QUESTION_2, 2, 2)


def play_here(answers: str, now: datetime = T0) -> tuple[int, str]:
    """The same player in this process (fast), reading answers from a pipe-like stream, at a fixed date and
    with a clock on which every step takes 40 seconds (slower than quick for a question, quick for a task)."""
    out = io.StringIO()
    ticks = itertools.count(0.0, 40.0)
    status = run_play(str(GOOD), io.StringIO(answers), out, now=lambda: now, clock=lambda: next(ticks))
    return status, out.getvalue()


def test_the_program_plays_from_a_pipe() -> None:
    result = play(str(GOOD), "quit\n")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.startswith("== The 12-hour token ==\n")
    assert result.stdout.rstrip().endswith("Stopped before the end of the scenario.")


def test_a_whole_scenario_played_from_piped_answers() -> None:
    status, out = play_here("\n".join(["7", RIGHT_1, "hint", "hint", "goal", "solution", LOGIN, WRONG_2, ""]))
    assert status == 0
    assert out.startswith("== The 12-hour token ==\n")
    assert "alice@111122223333 us-east-1 $ aws ecr get-login-password" in out and "Login Succeeded" in out
    assert "(13h pass. The clock now shows 2026-01-05T22:00:00Z.)" in out
    # a number that is not a choice is asked again; the piped answer is shown after the prompt
    assert (
        "Your answer (1-3): 7\nPlease answer with a choice number from 1 to 3.\n"
        f"Your answer (1-3): {RIGHT_1}\nRight.\n" in out
    )
    # every choice gets its reason from the simulation, numbered as shown
    assert (
        f"  {RIGHT_1}. It fails: denied, the authorization token has expired. -- right: it says error DENIED "
        "mentioning 'expired', and it failed with DENIED (status 1)" in out
    )
    # the goal view: a line per check
    assert (
        "Goal:\n  [ ] `docker push 111122223333.dkr.ecr.us-east-1.amazonaws.com/web:v2` gives success\n"
        in out
    )
    assert "denied: Your authorization token has expired. Reauthenticate and try again." in out
    assert (
        "Hint: Which command gave Alice her token?" in out and "No more hints; `solution` shows one." in out
    )
    assert "Task complete: every check holds, and no more access than needed." in out
    # a wrong fix: why it fails, then the engine's own decision trace without its hint
    assert f'Not quite: the answer is {RIGHT_2} ("Attach AmazonEC2ContainerRegistryReadOnly to bob.").' in out
    assert f"With choice {WRONG_2} applied, its change fails: `aws ecr get-login-password" in out
    assert "DENIED (implicit): ecr:GetAuthorizationToken on *" in out
    assert "Hint: add a statement" not in out
    assert out.rstrip().endswith(
        "Finished token-expires: 1 of 2 questions right; 1 of 1 tasks solved (1 hint)."
    )


def test_input_that_ends_early_stops_with_a_clear_line() -> None:
    status, out = play_here("2\n")
    assert status == 1
    assert out.rstrip().endswith("Input ended before the scenario did; stopping here.")


def test_quit_stops_with_a_clear_line() -> None:
    status, out = play_here("2\nquit\n")
    assert status == 1
    assert out.rstrip().endswith(
        "alice@111122223333 us-east-1 $ quit\n\nStopped before the end of the scenario."
    )


def test_skip_applies_the_solution_and_goes_on() -> None:
    status, out = play_here(f"{RIGHT_1}\nskip\n{RIGHT_2}\n")
    assert status == 0
    assert "(Back to the world the task started from, and the solution applied.)" in out
    assert (
        f"With choice {RIGHT_2} applied, every check holds:\n"
        '  $ aws ecr list-images --repository-name web --query "length(imageIds)"\n'
        "    succeeded, as the check expects\n"
    ) in out
    assert out.rstrip().endswith("2 of 2 questions right; 0 of 1 tasks solved.")


def test_unknown_scenario_and_broken_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_play("no-such-scenario", io.StringIO(), io.StringIO()) == 2
    assert (
        capsys.readouterr().err
        == "ecrsim play: error: no scenario file or bundled scenario id 'no-such-scenario'\n"
    )
    bad = Path(__file__).resolve().parent.parent / "data" / "bad-scenarios" / "unknown-principal.yaml"
    assert run_play(str(bad), io.StringIO(), io.StringIO()) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "does not exist in this world" in err


def test_progress_is_saved_as_the_learner_goes(capsys: pytest.CaptureFixture[str]) -> None:
    from ecrsim.scenarios.progress import ProgressStore

    play_here(f"{RIGHT_1}\nhint\nskip\n{RIGHT_2}\n")
    record = ProgressStore.load().record("token-expires")
    assert record.finished
    assert {step: q.attempts for step, q in record.questions.items()} == {4: [[2]], 6: [[1]]}
    assert record.tasks[5].hints_used == 1 and record.tasks[5].solution_shown and not record.tasks[5].done


def test_every_play_is_a_review_of_each_card_rated_from_how_it_went() -> None:
    play_here("\n".join([shown(QUESTION_1, 1, 3), "hint", LOGIN, RIGHT_2, ""]))
    day_later = T0 + timedelta(days=1)
    wrong = shown(QUESTION_2, 2, 2, day_later)
    play_here("\n".join([shown(QUESTION_1, 2, 3, day_later), "solution", LOGIN, wrong, ""]), now=day_later)
    cards = StudyStore.load().cards
    assert cards[QUESTION_1].history == [(T0, Rating.Again), (day_later, Rating.Good)]  # wrong, then right
    # solved after a hint: Hard; solved after seeing the solution: Again
    assert cards[TASK_1].history == [(T0, Rating.Hard), (day_later, Rating.Again)]
    assert cards[QUESTION_2].history == [(T0, Rating.Good), (day_later, Rating.Again)]


def test_a_task_solved_quickly_without_help_is_easy_and_an_unfinished_one_is_no_review() -> None:
    play_here("\n".join([RIGHT_1, LOGIN, ""]))  # input ends at question 2
    cards = StudyStore.load().cards
    assert cards[TASK_1].last_rating == Rating.Easy  # 40 s, no hint
    assert QUESTION_2 not in cards


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    """`yes 1 | ecrsim play ID | head -1`: the player keeps writing into a closed pipe."""
    child = subprocess.Popen(
        [sys.executable, "-m", "ecrsim", "play", str(GOOD)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    assert child.stdout is not None and child.stdin is not None
    child.stdout.readline()
    child.stdout.close()
    _, err = child.communicate(("2\n" + "hint\n" * 20000).encode(), timeout=60)  # more than a pipe holds
    assert b"Traceback" not in err and child.returncode == 1

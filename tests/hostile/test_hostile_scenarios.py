# ruff: noqa: E501 (the scenario template's lines are as long as a teacher writes them)
"""Scenario files, answers files and the learner's own files, written by a careless teacher or a hostile
learner: every one ends in located problems or a clean run, never a traceback, a hang or lost progress.

The fuzzer fills a small valid scenario's slots (durations, counts, patterns, policies, commands) with
hostile values, seeded and bounded, and checks the file as `ecrsim check` does."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from ecrsim.scenarios.checker import check_paths
from ecrsim.scenarios.pack import load
from ecrsim.scenarios.progress import ProgressStore
from ecrsim.scenarios.report import MAX_OUTPUT, grade, read_answers, to_json, to_junit

TEMPLATE = """\
id: hostile
title: Hostile
summary: A scenario with hostile values in its slots.
topics: [x]
domain: 4
difficulty: 1
world:
  users:
    - name: ana
      managed_policies: [AmazonEC2ContainerRegistryFullAccess]
      inline_policies:
        p: {POLICY}
  repositories:
    - name: web
      lifecycle_policy:
        rules:
          - rulePriority: 1
            selection: {{tagStatus: tagged, tagPatternList: [{PATTERN}], countType: sinceImagePushed, countUnit: days, countNumber: {COUNT}}}
            action: {{type: expire}}
          - rulePriority: 2
            selection: {{tagStatus: any, countType: imageCountMoreThan, countNumber: 1}}
            action: {{type: expire}}
      images:
        - tags: [v1]
          pushed: {PUSHED}
        - tags: [v2]
          pushed: -1d
steps:
  - as: ana
  - advance: {ADVANCE}
  - run: {RUN}
  - ask: "How many images are left?"
    probe: aws ecr list-images --repository-name web --query 'length(imageIds)'
    choices:
      - text: one
        outcome: {{output: "1"}}
      - text: two
        outcome: {{output: "2"}}
    answer: 1
  - task: Tag the repository.
    check:
      - run: aws ecr list-tags-for-resource --resource-arn arn:aws:ecr:us-east-1:111122223333:repository/web --query 'tags[0].Key' --output text
        expect: {{output: team}}
    solution:
      - aws ecr tag-resource --resource-arn arn:aws:ecr:us-east-1:111122223333:repository/web --tags Key=team,Value=web
"""
SAFE = {
    "POLICY": '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", '
    '"Resource": "*"}]}',
    "PATTERN": '"v*"',
    "COUNT": "30",
    "PUSHED": "-40d",
    "ADVANCE": "1d",
    "RUN": "aws ecr describe-repositories",
}
EVIL_GLOB = '"' + "*a" * 12 + '*b"'


def _deep(depth: int) -> str:
    return json.dumps('{"Version": "2012-10-17", "Statement": ' + "[" * depth + "]" * depth + "}")


HOSTILE = {
    "POLICY": st.sampled_from([_deep(5000), _deep(900), json.dumps("x" * 20000), "[]", "null", "'{'"]),
    "PATTERN": st.sampled_from([EVIL_GLOB, '"?"', '"[v]*"', '""', "'" + "*" * 500 + "'"]),
    "COUNT": st.sampled_from(["99999999", "10" * 30, "9" * 5000, "-1", "0", "1e400", "true"]),
    "PUSHED": st.sampled_from(
        ["-99999999999d", "-9" + "9" * 5000 + "d", "-3000000d", "-0s", "9999-12-31T23:59:59Z"]
    ),
    "ADVANCE": st.sampled_from(["99999d", "99999999999d", "9" * 5000 + "d", "-1d", "0s"]),
    "RUN": st.sampled_from(
        [
            "aws ecr describe-repositories --query 'unknown_fn(@)'",
            "aws ecr create-repository --repository-name x --tags file:///etc/passwd",
            "aws ecr create-repository --repository-name x --tags '" + "[" * 3000 + "'",
            "sim advance " + "9" * 5000 + "d",
            "echo \x1b[31m\x00\x07",
            "export A=$A$A",
        ]
    ),
}


def _check(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    count, problems = check_paths([path])
    assert count == 1
    lines = [str(problem) for problem in problems]
    for line in lines:
        assert "\n" not in line and line.startswith(str(path)), line
        assert "internal error" not in line, line
    return lines


def test_the_template_is_a_good_scenario(tmp_path: Path) -> None:
    assert _check(tmp_path, TEMPLATE.format(**SAFE)) == []


@seed(14)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.fixed_dictionaries({}, optional=HOSTILE))
def test_hostile_values_in_any_slot_are_refused_or_checked_cleanly(
    tmp_path_factory: pytest.TempPathFactory, slots: dict[str, str]
) -> None:
    _check(tmp_path_factory.mktemp("fuzz"), TEMPLATE.format(**{**SAFE, **slots}))


def test_an_advance_the_clock_cannot_make_fails_the_check(tmp_path: Path) -> None:
    text = TEMPLATE.format(**SAFE).replace("  - advance: 1d\n", "  - advance: 99999d\n" * 30)
    problems = _check(tmp_path, text)
    assert any("steps[" in line and ".advance: cannot advance by '99999d'" in line for line in problems), (
        problems
    )


def test_a_file_with_too_many_nodes_says_what_the_limit_counts(tmp_path: Path) -> None:
    text = TEMPLATE.format(**SAFE) + "extra: [" + ", ".join(["1"] * 60_000) + "]\n"
    problems = _check(tmp_path, text)
    assert len(problems) == 1 and "too many YAML nodes: a scenario may have at most 50000" in problems[0]


@pytest.mark.parametrize("name", ["scenario.yaml", "answers.yaml"])
def test_a_fifo_or_device_is_refused_without_blocking(tmp_path: Path, name: str) -> None:
    import os

    fifo = tmp_path / name
    os.mkfifo(fifo)
    _, problems = check_paths([fifo])
    assert "Not a regular file" in str(problems[0])
    item = load(_write(tmp_path, TEMPLATE.format(**SAFE)))
    with pytest.raises(Exception, match="Not a regular file"):
        read_answers(fifo, item.scenario)
    with pytest.raises(Exception, match="Not a regular file"):
        read_answers(Path("/dev/zero"), item.scenario)


def _write(tmp_path: Path, text: str, name: str = "hostile.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ANSWERS = st.fixed_dictionaries(
    {},
    optional={
        "learner": st.text(max_size=30),
        "questions": st.dictionaries(
            st.one_of(st.text("0123456789²", max_size=6), st.just("9" * 5000)),
            st.one_of(
                st.integers(-(10**30), 10**30), st.text(max_size=10), st.lists(st.integers(0, 5), max_size=3)
            ),
            max_size=3,
        ),
        "tasks": st.dictionaries(
            st.sampled_from(["1", "2", "01", "9" * 5000]),
            st.lists(
                st.sampled_from(
                    ["export A=$A$A", "echo $A$A$A$A", "aws ecr describe-repositories", "\x00\x1b"]
                ),
                max_size=12,
            ),
            max_size=2,
        ),
    },
)


@seed(14)
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(ANSWERS)
def test_fuzzed_answers_files_grade_or_are_refused_cleanly(
    tmp_path_factory: pytest.TempPathFactory, answers: dict
) -> None:
    from ecrsim.scenarios.report import AnswersProblems

    folder = tmp_path_factory.mktemp("answers")
    item = load(_write(folder, TEMPLATE.format(**SAFE)))
    try:
        graded = read_answers(_write(folder, json.dumps(answers), "answers.yaml"), item.scenario)
    except AnswersProblems as problems:
        assert all(line.startswith(str(folder)) for line in str(problems).split("\n"))
        return
    report = grade(item, graded)
    json.dumps(to_json(report))
    ET.fromstring(to_junit(report).split("\n", 1)[1])  # well-formed whatever the learner typed


def test_a_report_keeps_a_bounded_part_of_each_output_and_stays_well_formed(tmp_path: Path) -> None:
    item = load(_write(tmp_path, TEMPLATE.format(**SAFE)))
    lines = ["export A=" + "x" * 1000] + ["export A=$A$A"] * 7 + ["echo $A"] * 20
    answers = {"learner": "Ana \x1b[1m\x00", "tasks": {"1": [*lines, "echo \x07\x0b\ufffe"]}}
    report = grade(item, read_answers(_write(tmp_path, json.dumps(answers), "answers.yaml"), item.scenario))
    text = json.dumps(to_json(report))
    assert len(text) < 40 * (MAX_OUTPUT + 200)
    assert "more characters not kept in the report" in text
    root = ET.fromstring(to_junit(report).split("\n", 1)[1])
    assert root.find(".//property[@name='learner']").get("value") == "Ana \ufffd[1m\ufffd"


def test_an_unreadable_progress_file_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "progress.json"
    path.write_text('{"precious": true}')
    import ecrsim.engine.hostfiles as hostfiles

    def refuse(*args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(hostfiles, "read_text", refuse)
    store = ProgressStore.load(path)
    assert any("left as it is" in warning for warning in store.warnings)
    store.answer("basics", 3, [1], correct=True)  # the first answer used to overwrite the file
    assert path.read_text() == '{"precious": true}'
    assert store.record("basics").questions[3].correct  # kept in memory for this session
    assert any("Could not save" in warning for warning in store.warnings)


@pytest.mark.parametrize("content", [b"[" * 100_000, b"\xff\xfe", b"{" * 3000 + b"}" * 3000])
@pytest.mark.parametrize("name", ["progress.json", "review.json"])
def test_damaged_learner_files_are_set_aside_every_time_not_fatal(
    tmp_path: Path, name: str, content: bytes
) -> None:
    from ecrsim.scenarios.study_store import StudyStore

    path = tmp_path / name
    path.write_bytes(content)
    store = (ProgressStore if name == "progress.json" else StudyStore).load(path)
    assert any("damaged" in warning for warning in store.warnings)
    assert not path.exists() and (tmp_path / f"{name}.damaged").read_bytes() == content


@pytest.mark.parametrize("name", ["progress.json", "review.json"])
def test_a_fifo_learner_file_is_set_aside_without_blocking(tmp_path: Path, name: str) -> None:
    import os

    from ecrsim.scenarios.study_store import StudyStore

    os.mkfifo(tmp_path / name)
    store = (ProgressStore if name == "progress.json" else StudyStore).load(tmp_path / name)
    assert any("Not a regular file" in warning for warning in store.warnings)

"""Every malformed file gets its exact located error lines and exit status 1, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ecrsim.cli import main
from ecrsim.scenarios.loader import MAX_BYTES
from ecrsim.scenarios.pack import display_name

BAD = Path(__file__).resolve().parent.parent / "data" / "bad-scenarios"
FILES = sorted(BAD.glob("*.yaml"))


def expectations(path: Path) -> list[str]:
    """The `# expect: LINE:COL: error: ...` lines a file opens with (each a prefix of one output line)."""
    found = []
    for line in path.read_bytes().splitlines():
        if not line.startswith(b"# expect: "):
            break
        found.append(line.decode().removeprefix("# expect: "))
    return found


def check(capsys: pytest.CaptureFixture[str], *paths: Path) -> tuple[int, list[str], str]:
    status = main(["check", *map(str, paths)])
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def test_the_corpus_covers_at_least_25_malformed_files() -> None:
    assert len(FILES) >= 25
    assert all(expectations(path) for path in FILES), "every bad file states the error it must produce"


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_bad_file_reports_its_located_errors(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines, err = check(capsys, path)
    expected = expectations(path)
    assert status == 1
    assert len(lines) == len(expected), lines
    for line, expect in zip(lines, expected, strict=True):
        assert line.startswith(f"{display_name(path)}:{expect}")
    assert "Traceback" not in err and "internal error" not in "".join(lines)


def test_a_huge_file_is_refused_before_it_is_parsed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = tmp_path / "huge.yaml"
    huge.write_text("id: huge\nsummary: " + "x" * MAX_BYTES + "\n")
    status, lines, _ = check(capsys, huge)
    assert status == 1
    assert lines == [
        f"{display_name(huge)}:1:1: error: file is {MAX_BYTES + 19} bytes; "
        f"a scenario file may be at most {MAX_BYTES} bytes"
    ]


def test_an_alias_bomb_is_refused_quickly(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    status, lines, _ = check(capsys, BAD / "alias-bomb.yaml")
    assert status == 1 and "too many YAML nodes" in lines[0]
    assert time.perf_counter() - started < 1.0


def test_all_bad_files_at_once_report_each_file(capsys: pytest.CaptureFixture[str]) -> None:
    status, lines, err = check(capsys, BAD)
    assert status == 1
    assert {line.split(":", 1)[0] for line in lines} == {display_name(path) for path in FILES}
    assert f"{len(FILES)} scenario files" in err


def test_a_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, lines, err = check(capsys, BAD / "no-such-file.yaml")
    assert status == 2 and not lines
    assert err.strip() == f"ecrsim check: error: no such file or folder: {BAD / 'no-such-file.yaml'}"


def test_a_folder_without_scenarios_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines, err = check(capsys, tmp_path)
    assert status == 2 and not lines
    assert err.strip() == f"ecrsim check: error: no scenario files (*.yaml) in {tmp_path}"

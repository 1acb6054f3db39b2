"""`file://` in the sandbox reads the world's files and regular files under the folder ecrsim runs in,
nothing else, and never more than a limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ecrsim.engine.hostfiles import MAX_FILE_BYTES
from ecrsim.engine.world import default_world
from ecrsim.shell import Shell

TAGS = '[{"Key": "team", "Value": "web"}]'
CREATE = "aws ecr create-repository --repository-name app --query repository.repositoryName --tags "


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The folder ecrsim runs in, with a host secret beside it (outside) and tricks inside it."""
    (tmp_path / "outside.json").write_text('{"secret": "host-only"}')
    inside = tmp_path / "work"
    (inside / "sub").mkdir(parents=True)
    (inside / "sub" / "tags.json").write_text(TAGS)
    (inside / "escape.json").symlink_to(tmp_path / "outside.json")
    (inside / "dir-escape").symlink_to(tmp_path)
    (inside / "inner-link.json").symlink_to(inside / "sub" / "tags.json")
    os.mkfifo(inside / "fifo.json")
    (inside / "big.json").write_bytes(b" " * (MAX_FILE_BYTES + 1))
    (inside / "binary.json").write_bytes(b"\xff\xfe\x00")
    return inside


def run(folder: Path, argument: str) -> tuple[int, str]:
    result = Shell(default_world(), local_files=folder).run_line(CREATE + argument)
    return result.status, result.stdout + result.stderr


@pytest.mark.parametrize(
    "argument",
    [
        "file://sub/tags.json",
        "file://./sub/../sub/tags.json",
        "file://inner-link.json",  # a symlink that stays inside
        "ABSOLUTE/sub/tags.json",
    ],
)
def test_files_under_the_folder_are_read(folder: Path, argument: str) -> None:
    assert run(folder, argument.replace("ABSOLUTE", f"file://{folder}")) == (0, '"app"\n')


@pytest.mark.parametrize(
    "name",
    [
        "/etc/passwd",
        "../outside.json",
        "sub/../../outside.json",
        "escape.json",
        "dir-escape/outside.json",
        "/proc/self/environ",
        "/dev/zero",
        "OUTSIDE",
    ],
)
def test_nothing_outside_the_folder_is_read_or_echoed(folder: Path, name: str) -> None:
    name = name.replace("OUTSIDE", str(folder.parent / "outside.json"))
    status, output = run(folder, f"file://{name}")
    assert status == 252
    assert output == (
        f"\nError parsing parameter '--tags': Unable to load paramfile file://{name}: [Errno 13] Permission "
        f"denied (the sandbox reads only files in the folder ecrsim runs in): '{name}'\n"
    )
    assert "host-only" not in output and "root:" not in output


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("fifo.json", "[Errno 22] Not a regular file (a device, FIFO or socket): 'fifo.json'"),
        ("big.json", "[Errno 27] File too large (ecrsim reads at most 1 MiB): 'big.json'"),
        ("sub", "[Errno 21] Is a directory: 'sub'"),
        ("binary.json", "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"),
        ("missing.json", "[Errno 2] No such file or directory: 'missing.json'"),
        ("nul\0.json", "[Errno 2] No such file or directory: 'nul\\x00.json'"),
    ],
)
def test_special_and_large_files_are_refused_without_blocking(folder: Path, name: str, why: str) -> None:
    assert run(folder, f"'file://{name}'") == (
        252,
        f"\nError parsing parameter '--tags': Unable to load paramfile file://{name}: {why}\n",
    )


def test_a_scenario_shell_reads_only_virtual_files(folder: Path) -> None:
    shell = Shell(default_world())
    shell.world.files["tags.json"] = TAGS
    assert shell.run_line(CREATE + "file://tags.json").stdout == '"app"\n'
    assert shell.run_line(CREATE.replace("app", "b") + f"file://{folder}/sub/tags.json").status == 252

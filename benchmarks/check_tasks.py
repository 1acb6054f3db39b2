"""How `ecrsim check` scales with a scenario's tasks: each task adds a repository and forks the world a few
times, so a world copy that copied every repository made checking quadratic (1,600 tasks: minutes).
Prints the time per task for N and 4N tasks and their ratio: about 1 when checking is linear.

Run: python benchmarks/check_tasks.py [--tasks 200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from ecrsim.scenarios.checker import check_paths

HEAD = """\
id: many-tasks
title: Many tasks
summary: One repository per task.
topics: [x]
domain: 1
difficulty: 1
world:
  users:
    - name: marta
      managed_policies: [AmazonEC2ContainerRegistryFullAccess]
steps:
  - as: marta
"""
TASK = """\
  - task: Make repository r{i}.
    check:
      - run: aws ecr describe-repositories --repository-names r{i}
        expect: ok
    solution:
      - aws ecr create-repository --repository-name r{i}
"""


def seconds_per_task(tasks: int, folder: Path) -> float:
    path = folder / f"tasks-{tasks}.yaml"
    path.write_text(HEAD + "".join(TASK.format(i=i) for i in range(tasks)), encoding="utf-8")
    start = time.process_time()
    _, problems = check_paths([path])
    elapsed = time.process_time() - start
    assert not problems, problems[:3]
    return elapsed / tasks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=200)
    tasks = parser.parse_args().tasks
    with tempfile.TemporaryDirectory() as folder:
        seconds_per_task(20, Path(folder))  # warm: imports, compiled patterns
        small = seconds_per_task(tasks, Path(folder))
        large = seconds_per_task(4 * tasks, Path(folder))
    print("CPU time per task checked (time.process_time):")
    print(f"  {tasks} tasks: {small * 1000:.2f} ms per task")
    print(f"  {4 * tasks} tasks: {large * 1000:.2f} ms per task")
    print(f"  ratio {large / small:.2f} (1.0 is linear; quadratic would be 4.0)")


if __name__ == "__main__":
    main()

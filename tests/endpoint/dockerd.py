"""A private dockerd for one test module: its own data-root, exec-root, pidfile and unix socket in a
temporary folder, no iptables and no bridge, stopped when the module ends. Registries on 127.0.0.1 are
plain HTTP to docker, so nothing else needs configuring."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# A unix socket path must stay under ~100 bytes: the folder is made short, in /tmp.
_SOCKET_NAME = "d.sock"


@dataclass(frozen=True)
class Docker:
    client: str
    folder: Path

    def run(
        self, *args: str, stdin: str | None = None, data: bytes | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DOCKER_CONFIG": str(self.folder / "config"), "DOCKER_HOST": self.host}
        completed = subprocess.run(
            [self.client, *args],
            input=data if data is not None else (stdin.encode() if stdin is not None else None),
            capture_output=True,
            env=env,
            timeout=180,
        )
        return subprocess.CompletedProcess(
            completed.args, completed.returncode, completed.stdout.decode(), completed.stderr.decode()
        )

    @property
    def host(self) -> str:
        return f"unix://{self.folder / _SOCKET_NAME}"

    def image(self, name: str, text: str) -> None:
        """`docker import` a one-file root filesystem as `name`."""
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            data = text.encode()
            info = tarfile.TarInfo("hello.txt")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        result = self.run("import", "-", name, data=buffer.getvalue())
        assert result.returncode == 0, result.stderr


def binaries() -> tuple[str, str] | None:
    daemon = shutil.which("dockerd")
    if daemon is None:
        return None
    beside = Path(daemon).resolve().parent.parent / "bin" / "docker"  # Debian's client matches its daemon
    client = str(beside) if beside.exists() else shutil.which("docker")
    return (daemon, client) if client else None


@contextmanager
def private_dockerd(daemon: str, client: str) -> Iterator[Docker]:
    folder = Path(tempfile.mkdtemp(prefix="ecrd", dir="/tmp"))
    (folder / "config").mkdir()
    log = open(folder / "dockerd.log", "wb")  # noqa: SIM115 - kept open for the daemon's life
    process = subprocess.Popen(
        [
            daemon,
            "--data-root",
            str(folder / "data"),
            "--exec-root",
            str(folder / "exec"),
            "--pidfile",
            str(folder / "dockerd.pid"),
            "-H",
            f"unix://{folder / _SOCKET_NAME}",
            "--iptables=false",
            "--ip6tables=false",
            "--bridge=none",
            "--storage-driver",
            "vfs",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    docker = Docker(client, folder)
    try:
        deadline = time.monotonic() + 60
        while docker.run("version").returncode != 0:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dockerd did not start: {(folder / 'dockerd.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield docker
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)

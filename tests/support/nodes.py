"""Real processes for the multi-node tests: gunicorn nodes, background workers and a Redis
server of the test's own, each in its own process group so that one can be killed whole (a
machine that dies) and every one is stopped at the end by its id."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Processes:
    """The processes a test started; stop() ends those still running, by process group."""

    def __init__(self, workdir: Path, env: dict[str, str]):
        self.workdir = workdir
        self.env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str], **env) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "w")  # noqa: SIM115 - the child keeps it
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.running[name] = proc
        return proc

    def node(self, name: str, port: int) -> subprocess.Popen:
        """A gunicorn node (one worker process, four threads) on `port`."""
        argv = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
        return self.start(name, argv, BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", GUNICORN_ACCESS_LOG="")

    def worker(self, name: str) -> subprocess.Popen:
        argv = [sys.executable, "-m", "flask", "--app", "webapp", "worker", "--interval", "1"]
        return self.start(name, argv)

    def redis(self, port: int) -> subprocess.Popen:
        argv = [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        return self.start("redis", argv)

    def kill(self, name: str) -> None:
        """SIGKILL the process and everything it started: no clean shutdown, like a dead machine."""
        proc = self.running.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def alive(self, name: str) -> bool:
        return self.running[name].poll() is None

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for proc in self.running.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for name, proc in list(self.running.items()):
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
            self.running.pop(name)


def wait_for_http(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the node on port {port} exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the node on port {port} did not answer within {seconds:.0f} s")


def wait_for_port(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")

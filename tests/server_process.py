"""Test helpers every suite shares: bounded waits and a real server process.

Servers are real processes (`python -m server.serve`, gevent, port 0), so tests see what
production sees and can kill -9 them.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
# Every server process the tests started; tests/leaks.py checks none outlives its test.
STARTED: list[ServerProcess] = []


def wait_until(predicate: Callable[[], Any], timeout: float = 15.0, interval: float = 0.02,
               message: str = "condition") -> Any:
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message} (last value: {last!r})")
        time.sleep(interval)


class ServerProcess:
    """One `server.serve` process on a free port, with its log kept for assertions."""

    def __init__(self, database_url: str, workdir: Path, redis_url: str | None = None,
                 **settings: Any) -> None:
        self.log_path = workdir / f"server-{time.monotonic_ns()}.log"
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
               "ILTIZAM_INSTANCE": str(workdir / "instance"), "REDIS_URL": redis_url or "",
               "COLLAB_UNLOAD_GRACE": "1", "LOG_LEVEL": "WARNING",
               **{k: str(v) for k, v in settings.items()}}
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen([sys.executable, "-m", "server.serve", "--port", "0"],
                                     cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=self._log, text=True)
        STARTED.append(self)
        line = self.proc.stdout.readline()
        match = re.search(r"listening on ([\d.]+):(\d+)", line)
        if not match:
            self.stop()
            raise AssertionError(f"server did not start: {line!r}\n{self.log()}")
        self.port = int(match.group(2))
        self.url = f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text()

    def kill(self) -> None:
        """kill -9: no flush, no goodbye."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self._close_files()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_files()

    def _close_files(self) -> None:
        if self.proc.stdout and not self.proc.stdout.closed:
            self.proc.stdout.close()
        if not self._log.closed:
            self._log.close()


def result_of(proc: subprocess.Popen, timeout: float = 60) -> dict:
    """The last JSON line a Node test client printed (it prints its result as JSON)."""
    out, err = proc.communicate(timeout=timeout)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    assert lines, f"node client printed nothing; stderr:\n{err}"
    return json.loads(lines[-1])

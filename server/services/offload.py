"""Run heavy pure-Python work (the Word import parse, plan exports) in a child process.

Production serves every request from one gevent process: a parse that holds the interpreter for
seconds freezes every other request with it. Here the work runs in a fresh `python -m
server.services.offload` child with a wall-clock timeout and a memory cap (RLIMIT_AS), while the
parent waits on a pipe, which gevent's monkey-patched subprocess turns into a cooperative wait.
Only JSON crosses the pipe, never pickles: the child handles untrusted files, and the parent must
not execute whatever it might send back.

A job names a function by "module:function" among ALLOWED, takes JSON keyword arguments (bytes
travel as base64: pass them in `data`) and returns a JSON value (dataclasses become dicts, bytes
come back as bytes). An exception the function raises comes back as ChildError with its class
name and public attributes, for the caller to turn back into its own error.
"""
from __future__ import annotations

import base64
import dataclasses
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# The only functions a child may run: the job names one, the child never imports anything else.
ALLOWED = frozenset({"exports.word_import:import_docx", "exports:plan_docx", "exports:plan_markdown",
                     "exports:plan_json", "server.services.offload:_sleep_for_tests",
                     "server.services.offload:_allocate_for_tests"})
IMPORT_TIMEOUT = 30.0
IMPORT_MEMORY = 768 * 1024 * 1024
# Test-only: a directory; the child writes "started" there and waits for "release" to appear, so
# a test can hold a job open and check other requests are served meanwhile. Never set in production.
HOLD_ENV = "ILTIZAM_OFFLOAD_HOLD"
# Children at once in one server process (each costs an interpreter: about 60 MB and a core);
# more jobs wait their turn for up to QUEUE_SECONDS, then are answered "busy" so that a flood
# of uploads cannot take the machine.
MAX_CHILDREN = 2
QUEUE_SECONDS = 20.0
_slots = threading.BoundedSemaphore(MAX_CHILDREN)


class OffloadError(RuntimeError):
    """The child could not do the job. `code` is "timeout", "memory", "busy" or "failed"."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ChildError(Exception):
    """The job's function raised. `kind` is the exception's class name, `attrs` its public fields."""

    def __init__(self, kind: str, message: str, attrs: dict[str, Any]) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
        self.attrs = attrs


def run(target: str, kwargs: dict[str, Any], *, data: bytes | None = None,
        timeout: float = IMPORT_TIMEOUT, memory: int = IMPORT_MEMORY) -> Any:
    """Run `target(**kwargs, data=data)` in a child process and return its result.

    Args:
        target: "module:function", one of ALLOWED.
        kwargs: JSON-serialisable keyword arguments.
        data: bytes passed as the keyword argument `data` (base64 on the pipe).
        timeout: seconds of wall-clock time before the child is killed.
        memory: bytes of address space the child may add to what it has at start.

    Returns:
        The function's JSON result (bytes results come back as bytes).

    Raises:
        OffloadError: "timeout" (killed after `timeout`), "memory" (over its cap), "busy" (every
            worker slot stayed taken for QUEUE_SECONDS) or "failed".
        ChildError: the function raised; `kind` names the exception class.
    """
    if target not in ALLOWED:
        raise ValueError(f"{target!r} is not a function a child may run (see offload.ALLOWED)")
    job = {"target": target, "kwargs": kwargs, "memory": memory}
    if data is not None:
        job["data"] = base64.b64encode(data).decode("ascii")
    if not _slots.acquire(timeout=QUEUE_SECONDS):
        raise OffloadError("busy", "The server is busy with other imports and exports; try again in a minute.")
    try:
        proc = subprocess.Popen([sys.executable, "-m", "server.services.offload"], cwd=ROOT,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = proc.communicate(json.dumps(job).encode("utf-8"), timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise OffloadError("timeout", f"The work took longer than {timeout:g} seconds and was stopped.") from None
    finally:
        _slots.release()
    return _answer(proc.returncode, out, err)


def _answer(returncode: int, out: bytes, err: bytes) -> Any:
    try:
        answer = json.loads(out.decode("utf-8").splitlines()[-1]) if out else None
    except (ValueError, IndexError):
        answer = None
    if not isinstance(answer, dict):
        if b"MemoryError" in err:
            raise OffloadError("memory", "The work needed more memory than allowed and was stopped.")
        raise OffloadError("failed", f"The worker stopped without an answer (exit status {returncode}).")
    if "error" in answer:
        error = answer["error"]
        if error.get("kind") == "MemoryError":
            raise OffloadError("memory", "The work needed more memory than allowed and was stopped.")
        raise ChildError(str(error.get("kind")), str(error.get("message")), dict(error.get("attrs") or {}))
    result = answer.get("result")
    if answer.get("bytes"):
        return base64.b64decode(result)
    return result


# -- the child ----------------------------------------------------------------------------------

def _limit_memory(extra: int) -> None:
    import resource

    with open("/proc/self/statm") as fh:
        current = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (current + extra, current + extra))


def _hold_for_tests() -> None:
    hold = os.environ.get(HOLD_ENV)
    if not hold:
        return
    import time

    directory = Path(hold)
    (directory / "started").write_text(str(os.getpid()))
    while not (directory / "release").exists():
        time.sleep(0.01)  # a test-only wait for a file another process creates


def _sleep_for_tests(seconds: float, data: bytes | None = None) -> str:
    """A job that outlives any short timeout (offload's own tests)."""
    import time

    time.sleep(seconds)
    return "slept"


def _allocate_for_tests(megabytes: int, data: bytes | None = None) -> int:
    """A job that wants more memory than its cap (offload's own tests)."""
    blocks = [bytearray(1024 * 1024) for _ in range(megabytes)]
    return len(blocks)


def _encode(result: Any) -> dict[str, Any]:
    if isinstance(result, (bytes, bytearray)):
        return {"result": base64.b64encode(bytes(result)).decode("ascii"), "bytes": True}
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        result = dataclasses.asdict(result)
    return {"result": result}


def _child() -> None:
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    target = job["target"]
    if target not in ALLOWED:
        raise SystemExit(f"refused job {target!r}")
    _limit_memory(int(job["memory"]))
    _hold_for_tests()
    module_name, name = target.split(":")
    import importlib

    function = getattr(importlib.import_module(module_name), name)
    kwargs = dict(job["kwargs"])
    if "data" in job:
        kwargs["data"] = base64.b64decode(job["data"])
    try:
        answer = _encode(function(**kwargs))
    except MemoryError:
        answer = {"error": {"kind": "MemoryError", "message": "", "attrs": {}}}
    except Exception as exc:
        attrs = {k: v for k, v in vars(exc).items() if not k.startswith("_") and isinstance(v, (str, int, float))}
        answer = {"error": {"kind": type(exc).__name__, "message": str(exc), "attrs": attrs}}
    sys.stdout.write("\n" + json.dumps(answer, ensure_ascii=True) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    _child()

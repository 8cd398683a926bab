"""Run a planned sweep through a persistent worker, one durable record per point.

The worker is killed and restarted after a timeout or a crash; either becomes a record with
that status and the sweep goes on. Every finished point is on disk (flushed, fsync'd) before
the next starts, so an interrupted run loses at most the point in progress, and a resumed one
skips every key already on disk.
"""

from __future__ import annotations

import datetime
import multiprocessing
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, Protocol

from . import worker as worker_module
from .records import RecordWriter, environment_line, finished_keys, measurement
from .sweep import Planned, Point, Settings

#: How long a fresh worker may take to start and import the frameworks.
STARTUP_TIMEOUT = 300.0


class WorkerTimeout(Exception):
    """The worker did not answer in time (it has been killed)."""


class WorkerDied(Exception):
    """The worker process ended without answering (crash, os._exit, killed, out of memory)."""


def _exit_text(code: int | None) -> str:
    if code is None:
        return "exit status unknown"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (killed: out of memory, or killed by another process)" if -code == signal.SIGKILL else ""
        return f"killed by {name}{hint}"
    return f"exit code {code}"


class Worker:
    """One persistent child process; `request` sends a message and waits for the reply."""

    def __init__(self) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self._proc: Any = None
        self._conn: Any = None

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def start(self, frameworks: Iterable[str] = ()) -> None:
        """Start the process and import `frameworks` in it (not counted in any point's timeout)."""
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=worker_module.main, args=(child,), daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent
        self.request(("ping",), STARTUP_TIMEOUT)
        if frameworks:
            self.request(("import", list(frameworks)), STARTUP_TIMEOUT)

    def request(self, message: tuple, timeout: float) -> tuple:
        if not self.alive():
            raise WorkerDied("worker is not running")
        try:
            self._conn.send(message)
        except (BrokenPipeError, OSError) as exc:
            self.kill()
            raise WorkerDied(f"worker pipe broken: {exc}") from None
        ready = wait([self._conn, self._proc.sentinel], timeout)
        if not ready:
            self.kill()
            raise WorkerTimeout(f"no result after {timeout:g} s; worker killed")
        if self._conn in ready:
            try:
                return self._conn.recv()
            except (EOFError, OSError):
                pass
        self._proc.join(5)
        code = self._proc.exitcode
        self.kill()
        raise WorkerDied(f"worker process died ({_exit_text(code)})")

    def kill(self) -> None:
        """Stop the worker at once (SIGKILL): it may be stuck in native code."""
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join(5)
        if self._conn is not None:
            self._conn.close()
        self._proc = None
        self._conn = None

    def stop(self) -> None:
        """Ask the worker to exit; kill it if it does not."""
        if self.alive():
            try:
                self._conn.send(None)
                self._proc.join(5)
            except (BrokenPipeError, OSError):
                pass
        self.kill()


class Progress(Protocol):
    def started(self, index: int, total: int, point: Point) -> None: ...
    def finished(self, index: int, total: int, point: Point, record: dict[str, Any]) -> None: ...


class _Silent:
    def started(self, index: int, total: int, point: Point) -> None:
        pass

    def finished(self, index: int, total: int, point: Point, record: dict[str, Any]) -> None:
        pass


@dataclass
class RunResult:
    records: list[dict[str, Any]]
    """Records written by this run (not those found on disk when resuming)."""
    already_done: int
    """Points skipped because `--resume` found them on disk."""
    env_id: str | None


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _record(point: Point, env_id: str | None, **fields: Any) -> dict[str, Any]:
    from solvers import registry

    try:
        s = registry.spec(point.solver)
        framework, kind = s.framework, s.kind
    except KeyError:
        framework, kind = None, None
    return measurement(
        key=point.key,
        env_id=env_id,
        framework=framework,
        kind=kind,
        finished_at=_now(),
        **point.to_dict(),
        **fields,
    )


def _frameworks(planned: Iterable[Planned]) -> list[str]:
    from solvers import registry

    return sorted({registry.spec(p.point.solver).framework for p in planned if p.skip is None})


def run(
    planned: list[Planned],
    out: str | Path,
    settings: Settings,
    *,
    resume: bool = False,
    progress: Progress | None = None,
) -> RunResult:
    """Run every planned point not already on disk (with `resume`), appending records to `out`."""
    progress = progress or _Silent()
    out = Path(out)
    done = finished_keys(out) if resume else set()
    todo = [p for p in planned if p.point.key not in done]
    records: list[dict[str, Any]] = []
    worker = Worker()
    env_id: str | None = None
    frameworks = _frameworks(todo)
    with RecordWriter(out) as writer:
        try:
            if any(p.skip is None for p in todo):
                worker.start()
                _, env = worker.request(("environment", frameworks), STARTUP_TIMEOUT)
                env_id = env["env_id"]
                writer.write(environment_line(env))
            total = len(todo)
            for index, item in enumerate(todo):
                progress.started(index, total, item.point)
                record = _run_one(worker, item, settings, env_id, frameworks)
                writer.write(record)
                records.append(record)
                progress.finished(index, total, item.point, record)
        finally:
            worker.kill()
    return RunResult(records=records, already_done=len(planned) - len(todo), env_id=env_id)


def _run_one(
    worker: Worker, item: Planned, settings: Settings, env_id: str | None, frameworks: list[str]
) -> dict[str, Any]:
    point = item.point
    if item.skip is not None:
        return _record(point, env_id, status="skipped", error=item.skip)
    began = time.perf_counter()
    try:
        if not worker.alive():
            worker.start(frameworks)
        reply = worker.request(("point", point.to_dict(), settings.to_dict()), settings.timeout)
    except WorkerTimeout as exc:
        return _record(
            point, env_id, status="timeout", error=str(exc), wall_seconds=time.perf_counter() - began
        )
    except WorkerDied as exc:
        return _record(
            point, env_id, status="failed", error=str(exc), wall_seconds=time.perf_counter() - began
        )
    if reply[0] != "result":
        return _record(point, env_id, status="failed", error=f"worker error: {reply[1]}")
    return _record(point, env_id, **reply[1])

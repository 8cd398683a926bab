"""Progress of a running sweep: a rich bar on a terminal, one line per point otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any

from .sweep import Point


def _short(record: dict[str, Any]) -> str:
    status = record["status"]
    if status == "ok" and record.get("median") is not None:
        return f"ok {format_seconds(record['median'])}"
    error = (record.get("error") or "").splitlines()[0] if record.get("error") else ""
    return f"{status}: {error[:100]}" if error else status


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


class LineProgress:
    """One line per finished point on stderr, with the estimated time left."""

    def __init__(self) -> None:
        self._began = time.monotonic()

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def started(self, index: int, total: int, point: Point) -> None:
        pass

    def finished(self, index: int, total: int, point: Point, record: dict[str, Any]) -> None:
        elapsed = time.monotonic() - self._began
        left = elapsed / (index + 1) * (total - index - 1)
        print(
            f"[{index + 1}/{total}] {point.label()}: {_short(record)}  (about {left:.0f} s left)",
            file=sys.stderr,
            flush=True,
        )


class BarProgress:
    """A rich progress bar naming the point in progress, with the time left."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self._task: Any = None

    def __enter__(self) -> BarProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(None, None, None)

    def started(self, index: int, total: int, point: Point) -> None:
        if self._task is None:
            self._task = self._progress.add_task(point.label(), total=total)
        self._progress.update(self._task, description=point.label())

    def finished(self, index: int, total: int, point: Point, record: dict[str, Any]) -> None:
        if record["status"] not in ("ok", "skipped"):
            self._progress.console.print(f"{point.label()}: {_short(record)}")
        self._progress.update(self._task, completed=index + 1)


def make_progress(plain: bool = False) -> LineProgress | BarProgress:
    if plain or not sys.stderr.isatty():
        return LineProgress()
    return BarProgress()

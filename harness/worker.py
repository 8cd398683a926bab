"""The persistent worker: a child process that runs points one after another, sent over a pipe.

Frameworks are imported once per worker, not per point. The worker ignores SIGINT so that
Ctrl-C reaches only the parent, which decides what to do (it kills the worker). Messages:

* ``("ping",)`` -> ``("pong", pid)``
* ``("import", frameworks)`` -> ``("imported", frameworks)``
* ``("environment", frameworks)`` -> ``("environment", env_dict)``
* ``("point", point_dict, settings_dict)`` -> ``("result", record_fields)``
* ``None`` -> the worker exits.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import signal
from multiprocessing.connection import Connection
from typing import Any

from .environment import capture
from .execute import MatrixCache, run_point
from .sweep import Point, Settings


def _import_frameworks(frameworks: list[str]) -> None:
    """Import the sweep's frameworks up front so the first point's timeout is not spent on it."""
    for name in frameworks:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def handle(message: tuple, cache: MatrixCache) -> tuple[str, Any]:
    """Answer one message (the part of the loop that is testable in-process)."""
    command = message[0]
    if command == "ping":
        return ("pong", os.getpid())
    if command == "import":
        _import_frameworks(list(message[1]))
        return ("imported", list(message[1]))
    if command == "environment":
        frameworks = list(message[1])
        _import_frameworks(frameworks)
        return ("environment", capture(frameworks))
    if command == "point":
        point = Point.from_dict(message[1])
        settings = Settings(**message[2])
        return ("result", run_point(point, settings, cache))
    raise ValueError(f"worker: unknown message {command!r}")


def main(conn: Connection) -> None:
    """Serve messages until told to stop or the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    cache = MatrixCache()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if message is None:
            return
        try:
            reply = handle(message, cache)
        except Exception as exc:
            reply = ("error", f"{type(exc).__name__}: {exc}")
        conn.send(reply)

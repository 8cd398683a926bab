"""eigbench harness: how solvers are measured (timing, records, sweeps, isolation, CLI).

Importing it imports neither torch nor JAX; the worker process imports them when a sweep
needs them.
"""

from __future__ import annotations

from .records import SCHEMA_VERSION, RecordFile, RecordWriter, read
from .sweep import PRESETS, Planned, Point, Settings, Sweep, plan, preset
from .timing import NOISE_THRESHOLD, Timing, measure, time_solver

__all__ = [
    "NOISE_THRESHOLD",
    "PRESETS",
    "SCHEMA_VERSION",
    "Planned",
    "Point",
    "RecordFile",
    "RecordWriter",
    "Settings",
    "Sweep",
    "Timing",
    "measure",
    "plan",
    "preset",
    "read",
    "time_solver",
]

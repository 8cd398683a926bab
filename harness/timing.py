"""The timing core: warm-up, calibrated loops, device sync, raw samples and their statistics.

The clock and the sync are parameters so the logic can be tested with a fake clock; nothing
here imports a framework. The timed loop is kept as bare as a hand-written
``time.perf_counter`` loop so that the harness adds nothing measurable.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

#: A result is flagged noisy when its interquartile range exceeds this fraction of its median.
NOISE_THRESHOLD = 0.10
#: Calibration never grows a sample beyond this many calls (guards a clock that does not move).
MAX_LOOPS = 1_000_000

Clock = Callable[[], float]
Sync = Callable[[], None]


@dataclass(frozen=True)
class Timing:
    """Raw per-call times of one measurement, with the statistics computed from them."""

    times: tuple[float, ...]
    """Seconds PER CALL, one entry per sample (a sample is `loops` calls)."""
    loops: int
    """Calls per sample, calibrated so that a sample lasts at least ``min_sample_seconds``."""
    warmup: int
    """Calls made before sampling (the first call included)."""
    first_call_seconds: float | None
    """The very first call: includes lazy initialisation / JIT unless compiled apart."""
    compile_seconds: float | None
    """Explicit compile time (``Solver.compile``), recorded apart."""

    def __post_init__(self) -> None:
        if not self.times:
            raise ValueError("a Timing needs at least one sample")
        if self.loops < 1:
            raise ValueError(f"loops must be >= 1, got {self.loops}")

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def iqr(self) -> float:
        """Interquartile range (0 for fewer than two samples)."""
        if len(self.times) < 2:
            return 0.0
        q1, _, q3 = statistics.quantiles(self.times, n=4, method="inclusive")
        return q3 - q1

    @property
    def min(self) -> float:
        return min(self.times)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.times)

    @property
    def noisy(self) -> bool:
        median = self.median
        return median > 0 and self.iqr / median > NOISE_THRESHOLD

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: the raw samples, the calibration and the statistics."""
        return {
            "times": list(self.times),
            "loops": self.loops,
            "warmup": self.warmup,
            "first_call_seconds": self.first_call_seconds,
            "compile_seconds": self.compile_seconds,
            "median": self.median,
            "iqr": self.iqr,
            "min": self.min,
            "mean": self.mean,
            "noisy": self.noisy,
        }


def _check(repeat: int, warmup: int, min_sample_seconds: float, max_seconds: float) -> None:
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1, got {repeat}")
    if warmup < 0:
        raise ValueError(f"warmup must be >= 0, got {warmup}")
    if min_sample_seconds < 0:
        raise ValueError(f"min_sample_seconds must be >= 0, got {min_sample_seconds}")
    if max_seconds <= 0:
        raise ValueError(f"max_seconds must be > 0, got {max_seconds}")


def _sample(fn: Callable[[], Any], loops: int, clock: Clock, sync: Sync | None) -> tuple[float, Any]:
    """Total seconds of `loops` calls, and the last output. The loop is deliberately bare."""
    out = None
    if sync is None:
        start = clock()
        for _ in range(loops):
            out = fn()
        return clock() - start, out
    sync()
    start = clock()
    for _ in range(loops):
        out = fn()
    sync()
    return clock() - start, out


def measure_with_output(
    fn: Callable[[], Any],
    *,
    repeat: int = 5,
    warmup: int = 1,
    min_sample_seconds: float = 0.005,
    max_seconds: float = 30.0,
    clock: Clock = time.perf_counter,
    sync: Sync | None = None,
) -> tuple[Timing, Any]:
    """`measure`, also returning the last call's output so it can be checked untimed."""
    _check(repeat, warmup, min_sample_seconds, max_seconds)
    began = clock()
    first, out = _sample(fn, 1, clock, sync)
    if first >= max_seconds:
        # One call already spends the budget (n = 10000 svd): it is the only sample we can afford.
        return Timing((first,), loops=1, warmup=0, first_call_seconds=first, compile_seconds=None), out
    last_call = first
    for _ in range(warmup - 1):
        last_call, out = _sample(fn, 1, clock, sync)
    done_before = max(warmup, 1)

    # Calibrate: grow the loop count until one sample is long enough for the clock to resolve.
    loops = 1
    estimate = last_call
    while estimate < min_sample_seconds and loops < MAX_LOOPS and clock() - began < max_seconds:
        per_call = estimate / loops
        wanted = math.ceil(1.2 * min_sample_seconds / per_call) if per_call > 0 else loops * 10
        loops = min(MAX_LOOPS, max(loops * 2, min(wanted, loops * 100)))
        estimate, out = _sample(fn, loops, clock, sync)
        done_before += loops

    times: list[float] = []
    for _ in range(repeat):
        elapsed, out = _sample(fn, loops, clock, sync)
        times.append(elapsed / loops)
        spent = clock() - began
        if spent + elapsed > max_seconds:
            break  # the next sample would exceed the budget: keep what we have
    timing = Timing(
        times=tuple(times),
        loops=loops,
        warmup=done_before,
        first_call_seconds=first,
        compile_seconds=None,
    )
    return timing, out


def measure(
    fn: Callable[[], Any],
    *,
    repeat: int = 5,
    warmup: int = 1,
    min_sample_seconds: float = 0.005,
    max_seconds: float = 30.0,
    clock: Clock = time.perf_counter,
    sync: Sync | None = None,
) -> Timing:
    """Time `fn` (which already includes the device sync, e.g. ``Solver.bind(...)``).

    The first call is always made and timed on its own (``first_call_seconds``); it counts as
    the first of ``warmup`` warm-up calls (at least one). Loops are then calibrated and up to
    ``repeat`` samples taken, stopping early once ``max_seconds`` would be exceeded (at least
    one sample is always kept). A first call that alone takes ``max_seconds`` or more is the
    only sample (``warmup`` = 0): a slow point is then called once, not twice. `sync`, when given, is called before the clock starts each
    sample and after the sample's last call, inside the timed region.
    """
    timing, _ = measure_with_output(
        fn,
        repeat=repeat,
        warmup=warmup,
        min_sample_seconds=min_sample_seconds,
        max_seconds=max_seconds,
        clock=clock,
        sync=sync,
    )
    return timing


def time_solver_with_output(
    solver: Any, prepared: Any, state: Any = None, **measure_kwargs: Any
) -> tuple[Timing, Any]:
    """`time_solver`, also returning the last raw output for the untimed accuracy check."""
    compile_seconds = float(solver.compile(prepared, state))
    timing, out = measure_with_output(solver.bind(prepared, state), **measure_kwargs)
    return replace(timing, compile_seconds=compile_seconds), out


def time_solver(solver: Any, prepared: Any, state: Any = None, **measure_kwargs: Any) -> Timing:
    """Compile first (``Solver.compile`` -> ``compile_seconds``), then time ``solver.bind``."""
    timing, _ = time_solver_with_output(solver, prepared, state, **measure_kwargs)
    return timing

"""Run one point in the current process: build the matrix, time the solver, check the result.

Runs inside the worker. Everything except `time_solver_with_output` is outside the timed region:
the matrix, its float64 reference (cached across points that share a matrix), the transfer to
the device and the accuracy check.
"""

from __future__ import annotations

import time
import traceback
import warnings
from collections import OrderedDict
from typing import Any

import numpy as np

from solvers import registry
from solvers.errors import (
    DeviceError,
    FrameworkNotInstalledError,
    InvalidInputError,
    UnsupportedDtypeError,
)

from .metrics import Reference, evaluate, reference_for
from .problems import drift_step, make
from .sweep import Point, Settings
from .timing import time_solver_with_output

#: Errors from `Solver.prepare` meaning "this solver cannot do this point", not a failure.
CANNOT = (InvalidInputError, UnsupportedDtypeError, DeviceError, FrameworkNotInstalledError)
MAX_WARNINGS = 3


class MatrixCache:
    """The last few matrices and references, so points sharing a matrix build it once."""

    def __init__(self, size: int = 6) -> None:
        self.size = size
        self._items: OrderedDict[tuple, Any] = OrderedDict()

    def get(self, key: tuple, build: Any) -> Any:
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        value = build()
        self.put(key, value)
        return value

    def put(self, key: tuple, value: Any) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def matrix(self, p: Point) -> np.ndarray:
        key = ("matrix", p.problem, p.n, p.seed, p.dtype)
        return self.get(key, lambda: make(p.problem, p.n, p.seed).astype(p.dtype))

    def reference(self, kind: str, p: Point, a: np.ndarray) -> Reference | None:
        key = ("reference", kind, p.problem, p.n, p.seed, p.dtype)
        return self.get(key, lambda: reference_for(kind, a))


def _error_text(exc: BaseException) -> str:
    where = traceback.extract_tb(exc.__traceback__)
    last = f" (at {where[-1].filename}:{where[-1].lineno})" if where else ""
    return f"{type(exc).__name__}: {exc}{last}"


def _warning_texts(caught: list[warnings.WarningMessage]) -> list[str] | None:
    texts: list[str] = []
    for w in caught:
        text = f"{w.category.__name__}: {str(w.message)[:200]}"
        if text not in texts:
            texts.append(text)
    return texts[:MAX_WARNINGS] or None


def run_point(point: Point, settings: Settings, cache: MatrixCache | None = None) -> dict[str, Any]:
    """Measure `point`; return record fields. Exceptions become a ``failed``/``skipped`` status."""
    cache = cache or MatrixCache()
    fields: dict[str, Any] = {}
    began = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fields.update(_measure(point, settings, cache))
        except CANNOT as exc:
            fields.update(status="skipped", error=str(exc))
        except Exception as exc:
            fields.update(status="failed", error=_error_text(exc))
    fields["warnings"] = _warning_texts(caught)
    fields["wall_seconds"] = time.perf_counter() - began
    return fields


#: A warm point solves the next matrix of a drifting sequence, A + WARM_DRIFT·‖A‖₂·E (E a
#: Wigner matrix), from the state a cold solve of A left: what tracking pays at every step.
WARM_DRIFT = 1e-3


def _drifted(
    point: Point, kind: str, a: np.ndarray, reference: Reference | None, cache: MatrixCache
) -> tuple[np.ndarray, Reference | None]:
    """The next matrix of the drift from `a` (seeded by the point) and its float64 reference."""
    key = ("drifted", kind, point.problem, point.n, point.seed, point.dtype)

    def build() -> tuple[np.ndarray, Reference | None]:
        scale = reference.norm2 if reference is not None else float(np.abs(a).sum(axis=1).max())
        rng = np.random.default_rng([point.seed, point.n, 7919])
        nxt = drift_step(a, WARM_DRIFT * scale, rng)
        return nxt, reference_for(kind, nxt)

    return cache.get(key, build)


def _measure(point: Point, settings: Settings, cache: MatrixCache) -> dict[str, Any]:
    spec = registry.spec(point.solver)
    a = cache.matrix(point)
    reference = cache.reference(spec.kind, point, a)
    solver = registry.load(spec)
    prepared = solver.prepare(a, point.k, device=point.device, dtype=point.dtype)
    state_key = ("state", point.solver, point.problem, point.n, point.seed, point.dtype, point.k)
    state = None
    if point.start == "warm":
        state = cache.get(state_key, lambda: solver.to_result(solver.call(prepared), prepared).state)
        a, reference = _drifted(point, spec.kind, a, reference, cache)
        prepared = solver.prepare(a, point.k, device=point.device, dtype=point.dtype)
    try:
        timing, raw = time_solver_with_output(solver, prepared, state, **settings.measure_kwargs())
    except CANNOT as exc:  # raised inside the call: that is a failure, not a declared limit
        raise RuntimeError(str(exc)) from exc
    fields: dict[str, Any] = timing.to_dict()
    result = solver.to_result(raw, prepared)
    if spec.warm_start and point.start == "cold":  # the warm point that follows starts from here
        cache.put(state_key, result.state)
    evaluation = evaluate(spec, a, result, reference)
    fields.update(
        accuracy=evaluation.accuracy,
        bounds=evaluation.bounds,
        steps=result.steps,
        converged=result.converged,
    )
    if evaluation.nonfinite:
        fields.update(status="failed", error=f"output {evaluation.nonfinite} contains NaN or Inf")
    elif evaluation.exceeded:
        fields.update(status="inaccurate", error=evaluation.exceeded)
    else:
        fields.update(status="ok", error=None)
    return fields

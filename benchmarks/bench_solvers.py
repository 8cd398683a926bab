"""asv suites over every registered solver: time, peak memory, accuracy, compile time, ratio to matmul.

Parameters come from `benchmarks.grid` (solver × n × dtype × device). Each point runs in its own
spawned process; `setup` builds the matrix and puts it on the device (untimed) and raises
NotImplementedError for a point the solver cannot do, which asv records as skipped.
"""

from __future__ import annotations

from typing import Any

from harness import timing
from harness.asv_tools import synced_timer

from . import grid
from .cases import Bench, build, matmul_for

#: Samples per side of the ratio to matmul, and the time budget of each side.
RATIO_REPEAT = 5
RATIO_MAX_SECONDS = 60.0


class _Suite:
    """Shared grid and setup; the leading underscore keeps asv from collecting it."""

    params = grid.params()
    param_names = grid.PARAM_NAMES
    timeout = grid.timeout_seconds()

    def setup(self, solver: str, n: int, dtype: str, device: str) -> None:
        self.bench: Bench = build(grid.Point(solver, n, dtype, device))


class TimeSolve(_Suite):
    """Seconds per call after compile and one warm-up call; the call itself syncs the device."""

    timer = staticmethod(synced_timer)

    def setup(self, solver: str, n: int, dtype: str, device: str) -> None:
        super().setup(solver, n, dtype, device)
        self.bench.compile()
        self.fn = self.bench.bind()
        self.fn()  # lazy initialisation (cuSOLVER handles, caches) stays out of the samples

    def time_call(self, *_: Any) -> None:
        self.fn()


class PeakMemSolve(_Suite):
    """Peak host RSS of the process, including the operand (GPU memory is not counted)."""

    def setup(self, solver: str, n: int, dtype: str, device: str) -> None:
        super().setup(solver, n, dtype, device)
        self.bench.compile()
        self.fn = self.bench.bind()

    def peakmem_call(self, *_: Any) -> None:
        self.fn()


class _Accuracy(_Suite):
    """One call in setup, measured against float64; a metric the kind lacks is a skip."""

    metric = ""
    unit = "relative error"

    def setup(self, solver: str, n: int, dtype: str, device: str) -> None:
        super().setup(solver, n, dtype, device)
        self.bench.compile()
        values = self.bench.accuracy(self.bench.bind()())
        if self.metric not in values:
            raise NotImplementedError(f"{solver} ({self.bench.spec.kind}) has no {self.metric}")
        self.value = values[self.metric]


class TrackValueError(_Accuracy):
    """max |λ − λ_ref| / ‖A‖₂ over the computed values (singular values for svd, ‖P − A·A‖ for matmul)."""

    metric = "value_error"

    def track_value_error(self, *_: Any) -> float:
        return self.value


class TrackResidual(_Accuracy):
    """‖AV − VΛ‖_F / (‖A‖_F · n) (svd: ‖AV − UΣ‖, qr: ‖QR − A‖)."""

    metric = "residual"

    def track_residual(self, *_: Any) -> float:
        return self.value


class TrackOrthogonality(_Accuracy):
    """‖VᵀV − I‖_F of the returned vectors (worst of U and V for svd, Q for qr)."""

    metric = "orthogonality"

    def track_orthogonality(self, *_: Any) -> float:
        return self.value


class TrackCompile(_Suite):
    """One-off costs in a fresh process: `Solver.compile` and the first call after it."""

    unit = "seconds"

    def track_compile_seconds(self, *_: Any) -> float:
        return self.bench.compile()

    def track_first_call_seconds(self, *_: Any) -> float:
        self.bench.compile()
        first = timing.time_solver(self.bench.solver, self.bench.prepared, repeat=1, min_sample_seconds=0.0)
        if first.first_call_seconds is None:
            raise RuntimeError("harness.timing recorded no first call")
        return first.first_call_seconds


class TrackMatmulRatio(_Suite):
    """Median call time over the median time of the same framework's A @ A (same n, dtype, device)."""

    unit = "ratio"

    def setup(self, solver: str, n: int, dtype: str, device: str) -> None:
        super().setup(solver, n, dtype, device)
        if self.bench.spec.kind == "matmul":
            raise NotImplementedError(f"{solver} is the yardstick itself")
        self.yardstick = build(grid.Point(matmul_for(self.bench.spec, device), n, dtype, device))

    def track_ratio_to_matmul(self, *_: Any) -> float:
        kwargs = {"repeat": RATIO_REPEAT, "max_seconds": RATIO_MAX_SECONDS}
        solve = timing.time_solver(self.bench.solver, self.bench.prepared, **kwargs)
        matmul = timing.time_solver(self.yardstick.solver, self.yardstick.prepared, **kwargs)
        return solve.median / matmul.median

"""pytest-benchmark over the registry grid: one solver per test, grouped by problem size.

    pytest benchmarks/pytest_suite --benchmark-disable                 # smoke: each point once
    pytest benchmarks/pytest_suite --benchmark-json=out/bench.json     # measure, for reports

The grid (sizes, dtypes, devices, solvers) is `benchmarks.grid`'s, set by the same
EIGBENCH_ASV_* variables as the asv suite. Accuracy goes into ``extra_info``.
"""

from __future__ import annotations

import math

import pytest

from benchmarks import grid
from benchmarks.cases import build

POINTS = grid.points()


@pytest.mark.parametrize("point", POINTS, ids=[p.id for p in POINTS])
def test_solver(benchmark, point: grid.Point) -> None:
    try:
        bench = build(point)
    except NotImplementedError as exc:
        pytest.skip(str(exc))
    benchmark.group = f"n={point.n} {point.dtype} {point.device}"
    benchmark.extra_info.update(bench.describe())
    benchmark.extra_info["compile_seconds"] = bench.compile()
    fn = bench.bind()
    if benchmark.enabled:
        fn()  # warm-up: lazy initialisation stays out of the rounds
    raw = benchmark(fn)
    accuracy = bench.accuracy(raw)
    benchmark.extra_info["accuracy"] = accuracy
    bad = sorted(name for name, value in accuracy.items() if not math.isfinite(value))
    assert not bad, f"{point.id}: non-finite {', '.join(bad)} (the solver returned NaN or Inf)"

"""What one point measures: a warm point is a tracking step, not a re-solve of the same matrix."""

from __future__ import annotations

import numpy as np

from harness.execute import MatrixCache, run_point
from harness.problems import make
from harness.sweep import Point, Settings

SETTINGS = Settings(repeat=1, warmup=1, max_seconds=5.0, timeout=60.0)


def _point(start: str) -> Point:
    return Point("scipy.lobpcg", 120, 4, "float64", "cpu", "decaying", seed=3, start=start)


def test_warm_point_solves_the_drifted_matrix_from_the_cold_state() -> None:
    cache = MatrixCache()
    cold = run_point(_point("cold"), SETTINGS, cache)
    warm = run_point(_point("warm"), SETTINGS, cache)
    assert cold["status"] == warm["status"] == "ok"
    # From the neighbour's eigenvectors LOBPCG needs a few iterations, not zero and not a cold start's.
    assert 0 < warm["steps"] < cold["steps"]
    assert warm["accuracy"]["value_error"] < 1e-8  # checked against the drifted matrix's reference


def test_warm_point_matrix_differs_from_the_cold_one_by_the_drift() -> None:
    cache = MatrixCache()
    run_point(_point("warm"), SETTINGS, cache)  # builds the cold state itself when none is cached
    a = make("decaying", 120, 3)
    (drifted, reference) = next(v for k, v in cache._items.items() if k[0] == "drifted")
    change = np.linalg.norm(drifted - a, 2) / np.linalg.norm(a, 2)
    assert 5e-4 < change < 5e-3
    np.testing.assert_allclose(reference.values, np.linalg.eigvalsh(drifted)[::-1], atol=1e-12)

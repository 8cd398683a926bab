"""Sweeps as data: planning, skip reasons, stable keys and the presets."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import solvers
from harness import problems
from harness.sweep import PRESETS, QUICK, Point, Settings, Sweep, plan, preset, skip_reason
from solvers import SolverSpec


def _spec(name: str = "fake.eigh", **kw) -> SolverSpec:
    kw.setdefault("kind", "eig")
    return SolverSpec(name=name, framework="fake", implementation="nowhere:Nothing", **kw)


def test_point_key_is_stable_and_distinguishes_every_field() -> None:
    p = Point("numpy.eigh", 200, None, "float64", "cpu", "random_symmetric")
    assert p.key == "numpy.eigh|n=200|k=full|float64|cpu|random_symmetric|seed=0|cold"
    variants = [
        Point("numpy.eigh", 201, None, "float64", "cpu", "random_symmetric"),
        Point("numpy.eigh", 200, 10, "float64", "cpu", "random_symmetric"),
        Point("numpy.eigh", 200, None, "float32", "cpu", "random_symmetric"),
        Point("numpy.eigh", 200, None, "float64", "cuda", "random_symmetric"),
        Point("numpy.eigh", 200, None, "float64", "cpu", "random_psd"),
        Point("numpy.eigh", 200, None, "float64", "cpu", "random_symmetric", seed=1),
        Point("numpy.eigh", 200, None, "float64", "cpu", "random_symmetric", start="warm"),
        Point("numpy.eigh", 200, None, "float64", "cpu", "random_symmetric", depth=2, width=8),
    ]
    assert len({p.key, *(v.key for v in variants)}) == 1 + len(variants)
    assert Point.from_dict(p.to_dict()) == p


def test_plan_numpy_kinds_and_k() -> None:
    sweep = Sweep(name="t", ns=(16,), ks=(4,), dtypes=("float64",), solvers=("numpy.eigh", "numpy.qr"))
    points = [pl.point for pl in plan(sweep)]
    assert {(p.solver, p.k) for p in points} == {("numpy.eigh", None), ("numpy.qr", None)}
    both = plan(sweep.with_(dense_top_k=True))
    assert {(pl.point.solver, pl.point.k) for pl in both} == {
        ("numpy.eigh", None),
        ("numpy.eigh", 4),
        ("numpy.qr", None),
    }
    assert all(pl.skip is None for pl in both)


def test_iterative_solvers_get_only_top_k_and_warm_starts() -> None:
    s = _spec(top_k=True, needs_k=True, iterative=True, warm_start=True)
    sweep = Sweep(name="t", ns=(64,), ks=(4,), dtypes=("float64",))
    got = {(pl.point.k, pl.point.start) for pl in plan(sweep, [s])}
    assert got == {(4, "cold"), (4, "warm")}


@pytest.mark.parametrize(
    ("spec_kw", "point_kw", "reason"),
    [
        ({"dtypes": ("float64",)}, {"dtype": "float32"}, "does not support float32"),
        ({}, {"device": "cuda"}, "does not run on cuda"),
        ({"top_k": True}, {"k": 20, "n": 10}, "exceeds the matrix size"),
        ({"top_k": True, "min_n_per_k": 5, "min_n_strict": True}, {"k": 2, "n": 10}, "n > 5·k"),
        ({"cannot": {"clustered": "too ill-conditioned"}}, {"problem": "clustered"}, "too ill-conditioned"),
        ({"requires": ("surely_not_installed_pkg",)}, {}, "not installed"),
        ({}, {"problem": "rectangular"}, "not given rectangular"),
    ],
)
def test_skip_reasons_name_what_the_solver_cannot_do(spec_kw: dict, point_kw: dict, reason: str) -> None:
    s = _spec(**spec_kw)
    fields = {
        "n": 16,
        "k": None,
        "dtype": "float64",
        "device": "cpu",
        "problem": "random_symmetric",
        **point_kw,
    }
    p = Point(s.name, **fields)
    got = skip_reason(s, p)
    assert got is not None and reason in got


def test_missing_gpu_is_a_skip_reason() -> None:
    s = _spec(devices=("cpu", "cuda"))
    p = Point(s.name, 16, None, "float64", "cuda", "random_symmetric")
    assert "no cuda device" in skip_reason(s, p, device_present=lambda fw, dev: False)
    assert skip_reason(s, p, device_present=lambda fw, dev: True) is None


def test_quick_covers_every_available_cpu_solver_at_small_sizes() -> None:
    planned = plan(QUICK)
    run = {pl.point.solver for pl in planned if pl.skip is None}
    assert run == {s.name for s in solvers.available(device="cpu")}
    assert max(QUICK.ns) <= 500 and QUICK.devices == ("cpu",)


def test_presets_sizes_and_devices() -> None:
    assert set(PRESETS) == {"quick", "default", "gpu", "paper"}
    assert max(PRESETS["default"].ns) == 4000 and PRESETS["default"].devices == ("cpu",)
    assert max(PRESETS["paper"].ns) == 10000 and PRESETS["paper"].devices == ("cuda",)
    assert PRESETS["gpu"].devices == ("cuda",)
    with pytest.raises(ValueError, match="unknown preset 'fast'; choose one of quick"):
        preset("fast")


def test_sweep_and_settings_validation() -> None:
    with pytest.raises(ValueError, match="ns must be positive"):
        Sweep(name="bad", ns=())
    with pytest.raises(ValueError, match="ks must be positive"):
        Sweep(name="bad", ns=(4,), ks=(0,))
    assert Settings().measure_kwargs()["repeat"] == 5


def test_plan_orders_points_sharing_a_matrix_together() -> None:
    sweep = Sweep(name="t", ns=(8, 16), dtypes=("float64",), solvers=("numpy.eigh", "numpy.svd"))
    ns = [pl.point.n for pl in plan(sweep)]
    assert ns == sorted(ns)


def test_drifting_sequence_moves_slowly_and_stays_symmetric() -> None:
    mats = list(problems.drifting("random_symmetric", 20, 3, drift=1e-3, seed=1))
    assert len(mats) == 3
    assert np.array_equal(mats[0], problems.make("random_symmetric", 20, 1))
    for a, b in itertools.pairwise(mats):
        assert np.allclose(b, b.T)
        assert 0 < np.linalg.norm(b - a, 2) / np.linalg.norm(a, 2) < 1e-2
    with pytest.raises(ValueError, match="square"):
        list(problems.drifting("rectangular", 8, 2))

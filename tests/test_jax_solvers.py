"""JAX adapters: conformance, AOT compile once, x64 kept local, warm-started LOBPCG."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest

jax = pytest.importorskip("jax")

import solvers  # noqa: E402
from solvers import problems  # noqa: E402
from solvers.devices import gpu_count  # noqa: E402
from solvers.errors import InvalidInputError  # noqa: E402

pytestmark = pytest.mark.jax

JAX_NAMES = ("jax.eigh", "jax.svd", "jax.qr", "jax.matmul", "jax.lobpcg")
needs_gpu = pytest.mark.skipif(gpu_count("jax") == 0, reason="JAX sees no GPU")


@contextmanager
def backend_compiles() -> Iterator[list[str]]:
    """Collect the names of XLA backend compiles that happen inside the block."""
    seen: list[str] = []

    def listener(name: str, secs: float, **kwargs: object) -> None:
        if "backend_compile" in name:
            seen.append(name)

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        yield seen
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)


@pytest.mark.parametrize("name", JAX_NAMES)
def test_registered_with_honest_capabilities(name: str) -> None:
    s = solvers.spec(name)
    assert s.framework == "jax" and s.requires == ("jax",) and "cuda" in s.devices
    assert s.dtypes == ("float32", "float64")


@needs_gpu
@pytest.mark.cuda
def test_gpu_operand_lives_on_the_gpu() -> None:
    solver = solvers.load("jax.eigh")
    prepared = solver.prepare(problems.random_symmetric(16), device="cuda", dtype="float64")
    assert {d.platform for d in prepared.operand.devices()} == {"gpu"}
    assert prepared.operand.dtype == np.float64


@pytest.mark.parametrize("name", ["jax.eigh", "jax.matmul", "jax.lobpcg"])
def test_compile_once_then_calls_do_not_recompile(name: str) -> None:
    solver = solvers.load(name)
    k = 2 if name == "jax.lobpcg" else None
    prepared = solver.prepare(problems.random_symmetric(24, seed=1), k, dtype="float32")
    with backend_compiles() as during_compile:
        seconds = solver.compile(prepared)
    assert seconds > 0
    assert during_compile, "compile() did not compile anything"
    with backend_compiles() as during_calls:
        for _ in range(3):
            solver.call(prepared)
        solver.bind(prepared)()
    assert during_calls == []


def test_call_without_compile_compiles_once() -> None:
    solver = solvers.load("jax.qr")
    prepared = solver.prepare(problems.rectangular(12), dtype="float64")
    with backend_compiles() as first:
        solver.call(prepared)
    with backend_compiles() as later:
        solver.call(prepared)
    assert len(first) == 1 and later == []
    assert prepared.extra["compile_seconds"] > 0


@pytest.mark.parametrize("name", JAX_NAMES)
def test_float64_stays_float64_and_global_x64_is_untouched(name: str) -> None:
    before = jax.config.jax_enable_x64
    solver = solvers.load(name)
    k = 2 if name == "jax.lobpcg" else None
    a = problems.random_symmetric(16, seed=2)
    prepared = solver.prepare(a, k, dtype="float64")
    solver.compile(prepared)
    raw = solver.call(prepared)
    assert prepared.operand.dtype == np.float64
    assert all(x.dtype in (np.float64, np.int32, np.int64) for x in jax.tree_util.tree_leaves(raw))
    assert jax.config.jax_enable_x64 == before
    result = solver.to_result(raw, prepared)
    assert all(arr.dtype == np.float64 for arr in result.arrays().values())
    assert jax.config.jax_enable_x64 == before


def test_a_users_x64_setting_is_kept_for_float32_work() -> None:
    with jax.enable_x64(True):
        result = solvers.solve("jax.eigh", problems.random_symmetric(16), dtype="float32")
        assert jax.config.jax_enable_x64 is True
    assert result.values.dtype == np.float32


def test_import_sets_no_jax_config_and_respects_users_preallocate() -> None:
    code = (
        "import os, jax, solvers.jax_solvers;"
        "print(jax.config.jax_enable_x64, os.environ['XLA_PYTHON_CLIENT_PREALLOCATE'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "XLA_PYTHON_CLIENT_PREALLOCATE"}
    default = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert default.stdout.split() == ["False", "false"]
    env["XLA_PYTHON_CLIENT_PREALLOCATE"] = "true"
    users = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert users.stdout.split() == ["False", "true"]


def test_matmul_bind_computes_the_product() -> None:
    a = problems.random_symmetric(20, seed=3)
    solver = solvers.load("jax.matmul")
    prepared = solver.prepare(a, dtype="float64")
    out = solver.to_result(solver.bind(prepared)(), prepared)
    np.testing.assert_allclose(out.product, a @ a, rtol=1e-12, atol=1e-12)


# -- LOBPCG: state, warm start, starting block ----------------------------------------------
N, K = 60, 4


_SHARED: dict[str, solvers.Solver] = {}


def _lobpcg(a: np.ndarray, state=None, **options) -> solvers.Result:
    """Solve with default options on one shared instance (compiled once), else a fresh one."""
    solver = _SHARED.setdefault("default", solvers.load("jax.lobpcg")) if not options else None
    solver = solver or solvers.load("jax.lobpcg", **options)
    prepared = solver.prepare(a, K, dtype="float64")
    return solver.to_result(solver.call(prepared, state), prepared)


def test_same_shape_reuses_the_compiled_executable() -> None:
    solver = solvers.load("jax.lobpcg")
    first = solver.prepare(problems.random_symmetric(N, seed=1), K, dtype="float64")
    solver.compile(first)
    second = solver.prepare(problems.random_symmetric(N, seed=2), K, dtype="float64")
    with backend_compiles() as seen:
        solver.compile(second)
        solver.call(second)
    assert seen == []
    other_dtype = solver.prepare(problems.random_symmetric(N, seed=2), K, dtype="float32")
    with backend_compiles() as seen:
        solver.compile(other_dtype)
    assert len(seen) == 1


def test_lobpcg_reports_steps_convergence_and_a_device_state() -> None:
    result = _lobpcg(problems.random_symmetric(N, seed=4))
    assert isinstance(result.steps, int) and result.steps >= 1
    assert result.converged is True
    assert result.info["residual_max"] <= result.info["tol"] * result.info["residual_scale"]
    assert isinstance(result.state, jax.Array) and result.state.shape == (N, K)


def test_lobpcg_reports_not_converged_when_the_iteration_cap_bites() -> None:
    result = _lobpcg(problems.random_symmetric(N, seed=4), maxiter=2)
    assert result.steps == 2 and result.converged is False


def test_warm_start_from_a_nearby_matrix_takes_fewer_iterations() -> None:
    a = problems.random_symmetric(N, seed=5)
    b = a + 1e-4 * problems.random_symmetric(N, seed=6)
    before = b.copy()
    first = _lobpcg(a)
    cold = _lobpcg(b)
    warm = _lobpcg(b, state=first.state)
    assert cold.converged and warm.converged
    assert warm.steps < cold.steps
    np.testing.assert_allclose(warm.values, cold.values, rtol=0, atol=1e-10)
    assert np.array_equal(b, before)


def test_warm_start_accepts_a_host_array_state() -> None:
    a = problems.random_symmetric(N, seed=5)
    first = _lobpcg(a)
    again = _lobpcg(a, state=np.asarray(first.state))
    assert again.converged and again.steps < first.steps


def test_x0_is_used_and_not_modified() -> None:
    a = problems.random_symmetric(N, seed=8)
    x0 = np.linalg.eigh(a)[1][:, ::-1][:, :K].copy()
    x0_before = x0.copy()
    cold = _lobpcg(a)
    started = _lobpcg(a, x0=x0)
    assert started.steps < cold.steps
    assert np.array_equal(x0, x0_before)


def test_seed_sets_the_cold_start() -> None:
    a = problems.random_symmetric(N, seed=9)
    seeded = solvers.load("jax.lobpcg", seed=1)

    def run(solver: solvers.Solver) -> solvers.Result:
        prepared = solver.prepare(a, K, dtype="float64")
        return solver.to_result(solver.call(prepared), prepared)

    one, same, other = run(seeded), run(seeded), run(solvers.load("jax.lobpcg", seed=2))
    assert one.steps == same.steps
    np.testing.assert_array_equal(one.vectors, same.vectors)
    assert not np.array_equal(one.vectors, other.vectors)


@pytest.mark.parametrize(
    ("options", "state", "match"),
    [
        ({"x0": np.ones((N, K + 1))}, None, "x0 must have shape"),
        ({"x0": np.full((N, K), np.nan)}, None, "x0 contains NaN"),
        ({}, np.ones((N - 1, K)), "state must have shape"),
        ({"tol": 0.0}, None, "tol must be"),
        ({"maxiter": 0}, None, "maxiter must be"),
        ({"seed": 1.5}, None, "seed must be"),
    ],
)
def test_lobpcg_rejects_bad_options_and_state(options: dict, state, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        _lobpcg(problems.random_symmetric(N), state=state, **options)


def test_lobpcg_needs_n_greater_than_5k() -> None:
    with pytest.raises(InvalidInputError, match=r"n > 5·k"):
        solvers.load("jax.lobpcg").prepare(problems.random_symmetric(20), 4)

"""The scipy adapters: conformance, options, top-k slicing, warm starts and input safety."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import solvers
from solvers import problems
from solvers.errors import InvalidInputError

SCIPY_NAMES = ["scipy.eigh", "scipy.svd", "scipy.qr", "scipy.lobpcg", "scipy.eigsh", "scipy.svds"]
ITERATIVE_EIG = ["scipy.lobpcg", "scipy.eigsh"]


@pytest.fixture(scope="module")
def a() -> np.ndarray:
    return problems.random_symmetric(60, seed=3)


def test_all_scipy_solvers_registered() -> None:
    assert set(SCIPY_NAMES) <= set(solvers.names(framework="scipy"))


# -- dense options ---------------------------------------------------------------------------
@pytest.mark.parametrize(("driver", "subset"), [(None, True), ("evr", True), ("evx", True), ("evd", False)])
def test_eigh_driver_decides_subset_or_slice(a: np.ndarray, driver: str | None, subset: bool) -> None:
    result = solvers.solve("scipy.eigh", a, 5, driver=driver)
    assert (result.info["driver"], result.info["subset_by_index"]) == (driver, subset)
    expected = np.linalg.eigvalsh(a)[::-1][:5]
    np.testing.assert_allclose(result.values, expected, atol=1e-12)
    assert result.vectors.shape == (60, 5)


@pytest.mark.parametrize("driver", ["ev", "evx"])
def test_eigh_driver_reaches_scipy(a: np.ndarray, driver: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import scipy.linalg

    seen: dict[str, object] = {}
    real = scipy.linalg.eigh

    def spy(*args: object, **kwargs: object) -> object:
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(scipy.linalg, "eigh", spy)
    solvers.solve("scipy.eigh", a, driver=driver)
    assert seen["driver"] == driver
    assert seen["overwrite_a"] is False and seen["check_finite"] is False


@pytest.mark.parametrize("driver", ["ev", "evd", "evr", "evx"])
def test_eigh_every_standard_driver_gives_the_full_spectrum(a: np.ndarray, driver: str) -> None:
    result = solvers.solve("scipy.eigh", a, driver=driver)
    np.testing.assert_allclose(result.values, np.linalg.eigvalsh(a)[::-1], atol=1e-12)


def test_eigh_unknown_driver_rejected_naming_the_known_ones() -> None:
    with pytest.raises(InvalidInputError, match=r"unknown LAPACK driver 'evq'.*ev, evd, evr, evx"):
        solvers.load("scipy.eigh", driver="evq")


@pytest.mark.parametrize("driver", ["gv", "gvd", "gvx"])
def test_eigh_generalized_driver_rejected_with_reason(driver: str) -> None:
    with pytest.raises(InvalidInputError, match="needs a B matrix"):
        solvers.load("scipy.eigh", driver=driver)


@pytest.mark.parametrize("driver", ["gesdd", "gesvd"])
def test_svd_driver_used_and_top_k_sliced(a: np.ndarray, driver: str) -> None:
    result = solvers.solve("scipy.svd", a, 4, lapack_driver=driver)
    assert result.info["lapack_driver"] == driver
    s = np.linalg.svd(a, compute_uv=False)
    np.testing.assert_allclose(result.s, s[:4], atol=1e-12)
    assert (result.u.shape, result.vt.shape) == ((60, 4), (4, 60))


def test_svd_unknown_driver_rejected() -> None:
    with pytest.raises(InvalidInputError, match=r"unknown lapack_driver 'gesvj'.*gesdd, gesvd"):
        solvers.load("scipy.svd", lapack_driver="gesvj")


def test_qr_is_economic() -> None:
    tall = problems.rectangular(20, seed=1)
    result = solvers.solve("scipy.qr", tall)
    assert (result.q.shape, result.r.shape) == ((30, 20), (20, 20))


# -- iterative: options, start blocks, state -------------------------------------------------
@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("tol", -1.0, "tol must be a positive"),
        ("tol", float("nan"), "tol must be a positive"),
        ("maxiter", 0, "maxiter must be an integer"),
        ("maxiter", 2.5, "maxiter must be an integer"),
        ("seed", -1, "seed must be a non-negative integer"),
        ("x0", np.full((60, 4), np.nan), "x0 contains NaN"),
        ("x0", np.zeros((2, 3, 4)), "x0 must be an n×k block"),
    ],
)
@pytest.mark.parametrize("name", ["scipy.lobpcg", "scipy.eigsh", "scipy.svds"])
def test_iterative_option_values_checked(name: str, option: str, value: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        solvers.load(name, **{option: value})


def test_lobpcg_x0_shape_checked(a: np.ndarray) -> None:
    solver = solvers.load("scipy.lobpcg", x0=np.ones((60, 3)))
    with pytest.raises(InvalidInputError, match=r"x0 has shape \(60, 3\), expected \(60, 4\)"):
        solver.prepare(a, 4)


@pytest.mark.parametrize("name", ITERATIVE_EIG)
def test_state_shape_checked(name: str, a: np.ndarray) -> None:
    solver = solvers.load(name)
    prepared = solver.prepare(a, 4)
    with pytest.raises(InvalidInputError, match=r"state has shape \(60, 3\), expected \(60, 4\)"):
        solver.call(prepared, np.ones((60, 3)))


def test_lobpcg_x0_is_used(a: np.ndarray) -> None:
    """Started from the exact top eigenvectors, LOBPCG has nothing left to do."""
    exact = np.linalg.eigh(a)[1][:, ::-1][:, :4]
    cold = solvers.solve("scipy.lobpcg", a, 4)
    from_x0 = solvers.solve("scipy.lobpcg", a, 4, x0=exact)
    assert from_x0.converged and cold.converged
    assert from_x0.steps <= 2 < cold.steps


def test_lobpcg_seed_makes_the_start_reproducible(a: np.ndarray) -> None:
    first = solvers.solve("scipy.lobpcg", a, 4, seed=5)
    again = solvers.solve("scipy.lobpcg", a, 4, seed=5)
    assert first.steps == again.steps
    np.testing.assert_array_equal(first.values, again.values)


def test_lobpcg_warm_start_takes_fewer_iterations(a: np.ndarray) -> None:
    """Warm LOBPCG: the state of a solve of A starts a solve of a slightly perturbed A."""
    perturbed = a + 1e-4 * problems.random_symmetric(60, seed=4)
    solver = solvers.load("scipy.lobpcg")
    first = solver.to_result(solver.call(solver.prepare(a, 4)), solver.prepare(a, 4))
    prepared = solver.prepare(perturbed, 4)
    cold = solver.to_result(solver.call(prepared), prepared)
    warm = solver.to_result(solver.call(prepared, first.state), prepared)
    assert cold.converged and warm.converged
    assert warm.steps < cold.steps
    np.testing.assert_allclose(warm.values, np.linalg.eigvalsh(perturbed)[::-1][:4], atol=1e-10)


def test_lobpcg_leaves_operand_start_block_and_state_untouched(a: np.ndarray) -> None:
    """scipy's lobpcg writes into X: the adapter must hand it a copy every call."""
    before = a.copy()
    solver = solvers.load("scipy.lobpcg")
    prepared = solver.prepare(a, 4)
    operand, x0 = prepared.operand.copy(), prepared.extra["x0"].copy()
    first = solver.to_result(solver.call(prepared), prepared)
    state = first.state.copy()
    solver.call(prepared, first.state)
    second = solver.to_result(solver.call(prepared), prepared)
    np.testing.assert_array_equal(a, before)
    np.testing.assert_array_equal(prepared.operand, operand)
    np.testing.assert_array_equal(prepared.extra["x0"], x0)
    np.testing.assert_array_equal(first.state, state)
    assert first.steps == second.steps


def test_lobpcg_float32_non_convergence_reported_not_warned(a: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any escaping warning fails the test
        result = solvers.solve("scipy.lobpcg", a, 4, dtype="float32", maxiter=2, tol=1e-12)
    assert result.converged is False
    assert result.steps is not None and result.steps <= 3
    assert any("not reaching the requested tolerance" in w for w in result.info["warnings"])
    assert result.values.dtype == np.float32


def test_lobpcg_rejects_k_where_scipy_would_swap_in_a_dense_eigh(a: np.ndarray) -> None:
    with pytest.raises(InvalidInputError, match=r"too large for scipy\.lobpcg"):
        solvers.solve("scipy.lobpcg", a, 13)


def test_eigsh_warm_start_from_state(a: np.ndarray) -> None:
    solver = solvers.load("scipy.eigsh")
    prepared = solver.prepare(a, 4)
    first = solver.to_result(solver.call(prepared), prepared)
    warm = solver.to_result(solver.call(prepared, first.state), prepared)
    np.testing.assert_allclose(warm.values, np.linalg.eigvalsh(a)[::-1][:4], atol=1e-12)
    assert warm.converged is True and warm.state.shape == (60, 4)


def test_eigsh_accepts_a_single_start_vector(a: np.ndarray) -> None:
    result = solvers.solve("scipy.eigsh", a, 3, x0=np.ones(60))
    np.testing.assert_allclose(result.values, np.linalg.eigvalsh(a)[::-1][:3], atol=1e-12)


def test_eigsh_needs_k_below_n() -> None:
    small = problems.random_symmetric(6, seed=1)
    with pytest.raises(InvalidInputError, match="ARPACK needs k < n"):
        solvers.solve("scipy.eigsh", small, 6)


@pytest.mark.parametrize(("shape", "state_rows"), [((30, 20), 20), ((20, 30), 20)])
def test_svds_state_lives_in_the_smaller_space(shape: tuple[int, int], state_rows: int) -> None:
    m = np.random.default_rng(2).standard_normal(shape)
    solver = solvers.load("scipy.svds")
    prepared = solver.prepare(m, 3)
    first = solver.to_result(solver.call(prepared), prepared)
    assert first.state.shape == (state_rows, 3)
    warm = solver.to_result(solver.call(prepared, first.state), prepared)
    np.testing.assert_allclose(warm.s, np.linalg.svd(m, compute_uv=False)[:3], atol=1e-12)
    assert (warm.u.shape, warm.vt.shape) == ((shape[0], 3), (3, shape[1]))

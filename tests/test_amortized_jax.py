"""The amortized method in JAX: losses match reference.py, it finds eigenvectors, gradients are
the exact eigen-derivatives once converged, warm starts pay off, and x64 stays scoped."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
pytest.importorskip("optax")
pytestmark = pytest.mark.jax

import jax.numpy as jnp  # noqa: E402

import solvers  # noqa: E402
from solvers.amortized import OPTIMIZERS, AmortizedConfig, reference  # noqa: E402
from solvers.amortized import jax_impl as J  # noqa: E402
from solvers.jax_support import x64_scope  # noqa: E402

N, K = 60, 4


def gapped(n: int = N, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PSD A = QΛQᵀ with the top four eigenvalues 10, 8, 6, 4 and the rest in [0, 2]."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    lam = np.concatenate([[10.0, 8.0, 6.0, 4.0], np.sort(rng.uniform(0, 2, n - 4))[::-1]])
    return (q * lam) @ q.T, lam, q


def angles(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Per-column angle between u_i and ±v_i."""
    cos = np.abs(np.sum(u * v, axis=0)) / (np.linalg.norm(u, axis=0) * np.linalg.norm(v, axis=0))
    return np.arccos(np.clip(cos, -1.0, 1.0))


@pytest.fixture
def x64():
    with x64_scope("float64"):
        yield


def solved(a: np.ndarray, config: AmortizedConfig, k: int = K, w0=None, max_steps: int = 5000, tol=1e-14):
    state = J.init(a.shape[0], k, config, w0=w0, dtype="float64")
    return J.solve_with_status(state, jnp.asarray(a), max_steps, tol, 10)


# -- losses and gradients -------------------------------------------------------------------------
@pytest.mark.parametrize("loss", ["trace", "brockett", "convex_pow", "convex_exp"])
def test_loss_value_equals_reference(x64, loss):
    a = gapped()[0] - 3 * np.eye(N)  # indefinite: convex_pow needs its PSD shift
    w = np.random.default_rng(1).standard_normal((N, K))
    config = AmortizedConfig(loss=loss)
    u = np.linalg.qr(w)[0]
    got = float(J.eigen_loss(jnp.asarray(w), jnp.asarray(a), config))
    assert got == pytest.approx(reference.loss(config, a, u), rel=1e-12)


@pytest.mark.parametrize("loss", ["trace", "brockett", "convex_pow", "convex_exp"])
def test_analytic_gradient_equals_autodiff_through_the_product(x64, loss):
    """The cheap gradient (−2AU·diag(d) pulled back through the QR) is the true ∂L/∂W."""
    a = gapped()[0] - 3 * np.eye(N)
    w = jnp.asarray(np.random.default_rng(2).standard_normal((N, K)))
    config = AmortizedConfig(loss=loss)
    aux = J.loss_aux(jnp.asarray(a), config)

    def plain(w):
        u = jnp.linalg.qr(w)[0]
        lam = jnp.einsum("ij,ij->j", u, jnp.asarray(a) @ u)
        return -J._phi(config, lam, aux)[0].sum()

    fast = jax.grad(J.eigen_loss)(w, jnp.asarray(a), config)
    np.testing.assert_allclose(fast, jax.grad(plain)(w), rtol=1e-9, atol=1e-12)
    # and ∂L/∂U before the QR's chain rule is reference.py's formula
    u = np.linalg.qr(np.asarray(w))[0]
    _, d = J._phi(config, jnp.asarray(np.einsum("ij,ij->j", u, a @ u)), aux)
    np.testing.assert_allclose(-2 * (a @ u) * np.asarray(d), reference.loss_grad_u(config, a, u), rtol=1e-10)


def test_eigen_loss_does_not_differentiate_a(x64):
    a, *_ = gapped()
    w = jnp.asarray(np.random.default_rng(3).standard_normal((N, K)))
    grad_a = jax.grad(J.eigen_loss, argnums=1)(w, jnp.asarray(a), AmortizedConfig())
    assert float(jnp.abs(grad_a).max()) == 0.0


# -- what each loss converges to ------------------------------------------------------------------
@pytest.mark.parametrize("loss", ["brockett", "convex_pow", "convex_exp"])
def test_symmetry_breaking_losses_find_the_eigenvectors(x64, loss):
    a, lam, q = gapped()
    out = solved(a, AmortizedConfig(loss=loss, optimizer="lbfgs", lr=1.0))
    assert bool(out.converged)
    np.testing.assert_allclose(out.values, lam[:K], rtol=1e-10)
    assert angles(np.asarray(out.vectors), q[:, :K]).max() < 1e-4


def test_brockett_with_adam_finds_the_eigenvectors(x64):
    a, _, q = gapped()
    out = solved(a, AmortizedConfig(loss="brockett", optimizer="adam", lr=1e-2), max_steps=20000, tol=1e-12)
    assert angles(np.asarray(out.vectors), q[:, :K]).max() < 1e-4


def test_trace_loss_finds_only_the_subspace(x64):
    a, lam, q = gapped()
    out = solved(a, AmortizedConfig(loss="trace", optimizer="lbfgs", lr=1.0))
    u = np.asarray(out.vectors)
    principal = np.linalg.svd(q[:, :K].T @ u, compute_uv=False)  # cosines of principal angles
    assert np.arccos(np.clip(principal.min(), -1, 1)) < 1e-4
    assert np.sum(np.asarray(out.values)) == pytest.approx(lam[:K].sum(), rel=1e-10)
    assert angles(u, q[:, :K]).max() > 1e-2  # a rotation inside the subspace, not the eigenvectors


def test_svd_variant_matches_numpy(x64):
    x = np.random.default_rng(4).standard_normal((80, 60)) / np.sqrt(60)
    x = x + 3 * np.outer(np.random.default_rng(5).standard_normal(80), np.ones(60)) / 60  # a clear top σ
    config = AmortizedConfig(loss="brockett", optimizer="lbfgs", lr=1.0)
    state = J.svd_init(80, 60, K, config, dtype="float64")
    _, _, (u, s, vt) = J.svd_solve(state, jnp.asarray(x), 5000, 1e-14, 10)
    ref = np.linalg.svd(x, compute_uv=False)[:K]
    np.testing.assert_allclose(s, ref, rtol=1e-9)
    np.testing.assert_allclose(np.asarray(x @ vt.T), np.asarray(u) * np.asarray(s), atol=1e-6)


# -- gradients to the matrix inside training ------------------------------------------------------
def test_value_gradient_is_the_eigenvector_outer_product(x64):
    a, _, q = gapped()
    out = solved(a, AmortizedConfig(optimizer="lbfgs", lr=1.0))
    w = out.state.w
    for i in range(K):
        g = jax.grad(lambda a, i=i: J.training_values(w, a)[0][i])(jnp.asarray(a))
        idx = int(np.argmax(np.abs(q[:, :K].T @ np.asarray(J.training_values(w, jnp.asarray(a))[1][:, i]))))
        np.testing.assert_allclose(g, np.outer(q[:, idx], q[:, idx]), atol=1e-8)


def test_nuclear_norm_readout_gradient_is_uvt(x64):
    rng = np.random.default_rng(6)
    u0 = np.linalg.qr(rng.standard_normal((30, 20)))[0]
    v0 = np.linalg.qr(rng.standard_normal((20, 20)))[0]
    x = (u0 * np.linspace(3.0, 1.0, 20)) @ v0.T
    k = 8  # the top-8 (Ky Fan) nuclear norm Σσ_i: its gradient is U_kV_kᵀ
    config = AmortizedConfig(optimizer="lbfgs", lr=1.0)
    state = J.svd_init(30, 20, k, config, dtype="float64")
    state, _, _ = J.svd_solve(state, jnp.asarray(x), 20000, 1e-15, 10)
    g = jax.grad(J.nuclear_norm, argnums=2)(*state.params, jnp.asarray(x))
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    assert float(J.nuclear_norm(*state.params, jnp.asarray(x))) == pytest.approx(s[:k].sum(), rel=1e-12)
    np.testing.assert_allclose(g, u[:, :k] @ vt[:k], atol=1e-6)


# -- optimisers, warm start, the jitted loop ------------------------------------------------------
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_drives_the_values_to_the_top_eigenvalues(x64, optimizer):
    a, lam, _ = gapped()
    lr = {"adam": 3e-2, "adamax": 1e-1, "yogi": 3e-2, "sgd": 3e-1, "lbfgs": 1.0}[optimizer]
    config = AmortizedConfig(loss="brockett", optimizer=optimizer, lr=lr)
    _, values = J.trajectory(J.init(N, K, config, dtype="float64"), jnp.asarray(a), 600)
    err = np.abs(np.asarray(values) - lam[:K]).max(axis=1) / lam[0]
    assert err[-1] < 1e-3 * err[0]
    assert err[-1] < 1e-4


def test_step_matches_one_iteration_of_the_loop(x64):
    a, *_ = gapped()
    state = J.init(N, K, AmortizedConfig(), dtype="float64")
    one = J.step(state, jnp.asarray(a))
    looped, _ = J.trajectory(state, jnp.asarray(a), 1)
    np.testing.assert_array_equal(one.w, looped.w)
    assert int(one.count) == 1


def test_solve_stops_at_tolerance_on_check_boundaries(x64):
    a, *_ = gapped()
    out = solved(a, AmortizedConfig(optimizer="lbfgs", lr=1.0), tol=1e-8)
    steps = int(out.steps)
    assert bool(out.converged) and steps < 5000 and (steps - 1) % 10 == 0
    capped = solved(a, AmortizedConfig(optimizer="lbfgs", lr=1.0), max_steps=7)
    assert int(capped.steps) == 7 and not bool(capped.converged)


@pytest.mark.parametrize("optimizer", ["adam", "lbfgs"])
def test_warm_start_on_a_perturbed_matrix_needs_far_fewer_steps(x64, optimizer):
    a, *_ = gapped()
    e = np.random.default_rng(7).standard_normal((N, N))
    a2 = a + 1e-3 * (e + e.T) / 2
    config = AmortizedConfig(optimizer=optimizer, lr={"adam": 1e-2, "lbfgs": 1.0}[optimizer])
    first = solved(a, config, max_steps=20000, tol=1e-9)
    cold = solved(a2, config, max_steps=20000, tol=1e-9)
    warm = J.solve_with_status(first.state, jnp.asarray(a2), 20000, 1e-9, 10)
    assert bool(cold.converged) and bool(warm.converged)
    assert int(warm.steps) * 4 <= int(cold.steps)


# -- registry adapters ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["jax.amortized", "jax.subspace"])
def test_registry_solver_warm_call_reuses_state(name):
    a, lam, _ = gapped()
    solver = solvers.load(name)
    prepared = solver.prepare(a, K, dtype="float64")
    assert solver.compile(prepared) > 0
    first = solver.to_result(solver.call(prepared), prepared)
    again = solver.to_result(solver.call(prepared, first.state), prepared)
    np.testing.assert_allclose(again.values, lam[:K], rtol=1e-9)
    assert first.converged and again.converged
    assert again.steps < first.steps


def test_registry_rejects_conflicting_step_limits_and_foreign_state():
    with pytest.raises(solvers.InvalidInputError, match="disagree"):
        solvers.load("jax.amortized", max_steps=10, maxiter=20)
    a, *_ = gapped()
    adam = solvers.load("jax.amortized", optimizer="adam")
    prepared = adam.prepare(a, K)
    state = adam.to_result(adam.call(prepared), prepared).state
    lbfgs = solvers.load("jax.amortized")
    with pytest.raises(solvers.InvalidInputError, match="different configuration"):
        lbfgs.call(lbfgs.prepare(a, K), state)


def test_user_x64_flag_is_untouched():
    before = bool(jax.config.jax_enable_x64)
    a, *_ = gapped()
    for name in ("jax.amortized", "jax.subspace"):
        for dtype in ("float32", "float64"):
            result = solvers.solve(name, a, K, dtype=dtype)
            assert result.values.dtype == np.dtype(dtype)
            assert bool(jax.config.jax_enable_x64) == before
    assert jnp.ones(1).dtype == (jnp.float64 if before else jnp.float32)


# -- Figure 3 workloads at test size --------------------------------------------------------------
def test_figure3_convergence_curves_fall():
    from harness.workloads.figure3 import convergence

    out = convergence(60, 4, 300, optimizers=("adam", "lbfgs"), dtype="float64")
    for loss in ("brockett", "convex_pow"):
        for optimizer in ("adam", "lbfgs"):
            curve = out["curves"]["jax"][loss][optimizer]
            assert curve.shape == (300,)
            assert curve[-1] < 0.2 * curve[0]


def test_figure3_fine_tuning_warm_beats_cold():
    from harness.workloads.figure3 import fine_tuning

    out = fine_tuning(60, 4, count=3, eps=1e-3, tol=1e-8, dtype="float64")
    assert out["cold"]["converged"].all() and out["warm"]["converged"].all()
    assert (out["warm"]["steps"][1:] * 3 <= out["cold"]["steps"][1:]).all()
    sub = fine_tuning(60, 4, count=3, eps=1e-3, tol=1e-8, dtype="float64", method="subspace")
    assert (sub["warm"]["steps"][1:] < sub["cold"]["steps"][1:]).all()

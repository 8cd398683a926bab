"""The amortized method in torch: losses, convergence, gradients, warm starts, every optimiser.

Small float64 problems with clear spectral gaps, so tight tolerances test the method rather
than float32 noise or an ill-conditioned matrix.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("pytorch_optimizer")

import solvers  # noqa: E402
from harness.workloads import figure2  # noqa: E402
from solvers.amortized import OPTIMIZERS, AmortizedConfig, reference  # noqa: E402
from solvers.amortized import torch_impl as ti  # noqa: E402
from solvers.amortized.torch_subspace import start_block, subspace_iteration  # noqa: E402

pytestmark = pytest.mark.torch

N, K = 16, 3


def gapped(n: int = N, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A = QΛQᵀ with top values 3, 2, 1.2 well above the rest (≤ 0.5); returns A, Λ desc, Q."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    values = np.concatenate([[3.0, 2.0, 1.2], np.linspace(0.5, -0.5, n - 3)])
    return (q * values) @ q.T, values, q


def angles(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Per-column angle between directions (sign-blind)."""
    cos = np.abs(np.einsum("ij,ij->j", u, v)) / (np.linalg.norm(u, axis=0) * np.linalg.norm(v, axis=0))
    return np.arccos(np.clip(cos, -1.0, 1.0))


def subspace_angle(u: np.ndarray, v: np.ndarray) -> float:
    """Largest principal angle between the column spans of orthonormal u and v."""
    s = np.linalg.svd(u.T @ v, compute_uv=False)
    return float(np.arccos(np.clip(s.min(), -1.0, 1.0)))


def converge(a: np.ndarray, config: AmortizedConfig, k: int = K) -> ti.SolveOutput:
    return ti.solve(torch.as_tensor(a), k, config)


#: A setting that converges tightly in a few hundred steps on `gapped` (chosen by measurement;
#: torch's L-BFGS stalls in its line search near 1e-4 angles here, so it is not used for this).
TIGHT = AmortizedConfig(optimizer="sgd", lr=3.0, momentum=0.5, max_steps=3000, tol=1e-13)


# -- losses and gradients match the reference ---------------------------------------------------
@pytest.mark.parametrize("loss", ["trace", "brockett", "convex_pow", "convex_exp"])
def test_losses_and_fast_gradient_match_reference(loss: str) -> None:
    a = np.random.default_rng(1).standard_normal((N, N))
    a = (a + a.T) / 2
    config = AmortizedConfig(loss=loss)
    w = torch.as_tensor(np.random.default_rng(2).standard_normal((N, K)), dtype=torch.float64)
    u = ti.orthonormal(w)
    at = torch.as_tensor(a)
    assert float(ti.eigen_loss(config, at, u)) == pytest.approx(
        reference.loss(config, a, u.numpy()), rel=1e-12
    )
    # The fast step's W-gradient (analytic ∂L/∂U, autograd through the QR only) equals plain autograd.
    w_slow = w.clone().requires_grad_(True)
    ti.eigen_loss(config, at, ti.orthonormal(w_slow)).backward()
    w_fast = w.clone().requires_grad_(True)
    ti._gradient_step(w_fast, at, config, ti.LossTerms.of(config, at, K))
    np.testing.assert_allclose(w_fast.grad.numpy(), w_slow.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_psd_shift_and_exp_scale_match_reference() -> None:
    a = np.random.default_rng(3).standard_normal((N, N))
    a = a + a.T
    at = torch.as_tensor(a)
    assert float(ti.psd_shift(at)) == pytest.approx(reference.psd_shift(a))
    assert float(ti.exp_scale(at)) == pytest.approx(reference.exp_scale(a))


# -- what each loss converges to -----------------------------------------------------------------
@pytest.mark.parametrize("loss", ["brockett", "convex_pow", "convex_exp"])
def test_symmetry_breaking_losses_find_the_eigenvectors(loss: str) -> None:
    a, values, q = gapped()
    out = converge(a, TIGHT.with_(loss=loss))
    order = np.argsort(out.values.numpy())[::-1]
    u = out.vectors.numpy()[:, order]
    assert angles(u, q[:, :K]).max() < 1e-4
    np.testing.assert_allclose(out.values.numpy()[order], values[:K], atol=1e-8)


def test_trace_loss_finds_only_the_subspace() -> None:
    a, _, q = gapped()
    u = converge(a, TIGHT.with_(loss="trace")).vectors.numpy()
    assert subspace_angle(u, q[:, :K]) < 1e-4
    assert angles(u, q[:, :K]).max() > 1e-2  # the columns are a rotation of the eigenvectors


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimiser_drives_the_values_to_the_top_k(optimizer: str) -> None:
    a, values, _ = gapped()
    lr = {"adam": 2e-2, "adamax": 2e-2, "yogi": 2e-2, "sgd": 2.0, "lbfgs": 1.0}[optimizer]
    config = AmortizedConfig(optimizer=optimizer, lr=lr, max_steps=600, tol=0.0)
    start = ti.solve(torch.as_tensor(a), K, config.with_(max_steps=1))
    out = converge(a, config)
    first = np.abs(np.sort(start.values.numpy())[::-1] - values[:K]).max()
    last = np.abs(np.sort(out.values.numpy())[::-1] - values[:K]).max()
    assert last < 1e-3 < first
    assert out.steps == 600 and not out.converged


def test_record_gives_a_decreasing_loss_curve_and_loss_curve_agrees() -> None:
    a, _, _ = gapped()
    config = AmortizedConfig(optimizer="adam", lr=2e-2, max_steps=200, tol=0.0)
    losses = ti.solve(torch.as_tensor(a), K, config, record=True).losses
    assert losses is not None and len(losses) == 200 and losses[-1] < losses[0]
    np.testing.assert_allclose(ti.loss_curve(a, K, config), losses, rtol=1e-12)


# -- gradients reaching the matrix (inside training) --------------------------------------------
def _train(module, matrix, steps: int) -> None:
    """Train the module's W on its eigen loss with the TIGHT optimiser (A held fixed)."""
    optimizer = ti.make_optimizer(TIGHT, list(module.parameters()))
    for _ in range(steps):
        optimizer.zero_grad()
        module(matrix)[-1].backward()
        optimizer.step()


def test_value_gradient_is_the_exact_eigenvalue_gradient() -> None:
    a, values, q = gapped()
    model = ti.AmortizedEigh(N, K, AmortizedConfig(), dtype=torch.float64)
    _train(model, torch.as_tensor(a), 300)
    at = torch.as_tensor(a).requires_grad_(True)
    vals, vectors, loss = model(at)
    np.testing.assert_allclose(vals.detach().numpy(), values[:K], atol=1e-9)
    for i in range(K):
        (grad,) = torch.autograd.grad(vals[i], at, retain_graph=True)
        np.testing.assert_allclose(grad.numpy(), np.outer(q[:, i], q[:, i]), atol=1e-6)
    # Finite difference of the true eigenvalue along a symmetric direction agrees too.
    e = np.random.default_rng(4).standard_normal((N, N))
    e = (e + e.T) / 2
    h = 1e-6
    fd = (np.linalg.eigvalsh(a + h * e)[::-1][:K] - np.linalg.eigvalsh(a - h * e)[::-1][:K]) / (2 * h)
    (grad,) = torch.autograd.grad(vals.sum(), at, retain_graph=True)
    assert float((grad.numpy() * e).sum()) == pytest.approx(fd.sum(), rel=1e-5)
    # The eigen loss trains W only: no gradient reaches A through it.
    assert torch.autograd.grad(loss, at, allow_unused=True)[0] is None
    assert not vectors.requires_grad


def gapped_rect(m: int = 12, n: int = 9, seed: int = 5):
    """X = UΣVᵀ with top singular values 6, 4, 3 well above the rest (≤ 1)."""
    x = np.random.default_rng(seed).standard_normal((m, n))
    uu, s, vt = np.linalg.svd(x, full_matrices=False)
    s = np.concatenate([[6.0, 4.0, 3.0], np.linspace(1.0, 0.2, len(s) - 3)])
    return (uu * s) @ vt, uu, s, vt


def test_svd_values_and_nuclear_norm_gradient() -> None:
    m, n, k = 12, 9, 3
    x, uu, s, vt = gapped_rect(m, n)
    model = ti.AmortizedSVD(m, n, k, AmortizedConfig(), dtype=torch.float64)
    _train(model, torch.as_tensor(x), 400)
    xt = torch.as_tensor(x).requires_grad_(True)
    sigma = model(xt)[0]
    np.testing.assert_allclose(np.sort(sigma.detach().numpy())[::-1], s[:k], rtol=1e-8)
    (grad,) = torch.autograd.grad(sigma.sum(), xt)
    np.testing.assert_allclose(grad.numpy(), uu[:, :k] @ vt[:k], atol=1e-6)


@pytest.mark.parametrize("loss", ["convex_pow", "convex_exp"])
def test_svd_convex_losses_find_the_singular_values(loss: str) -> None:
    x, _, s, _ = gapped_rect(10, 7, seed=6)
    model = ti.AmortizedSVD(10, 7, 2, AmortizedConfig(loss=loss), dtype=torch.float64)
    _train(model, torch.as_tensor(x), 1500)
    sigma = model(torch.as_tensor(x))[0].detach().numpy()
    np.testing.assert_allclose(np.sort(sigma)[::-1], s[:2], rtol=1e-6)


def test_modules_reject_wrong_shapes() -> None:
    with pytest.raises(ValueError, match="0 < k <= n"):
        ti.AmortizedEigh(3, 4)
    with pytest.raises(ValueError, match="expects a 5×5"):
        ti.AmortizedEigh(5, 2)(torch.zeros(4, 4))


# -- registry solvers: warm start ---------------------------------------------------------------
def test_amortized_warm_start_takes_far_fewer_steps() -> None:
    """A decaying spectrum (λ_i = 1/i) drifting by 1e-4·‖E‖: warm needs a fraction of cold's steps."""
    n = 150
    q, _ = np.linalg.qr(np.random.default_rng(8).standard_normal((n, n)))
    a = (q / np.arange(1, n + 1)) @ q.T
    e = np.random.default_rng(9).standard_normal(a.shape)
    b = a + 1e-4 * (e + e.T) / 2 / np.sqrt(n)
    solver = solvers.load("torch.amortized", tol=1e-9, max_steps=20000)
    first = solver.solve(a, K)
    cold = solver.solve(b, K)
    warm = solver.solve(b, K, state=first.state)
    ref = np.linalg.eigvalsh(b)[::-1][:K]
    assert cold.converged and warm.converged
    np.testing.assert_allclose(warm.values, ref, atol=1e-5)
    assert warm.steps * 4 <= cold.steps, (warm.steps, cold.steps)


def test_amortized_state_is_not_mutated_by_a_call() -> None:
    a, _, _ = gapped()
    solver = solvers.load("torch.amortized", maxiter=50, tol=0.0)
    prepared = solver.prepare(a, K)
    state = solver.to_result(solver.call(prepared), prepared).state
    w_before = state.w.clone()
    one = solver.to_result(solver.call(prepared, state), prepared)
    two = solver.to_result(solver.call(prepared, state), prepared)
    assert torch.equal(state.w, w_before)
    np.testing.assert_array_equal(one.values, two.values)
    assert one.steps == 50


def test_amortized_rejects_bad_options_and_state() -> None:
    with pytest.raises(solvers.InvalidInputError, match="optimizer must be one of"):
        solvers.load("torch.amortized", optimizer="rmsprop")
    with pytest.raises(solvers.InvalidInputError, match="maxiter must be a positive integer"):
        solvers.load("torch.amortized", maxiter=0)
    solver = solvers.load("torch.amortized")
    with pytest.raises(solvers.InvalidInputError, match="state must come from"):
        solver.call(solver.prepare(gapped()[0], K), state="nonsense")


def test_amortized_x0_at_the_answer_converges_at_once() -> None:
    a, values, q = gapped()
    solver = solvers.load("torch.amortized", x0=q[:, :K], tol=1e-10)
    out = solver.solve(a, K)
    np.testing.assert_allclose(out.values, values[:K], atol=1e-8)
    cold = solvers.load("torch.amortized", tol=1e-10).solve(a, K)
    assert out.steps * 2 <= cold.steps, (out.steps, cold.steps)


def test_a_stalled_optimiser_is_not_called_converged() -> None:
    """λ that stops changing far from the eigenvalues (a stalled line search) is not convergence."""
    a = solvers.problems.random_symmetric(60, seed=0)
    out = solvers.load("torch.amortized", optimizer="sgd", lr=1e-9, max_steps=200, tol=1e-3).solve(a, K)
    ref = np.linalg.eigvalsh(a)[::-1][:K]
    assert np.abs(out.values - ref).max() > 1e-2  # it barely moved from the random start...
    assert not out.converged and out.steps == 200  # ...so it must not claim convergence


def test_default_rate_scales_with_the_matrix() -> None:
    """lr=None: SGD's rate is 0.5·n over a bound on ‖A‖₂, so scaling A leaves the steps alike."""
    from solvers.amortized.solvers_torch import default_lr

    a = torch.as_tensor(gapped()[0])
    assert default_lr("sgd", 10 * a) == pytest.approx(default_lr("sgd", a) / 10)
    assert default_lr("sgd", a) <= 0.5 * a.shape[0] / float(torch.linalg.matrix_norm(a, ord=2))
    assert default_lr("adam", a) == 1e-2
    small = solvers.solve("torch.amortized", gapped()[0], K)
    large = solvers.solve("torch.amortized", 1e3 * gapped()[0], K)
    assert small.converged and large.converged
    assert abs(small.steps - large.steps) <= 20


# -- subspace iteration ------------------------------------------------------------------------
@pytest.mark.parametrize("problem", ["random_symmetric", "laplacian"])
def test_subspace_iteration_finds_the_top_k_and_warm_starts(problem: str) -> None:
    a = solvers.problems.make(problem, 30, seed=2)
    solver = solvers.load("torch.subspace")
    cold = solver.solve(a, 4)
    ref = np.linalg.eigvalsh(a)[::-1][:4]
    assert cold.converged
    np.testing.assert_allclose(cold.values, ref, atol=1e-9 * np.abs(ref).max())
    again = solver.solve(a, 4, state=cold.state)
    assert again.steps == 1 and again.converged
    e = np.random.default_rng(3).standard_normal(a.shape)
    b = a + 1e-8 * (e + e.T)
    warm = solver.solve(b, 4, state=cold.state)
    np.testing.assert_allclose(warm.values, np.linalg.eigvalsh(b)[::-1][:4], atol=1e-9 * np.abs(ref).max())
    assert warm.steps * 3 <= cold.steps, (warm.steps, cold.steps)


def test_subspace_iteration_reports_non_convergence() -> None:
    a = solvers.problems.make("random_psd", 30, seed=2)
    block = start_block(30, 4, torch.as_tensor(a))
    out = subspace_iteration(torch.as_tensor(a), 4, block, tol=0.0, maxiter=3)
    assert out.steps == 3 and not out.converged


# -- figure 2 ----------------------------------------------------------------------------------
def test_figure2_trace_is_flat_and_the_others_pick_eigenvectors() -> None:
    lands = figure2.figure2(points=180)
    assert np.ptp(lands["trace"].values) < 1e-14
    eig = figure2.eigenvector_angles()
    assert figure2.angle_gap(lands["brockett"].optimum, eig[0]) < 1e-6
    gap = min(figure2.angle_gap(lands["convex_exp"].optimum, e) for e in eig)
    assert gap < 1e-6
    # Away from an eigenvector the landscapes are not flat.
    assert np.ptp(lands["brockett"].values) > 0.1 and np.ptp(lands["convex_exp"].values) > 0.01

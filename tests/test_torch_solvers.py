"""The torch adapters: conformance (CPU, and CUDA when present), warm LOBPCG, sync, bind."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import solvers
from solvers import problems
from solvers.errors import InvalidInputError

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.torch
TORCH_NAMES = ["torch.eigh", "torch.svd", "torch.qr", "torch.matmul", "torch.lobpcg"]
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device visible to torch")


@pytest.fixture(scope="module")
def a() -> np.ndarray:
    return problems.random_symmetric(60, seed=3)


@needs_cuda
@pytest.mark.cuda
def test_cuda_operand_on_the_gpu_and_synced(a: np.ndarray) -> None:
    solver = solvers.load("torch.eigh")
    prepared = solver.prepare(a, 3, device="cuda")
    assert prepared.operand.is_cuda and prepared.extra["sync"] is not None
    result = solver.to_result(solver.call(prepared), prepared)
    np.testing.assert_allclose(result.values, np.linalg.eigvalsh(a)[::-1][:3], atol=1e-10)


def test_all_torch_solvers_registered() -> None:
    assert set(TORCH_NAMES) <= set(solvers.names(framework="torch"))


def test_import_solvers_does_not_import_torch() -> None:
    code = "import sys, solvers; solvers.names(); solvers.spec('torch.lobpcg'); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_cpu_call_has_no_sync(a: np.ndarray) -> None:
    solver = solvers.load("torch.matmul")
    prepared = solver.prepare(a)
    assert prepared.extra["sync"] is None
    assert prepared.operand.device.type == "cpu"


# -- dense -----------------------------------------------------------------------------------
def test_eigh_top_k_sliced_descending(a: np.ndarray) -> None:
    result = solvers.solve("torch.eigh", a, 5)
    np.testing.assert_allclose(result.values, np.linalg.eigvalsh(a)[::-1][:5], atol=1e-12)
    assert result.vectors.shape == (60, 5)


def test_svd_top_k_sliced_and_float32_kept() -> None:
    m = problems.rectangular(20, seed=1)
    result = solvers.solve("torch.svd", m, 3, dtype="float32")
    assert (result.u.shape, result.s.shape, result.vt.shape) == ((30, 3), (3,), (3, 20))
    assert {x.dtype for x in (result.u, result.s, result.vt)} == {np.dtype("float32")}
    np.testing.assert_allclose(result.s, np.linalg.svd(m, compute_uv=False)[:3], rtol=1e-5)


def test_qr_is_reduced() -> None:
    result = solvers.solve("torch.qr", problems.rectangular(20, seed=1))
    assert (result.q.shape, result.r.shape) == ((30, 20), (20, 20))


def test_matmul_bind_is_a_closure_that_skips_call(a: np.ndarray) -> None:
    """The timing loop must run nothing but the product: bind may not route through call."""
    solver = solvers.load("torch.matmul")
    prepared = solver.prepare(a)

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("bind went through call")

    solver.call = forbidden  # type: ignore[method-assign]
    product = solver.bind(prepared)()
    np.testing.assert_allclose(product.numpy(), a @ a, atol=1e-12)


def test_caller_array_unchanged(a: np.ndarray) -> None:
    before = a.copy()
    for name in TORCH_NAMES:
        solvers.solve(name, a, None if name in ("torch.qr", "torch.matmul") else 4)
    np.testing.assert_array_equal(a, before)


# -- lobpcg ----------------------------------------------------------------------------------
def _solve(solver: solvers.Solver, matrix: np.ndarray, state: object = None) -> solvers.Result:
    prepared = solver.prepare(matrix, 4)
    return solver.to_result(solver.call(prepared, state), prepared)


def test_lobpcg_warm_start_takes_fewer_iterations(a: np.ndarray) -> None:
    """Warm LOBPCG: the state of a solve of A starts a solve of a slightly perturbed A."""
    perturbed = a + 1e-4 * problems.random_symmetric(60, seed=4)
    solver = solvers.load("torch.lobpcg")
    first = _solve(solver, a)
    assert isinstance(first.state, torch.Tensor) and first.state.shape == (60, 4)
    cold = _solve(solver, perturbed)
    warm = _solve(solver, perturbed, first.state)
    assert cold.converged and warm.converged
    assert warm.steps < cold.steps
    np.testing.assert_allclose(warm.values, np.linalg.eigvalsh(perturbed)[::-1][:4], atol=1e-10)


def test_lobpcg_x0_is_used(a: np.ndarray) -> None:
    exact = np.linalg.eigh(a)[1][:, ::-1][:, :4]
    cold = solvers.solve("torch.lobpcg", a, 4)
    from_x0 = solvers.solve("torch.lobpcg", a, 4, x0=exact)
    assert from_x0.converged and cold.converged
    assert from_x0.steps <= 2 < cold.steps


def test_lobpcg_leaves_start_block_and_state_untouched(a: np.ndarray) -> None:
    """torch's LOBPCG writes into X: the adapter must hand it a clone every call."""
    solver = solvers.load("torch.lobpcg")
    prepared = solver.prepare(a, 4)
    x0, operand = prepared.extra["x0"].clone(), prepared.operand.clone()
    first = solver.to_result(solver.call(prepared), prepared)
    state = first.state.clone()
    solver.call(prepared, first.state)
    second = solver.to_result(solver.call(prepared), prepared)
    assert torch.equal(prepared.extra["x0"], x0) and torch.equal(prepared.operand, operand)
    assert torch.equal(first.state, state)
    assert first.steps == second.steps


def test_lobpcg_accepts_numpy_state(a: np.ndarray) -> None:
    solver = solvers.load("torch.lobpcg")
    first = _solve(solver, a)
    again = _solve(solver, a, first.vectors)
    assert again.steps <= 2
    np.testing.assert_allclose(again.values, first.values, atol=1e-10)


def test_lobpcg_state_shape_checked(a: np.ndarray) -> None:
    solver = solvers.load("torch.lobpcg")
    prepared = solver.prepare(a, 4)
    with pytest.raises(InvalidInputError, match=r"state has shape \(60, 3\), expected \(60, 4\)"):
        solver.call(prepared, torch.zeros(60, 3, dtype=torch.float64))


def test_lobpcg_maxiter_limits_and_reports_non_convergence(a: np.ndarray) -> None:
    result = solvers.solve("torch.lobpcg", a, 4, maxiter=3, tol=1e-14)
    assert result.steps == 3 and result.converged is False


def test_lobpcg_needs_n_at_least_3k(a: np.ndarray) -> None:
    with pytest.raises(InvalidInputError, match=r"too large for torch\.lobpcg"):
        solvers.solve("torch.lobpcg", a, 21)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("tol", 0.0, "tol must be a positive"), ("maxiter", True, "maxiter must be an integer")],
)
def test_lobpcg_option_values_checked(option: str, value: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        solvers.load("torch.lobpcg", **{option: value})


def test_lobpcg_x0_shape_checked(a: np.ndarray) -> None:
    solver = solvers.load("torch.lobpcg", x0=np.ones((59, 4)))
    with pytest.raises(InvalidInputError, match=r"x0 has shape \(59, 4\), expected \(60, 4\)"):
        solver.prepare(a, 4)

"""Subspace iteration's shift: a Lanczos lower estimate of λ_min, not a loose Gershgorin bound."""

from __future__ import annotations

import numpy as np
import pytest

import solvers
from solvers import problems

PROBLEMS = ["decaying", "random_symmetric", "random_psd", "laplacian", "clustered"]


@pytest.mark.parametrize("problem", PROBLEMS)
def test_torch_shift_is_a_tight_lower_estimate(problem: str) -> None:
    torch = pytest.importorskip("torch")
    from solvers.amortized.torch_subspace import lowest_eigenvalue_bound

    a = problems.make(problem, 200, 1)
    values = np.linalg.eigvalsh(a)
    shift = float(lowest_eigenvalue_bound(torch.as_tensor(a)))
    spread = values[-1] - values[0]
    assert values[0] - 0.02 * spread <= shift <= values[0] + 1e-9 * spread


@pytest.mark.parametrize("problem", PROBLEMS)
def test_jax_shift_is_a_tight_lower_estimate(problem: str) -> None:
    jnp = pytest.importorskip("jax.numpy")
    from solvers.amortized.jax_subspace import lowest_eigenvalue_bound
    from solvers.jax_support import x64_scope

    a = problems.make(problem, 200, 1)
    values = np.linalg.eigvalsh(a)
    with x64_scope("float64"):
        shift = float(lowest_eigenvalue_bound(jnp.asarray(a)))
    spread = values[-1] - values[0]
    assert values[0] - 0.02 * spread <= shift <= values[0] + 1e-9 * spread


@pytest.mark.parametrize("name", ["torch.subspace", "jax.subspace"])
def test_separated_spectrum_converges_in_few_iterations(name: str) -> None:
    """λ_i = 1/i with a block of k + 8: the rate (λ19 − σ)/(λ10 − σ) ≈ 0.53 when σ ≈ λ_min.

    With the Gershgorin shift (σ ≈ −1 for this dense matrix) the same solve took > 1000.
    """
    pytest.importorskip(name.split(".")[0])
    a = problems.decaying(300, 2)
    result = solvers.solve(name, a, 10)
    assert result.converged
    assert result.steps < 80, result.steps
    np.testing.assert_allclose(result.values, np.linalg.eigvalsh(a)[::-1][:10], rtol=1e-10)

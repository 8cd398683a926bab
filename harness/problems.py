"""Test matrices for sweeps: `solvers.problems` plus slowly drifting sequences for warm starts.

A drifting sequence is what warm-started solvers (amortized, subspace, warm LOBPCG) are for:
each matrix is a small symmetric perturbation of the previous one, so yesterday's eigenvectors
are a good start for today's.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from solvers.problems import (
    PROBLEMS,
    clustered,
    decaying,
    laplacian,
    laplacian_eigenvalues,
    make,
    random_psd,
    random_symmetric,
    rectangular,
)

__all__ = [
    "KIND_PROBLEMS",
    "PROBLEMS",
    "applicable",
    "clustered",
    "decaying",
    "drift_step",
    "drifting",
    "laplacian",
    "laplacian_eigenvalues",
    "make",
    "random_psd",
    "random_symmetric",
    "rectangular",
]

#: Problems each kind can be given: eigensolvers and matmul need square symmetric matrices.
KIND_PROBLEMS: dict[str, tuple[str, ...]] = {
    "eig": ("random_symmetric", "random_psd", "laplacian", "decaying", "clustered"),
    "svd": ("random_symmetric", "random_psd", "laplacian", "decaying", "clustered", "rectangular"),
    "qr": ("random_symmetric", "random_psd", "rectangular"),
    "matmul": ("random_symmetric", "random_psd", "laplacian", "clustered"),
}


def applicable(kind: str, problem: str) -> str | None:
    """Why `kind` cannot be given `problem`, or None when it can."""
    if problem not in PROBLEMS:
        return f"unknown problem {problem!r}; known: {', '.join(PROBLEMS)}"
    if problem not in KIND_PROBLEMS.get(kind, ()):
        return f"{kind} solvers are not given {problem} matrices"
    return None


def drifting(problem: str, n: int, steps: int, *, drift: float = 1e-3, seed: int = 0) -> Iterator[np.ndarray]:
    """`steps` matrices: A_0 = make(problem), A_{t+1} = A_t + drift·‖A_0‖₂·E_t, E_t symmetric.

    E_t is a Wigner matrix (spectral norm about 2), so each step moves eigenvalues by about
    2·drift relative to the spectrum's scale.
    """
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    if drift < 0:
        raise ValueError(f"drift must be >= 0, got {drift}")
    a = make(problem, n, seed)
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"a drifting sequence needs a square problem; {problem} is {a.shape}")
    scale = float(np.linalg.norm(a, 2))
    rng = np.random.default_rng(seed + 1)
    for _ in range(steps):
        yield a
        a = drift_step(a, drift * scale, rng)


def drift_step(a: np.ndarray, size: float, rng: np.random.Generator) -> np.ndarray:
    """A + size·E with E = (G + Gᵀ)/√(2n) a Wigner matrix (‖E‖₂ ≈ 2): one step of a drifting sequence."""
    n = a.shape[0]
    g = rng.standard_normal((n, n))
    return a + (size * (g + g.T) / np.sqrt(2.0 * n)).astype(a.dtype)

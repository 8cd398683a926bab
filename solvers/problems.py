"""Seeded test matrices with known character, shared by conformance, sweeps and benchmarks.

Every generator returns float64; solvers are given the matrix cast to their dtype and are
checked against the float64 reference of that cast matrix.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def random_symmetric(n: int, seed: int = 0) -> np.ndarray:
    """(G + Gᵀ)/√(2n): a Wigner matrix, spectrum roughly semicircular on [−2, 2]."""
    g = np.random.default_rng(seed).standard_normal((n, n))
    return (g + g.T) / np.sqrt(2.0 * n)


def random_psd(n: int, seed: int = 0) -> np.ndarray:
    """GGᵀ/n: a Wishart matrix (positive semi-definite, top eigenvalues poorly separated)."""
    g = np.random.default_rng(seed).standard_normal((n, n))
    return g @ g.T / n


def laplacian(n: int, seed: int = 0) -> np.ndarray:
    """scipy's LaplacianNd (Dirichlet) on the most nearly square 2-D grid with n points.

    Its spectrum is known in closed form; it is negative definite, so its "top" eigenvalues
    are the ones closest to zero.
    """
    from scipy.sparse.linalg import LaplacianNd

    rows = max(d for d in range(1, int(np.sqrt(n)) + 1) if n % d == 0)
    lap = LaplacianNd((rows, n // rows), boundary_conditions="dirichlet")
    return np.asarray(lap.toarray(), dtype=np.float64)


def laplacian_eigenvalues(n: int) -> np.ndarray:
    """The closed-form spectrum of `laplacian(n)`, descending."""
    from scipy.sparse.linalg import LaplacianNd

    rows = max(d for d in range(1, int(np.sqrt(n)) + 1) if n % d == 0)
    return np.sort(LaplacianNd((rows, n // rows), boundary_conditions="dirichlet").eigenvalues())[::-1]


def decaying(n: int, seed: int = 0) -> np.ndarray:
    """QΛQᵀ with λ_i = 1/i: a covariance-like spectrum whose top is separated (λ10/λ11 = 1.1).

    The case the amortized method is built for (latent PCA, low-rank structure), next to the
    Wigner and Wishart matrices whose top eigenvalues are nearly tied.
    """
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))
    return (q / np.arange(1, n + 1)) @ q.T


def clustered(n: int, seed: int = 0) -> np.ndarray:
    """Badly conditioned (κ = 1e8) with its top eigenvalues clustered within 1e-6 relative."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    top = 1.0 + 1e-6 * np.arange(8)[::-1]
    rest = np.logspace(-1, -8, n - 8)
    values = np.concatenate([top, rest])[:n]
    return (q * values) @ q.T


def rectangular(n: int, seed: int = 0) -> np.ndarray:
    """A tall (n + n/2) × n Gaussian matrix for svd and qr."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n + n // 2, n)) / np.sqrt(n)


PROBLEMS: dict[str, Callable[[int, int], np.ndarray]] = {
    "random_symmetric": random_symmetric,
    "random_psd": random_psd,
    "laplacian": laplacian,
    "decaying": decaying,
    "clustered": clustered,
    "rectangular": rectangular,
}


def make(problem: str, n: int, seed: int = 0) -> np.ndarray:
    """Build a named problem; an unknown name raises naming the known ones."""
    try:
        factory = PROBLEMS[problem]
    except KeyError:
        raise ValueError(f"unknown problem {problem!r}; known: {', '.join(PROBLEMS)}") from None
    return factory(n, seed)

"""Figure 2 of the paper: eigen-loss landscapes for a 2×2 matrix over the unit circle.

A = [[0.3, 0.2], [0.2, 0.1]]; U is the rotation [[x, −y], [y, x]] built from a unit vector
(x, y) = (cos θ, sin θ), so both columns are orthonormal. The trace loss is constant on the
circle (every U spans R²); Brockett (M = diag(1, 0.2)) and the convex loss (f = exp) have their
optima on the true eigenvector directions. Plain NumPy: no framework needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

A = np.array([[0.3, 0.2], [0.2, 0.1]])
BROCKETT_M = np.array([1.0, 0.2])
LOSSES = ("trace", "brockett", "convex_exp")


def rotation(theta: float) -> np.ndarray:
    """U whose first column is (cos θ, sin θ) and second its +90° rotation."""
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]])


def loss_at(loss: str, theta: float, a: np.ndarray = A) -> float:
    """The eigen loss of U(θ); λ_i = u_iᵀAu_i."""
    u = rotation(theta)
    lam = np.einsum("ij,ij->j", u, a @ u)
    if loss == "trace":
        return float(-lam.sum())
    if loss == "brockett":
        return float(-(BROCKETT_M * lam).sum())
    if loss == "convex_exp":
        return float(-np.exp(lam).sum())
    raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")


@dataclass(frozen=True)
class Landscape:
    loss: str
    theta: np.ndarray
    """Grid angles in [0, 2π)."""
    values: np.ndarray
    optimum: float
    """Refined minimising angle of the loss, in [0, π) (the losses have period π)."""


def landscape(loss: str, points: int = 360, a: np.ndarray = A) -> Landscape:
    """Loss on a grid over the circle, with the minimum refined beyond the grid by Brent's method."""
    theta = np.linspace(0.0, 2 * np.pi, points, endpoint=False)
    values = np.array([loss_at(loss, t, a) for t in theta])
    best = float(theta[int(np.argmin(values))])
    step = 2 * np.pi / points
    f: Callable[[float], float] = lambda t: loss_at(loss, t, a)
    res = minimize_scalar(f, bounds=(best - step, best + step), method="bounded", options={"xatol": 1e-12})
    return Landscape(loss, theta, values, float(np.mod(res.x, np.pi)))


def eigenvector_angles(a: np.ndarray = A) -> np.ndarray:
    """Angles in [0, π) of A's eigenvectors, largest eigenvalue first."""
    _, vecs = np.linalg.eigh(a)
    return np.mod(np.arctan2(vecs[1, ::-1], vecs[0, ::-1]), np.pi)


def angle_gap(a: float, b: float) -> float:
    """Distance between two directions (angles modulo π)."""
    d = np.mod(a - b, np.pi)
    return float(min(d, np.pi - d))


def figure2(points: int = 360) -> dict[str, Landscape]:
    """All three landscapes of the figure."""
    return {name: landscape(name, points) for name in LOSSES}


if __name__ == "__main__":
    top = eigenvector_angles()[0]
    for name, land in figure2().items():
        spread = land.values.max() - land.values.min()
        print(f"{name:10s} optimum θ={land.optimum:.9f} (top eigenvector {top:.9f}), range {spread:.3g}")

"""Checks on what a caller passes to a solver, done before any heavy work.

Every check raises an `EigbenchError` subclass whose message names the problem. The caller's
array is never modified: the checked array is always a fresh copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import InvalidInputError, UnsupportedDtypeError
from .spec import DTYPES, SolverSpec

#: Default relative asymmetry max|A − Aᵀ| / max|A| tolerated by eigensolvers, per dtype.
SYMMETRY_TOL = {"float32": 1e-5, "float64": 1e-10}


@dataclass(frozen=True)
class CheckedInput:
    array: np.ndarray
    """A C-contiguous copy in the requested dtype (symmetrised if asked)."""
    k: int | None
    dtype: str


def resolve_dtype(spec: SolverSpec, a: np.ndarray, dtype: Any) -> str:
    """The dtype to solve in: the explicit one, else the input's own when it is a float."""
    if dtype is not None:
        try:
            name = np.dtype(dtype).name
        except TypeError as exc:
            raise UnsupportedDtypeError(f"dtype {dtype!r} is not a NumPy dtype") from exc
        if name not in DTYPES:
            raise UnsupportedDtypeError(
                f"dtype {name} is not supported: eigbench solves in float32 or float64"
            )
        if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
            raise UnsupportedDtypeError(f"input dtype {a.dtype} cannot be converted to {name}")
    else:
        name = a.dtype.name
        if np.issubdtype(a.dtype, np.integer):
            raise UnsupportedDtypeError(
                f"integer input ({a.dtype}) is not solved as is: pass dtype='float64' "
                "(or 'float32') to convert it"
            )
        if name not in DTYPES:
            raise UnsupportedDtypeError(
                f"input dtype {a.dtype} is not supported: use float32 or float64 "
                "(complex, object, bool and float16 matrices are not solved)"
            )
    if name not in spec.dtypes:
        raise UnsupportedDtypeError(
            f"solver {spec.name} does not support {name}; it supports {', '.join(spec.dtypes)}"
        )
    return name


def as_matrix(a: Any) -> np.ndarray:
    """The caller's object as a 2-D NumPy array, without copying yet."""
    if hasattr(a, "detach") and hasattr(a, "cpu"):  # a torch tensor
        a = a.detach().cpu().numpy()
    try:
        arr = np.asarray(a)
    except Exception as exc:
        raise InvalidInputError(f"input cannot be read as an array: {exc}") from exc
    if arr.dtype == object:
        raise UnsupportedDtypeError("input has dtype object: pass a numeric float32/float64 array")
    if arr.ndim != 2:
        raise InvalidInputError(f"input must be a 2-D matrix, got {arr.ndim}-D with shape {arr.shape}")
    if 0 in arr.shape:
        raise InvalidInputError(f"input matrix is empty (shape {arr.shape})")
    return arr


def check_k(spec: SolverSpec, k: Any, m: int, n: int) -> int | None:
    """Validate k against the matrix size and the method's own limits."""
    if spec.kind in ("qr", "matmul"):
        if k is not None:
            raise InvalidInputError(f"solver {spec.name} ({spec.kind}) takes no k, got k={k!r}")
        return None
    if k is None:
        if spec.needs_k:
            raise InvalidInputError(f"solver {spec.name} is iterative and needs k (top-k count)")
        return None
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise InvalidInputError(f"k must be a positive integer, got {k!r}")
    k = int(k)
    size = min(m, n)
    if k <= 0:
        raise InvalidInputError(f"k must be positive, got k={k}")
    if k > size:
        raise InvalidInputError(f"k={k} exceeds the matrix size {size} (shape {m}×{n})")
    if spec.min_n_per_k:
        limit = spec.min_n_per_k * k
        if size < limit or (spec.min_n_strict and size == limit):
            relation = ">" if spec.min_n_strict else "≥"
            raise InvalidInputError(
                f"k={k} is too large for {spec.name}: it needs n {relation} {spec.min_n_per_k:g}·k "
                f"(n={size}, k={k})"
            )
    return k


def check_symmetric(spec: SolverSpec, arr: np.ndarray, tol: float | None) -> None:
    scale = float(np.max(np.abs(arr)))
    asym = float(np.max(np.abs(arr - arr.T)))
    limit = (SYMMETRY_TOL[arr.dtype.name] if tol is None else tol) * max(scale, np.finfo(arr.dtype).tiny)
    if asym > limit:
        raise InvalidInputError(
            f"matrix is not symmetric: max|A − Aᵀ| = {asym:.3g} exceeds {limit:.3g} "
            f"({spec.name} is a symmetric eigensolver; pass symmetrize=True to use (A + Aᵀ)/2)"
        )


def check_input(
    spec: SolverSpec,
    a: Any,
    k: Any = None,
    dtype: Any = None,
    *,
    symmetrize: bool = False,
    symmetry_tol: float | None = None,
) -> CheckedInput:
    """Everything that must hold before a solver runs, in the order a user would fix it."""
    arr = as_matrix(a)
    name = resolve_dtype(spec, arr, dtype)
    m, n = arr.shape
    if spec.kind in ("eig", "matmul") and m != n:
        raise InvalidInputError(f"{spec.name} needs a square matrix, got shape {m}×{n}")
    if np.issubdtype(arr.dtype, np.floating) and not np.isfinite(arr).all():
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise InvalidInputError(f"input contains NaN or Inf ({bad} non-finite entries)")
    k = check_k(spec, k, m, n)
    out = np.array(arr, dtype=name, order="C", copy=True)
    if spec.kind == "eig":
        if symmetrize:
            out = np.ascontiguousarray((out + out.T) / 2)
        else:
            check_symmetric(spec, out, symmetry_tol)
    return CheckedInput(array=out, k=k, dtype=name)

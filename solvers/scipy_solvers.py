"""scipy adapters: dense LAPACK solvers (scipy.linalg) and iterative ones (scipy.sparse.linalg).

scipy runs on the host, so the operand is the checked NumPy copy and a call needs no sync.
Every call passes ``overwrite_a=False`` / ``check_finite=False``: the input was checked in
``prepare`` and the prepared operand must survive any number of timed calls unchanged.

The iterative solvers share the option checks and the starting block defined here
(`check_iterative_options`, `start_block`); the torch adapters reuse them.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
import scipy.linalg
import scipy.sparse.linalg

from .base import Prepared, Result, Solver, top_k_descending
from .errors import InvalidInputError

#: LAPACK drivers scipy.linalg.eigh knows; the ``gv*`` ones solve the generalized problem only.
EIGH_DRIVERS: tuple[str, ...] = ("ev", "evd", "evr", "evx", "gv", "gvd", "gvx")
GENERALIZED_DRIVERS: tuple[str, ...] = ("gv", "gvd", "gvx")
#: Drivers that compute a subset of the spectrum (the others compute it all, then we slice).
SUBSET_DRIVERS: tuple[str | None, ...] = (None, "evr", "evx")
SVD_DRIVERS: tuple[str, ...] = ("gesdd", "gesvd")

#: scipy.sparse.linalg.lobpcg stops after 20 iterations by default: far too few for the
#: poorly separated top of a dense random matrix (about 150 at n = 1000, k = 10).
LOBPCG_MAXITER = 500


def lobpcg_default_tol(a: np.ndarray) -> float:
    """√eps · ‖A‖_F/√n: torch.lobpcg's relative criterion, as scipy's absolute residual norm.

    scipy's own default (√eps · n, absolute) is far too loose in float32: at n = 1000 it
    stops after 6 iterations with the top eigenvalues 14% off while reporting success.
    """
    scale = float(np.linalg.norm(a)) / np.sqrt(a.shape[0])
    return float(np.sqrt(np.finfo(a.dtype).eps)) * max(scale, float(np.finfo(a.dtype).tiny))


# -- options and starting blocks shared by every iterative adapter -----------------------------
def check_iterative_options(name: str, options: dict[str, Any]) -> None:
    """Validate ``tol``, ``maxiter``, ``seed`` and ``x0``; store x0 as a float64 copy."""
    tol = options.get("tol")
    if tol is not None:
        if (
            isinstance(tol, bool)
            or not isinstance(tol, numbers.Real)
            or not np.isfinite(float(tol))
            or tol <= 0
        ):
            raise InvalidInputError(f"solver {name}: tol must be a positive finite number, got {tol!r}")
    maxiter = options.get("maxiter")
    if maxiter is not None and (
        isinstance(maxiter, bool) or not isinstance(maxiter, numbers.Integral) or maxiter < 1
    ):
        raise InvalidInputError(f"solver {name}: maxiter must be an integer ≥ 1, got {maxiter!r}")
    seed = options.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise InvalidInputError(f"solver {name}: seed must be a non-negative integer, got {seed!r}")
    x0 = options.get("x0")
    if x0 is not None:
        if hasattr(x0, "detach") and hasattr(x0, "cpu"):  # a torch tensor
            x0 = x0.detach().cpu().numpy()
        try:
            block = np.array(x0, dtype=np.float64, copy=True)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"solver {name}: x0 cannot be read as a float array: {exc}") from exc
        if block.ndim == 1:
            block = block[:, None]
        if block.ndim != 2:
            raise InvalidInputError(f"solver {name}: x0 must be an n×k block, got shape {block.shape}")
        if not np.isfinite(block).all():
            raise InvalidInputError(f"solver {name}: x0 contains NaN or Inf")
        options["x0"] = block


def start_block(
    name: str, options: dict[str, Any], rows: int, k: int, dtype: str, first_only: bool = False
) -> np.ndarray:
    """The starting block (rows × k): ``x0`` when given (shape checked), else seeded Gaussian.

    ``first_only``: the method starts from one vector (ARPACK's v0), so x0 may be a single
    vector or a block of any width; only its first column is used.
    """
    x0 = options.get("x0")
    if x0 is None:
        return np.random.default_rng(options["seed"]).standard_normal((rows, k)).astype(dtype)
    if x0.shape[0] != rows or (x0.shape[1] != k and not first_only):
        expected = f"({rows},) or ({rows}, j)" if first_only else f"({rows}, {k}) (n × k)"
        raise InvalidInputError(f"solver {name}: x0 has shape {x0.shape}, expected {expected}")
    return np.ascontiguousarray(x0, dtype=dtype)


def check_state_shape(name: str, state: Any, rows: int, k: int) -> None:
    """A warm-start state must be the previous call's (rows × k) block for this operand."""
    shape = tuple(getattr(state, "shape", ()))
    if shape != (rows, k):
        raise InvalidInputError(
            f"solver {name}: state has shape {shape}, expected ({rows}, {k}): pass the state "
            "returned by a call on a matrix of the same size and the same k"
        )


def descending(values: np.ndarray, vectors: np.ndarray, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """Sort eigenpairs by descending value, as fresh arrays in `dtype`."""
    order = np.argsort(values)[::-1]
    return (
        np.ascontiguousarray(values[order], dtype=dtype),
        np.ascontiguousarray(vectors[:, order], dtype=dtype),
    )


def _summary(message: str) -> str:
    """A lobpcg warning without its residual arrays: its first line and its verdict."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    verdict = [line for line in lines[1:] if "tolerance" in line]
    return " ".join(lines[:1] + verdict)


class _ScipySolver(Solver):
    """scipy runs on the host: no transfer, no sync; the operand is the checked copy."""

    def to_device(self, array: np.ndarray, device: str) -> Any:
        return array


# -- dense ------------------------------------------------------------------------------------
class ScipyEigh(_ScipySolver):
    """scipy.linalg.eigh; top k via ``subset_by_index`` where the driver can (evr, evx)."""

    def check_options(self) -> None:
        driver = self.options["driver"]
        if driver is None:
            return
        if driver not in EIGH_DRIVERS:
            raise InvalidInputError(
                f"solver {self.spec.name}: unknown LAPACK driver {driver!r}; "
                f"known: {', '.join(EIGH_DRIVERS)} (or None for scipy's choice)"
            )
        if driver in GENERALIZED_DRIVERS:
            raise InvalidInputError(
                f"solver {self.spec.name}: driver {driver!r} solves the generalized problem A x = λ B x "
                "and needs a B matrix; for A x = λ x use ev, evd, evr or evx"
            )

    def setup(self, prepared: Prepared) -> None:
        n, k = prepared.shape[0], prepared.k
        native = k is not None and self.options["driver"] in SUBSET_DRIVERS
        prepared.extra["subset"] = [n - k, n - 1] if native and k is not None else None

    def call(self, prepared: Prepared, state: Any = None) -> Any:
        return scipy.linalg.eigh(
            prepared.operand,
            overwrite_a=False,
            check_finite=False,
            subset_by_index=prepared.extra["subset"],
            driver=self.options["driver"],
        )

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        values, vectors = top_k_descending(raw[0], raw[1], prepared.k)
        info = {"driver": self.options["driver"], "subset_by_index": prepared.extra["subset"] is not None}
        return Result("eig", values=values, vectors=vectors, info=info)


class ScipySvd(_ScipySolver):
    """scipy.linalg.svd (thin) with a chosen LAPACK driver; top k sliced."""

    def check_options(self) -> None:
        driver = self.options["lapack_driver"]
        if driver not in SVD_DRIVERS:
            raise InvalidInputError(
                f"solver {self.spec.name}: unknown lapack_driver {driver!r}; known: {', '.join(SVD_DRIVERS)}"
            )

    def call(self, prepared: Prepared, state: Any = None) -> Any:
        return scipy.linalg.svd(
            prepared.operand,
            full_matrices=False,
            overwrite_a=False,
            check_finite=False,
            lapack_driver=self.options["lapack_driver"],
        )

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        u, s, vt = raw
        k = prepared.k or s.shape[0]
        info = {"lapack_driver": self.options["lapack_driver"]}
        return Result("svd", u=u[:, :k], s=s[:k], vt=vt[:k], info=info)


class ScipyQr(_ScipySolver):
    """scipy.linalg.qr, economic (reduced) mode."""

    def call(self, prepared: Prepared, state: Any = None) -> Any:
        return scipy.linalg.qr(prepared.operand, mode="economic", overwrite_a=False, check_finite=False)

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        return Result("qr", q=raw[0], r=raw[1])


# -- iterative --------------------------------------------------------------------------------
class _ScipyIterative(_ScipySolver):
    """Common option checks and starting block; state is the previous (rows × k) block."""

    #: The method starts from one vector (ARPACK), not a block.
    first_only = False

    def check_options(self) -> None:
        check_iterative_options(self.spec.name, self.options)

    def rows(self, prepared: Prepared) -> int:
        """Length of the vectors the method iterates on."""
        return prepared.shape[1]

    def setup(self, prepared: Prepared) -> None:
        rows, k = self.rows(prepared), int(prepared.k or 0)
        prepared.extra["x0"] = start_block(
            self.spec.name, self.options, rows, k, prepared.dtype, self.first_only
        )

    def start(self, prepared: Prepared, state: Any) -> np.ndarray:
        if state is None:
            return prepared.extra["x0"]
        check_state_shape(self.spec.name, state, self.rows(prepared), int(prepared.k or 0))
        return state


class ScipyLobpcg(_ScipyIterative):
    """scipy.sparse.linalg.lobpcg, largest=True; warm-started from the previous vectors.

    lobpcg overwrites its starting block, so each call hands it a copy (n·k: negligible).
    A is passed as a counting ``a @ v`` callable (what scipy makes of a matrix anyway) because
    scipy reports no iteration count.
    Its warnings (whole residual arrays in float32) are captured: non-convergence is
    reported in ``Result.converged`` and ``info["warnings"]`` instead. Default tol:
    `lobpcg_default_tol`; default maxiter: `LOBPCG_MAXITER`.
    """

    def setup(self, prepared: Prepared) -> None:
        super().setup(prepared)
        tol = self.options["tol"]
        prepared.extra["tol"] = lobpcg_default_tol(prepared.operand) if tol is None else float(tol)

    def call(self, prepared: Prepared, state: Any = None) -> Any:
        x = np.array(self.start(prepared, state), dtype=prepared.dtype, copy=True)
        a = prepared.operand
        products = [0]

        def apply(v: np.ndarray) -> np.ndarray:  # what scipy does with a matrix, plus a count
            products[0] += 1
            return a @ v

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            values, vectors = scipy.sparse.linalg.lobpcg(
                apply,
                x,
                tol=prepared.extra["tol"],
                maxiter=self.options["maxiter"] or LOBPCG_MAXITER,
                largest=True,
            )
        return values, vectors, products[0], [str(w.message) for w in caught]

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        values, vectors, products, messages = raw
        values, vectors = descending(values, vectors, prepared.dtype)
        # One product with A per iteration, plus the initial and the final Rayleigh-Ritz
        # (scipy reports no count; its residual history stops at the best iterate).
        steps = max(products - 2, 0)
        converged = not any("not reaching the requested tolerance" in m for m in messages)
        info: dict[str, Any] = {"tol": prepared.extra["tol"]}
        if messages:
            info["warnings"] = [_summary(m) for m in messages]
        return Result(
            "eig",
            values=values,
            vectors=vectors,
            state=vectors.copy(),
            steps=steps,
            converged=converged,
            info=info,
        )


class ScipyEigsh(_ScipyIterative):
    """scipy.sparse.linalg.eigsh (ARPACK, which='LA'); warm start: v0 = the first previous vector.

    ARPACK raises ArpackNoConvergence when it does not converge, so a returned result has
    converged; it does not report its iteration count.
    """

    first_only = True

    def setup(self, prepared: Prepared) -> None:
        super().setup(prepared)
        n, k = prepared.shape[0], int(prepared.k or 0)
        if k >= n:
            raise InvalidInputError(f"solver {self.spec.name}: ARPACK needs k < n, got k={k}, n={n}")

    def call(self, prepared: Prepared, state: Any = None) -> Any:
        v0 = self.start(prepared, state)[:, 0]
        return scipy.sparse.linalg.eigsh(
            prepared.operand,
            k=prepared.k,
            which="LA",
            v0=v0,
            tol=self.options["tol"] or 0,
            maxiter=self.options["maxiter"],
        )

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        values, vectors = descending(raw[0], raw[1], prepared.dtype)
        return Result("eig", values=values, vectors=vectors, state=vectors.copy(), converged=True)


class ScipySvds(_ScipyIterative):
    """scipy.sparse.linalg.svds (ARPACK on AᵀA or AAᵀ, whichever is smaller); top k.

    ARPACK iterates on vectors of length min(m, n): the right singular vectors when m ≥ n,
    the left ones otherwise; x0 and the state are blocks in that space, and v0 is their
    first column.
    """

    first_only = True

    def rows(self, prepared: Prepared) -> int:
        return min(prepared.shape)

    def setup(self, prepared: Prepared) -> None:
        super().setup(prepared)
        k, p = int(prepared.k or 0), min(prepared.shape)
        if k >= p:
            raise InvalidInputError(
                f"solver {self.spec.name}: ARPACK needs k < min(m, n), got k={k}, shape {prepared.shape}"
            )

    def call(self, prepared: Prepared, state: Any = None) -> Any:
        v0 = self.start(prepared, state)[:, 0]
        return scipy.sparse.linalg.svds(
            prepared.operand,
            k=prepared.k,
            v0=v0,
            tol=self.options["tol"] or 0,
            maxiter=self.options["maxiter"],
        )

    def to_result(self, raw: Any, prepared: Prepared) -> Result:
        u, s, vt = raw
        order = np.argsort(s)[::-1]
        dtype = prepared.dtype
        u = np.ascontiguousarray(u[:, order], dtype=dtype)
        s = np.ascontiguousarray(s[order], dtype=dtype)
        vt = np.ascontiguousarray(vt[order], dtype=dtype)
        m, n = prepared.shape
        state = vt.T.copy() if m >= n else u.copy()
        return Result("svd", u=u, s=s, vt=vt, state=state, converged=True)

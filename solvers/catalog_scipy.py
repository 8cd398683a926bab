"""Built-in scipy solver specs (data only: nothing here imports the framework)."""

from __future__ import annotations

from .catalog import ITERATIVE_ACCURACY, _dense
from .spec import SolverSpec

#: Iterative solvers: top k natively, warm-started from a previous block, k required.
_ITERATIVE = {"top_k": True, "iterative": True, "needs_k": True, "warm_start": True}

SCIPY_SPECS: tuple[SolverSpec, ...] = (
    _dense(
        "scipy",
        "eigh",
        "eig",
        "scipy_solvers",
        "ScipyEigh",
        options={"driver": None},
        description="scipy.linalg.eigh; top-k via subset_by_index (driver None/evr/evx), else sliced",
    ),
    _dense(
        "scipy",
        "svd",
        "svd",
        "scipy_solvers",
        "ScipySvd",
        options={"lapack_driver": "gesdd"},
        description="scipy.linalg.svd (thin, gesdd or gesvd); top-k sliced",
    ),
    _dense("scipy", "qr", "qr", "scipy_solvers", "ScipyQr", description="scipy.linalg.qr, economic"),
    _dense(
        "scipy",
        "lobpcg",
        "eig",
        "scipy_solvers",
        "ScipyLobpcg",
        accuracy=ITERATIVE_ACCURACY,
        # Below n = 5k scipy silently swaps LOBPCG for a dense eigh: never measure that.
        min_n_per_k=5,
        description=(
            "scipy.sparse.linalg.lobpcg, largest=True; default tol √eps·‖A‖_F/√n (as torch), "
            "maxiter 500; warm start from X"
        ),
        **_ITERATIVE,
    ),
    _dense(
        "scipy",
        "eigsh",
        "eig",
        "scipy_solvers",
        "ScipyEigsh",
        accuracy=ITERATIVE_ACCURACY,
        description="scipy.sparse.linalg.eigsh (ARPACK, which='LA'); warm start from v0",
        **_ITERATIVE,
    ),
    _dense(
        "scipy",
        "svds",
        "svd",
        "scipy_solvers",
        "ScipySvds",
        accuracy=ITERATIVE_ACCURACY,
        description="scipy.sparse.linalg.svds (ARPACK); warm start from v0",
        **_ITERATIVE,
    ),
)

"""Built-in torch solver specs (data only: nothing here imports the framework)."""

from __future__ import annotations

from .catalog import ITERATIVE_ACCURACY, _dense
from .spec import SolverSpec

TORCH_SPECS: tuple[SolverSpec, ...] = (
    _dense(
        "torch",
        "eigh",
        "eig",
        "torch_solvers",
        "TorchEigh",
        differentiable=True,
        description="torch.linalg.eigh; top-k sliced",
    ),
    _dense(
        "torch",
        "svd",
        "svd",
        "torch_solvers",
        "TorchSvd",
        differentiable=True,
        description="torch.linalg.svd (full_matrices=False); top-k sliced",
    ),
    _dense(
        "torch",
        "qr",
        "qr",
        "torch_solvers",
        "TorchQr",
        differentiable=True,
        description="torch.linalg.qr, reduced",
    ),
    _dense(
        "torch",
        "matmul",
        "matmul",
        "torch_solvers",
        "TorchMatmul",
        differentiable=True,
        description="A @ A: the yardstick",
    ),
    _dense(
        "torch",
        "lobpcg",
        "eig",
        "torch_solvers",
        "TorchLobpcg",
        accuracy=ITERATIVE_ACCURACY,
        top_k=True,
        iterative=True,
        needs_k=True,
        warm_start=True,
        min_n_per_k=3,
        description="torch.lobpcg, largest=True (default tol √eps relative, niter 1000); warm start from X",
    ),
)

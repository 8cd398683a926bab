"""Built-in amortized solver specs (data only: nothing here imports the framework)."""

from __future__ import annotations

from .spec import Accuracy, SolverSpec

_TORCH_HINT = "pip install 'eigbench[torch]' (torch and pytorch-optimizer)"
#: Measured on the conformance problems (n = 48, k = 4) with the default options (SGD with
#: momentum, lr 0.5·n/‖A‖): worst value error 3e-6 (the 1e-6-wide cluster; 1.9e-8 elsewhere
#: in float64), residual 2.1e-6 (float32) and 3.5e-7 (float64).
_TORCH_AMORTIZED_ACCURACY = {
    "float32": Accuracy(values=1e-4, residual=1e-5, orthogonality=1e-4),
    "float64": Accuracy(values=1e-5, residual=1e-6, orthogonality=1e-10),
}
_TORCH_SUBSPACE_ACCURACY = {
    "float32": Accuracy(values=1e-4, residual=1e-5, orthogonality=1e-4),
    "float64": Accuracy(values=1e-9, residual=1e-10, orthogonality=1e-10),
}

TORCH_AMORTIZED_SPECS: tuple[SolverSpec, ...] = (
    SolverSpec(
        name="torch.amortized",
        framework="torch",
        kind="eig",
        implementation="solvers.amortized.solvers_torch:TorchAmortized",
        top_k=True,
        devices=("cpu", "cuda"),
        warm_start=True,
        iterative=True,
        needs_k=True,
        accuracy=_TORCH_AMORTIZED_ACCURACY,
        requires=("torch", "pytorch_optimizer"),
        install_hint=_TORCH_HINT,
        # The same option names as jax.amortized; the defaults differ by measurement. torch's
        # L-BFGS (strong-Wolfe line search) stalls far from the eigenvectors, and Adam's constant
        # rate wobbles above tight tolerances, so torch defaults to SGD with momentum and a rate
        # of 0.5·n/‖A‖ (lr=None). optax's L-BFGS converges, so JAX defaults to it.
        options={
            "loss": "brockett",
            "optimizer": "sgd",
            "lr": None,
            "momentum": 0.9,
            "power": 1.5,
            "max_steps": 5000,
            "check_every": 10,
        },
        description="Amortized eigendecomposition (Li et al. 2024): W optimised on the eigen loss; "
        "state = (W, optimiser state)",
    ),
    SolverSpec(
        name="torch.subspace",
        framework="torch",
        kind="eig",
        implementation="solvers.amortized.solvers_torch:TorchSubspace",
        top_k=True,
        devices=("cpu", "cuda"),
        warm_start=True,
        iterative=True,
        needs_k=True,
        accuracy=_TORCH_SUBSPACE_ACCURACY,
        requires=("torch",),
        install_hint=_TORCH_HINT,
        options={"oversample": 8, "max_steps": 3000, "check_every": 1},
        description="Subspace iteration with Rayleigh–Ritz, shifted to the top of the spectrum; "
        "state = the Ritz block",
    ),
)

_JAX_HINT = "pip install 'eigbench[jax]' (jax and optax; GPU users: jax[cuda12])"
#: Measured on the conformance problems (n = 48, k = 4) with the default options (L-BFGS).
_JAX_AMORTIZED_ACCURACY = {
    "float32": Accuracy(values=1e-5, residual=1e-5, orthogonality=1e-5),
    "float64": Accuracy(values=1e-9, residual=1e-8, orthogonality=1e-12),
}
_JAX_SUBSPACE_ACCURACY = {
    "float32": Accuracy(values=1e-5, residual=2e-6, orthogonality=1e-5),
    "float64": Accuracy(values=1e-12, residual=1e-11, orthogonality=1e-12),
}

JAX_AMORTIZED_SPECS: tuple[SolverSpec, ...] = (
    SolverSpec(
        name="jax.amortized",
        framework="jax",
        kind="eig",
        implementation="solvers.amortized.solvers_jax:JaxAmortized",
        top_k=True,
        devices=("cpu", "cuda"),
        warm_start=True,
        iterative=True,
        needs_k=True,
        accuracy=_JAX_AMORTIZED_ACCURACY,
        requires=("jax", "optax"),
        install_hint=_JAX_HINT,
        options={
            "loss": "brockett",
            "optimizer": "lbfgs",
            "lr": None,
            "momentum": 0.9,
            "power": 1.5,
            "max_steps": None,
            "check_every": 10,
        },
        description="Amortized eigendecomposition (Li et al. 2024) in JAX/optax: W optimised on the "
        "eigen loss inside one jitted while_loop; state = (W, optimiser state); lr None = per optimiser",
    ),
    SolverSpec(
        name="jax.subspace",
        framework="jax",
        kind="eig",
        implementation="solvers.amortized.solvers_jax:JaxSubspace",
        top_k=True,
        devices=("cpu", "cuda"),
        warm_start=True,
        iterative=True,
        needs_k=True,
        accuracy=_JAX_SUBSPACE_ACCURACY,
        requires=("jax",),
        install_hint=_JAX_HINT,
        options={"oversample": 8, "max_steps": None},
        description="Subspace iteration with Rayleigh–Ritz, shifted to the top of the spectrum, one "
        "product with A per iteration inside a jitted while_loop; state = the Ritz block",
    ),
)

AMORTIZED_SPECS: tuple[SolverSpec, ...] = TORCH_AMORTIZED_SPECS + JAX_AMORTIZED_SPECS

"""Built-in jax solver specs (data only: nothing here imports the framework)."""

from __future__ import annotations

from .catalog import CPU_CUDA, ITERATIVE_ACCURACY, JAX_HINT, _dense
from .spec import SolverSpec

_MODULE = "jax_solvers"

JAX_SPECS: tuple[SolverSpec, ...] = (
    _dense("jax", "eigh", "eig", _MODULE, "JaxEigh", description="jnp.linalg.eigh, jitted; top-k sliced"),
    _dense(
        "jax",
        "svd",
        "svd",
        _MODULE,
        "JaxSvd",
        description="jnp.linalg.svd(full_matrices=False); top-k sliced",
    ),
    _dense("jax", "qr", "qr", _MODULE, "JaxQr", description="jnp.linalg.qr, reduced, jitted"),
    _dense("jax", "matmul", "matmul", _MODULE, "JaxMatmul", description="A @ A at HIGHEST precision"),
    SolverSpec(
        name="jax.lobpcg",
        framework="jax",
        kind="eig",
        implementation=f"solvers.{_MODULE}:JaxLobpcg",
        top_k=True,
        devices=CPU_CUDA,
        warm_start=True,
        iterative=True,
        needs_k=True,
        min_n_per_k=5,
        min_n_strict=True,
        accuracy=ITERATIVE_ACCURACY,
        requires=("jax",),
        install_hint=JAX_HINT,
        description="jax.experimental.sparse.linalg.lobpcg_standard, top-k largest; warm-startable",
    ),
)

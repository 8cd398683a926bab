"""The built-in solvers, declared as data. Implementations are imported only when loaded."""

from __future__ import annotations

from .spec import Accuracy, SolverSpec

TORCH_HINT = "pip install 'eigbench[torch]' (GPU users: the CUDA build from pytorch.org)"
JAX_HINT = "pip install 'eigbench[jax]' (GPU users: pip install 'jax[cuda12]')"

#: Iterative eigensolvers stop at a tolerance, so they promise less than LAPACK.
ITERATIVE_ACCURACY = {
    "float32": Accuracy(values=2e-3, residual=1e-4, orthogonality=1e-3),
    "float64": Accuracy(values=1e-7, residual=1e-8, orthogonality=1e-8),
}
#: Full-spectrum dense solvers (LAPACK / cuSOLVER) promise backward stability.
DENSE_ACCURACY = {
    "float32": Accuracy(values=1e-4, residual=1e-5, orthogonality=1e-3),
    "float64": Accuracy(values=1e-10, residual=1e-12, orthogonality=1e-10),
}
CPU = ("cpu",)
CPU_CUDA = ("cpu", "cuda")


def _dense(framework: str, method: str, kind: str, module: str, attr: str, **kw) -> SolverSpec:
    requires = {"torch": ("torch",), "jax": ("jax",)}.get(framework, ())
    hint = {"torch": TORCH_HINT, "jax": JAX_HINT}.get(framework, "")
    kw.setdefault("devices", CPU_CUDA if framework in ("torch", "jax") else CPU)
    kw.setdefault("accuracy", DENSE_ACCURACY)
    return SolverSpec(
        name=f"{framework}.{method}",
        framework=framework,
        kind=kind,  # type: ignore[arg-type]
        implementation=f"solvers.{module}:{attr}",
        requires=requires,
        install_hint=hint,
        **kw,
    )


NUMPY_SPECS: tuple[SolverSpec, ...] = (
    # numpy: LAPACK through numpy's own OpenBLAS; full solvers, top-k by slicing.
    _dense(
        "numpy", "eigh", "eig", "numpy_solvers", "NumpyEigh", description="numpy.linalg.eigh; top-k sliced"
    ),
    _dense("numpy", "svd", "svd", "numpy_solvers", "NumpySvd", description="numpy.linalg.svd; top-k sliced"),
    _dense("numpy", "qr", "qr", "numpy_solvers", "NumpyQr", description="numpy.linalg.qr, reduced"),
    _dense("numpy", "matmul", "matmul", "numpy_solvers", "NumpyMatmul", description="A @ A: the yardstick"),
)


def builtin_specs() -> tuple[SolverSpec, ...]:
    """Every built-in spec; one catalog module per framework keeps each list short.

    Built on demand (not at import) so a per-framework catalog can import the helpers
    above without a circular import.
    """
    from .catalog_amortized import AMORTIZED_SPECS
    from .catalog_jax import JAX_SPECS
    from .catalog_scipy import SCIPY_SPECS
    from .catalog_torch import TORCH_SPECS

    return NUMPY_SPECS + SCIPY_SPECS + TORCH_SPECS + JAX_SPECS + AMORTIZED_SPECS

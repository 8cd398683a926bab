"""The registry's public interface: names, available, spec, load, solve, register, entry points."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import solvers
from solvers import SolverSpec
from tests.conftest import PLUGIN_NAME


def test_import_solvers_imports_no_framework() -> None:
    code = "import solvers, sys; solvers.names(); solvers.available(); " \
           "assert 'torch' not in sys.modules and 'jax' not in sys.modules, sorted(sys.modules)"  # fmt: skip
    subprocess.run([sys.executable, "-c", code], check=True)


def test_names_filter_by_kind_and_framework() -> None:
    assert {"numpy.eigh", "numpy.svd", "numpy.qr", "numpy.matmul"} <= set(solvers.names(framework="numpy"))
    assert all(solvers.spec(n).kind == "svd" for n in solvers.names(kind="svd"))
    assert solvers.names() == sorted(solvers.names())


def test_builtin_names_follow_design() -> None:
    expected = {
        "numpy.eigh", "numpy.svd", "numpy.qr", "numpy.matmul",
        "scipy.eigh", "scipy.svd", "scipy.qr", "scipy.lobpcg", "scipy.eigsh", "scipy.svds",
        "torch.eigh", "torch.svd", "torch.qr", "torch.matmul", "torch.lobpcg",
        "jax.eigh", "jax.svd", "jax.qr", "jax.matmul", "jax.lobpcg",
    }  # fmt: skip
    assert expected <= set(solvers.names())


def test_available_on_cuda_lists_only_what_runs() -> None:
    from solvers.devices import has_device

    for spec in solvers.available(device="cuda"):
        assert "cuda" in spec.devices and has_device(spec.framework, "cuda")
    assert not any(s.framework in ("numpy", "scipy") for s in solvers.available(device="cuda"))


def test_available_top_k_filter() -> None:
    assert all(s.top_k for s in solvers.available(top_k=True))
    assert "numpy.eigh" not in [s.name for s in solvers.available(top_k=True)]


def test_entry_point_solver_is_registered() -> None:
    assert PLUGIN_NAME in solvers.names()
    spec = solvers.spec(PLUGIN_NAME)
    assert spec.framework == "example"
    assert PLUGIN_NAME in [s.name for s in solvers.available(kind="eig")]


def test_entry_point_solver_passes_conformance() -> None:
    outcomes = solvers.conformance.check_solver(PLUGIN_NAME)
    assert outcomes and set(outcomes.values()) == {"passed"}


def test_register_adds_and_rejects_duplicates() -> None:
    spec = SolverSpec(
        name="mine.eigh", framework="numpy", kind="eig", implementation="solvers.numpy_solvers:NumpyEigh"
    )
    solvers.register(spec)
    try:
        assert "mine.eigh" in solvers.names()
        with pytest.raises(ValueError, match="already registered"):
            solvers.register(spec)
        solvers.register(spec, replace=True)
        a = np.diag([3.0, 1.0, 2.0])
        assert np.allclose(solvers.solve("mine.eigh", a, k=2).values, [3.0, 2.0])
    finally:
        solvers.unregister("mine.eigh")
    assert "mine.eigh" not in solvers.names()


def test_solve_returns_numpy_descending_top_k() -> None:
    a = np.diag([1.0, 5.0, 3.0, 4.0])
    result = solvers.solve("numpy.eigh", a, k=2)
    assert isinstance(result.values, np.ndarray)
    np.testing.assert_allclose(result.values, [5.0, 4.0])
    assert result.vectors.shape == (4, 2)


def test_spec_is_frozen() -> None:
    spec = solvers.spec("numpy.eigh")
    with pytest.raises(AttributeError):
        spec.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        spec.options["x"] = 1  # type: ignore[index]


def test_spec_rejects_malformed_declarations() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        SolverSpec(name="a.b", framework="numpy", kind="lu", implementation="m:a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"'framework\.method'"):
        SolverSpec(name="ab", framework="numpy", kind="eig", implementation="m:a")
    with pytest.raises(ValueError, match="module:attribute"):
        SolverSpec(name="a.b", framework="numpy", kind="eig", implementation="m.a")
    with pytest.raises(ValueError, match="unknown devices"):
        SolverSpec(name="a.b", framework="numpy", kind="eig", implementation="m:a", devices=("tpu",))


def test_broken_entry_point_warns_instead_of_failing(tmp_path) -> None:
    from tests.plugin_util import install_plugin, uninstall_plugin

    with pytest.warns(UserWarning, match="cannot load eigbench solver entry point"):
        site = install_plugin(tmp_path, "eigbench_broken_plugin", "raise RuntimeError('boom')\n")
    try:
        assert "numpy.eigh" in solvers.names()
    finally:
        uninstall_plugin(site, "eigbench_broken_plugin")

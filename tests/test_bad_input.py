"""Bad input gets a specific exception naming the problem, before any heavy work."""

from __future__ import annotations

import numpy as np
import pytest

import solvers
from solvers import (
    DeviceError,
    FrameworkNotInstalledError,
    InvalidInputError,
    SolverSpec,
    UnknownOptionError,
    UnknownSolverError,
    UnsupportedDtypeError,
)
from solvers.devices import has_device


def sym(n: int = 6, seed: int = 0) -> np.ndarray:
    g = np.random.default_rng(seed).standard_normal((n, n))
    return g + g.T


def test_non_square_matrix_to_eigensolver() -> None:
    with pytest.raises(InvalidInputError, match=r"numpy\.eigh needs a square matrix, got shape 3×4"):
        solvers.solve("numpy.eigh", np.ones((3, 4)))


@pytest.mark.parametrize("shape", [(4,), (2, 2, 2)])
def test_non_2d_input(shape) -> None:
    with pytest.raises(InvalidInputError, match=rf"must be a 2-D matrix, got {len(shape)}-D"):
        solvers.solve("numpy.eigh", np.ones(shape))


def test_empty_input() -> None:
    with pytest.raises(InvalidInputError, match="empty"):
        solvers.solve("numpy.svd", np.ones((0, 3)))


def test_non_symmetric_matrix_to_eigensolver() -> None:
    a = sym()
    a[0, 1] += 1.0
    with pytest.raises(InvalidInputError, match=r"not symmetric: max\|A − Aᵀ\| = 1 .*symmetrize=True"):
        solvers.solve("numpy.eigh", a)


def test_symmetrize_option_uses_the_symmetric_part_and_leaves_input_alone() -> None:
    a = sym()
    a[0, 1] += 1.0
    before = a.copy()
    result = solvers.solve("numpy.eigh", a, symmetrize=True)
    np.testing.assert_allclose(result.values, np.linalg.eigvalsh((a + a.T) / 2)[::-1], rtol=1e-12)
    np.testing.assert_array_equal(a, before)


def test_tiny_asymmetry_within_tolerance_is_accepted() -> None:
    a = sym()
    a[0, 1] *= 1 + 1e-14
    result = solvers.solve("numpy.eigh", a)
    np.testing.assert_allclose(result.values, np.linalg.eigvalsh(a)[::-1], rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf(bad) -> None:
    a = sym()
    a[2, 2] = bad
    with pytest.raises(InvalidInputError, match=r"NaN or Inf \(1 non-finite entries\)"):
        solvers.solve("numpy.eigh", a)


def test_integer_input_needs_explicit_dtype() -> None:
    a = np.eye(4, dtype=np.int64)
    with pytest.raises(UnsupportedDtypeError, match=r"integer input \(int64\).*dtype='float64'"):
        solvers.solve("numpy.eigh", a)
    np.testing.assert_allclose(solvers.solve("numpy.eigh", a, dtype="float64").values, np.ones(4))


@pytest.mark.parametrize(
    ("array", "message"),
    [
        (np.eye(3, dtype=np.complex128), "input dtype complex128 is not supported"),
        (np.eye(3, dtype=bool), "input dtype bool is not supported"),
        (np.eye(3, dtype=np.float16), "input dtype float16 is not supported"),
        (np.array([[1, "a"], ["b", 2]], dtype=object), "dtype object"),
    ],
)
def test_unsupported_input_dtypes(array, message) -> None:
    with pytest.raises(UnsupportedDtypeError, match=message):
        solvers.solve("numpy.eigh", array)


def test_unsupported_requested_dtype() -> None:
    with pytest.raises(UnsupportedDtypeError, match="dtype float16 is not supported"):
        solvers.solve("numpy.eigh", sym(), dtype="float16")
    with pytest.raises(UnsupportedDtypeError, match="not a NumPy dtype"):
        solvers.solve("numpy.eigh", sym(), dtype="banana")


def test_dtype_the_solver_does_not_declare() -> None:
    spec = SolverSpec(
        name="only64.eigh", framework="numpy", kind="eig",
        implementation="solvers.numpy_solvers:NumpyEigh", dtypes=("float64",),
    )  # fmt: skip
    with pytest.raises(
        UnsupportedDtypeError, match=r"only64\.eigh does not support float32; it supports float64"
    ):
        solvers.load(spec).solve(sym().astype(np.float32))


@pytest.mark.parametrize("k", [0, -3])
def test_k_not_positive(k) -> None:
    with pytest.raises(InvalidInputError, match=f"k must be positive, got k={k}"):
        solvers.solve("numpy.eigh", sym(), k=k)


def test_k_larger_than_n() -> None:
    with pytest.raises(InvalidInputError, match=r"k=7 exceeds the matrix size 6 \(shape 6×6\)"):
        solvers.solve("numpy.eigh", sym(), k=7)


@pytest.mark.parametrize("k", [2.5, "3", True])
def test_k_not_an_integer(k) -> None:
    with pytest.raises(InvalidInputError, match="k must be a positive integer"):
        solvers.solve("numpy.eigh", sym(), k=k)


def test_k_given_to_qr() -> None:
    with pytest.raises(InvalidInputError, match=r"numpy\.qr \(qr\) takes no k"):
        solvers.solve("numpy.qr", sym(), k=2)


def test_iterative_solver_needs_k() -> None:
    with pytest.raises(InvalidInputError, match=r"scipy\.lobpcg is iterative and needs k"):
        solvers.solve("scipy.lobpcg", sym(20))


def test_k_too_large_for_torch_lobpcg() -> None:
    pytest.importorskip("torch")
    with pytest.raises(
        InvalidInputError, match=r"k=5 is too large for torch\.lobpcg: it needs n ≥ 3·k \(n=12, k=5\)"
    ):
        solvers.solve("torch.lobpcg", sym(12), k=5)
    solvers.solve("torch.lobpcg", sym(12), k=4)


def test_k_too_large_for_jax_lobpcg() -> None:
    pytest.importorskip("jax")
    with pytest.raises(
        InvalidInputError, match=r"k=4 is too large for jax\.lobpcg: it needs n > 5·k \(n=20, k=4\)"
    ):
        solvers.solve("jax.lobpcg", sym(20), k=4)


def test_unknown_device() -> None:
    with pytest.raises(DeviceError, match=r"unknown device 'tpu': expected 'cpu', 'cuda' or 'cuda:N'"):
        solvers.solve("numpy.eigh", sym(), device="tpu")


def test_device_the_solver_cannot_use() -> None:
    with pytest.raises(DeviceError, match=r"numpy\.eigh does not run on cuda; it runs on cpu"):
        solvers.solve("numpy.eigh", sym(), device="cuda")


def test_device_the_machine_lacks() -> None:
    pytest.importorskip("torch")
    if has_device("torch", "cuda:7"):
        pytest.skip("this machine has 8 GPUs")
    with pytest.raises(DeviceError, match=r"device cuda:7 is not present on this machine for torch"):
        solvers.solve("torch.eigh", sym(), device="cuda:7")


def test_missing_framework_gives_install_hint() -> None:
    spec = SolverSpec(
        name="ghost.eigh", framework="ghost", kind="eig", implementation="ghost_framework:Eigh",
        requires=("ghost_framework_not_installed",), install_hint="pip install ghost-framework",
    )  # fmt: skip
    solvers.register(spec)
    try:
        with pytest.raises(
            FrameworkNotInstalledError,
            match=r"needs ghost_framework_not_installed.*pip install ghost-framework",
        ):
            solvers.load("ghost.eigh")
        assert "ghost.eigh" not in [s.name for s in solvers.available()]
        assert "pip install ghost-framework" in solvers.unavailable_reason("ghost.eigh")
    finally:
        solvers.unregister("ghost.eigh")


def test_unknown_solver_suggests_close_names() -> None:
    with pytest.raises(UnknownSolverError, match=r"unknown solver 'numpy.eig'; did you mean numpy\.eigh"):
        solvers.spec("numpy.eig")
    with pytest.raises(UnknownSolverError, match="unknown solver 'zzz'"):
        solvers.solve("zzz", sym())


def test_option_the_solver_does_not_take() -> None:
    with pytest.raises(
        UnknownOptionError,
        match=r"numpy\.eigh does not take option\(s\) driver; it takes: symmetrize, symmetry_tol",
    ):
        solvers.load("numpy.eigh", driver="evr")


def test_input_is_checked_before_heavy_work(monkeypatch) -> None:
    """Validation happens in prepare: the solver's call is never reached with bad input."""
    from solvers.numpy_solvers import NumpyEigh

    called = []
    monkeypatch.setattr(NumpyEigh, "call", lambda self, p, s=None: called.append(1))
    with pytest.raises(InvalidInputError):
        solvers.solve("numpy.eigh", np.full((5, 5), np.nan))
    assert not called


def test_torch_tensor_input_is_accepted_and_untouched() -> None:
    torch = pytest.importorskip("torch")
    t = torch.tensor(sym(), dtype=torch.float64)
    before = t.clone()
    result = solvers.solve("numpy.eigh", t, k=2)
    assert result.values.shape == (2,)
    assert torch.equal(t, before)

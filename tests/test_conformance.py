"""Every registered solver (built-in or entry point) through the shared conformance checks.

No per-solver code: cases come from `solvers.conformance.cases(spec)`, skips from what the
spec declares, unavailability from the registry's own reason.
"""

from __future__ import annotations

import pytest

import solvers
from solvers import conformance
from solvers.devices import has_device


def _params() -> list:
    params = []
    for spec in solvers.registry.all_specs():
        for device in spec.devices:
            for case in conformance.cases(spec):
                marks = [pytest.mark.conformance]
                if spec.framework in ("torch", "jax"):
                    marks.append(getattr(pytest.mark, spec.framework))
                if device == "cuda":
                    marks.append(pytest.mark.cuda)
                params.append(
                    pytest.param(spec.name, device, case, id=f"{spec.name}-{device}-{case.id}", marks=marks)
                )
    return params


@pytest.mark.parametrize(("name", "device", "case"), _params())
def test_solver_conforms(name: str, device: str, case: conformance.Case) -> None:
    spec = solvers.spec(name)
    reason = solvers.unavailable_reason(spec)
    if reason:
        pytest.skip(f"{name} unavailable: {reason}")
    if device != "cpu" and not has_device(spec.framework, device):
        pytest.skip(f"no {device} device for {spec.framework} on this machine")
    declared = conformance.skip_reason(spec, case)
    if declared:
        pytest.skip(f"{name} declares it cannot do {case.id}: {declared}")
    conformance.run_case(spec, case, device)


def test_conformance_reports_the_failed_check() -> None:
    """A solver that returns wrong values is caught, and the message names the check."""
    from solvers.spec import SolverSpec

    spec = SolverSpec(
        name="broken.eigh",
        framework="numpy",
        kind="eig",
        implementation="tests.test_conformance:_OffByOne",
    )
    with pytest.raises(solvers.ConformanceError, match=r"broken\.eigh .* failed check 'value_error'"):
        conformance.run_case(spec, conformance.Case("random_symmetric", "float64", None))


def test_check_solver_lists_declared_skips() -> None:
    from solvers.spec import SolverSpec

    spec = SolverSpec(
        name="picky.eigh",
        framework="numpy",
        kind="eig",
        implementation="solvers.numpy_solvers:NumpyEigh",
        cannot={"clustered": "too hard for this test"},
    )
    outcomes = conformance.check_solver(spec)
    assert outcomes["clustered-float64-full"] == "skipped: too hard for this test"
    assert outcomes["random_psd-float32-k4"] == "passed"


from solvers.numpy_solvers import NumpyEigh  # noqa: E402


class _OffByOne(NumpyEigh):
    def to_result(self, raw, prepared):
        result = super().to_result(raw, prepared)
        result.values = result.values + 1e-3
        return result

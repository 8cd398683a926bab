"""torch and JAX implement one contract: the same seed and config give the same curves."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

pytest.importorskip("jax")
pytest.importorskip("optax")
pytest.importorskip("torch")
if importlib.util.find_spec("solvers.amortized.torch_impl") is None:
    pytest.skip(
        "the torch implementation (solvers/amortized/torch_impl.py) is not present", allow_module_level=True
    )

from harness.workloads.figure3 import value_curve
from solvers import problems
from solvers.amortized import AmortizedConfig

pytestmark = [pytest.mark.jax, pytest.mark.torch]

#: Optimisers whose update rules are the same in torch.optim / pytorch-optimizer and optax.
#: (L-BFGS is not: the two line searches and initial scalings differ.)
MATCHED = [("adam", 1e-2), ("sgd", 1e-2), ("adamax", 1e-2)]
STEPS = 80


@pytest.mark.parametrize(("optimizer", "lr"), MATCHED)
@pytest.mark.parametrize("loss", ["brockett", "convex_pow"])
def test_value_curves_agree(loss, optimizer, lr):
    a = problems.random_psd(40, seed=3)
    config = AmortizedConfig(loss=loss, optimizer=optimizer, lr=lr, seed=5)
    jax_values = value_curve(a, 4, config, STEPS, "jax")
    torch_values = value_curve(a, 4, config, STEPS, "torch")
    assert jax_values.shape == torch_values.shape == (STEPS, 4)
    assert np.abs(jax_values[-1] - jax_values[0]).max() > 1e-2  # the curve actually moves
    np.testing.assert_allclose(jax_values, torch_values, rtol=1e-9, atol=1e-12)


def test_float32_curves_agree_within_float32_noise():
    a = problems.random_psd(40, seed=3).astype(np.float32)
    config = AmortizedConfig(optimizer="adam", lr=1e-2, seed=5)
    jax_values = value_curve(a, 4, config, STEPS, "jax")
    torch_values = value_curve(a, 4, config, STEPS, "torch")
    np.testing.assert_allclose(jax_values, torch_values, rtol=1e-4)

"""asv suite: one amortized step against one eigh of the same float32 matrix (the method's premise).

Nothing heavy happens at import: frameworks are imported in `setup`, and a framework that is
missing (or a JAX implementation that is not there) raises NotImplementedError there, which
asv records as skipped.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

from harness.asv_tools import synced_timer


def _matrix(n: int):
    from solvers.problems import random_psd

    return random_psd(n, 0).astype("float32")


class AmortizedStepVsEigh:
    """time_amortized_step: one optimiser step (one A·U, one QR of n×k); time_eigh: a full eigh."""

    params = ([1000, 2000, 4000], [10, 50], ["torch", "jax"])
    param_names = ("n", "k", "framework")
    timer = staticmethod(synced_timer)
    timeout = 600
    number = 1
    step: Callable[[], Any]
    eigh: Callable[[], Any]

    def setup(self, n: int, k: int, framework: str) -> None:
        if importlib.util.find_spec(framework) is None:
            raise NotImplementedError(f"{framework} is not installed")
        if framework == "torch":
            self._setup_torch(n, k)
        else:
            if importlib.util.find_spec("solvers.amortized.jax_impl") is None:
                raise NotImplementedError("solvers.amortized.jax_impl is not present")
            self._setup_jax(n, k)
        self.step()  # compile / warm caches outside the samples
        self.eigh()

    def _setup_torch(self, n: int, k: int) -> None:
        import torch

        from solvers.amortized import AmortizedConfig
        from solvers.amortized import torch_impl as ti

        a = torch.as_tensor(_matrix(n))
        config = AmortizedConfig()
        w = ti.start_w(n, k, config, a).requires_grad_(True)
        optimizer = ti.make_optimizer(config, [w])
        terms = ti.LossTerms.of(config, a, k)
        self.step = lambda: ti._first_order_step(w, a, config, terms, optimizer)
        self.eigh = lambda: torch.linalg.eigh(a)

    def _setup_jax(self, n: int, k: int) -> None:
        import jax
        import jax.numpy as jnp

        from solvers.amortized import AmortizedConfig, jax_impl

        a = jnp.asarray(_matrix(n))
        holder: dict[str, Any] = {"state": jax_impl.init(n, k, AmortizedConfig(), dtype=jnp.float32)}
        eigh = jax.jit(jnp.linalg.eigh)

        def step() -> None:
            holder["state"] = jax.block_until_ready(jax_impl.step(holder["state"], a))

        self.step = step
        self.eigh = lambda: jax.block_until_ready(eigh(a))

    def time_amortized_step(self, *_: Any) -> None:
        self.step()

    def time_eigh(self, *_: Any) -> None:
        self.eigh()

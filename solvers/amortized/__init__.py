"""The amortized eigendecomposition method (Li, Shi, Zhao, Lin, NeurIPS 2024) in torch and JAX.

Importing this package imports neither framework: `torch_impl` and `jax_impl` do.
"""

from .config import LOSSES, OPTIMIZERS, AmortizedConfig, brockett_weights, initial_w

__all__ = ["LOSSES", "OPTIMIZERS", "AmortizedConfig", "brockett_weights", "initial_w"]

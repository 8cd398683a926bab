"""JAX plumbing shared by eigbench's JAX code: device lookup, scoped float64, AOT compile.

Small on purpose (the amortized JAX implementation imports it too):

- `jax_device("cuda:1")` -> the JAX device eigbench's device name means.
- `x64_scope(dtype)` -> a context in which float64 arrays stay float64, without touching the
  user's global ``jax_enable_x64`` (the context restores it, thread-locally).
- `put(array, device)` -> a copy of a NumPy array committed to the device, in its own dtype.
- `aot_compile(fn, *args)` -> ``(executable, seconds)`` from ``jit(fn).lower(*args).compile()``.

Executables compiled inside `x64_scope` run float64 inputs correctly when called *outside*
it, so the timed call needs no context at all (measured: the context costs about 1 µs).

Importing this module sets ``XLA_PYTHON_CLIENT_PREALLOCATE=false`` unless the user set it:
JAX otherwise grabs 75% of GPU memory at start, which starves torch solvers in the same
process. It changes nothing in JAX's configuration.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")

import jax  # after the environment default: JAX's backend reads it when it starts
import numpy as np

from .devices import normalize_device
from .errors import DeviceError


def _enable_x64_context() -> Callable[[bool], contextlib.AbstractContextManager]:
    """``jax.enable_x64`` (recent JAX) or ``jax.experimental.enable_x64`` (older releases)."""
    ctx = getattr(jax, "enable_x64", None)
    if ctx is not None:
        return ctx
    from jax.experimental import enable_x64  # type: ignore[attr-defined]  # older JAX

    return enable_x64


_ENABLE_X64 = _enable_x64_context()


def x64_scope(dtype: str) -> contextlib.AbstractContextManager:
    """A context where arrays of `dtype` keep it: x64 on for float64, nothing for float32."""
    if str(dtype) == "float64":
        return _ENABLE_X64(True)
    return contextlib.nullcontext()


def jax_device(device: str) -> Any:
    """The `jax.Device` for an eigbench device name (``cpu``, ``cuda``, ``cuda:N``)."""
    name = normalize_device(device)
    if name == "cpu":
        return jax.devices("cpu")[0]
    index = int(name.split(":", 1)[1]) if ":" in name else 0
    try:
        gpus = jax.devices("gpu")
    except RuntimeError as exc:
        raise DeviceError(f"device {device!r}: JAX sees no GPU ({exc})") from None
    if index >= len(gpus):
        raise DeviceError(f"device {device!r}: JAX sees only {len(gpus)} GPU(s)")
    return gpus[index]


def put(array: np.ndarray, device: str) -> Any:
    """Copy `array` to `device` keeping its dtype (float64 included); raise if JAX narrowed it."""
    dtype = np.dtype(array.dtype).name
    with x64_scope(dtype):
        out = jax.device_put(np.array(array, copy=True), jax_device(device))
    if out.dtype != array.dtype:
        raise TypeError(f"JAX stored a {dtype} array as {out.dtype}: float64 needs x64 support")
    return out


def aot_compile(fn: Callable[..., Any], *args: Any, dtype: str) -> tuple[Any, float]:
    """Ahead-of-time compile ``jit(fn)`` for `args`; return the executable and its seconds."""
    jitted = fn if hasattr(fn, "lower") else jax.jit(fn)
    with x64_scope(dtype):
        start = time.perf_counter()
        executable = jitted.lower(*args).compile()
        seconds = time.perf_counter() - start
    return executable, seconds

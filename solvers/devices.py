"""Device names shared by every framework, and what this machine actually has.

eigbench speaks of ``cpu`` and ``cuda`` (``cuda:N`` for a given GPU); ``gpu`` is accepted as
an alias so that JAX users can say what they are used to. Adapters map these to their own.
"""

from __future__ import annotations

import importlib
import importlib.util
import re

from .errors import DeviceError

_DEVICE = re.compile(r"^(cpu|cuda|gpu)(?::(\d+))?$")


def normalize_device(device: str) -> str:
    """Return ``cpu``, ``cuda`` or ``cuda:N``; raise DeviceError for anything else."""
    if not isinstance(device, str):
        raise DeviceError(f"device must be a string such as 'cpu' or 'cuda', got {device!r}")
    match = _DEVICE.match(device.strip().lower())
    if match is None:
        raise DeviceError(f"unknown device {device!r}: expected 'cpu', 'cuda' or 'cuda:N'")
    kind, index = match.groups()
    if kind == "cpu":
        if index not in (None, "0"):
            raise DeviceError(f"unknown device {device!r}: the CPU device has no index")
        return "cpu"
    return "cuda" if index is None else f"cuda:{index}"


def device_kind(device: str) -> str:
    """``cuda:1`` -> ``cuda``: the kind a spec's ``devices`` lists."""
    return normalize_device(device).split(":", 1)[0]


def gpu_count(framework: str) -> int:
    """How many GPUs `framework` sees (imports it; 0 when it is missing or sees none)."""
    if framework in ("numpy", "scipy"):
        return 0
    if importlib.util.find_spec(framework) is None:
        return 0
    try:
        if framework == "torch":
            torch = importlib.import_module("torch")
            return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0
        if framework == "jax":
            jax = importlib.import_module("jax")
            try:
                return len(jax.devices("gpu"))
            except RuntimeError:
                return 0
    except Exception:  # a broken CUDA install must not take the registry down
        return 0
    return 0


def has_device(framework: str, device: str) -> bool:
    """Whether `framework` can run on `device` on this machine."""
    device = normalize_device(device)
    if device == "cpu":
        return True
    index = int(device.split(":", 1)[1]) if ":" in device else 0
    return index < gpu_count(framework)

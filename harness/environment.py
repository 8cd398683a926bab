"""The machine and software a run measured on, captured once per run.

Library versions come from package metadata (no import). Thread settings, BLAS libraries and
devices need the framework imported, so they are captured only for the frameworks asked for
(the worker asks for the ones its sweep uses, after importing them anyway).
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

LIBRARIES = (
    "numpy",
    "scipy",
    "torch",
    "jax",
    "jaxlib",
    "optax",
    "pytorch-optimizer",
    "threadpoolctl",
    "scikit-learn",
    "eigbench",
)
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "XLA_FLAGS",
    "CUDA_VISIBLE_DEVICES",
)
REPO_ROOT = Path(__file__).resolve().parent.parent


def library_versions() -> dict[str, str | None]:
    """Installed version of each library of interest (None when not installed)."""
    out: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_info() -> list[dict[str, Any]]:
    """BLAS/OpenMP libraries loaded in this process with their thread counts (threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    try:  # scipy ships its own OpenBLAS (JAX uses it for LAPACK): load it so it is listed too
        import scipy.linalg  # noqa: F401
    except ImportError:
        pass
    keep = ("user_api", "internal_api", "version", "num_threads", "filepath", "threading_layer")
    return [{k: info.get(k) for k in keep} for info in threadpool_info()]


def _command(args: list[str], cwd: Path | None = None) -> str | None:
    if shutil.which(args[0]) is None:
        return None
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=10, cwd=cwd, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_info() -> dict[str, Any]:
    commit = _command(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT)
    status = _command(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT)
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def nvidia_gpus() -> list[dict[str, str]]:
    """GPU model, driver and memory from nvidia-smi, when it is there."""
    text = _command(["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"])
    if not text:
        return []
    gpus = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) == 3:
            gpus.append({"name": parts[0], "driver": parts[1], "memory": parts[2]})
    return gpus


def torch_info() -> dict[str, Any]:
    import torch

    info: dict[str, Any] = {
        "version": torch.__version__,
        "num_threads": torch.get_num_threads(),
        "num_interop_threads": torch.get_num_interop_threads(),
        "cuda": torch.version.cuda,
        "cuda_available": torch.cuda.is_available(),
        "mkl": bool(torch.backends.mkl.is_available()),
    }
    if torch.cuda.is_available():
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return info


def jax_info() -> dict[str, Any]:
    import jax

    return {
        "version": jax.__version__,
        "backend": jax.default_backend(),
        "devices": [str(d) for d in jax.devices()],
        "x64": bool(jax.config.read("jax_enable_x64")),
    }


FRAMEWORK_INFO = {"torch": torch_info, "jax": jax_info}


def frameworks_info(frameworks: Iterable[str]) -> dict[str, Any]:
    """Per-framework settings, importing only installed frameworks that were asked for."""
    out: dict[str, Any] = {}
    for name in sorted(set(frameworks)):
        probe = FRAMEWORK_INFO.get(name)
        if probe is None or importlib.util.find_spec(name) is None:
            continue
        try:
            out[name] = probe()
        except Exception as exc:  # a broken install is worth recording, not a crash
            out[name] = {"error": f"{type(exc).__name__}: {exc}"}
    return out


def capture(frameworks: Iterable[str] = ()) -> dict[str, Any]:
    """Everything worth knowing about where a run measured, with a content-derived env_id."""
    env: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "hostname": socket.gethostname(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "libraries": library_versions(),
        "frameworks": frameworks_info(frameworks),
        "blas": blas_info(),
        "thread_env": {v: os.environ.get(v) for v in THREAD_VARIABLES},
        "gpus": nvidia_gpus(),
        "git": git_info(),
    }
    digest = hashlib.sha256(json.dumps(env, sort_keys=True, default=str).encode()).hexdigest()
    env["env_id"] = digest[:16]
    return env

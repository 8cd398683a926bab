"""Session-wide fixtures: the third-party example plugin is pip-installed before collection.

Installing it in `pytest_configure` (into a temporary target directory put on sys.path) means
the generic conformance test collects it like any built-in, which is the point: a solver
declared only through the `eigbench.solvers` entry point needs no edit to eigbench.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).parent
PLUGIN_DIR = HERE / "example_plugin"
PLUGIN_NAME = "example.float64_eigh"


def _install_example_plugin() -> Path:
    target = Path(tempfile.mkdtemp(prefix="eigbench-plugin-"))
    cmd = [
        sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
        "--no-index", "--disable-pip-version-check", "--target", str(target), str(PLUGIN_DIR),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return target


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("EIGBENCH_PLUGIN_SITE"):
        target = Path(os.environ["EIGBENCH_PLUGIN_SITE"])
    else:
        target = _install_example_plugin()
        os.environ["EIGBENCH_PLUGIN_SITE"] = str(target)
    sys.path.insert(0, str(target))
    # Worker subprocesses (sweeps) must see the plugin too.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(target), os.environ.get("PYTHONPATH")]))
    import solvers.registry

    solvers.registry.reload_entry_points()


def has_torch_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())

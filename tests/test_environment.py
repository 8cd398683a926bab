"""Environment capture: versions without importing frameworks, BLAS threads, a stable id."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest

from harness import environment


def test_capture_is_plain_json_with_what_a_report_needs() -> None:
    env = environment.capture()
    json.dumps(env)
    for key in ("date", "hostname", "cpu", "libraries", "blas", "git", "gpus", "thread_env", "env_id"):
        assert key in env, key
    assert env["libraries"]["numpy"] == np.__version__
    assert len(env["env_id"]) == 16


def test_capture_without_frameworks_imports_none() -> None:
    code = (
        "import sys, harness.environment as e; env = e.capture(); "
        "assert 'torch' not in sys.modules and 'jax' not in sys.modules; "
        "print(env['libraries']['torch'])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = "None" if importlib.util.find_spec("torch") is None else "2"
    assert done.stdout.strip().startswith(expected)


def test_blas_libraries_and_their_threads_are_recorded() -> None:
    pytest.importorskip("threadpoolctl")
    libs = environment.blas_info()
    assert any(lib["user_api"] == "blas" for lib in libs)
    assert all(isinstance(lib["num_threads"], int) for lib in libs)


def test_git_commit_of_this_checkout() -> None:
    info = environment.git_info()
    assert info["commit"] is None or len(info["commit"]) == 40


def test_torch_settings_captured_when_asked() -> None:
    pytest.importorskip("torch")
    info = environment.frameworks_info(["torch", "not_a_framework"])
    assert set(info) == {"torch"}
    assert info["torch"]["num_threads"] >= 1 and "cuda_available" in info["torch"]


def test_jax_settings_captured_when_asked() -> None:
    pytest.importorskip("jax")
    info = environment.frameworks_info(["jax"])
    assert info["jax"]["backend"] in ("cpu", "gpu", "cuda", "tpu") and info["jax"]["devices"]

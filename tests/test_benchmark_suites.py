"""The asv and pytest-benchmark suites: grid from the registry, skips, helpers, and asv discovery."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import solvers
from benchmarks import bench_solvers, grid
from benchmarks.cases import build, matmul_for
from harness import asv_tools
from solvers.spec import SolverSpec

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = "example.float64_eigh"  # installed through the entry point by tests/conftest.py
EMPTY: dict[str, str] = {}


@pytest.fixture
def registered():
    """Register specs for one test and remove them afterwards."""
    names: list[str] = []

    def add(**fields) -> SolverSpec:
        spec = SolverSpec(**fields)
        solvers.register(spec)
        names.append(spec.name)
        return spec

    yield add
    for name in names:
        solvers.unregister(name)


# -- the grid ------------------------------------------------------------------------------------
def test_defaults_are_modest_and_cover_every_registered_solver():
    names, ns, dts, devs = grid.params(EMPTY)
    assert names == solvers.names()
    assert ns == list(grid.DEFAULT_SIZES) and max(ns) <= 1000
    assert dts == ["float32", "float64"] and devs == ["cpu", "cuda"]
    assert len(grid.points(EMPTY)) == len(names) * len(ns) * len(dts) * len(devs)


def test_entry_point_solver_appears_in_both_suites():
    assert PLUGIN in grid.params(EMPTY)[0]
    assert PLUGIN in bench_solvers.TimeSolve.params[0]
    assert any(p.solver == PLUGIN for p in grid.points(EMPTY))


def test_solver_registered_at_run_time_appears(registered):
    registered(
        name="late.eigh", framework="late", kind="eig", implementation="solvers.numpy_solvers:NumpyEigh"
    )
    assert "late.eigh" in grid.solver_names(EMPTY)


def test_env_chooses_sizes_dtypes_devices():
    env = {grid.ENV_SIZES: "64, 128", grid.ENV_DTYPES: "float64", grid.ENV_DEVICES: "cpu"}
    assert grid.params(env)[1:] == [[64, 128], ["float64"], ["cpu"]]


@pytest.mark.parametrize(
    ("var", "value", "message"),
    [
        (grid.ENV_SIZES, "200,big", "must be integers"),
        (grid.ENV_SIZES, "1", "at least 2"),
        (grid.ENV_SIZES, " , ", "lists nothing"),
        (grid.ENV_DTYPES, "float16", "unknown value(s) float16"),
        (grid.ENV_DEVICES, "tpu", "unknown value(s) tpu"),
        (grid.ENV_K, "0", "positive integer"),
        (grid.ENV_PROBLEM, "hilbert", "not a problem"),
        (grid.ENV_TIMEOUT, "-5", "must be positive"),
    ],
)
def test_bad_env_values_name_the_variable(var, value, message):
    readers = {
        grid.ENV_SIZES: grid.sizes,
        grid.ENV_DTYPES: grid.dtypes,
        grid.ENV_DEVICES: grid.devices,
        grid.ENV_K: grid.top_k,
        grid.ENV_PROBLEM: grid.problem,
        grid.ENV_TIMEOUT: grid.timeout_seconds,
    }
    with pytest.raises(ValueError, match=var) as info:
        readers[var]({var: value})
    assert message in str(info.value)


def test_solver_patterns_include_and_exclude():
    numpy_names = solvers.names(framework="numpy")
    assert grid.solver_names({grid.ENV_SOLVERS: "numpy.*"}) == numpy_names
    without = grid.solver_names({grid.ENV_SOLVERS: "numpy.*,!numpy.qr"})
    assert without == [n for n in numpy_names if n != "numpy.qr"]
    everything_but = grid.solver_names({grid.ENV_SOLVERS: "!numpy.*"})
    assert everything_but == [n for n in solvers.names() if n not in numpy_names]
    with pytest.raises(ValueError, match="matches no registered solver"):
        grid.solver_names({grid.ENV_SOLVERS: "nosuch.*"})


def test_timeout_grows_with_the_largest_size():
    assert grid.timeout_seconds({grid.ENV_SIZES: "200,1000"}) == 600.0
    assert grid.timeout_seconds({grid.ENV_SIZES: "4000"}) == 600.0 * 8
    assert grid.timeout_seconds({grid.ENV_TIMEOUT: "90"}) == 90.0
    assert bench_solvers.TimeSolve.timeout >= 600.0


def test_k_full_for_dense_solvers_and_env_k_for_top_k(registered):
    assert grid.k_for(solvers.spec("numpy.eigh"), EMPTY) is None
    assert grid.k_for(solvers.spec("numpy.qr"), {grid.ENV_K: "3"}) is None
    spec = registered(
        name="topk.eigh",
        framework="numpy",
        kind="eig",
        top_k=True,
        implementation="solvers.numpy_solvers:NumpyEigh",
    )
    assert grid.k_for(spec, {grid.ENV_K: "3"}) == 3
    assert grid.k_for(spec, EMPTY) == grid.DEFAULT_K


# -- skip reasons --------------------------------------------------------------------------------
def test_runnable_point_has_no_skip_reason():
    assert grid.skip_reason(grid.Point("numpy.eigh", 16, "float64", "cpu"), EMPTY) is None


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        (grid.Point("numpy.eigh", 16, "float64", "cuda"), "does not run on cuda"),
        (grid.Point("nosuch.eigh", 16, "float64", "cpu"), "unknown solver"),
    ],
)
def test_unsupported_points_say_why(point, expected):
    assert expected in grid.skip_reason(point, EMPTY)


def test_skip_reasons_from_the_spec(registered):
    registered(
        name="f64only.eigh",
        framework="numpy",
        kind="eig",
        dtypes=("float64",),
        implementation="solvers.numpy_solvers:NumpyEigh",
    )
    registered(
        name="missing.eigh",
        framework="missing",
        kind="eig",
        requires=("eigbench_no_such_module",),
        install_hint="pip install nothing",
        implementation="nowhere:Nothing",
    )
    registered(
        name="strict.lobpcg",
        framework="numpy",
        kind="eig",
        top_k=True,
        needs_k=True,
        min_n_per_k=5,
        min_n_strict=True,
        implementation="solvers.numpy_solvers:NumpyEigh",
    )
    registered(
        name="picky.eigh",
        framework="numpy",
        kind="eig",
        cannot={"random_symmetric": "indefinite matrices diverge"},
        implementation="solvers.numpy_solvers:NumpyEigh",
    )
    assert "does not support float32" in grid.skip_reason(grid.Point("f64only.eigh", 16, "float32", "cpu"))
    assert "pip install nothing" in grid.skip_reason(grid.Point("missing.eigh", 16, "float64", "cpu"))
    env = {grid.ENV_K: "4"}
    assert "n > 5·k" in grid.skip_reason(grid.Point("strict.lobpcg", 20, "float64", "cpu"), env)
    assert grid.skip_reason(grid.Point("strict.lobpcg", 21, "float64", "cpu"), env) is None
    assert "indefinite" in grid.skip_reason(grid.Point("picky.eigh", 16, "float64", "cpu"), EMPTY)


def test_problem_the_kind_cannot_take_is_a_skip():
    env = {grid.ENV_PROBLEM: "rectangular"}
    assert grid.skip_reason(grid.Point("numpy.eigh", 16, "float64", "cpu"), env) is not None
    assert grid.skip_reason(grid.Point("numpy.svd", 16, "float64", "cpu"), env) is None


def test_cuda_driver_check(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not grid.cuda_driver_present(tmp_path / "absent")
    (tmp_path / "driver").mkdir()
    assert grid.cuda_driver_present(tmp_path / "driver")
    (tmp_path / "nvidia-smi").write_text("")
    assert grid.cuda_driver_present(tmp_path / "absent")


# -- cases -----------------------------------------------------------------------------------------
def test_build_prepares_and_measures_accuracy():
    bench = build(grid.Point("numpy.eigh", 16, "float64", "cpu"), EMPTY)
    assert bench.matrix.shape == (16, 16) and bench.k is None
    acc = bench.accuracy(bench.bind()())
    assert set(acc) >= {"value_error", "residual", "orthogonality"}
    assert acc["value_error"] < 1e-12 and acc["residual"] < 1e-12
    info = bench.describe()
    assert info["solver"] == "numpy.eigh" and info["n"] == 16 and info["problem"] == grid.DEFAULT_PROBLEM
    json.dumps(info)


def test_build_raises_not_implemented_for_skips():
    with pytest.raises(NotImplementedError, match="does not run on cuda"):
        build(grid.Point("numpy.svd", 16, "float64", "cuda"), EMPTY)


def test_yardstick_is_own_matmul_else_numpy_on_cpu(registered):
    assert matmul_for(solvers.spec("numpy.eigh"), "cpu") == "numpy.matmul"
    if "torch.matmul" in solvers.names():
        assert matmul_for(solvers.spec("torch.eigh"), "cuda") == "torch.matmul"
    spec = registered(
        name="gpuonly.eigh",
        framework="gpuonly",
        kind="eig",
        devices=("cpu", "cuda"),
        implementation="solvers.numpy_solvers:NumpyEigh",
    )
    assert matmul_for(spec, "cpu") == "numpy.matmul"
    with pytest.raises(NotImplementedError, match=r"no gpuonly\.matmul"):
        matmul_for(spec, "cuda")


# -- asv suites, run in-process --------------------------------------------------------------------
SMALL = ("numpy.eigh", 16, "float64", "cpu")


def test_every_suite_skips_an_unsupported_point():
    for cls in (
        bench_solvers.TimeSolve,
        bench_solvers.PeakMemSolve,
        bench_solvers.TrackValueError,
        bench_solvers.TrackCompile,
        bench_solvers.TrackMatmulRatio,
    ):
        with pytest.raises(NotImplementedError):
            cls().setup("numpy.eigh", 16, "float64", "cuda")


def test_time_and_peakmem_suites_call_the_solver():
    suite = bench_solvers.TimeSolve()
    suite.setup(*SMALL)
    suite.time_call(*SMALL)
    t0 = bench_solvers.TimeSolve.timer()
    assert bench_solvers.TimeSolve.timer() >= t0
    mem = bench_solvers.PeakMemSolve()
    mem.setup(*SMALL)
    mem.peakmem_call(*SMALL)


def test_accuracy_suites_report_the_metric_or_skip():
    for cls, metric in (
        (bench_solvers.TrackValueError, "track_value_error"),
        (bench_solvers.TrackResidual, "track_residual"),
        (bench_solvers.TrackOrthogonality, "track_orthogonality"),
    ):
        suite = cls()
        suite.setup(*SMALL)
        assert 0.0 <= getattr(suite, metric)(*SMALL) < 1e-10
    with pytest.raises(NotImplementedError, match="has no value_error"):
        bench_solvers.TrackValueError().setup("numpy.qr", 16, "float64", "cpu")
    with pytest.raises(NotImplementedError, match="has no residual"):
        bench_solvers.TrackResidual().setup("numpy.matmul", 16, "float64", "cpu")


def test_compile_and_ratio_suites_return_positive_numbers():
    suite = bench_solvers.TrackCompile()
    suite.setup(*SMALL)
    assert suite.track_compile_seconds(*SMALL) == 0.0  # numpy has no compile step
    assert suite.track_first_call_seconds(*SMALL) > 0.0
    ratio = bench_solvers.TrackMatmulRatio()
    ratio.setup(*SMALL)
    value = ratio.track_ratio_to_matmul(*SMALL)
    assert math.isfinite(value) and value > 0.0
    with pytest.raises(NotImplementedError, match="yardstick itself"):
        bench_solvers.TrackMatmulRatio().setup("numpy.matmul", 16, "float64", "cpu")


def test_asv_discovers_only_the_suites_not_the_pytest_folder():
    from asv_runner.discovery import disc_benchmarks

    found = {b.name for b in disc_benchmarks(str(ROOT / "benchmarks"))}
    mine = {
        "bench_solvers.TimeSolve.time_call",
        "bench_solvers.PeakMemSolve.peakmem_call",
        "bench_solvers.TrackValueError.track_value_error",
        "bench_solvers.TrackResidual.track_residual",
        "bench_solvers.TrackOrthogonality.track_orthogonality",
        "bench_solvers.TrackCompile.track_compile_seconds",
        "bench_solvers.TrackCompile.track_first_call_seconds",
        "bench_solvers.TrackMatmulRatio.track_ratio_to_matmul",
    }
    assert mine <= found
    assert not [name for name in found if "pytest_suite" in name or ".test_" in name]


def test_pytest_does_not_collect_the_benchmarks_by_default():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert config["testpaths"] == ["tests"]
    assert not (ROOT / "benchmarks" / "pytest_suite" / "__init__.py").exists()


# -- asv_tools ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("gpus", "expected"),
    [
        ([], "node1"),
        (["NVIDIA H200"], "node1-NVIDIA-H200"),
        (["NVIDIA H200", "NVIDIA H200"], "node1-2xNVIDIA-H200"),
        (["NVIDIA A100-SXM4-80GB", "Tesla T4"], "node1-NVIDIA-A100-SXM4-80GB+Tesla-T4"),
    ],
)
def test_machine_name_carries_the_gpu_model(gpus, expected):
    assert asv_tools.machine_name("node1", gpus) == expected


def test_run_command_is_offline_same_python_and_saves_results():
    cmd = asv_tools.run_command("node1", "abc123", quick=True, bench=["numpy"], extra=["--durations=all"])
    assert cmd[:3] == [sys.executable, "-m", "asv"] and cmd[3] == "run"
    joined = " ".join(cmd)
    for part in (
        "--python=same",
        "--set-commit-hash abc123",
        "--machine node1",
        "--launch-method spawn",
        "--no-pull",
        "--quick",
        "--bench numpy",
    ):
        assert part in joined
    assert cmd[-1] == "--durations=all"


def test_bench_env_turns_off_jax_preallocation_and_sets_sizes():
    env = asv_tools.bench_env("64,128", base={"PATH": "/bin"})
    assert env == {"PATH": "/bin", "XLA_PYTHON_CLIENT_PREALLOCATE": "false", "EIGBENCH_ASV_SIZES": "64,128"}
    assert (
        asv_tools.bench_env(base={"XLA_PYTHON_CLIENT_PREALLOCATE": "true"})["XLA_PYTHON_CLIENT_PREALLOCATE"]
        == "true"
    )


def test_dry_run_prints_machine_then_run(capsys, monkeypatch):
    monkeypatch.setattr(asv_tools, "commit_hash", lambda root=asv_tools.ROOT: "deadbeef")
    assert asv_tools.main(["--dry-run", "run", "--quick", "--machine", "box", "-b", "eigh", "--", "-v"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "machine --yes --machine box" in lines[0]
    assert (
        "run " in lines[1]
        and "--set-commit-hash deadbeef" in lines[1]
        and lines[1].endswith("--bench eigh -v")
    )


def test_timer_syncs_torch_only_when_it_has_touched_the_gpu(monkeypatch):
    calls: list[str] = []

    class FakeCuda:
        initialized = False

        def is_available(self):
            return True

        def is_initialized(self):
            return self.initialized

        def synchronize(self):
            calls.append("sync")

    fake = type(sys)("torch")
    fake.cuda = FakeCuda()
    monkeypatch.setitem(sys.modules, "torch", fake)
    asv_tools.synced_timer()
    assert calls == []
    fake.cuda.initialized = True
    asv_tools.synced_timer()
    assert calls == ["sync"]


# -- end to end (subprocesses) ------------------------------------------------------------------
def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


def test_pytest_suite_writes_groups_and_accuracy_to_json(tmp_path):
    out = tmp_path / "bench.json"
    env = _env(
        EIGBENCH_ASV_SIZES="16",
        EIGBENCH_ASV_DTYPES="float64",
        EIGBENCH_ASV_DEVICES="cpu",
        EIGBENCH_ASV_SOLVERS="numpy.eigh,numpy.qr",
    )
    cmd = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "benchmarks" / "pytest_suite"),
        f"--benchmark-json={out}", "--benchmark-min-rounds=1", "--benchmark-max-time=0.01",
        "--benchmark-warmup=off",
    ]  # fmt: skip
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    records = {b["extra_info"]["solver"]: b for b in json.loads(out.read_text())["benchmarks"]}
    assert set(records) == {"numpy.eigh", "numpy.qr"}
    eigh = records["numpy.eigh"]
    assert eigh["group"] == "n=16 float64 cpu"
    assert eigh["extra_info"]["accuracy"]["residual"] < 1e-12
    assert "value_error" not in records["numpy.qr"]["extra_info"]["accuracy"]
    assert eigh["stats"]["rounds"] >= 1


def test_asv_check_passes_with_the_installed_python():
    done = subprocess.run(
        [sys.executable, "-m", "harness.asv_tools", "check"],
        cwd=ROOT,
        env=_env(EIGBENCH_ASV_SIZES="16"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0 and "No problems found" in done.stdout, done.stdout + done.stderr

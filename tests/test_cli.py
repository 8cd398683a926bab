"""The `eigbench` command: list, clear usage errors, and an interrupted run that resumes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import cli
from harness.records import read
from tests.faulty.fixture import installed

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield from installed(tmp_path_factory.mktemp("faulty-cli"))


def _eigbench(*args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "harness.cli", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_list_shows_capabilities_and_availability(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "numpy.eigh" in out and "float32,float64" in out and "available here" in out


def _usage_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("eigbench: error:")
    return err


def test_unknown_solver_suggests_close_names(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = _usage_error(capsys, ["run", "--solvers", "numpy.eig", "--out", str(tmp_path)])
    assert "unknown solver 'numpy.eig'" in err and "numpy.eigh" in err


def test_unknown_preset(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = _usage_error(capsys, ["run", "--preset", "huge", "--out", str(tmp_path)])
    assert "unknown preset 'huge'" in err and "quick" in err


def test_unwritable_output(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    err = _usage_error(capsys, ["run", "--solvers", "numpy.eigh", "--out", str(blocker / "sub")])
    assert "not writable" in err


def test_missing_device(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from solvers.devices import has_device

    if has_device("torch", "cuda") or has_device("jax", "cuda"):
        pytest.skip("this machine has a GPU")
    err = _usage_error(capsys, ["run", "--device", "cuda", "--out", str(tmp_path)])
    assert "cuda is not present" in err
    err = _usage_error(capsys, ["run", "--device", "tpu", "--out", str(tmp_path)])
    assert "unknown device 'tpu'" in err


def test_existing_records_need_resume_or_force(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "records.jsonl").write_text("{}\n")
    err = _usage_error(capsys, ["run", "--solvers", "numpy.eigh", "--out", str(tmp_path)])
    assert "--resume" in err


def test_problems_override(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert "--problems" in _usage_error(capsys, ["run", "--problems", "rectangular", "--out", str(tmp_path)])
    argv = ["run", "--solvers", "numpy.eigh", "--ns", "8", "--dtypes", "float64", "--problems", "decaying"]
    assert cli.main([*argv, "--repeat", "1", "--out", str(tmp_path), "--no-progress"]) == 0
    got = read(tmp_path / "records.jsonl")
    assert [r["problem"] for r in got.measurements] == ["decaying"]


def test_bad_overrides(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert "--ns" in _usage_error(capsys, ["run", "--ns", "10,x", "--out", str(tmp_path)])
    assert "--dtypes" in _usage_error(capsys, ["run", "--dtypes", "float16", "--out", str(tmp_path)])
    assert "--timeout" in _usage_error(capsys, ["run", "--timeout", "0", "--out", str(tmp_path)])


def test_run_writes_records_and_a_summary(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = ["run", "--solvers", "numpy.eigh,numpy.matmul", "--ns", "8", "--dtypes", "float64"]
    assert cli.main([*argv, "--repeat", "2", "--out", str(tmp_path), "--no-progress"]) == 0
    out = capsys.readouterr().out
    # quick gives eigensolvers two spectra (random_symmetric, decaying): 2 + 1 points
    assert "points: 3  ok: 3  skipped: 0  failed: 0" in out
    got = read(tmp_path / "records.jsonl")
    assert {r["solver"] for r in got.measurements} == {"numpy.eigh", "numpy.matmul"}


def _measurements(path: Path) -> list[dict]:
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in lines if r["record"] == "measurement"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_run_resumes_without_losing_or_repeating(
    faulty: Path, tmp_path: Path, signum: int
) -> None:
    ns = ",".join(str(n) for n in range(8, 20))
    argv = ["run", "--solvers", "faulty.slow", "--ns", ns, "--dtypes", "float64", "--repeat", "1"]
    argv += ["--problems", "random_symmetric"]
    argv += ["--out", str(tmp_path), "--no-progress"]
    path = tmp_path / "records.jsonl"
    proc = _eigbench(*argv)
    deadline = time.monotonic() + 120
    while len(_measurements(path)) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, err
    assert "continue with --resume" in err
    before = read(path).measurements  # valid JSONL: parses with no warning
    assert 3 <= len(before) < 12

    resumed = _eigbench(*argv, "--resume")
    out, err = resumed.communicate(timeout=180)
    assert resumed.returncode == 0, err
    after = read(path).measurements
    keys = [r["key"] for r in after]
    assert len(keys) == len(set(keys)) == 12
    assert after[: len(before)] == before  # nothing finished was lost or redone
    assert all(r["status"] == "ok" for r in after)
    assert f"already on disk: {len(before)}" in out

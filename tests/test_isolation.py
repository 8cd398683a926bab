"""Every way a solver can fail becomes one record with the right status; the sweep goes on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.records import read
from harness.runner import run
from harness.sweep import Planned, Point, Settings
from tests.faulty.fixture import installed

SETTINGS = Settings(repeat=2, warmup=1, min_sample_seconds=0.0, max_seconds=1.0, timeout=4.0)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield from installed(tmp_path_factory.mktemp("faulty"))


def _point(solver: str, n: int = 12) -> Planned:
    return Planned(Point(solver, n, None, "float64", "cpu", "random_symmetric"))


def test_each_failure_is_one_record_and_the_sweep_completes(faulty: Path, tmp_path: Path) -> None:
    planned = [
        _point("numpy.eigh", 10),
        _point("faulty.raises"),
        _point("faulty.nan"),
        _point("numpy.eigh", 11),
        _point("faulty.hangs"),
        _point("faulty.exits"),
        _point("numpy.eigh", 13),
        _point("faulty.sigkill"),
        _point("faulty.inaccurate"),
        _point("numpy.eigh", 14),
        Planned(Point("numpy.eigh", 15, None, "float64", "cpu", "random_symmetric"), skip="declared skip"),
    ]
    out = tmp_path / "records.jsonl"
    result = run(planned, out, SETTINGS)
    on_disk = read(out)
    assert [r["key"] for r in on_disk.measurements] == [p.point.key for p in planned]
    by_solver = {}
    for r in on_disk.measurements:
        by_solver.setdefault(r["solver"], []).append(r)
    statuses = {name: [r["status"] for r in recs] for name, recs in by_solver.items()}
    assert statuses == {
        "numpy.eigh": ["ok", "ok", "ok", "ok", "skipped"],
        "faulty.raises": ["failed"],
        "faulty.nan": ["failed"],
        "faulty.hangs": ["timeout"],
        "faulty.exits": ["failed"],
        "faulty.sigkill": ["failed"],
        "faulty.inaccurate": ["inaccurate"],
    }
    errors = {name: recs[0]["error"] for name, recs in by_solver.items()}
    assert "deliberate failure inside the solver" in errors["faulty.raises"]
    assert "NaN or Inf" in errors["faulty.nan"]
    assert "no result after 4 s" in errors["faulty.hangs"]
    assert "exit code 3" in errors["faulty.exits"]
    assert "SIGKILL" in errors["faulty.sigkill"]
    assert "value_error" in errors["faulty.inaccurate"]
    assert by_solver["numpy.eigh"][-1]["error"] == "declared skip"
    # Records refer to the run's environment, written once at the top of the file.
    assert list(on_disk.environments) == [result.env_id]
    assert all(r["env_id"] == result.env_id for r in on_disk.measurements)
    ok = by_solver["numpy.eigh"][0]
    assert len(ok["times"]) >= 1 and ok["median"] > 0 and ok["first_call_seconds"] > 0
    assert ok["accuracy"]["residual"] <= ok["bounds"]["residual"]
    assert ok["framework"] == "numpy" and ok["kind"] == "eig"


def test_resume_skips_points_already_on_disk(faulty: Path, tmp_path: Path) -> None:
    out = tmp_path / "records.jsonl"
    first = [_point("numpy.eigh", 8), _point("faulty.raises", 8)]
    run(first, out, SETTINGS)
    second = run([*first, _point("numpy.eigh", 9)], out, SETTINGS, resume=True)
    assert second.already_done == 2
    keys = [r["key"] for r in read(out).measurements]
    assert len(keys) == len(set(keys)) == 3

"""Records: durable appends, schema versions, truncated last lines, plain JSON only."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from harness import records
from harness.records import (
    SCHEMA_VERSION,
    RecordsError,
    RecordWriter,
    UnknownSchemaError,
    environment_line,
    finished_keys,
    measurement,
    read,
)


def _m(key: str, status: str = "ok", **fields) -> dict:
    return measurement(key=key, solver="numpy.eigh", status=status, **{"n": 8, **fields})


def test_every_line_is_on_disk_as_soon_as_it_is_written(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    with RecordWriter(path) as w:
        w.write(environment_line({"env_id": "e1", "cpu": "x"}))
        w.write(_m("a", env_id="e1"))
        # Read while the writer is still open: nothing is waiting in a buffer.
        on_disk = read(path)
        assert [r["key"] for r in on_disk.measurements] == ["a"]
        assert on_disk.environment_of(on_disk.measurements[0])["cpu"] == "x"
    assert all(json.loads(line)["schema"] == SCHEMA_VERSION for line in path.read_text().splitlines())


def test_measurement_has_every_field_and_refuses_unknown_ones() -> None:
    rec = _m("a")
    assert set(records.MEASUREMENT_FIELDS) == set(rec)
    with pytest.raises(ValueError, match="unknown record field"):
        measurement(key="a", solver="s", status="ok", colour="red")
    with pytest.raises(ValueError, match="status"):
        measurement(key="a", solver="s", status="great")


def test_values_become_plain_json() -> None:
    rec = _m(
        "a", median=np.float64(0.5), n=np.int64(7), accuracy={"residual": float("nan")}, noisy=np.bool_(True)
    )
    assert type(rec["median"]) is float and type(rec["n"]) is int and rec["noisy"] is True
    assert rec["accuracy"]["residual"] is None
    json.dumps(rec, allow_nan=False)
    with pytest.raises(TypeError, match="not plain JSON"):
        _m("a", error=object())


def test_unknown_schema_version_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({**_m("a"), "schema": 99}) + "\n")
    with pytest.raises(UnknownSchemaError, match="schema version 99"):
        read(path)


def test_truncated_last_line_is_ignored_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    with RecordWriter(path) as w:
        w.write(_m("a"))
        w.write(_m("b"))
    full = path.read_bytes()
    path.write_bytes(full[: len(full) - 20])  # power lost in the middle of the second line
    with pytest.warns(UserWarning, match="truncated last line"):
        got = read(path)
    assert [r["key"] for r in got.measurements] == ["a"]


def test_appending_after_a_truncation_keeps_the_file_valid(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    with RecordWriter(path) as w:
        w.write(_m("a"))
        w.write(_m("b"))
    full = path.read_bytes()
    path.write_bytes(full[: len(full) - 20])
    with pytest.warns(UserWarning, match="dropping a truncated last line"), RecordWriter(path) as w:
        w.write(_m("c"))
    assert [r["key"] for r in read(path).measurements] == ["a", "c"]


def test_a_corrupt_line_in_the_middle_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(_m("a")) + "\n{oops\n" + json.dumps(_m("b")) + "\n")
    with pytest.raises(RecordsError, match=":2: not valid JSON"):
        read(path)


def test_unknown_record_type_and_missing_fields_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"schema": SCHEMA_VERSION, "record": "mystery"}) + "\n")
    with pytest.raises(RecordsError, match="unknown record type"):
        read(path)
    path.write_text(json.dumps({"schema": SCHEMA_VERSION, "record": "measurement", "key": "a"}) + "\n")
    with pytest.raises(RecordsError, match="lacks solver, status"):
        read(path)


def test_finished_keys_are_what_resume_skips(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    assert finished_keys(path) == set()
    with RecordWriter(path) as w:
        for key, status in [("a", "ok"), ("b", "timeout"), ("c", "skipped"), ("d", "failed")]:
            w.write(_m(key, status))
    assert finished_keys(path) == {"a", "b", "c", "d"}


def test_environment_needs_an_id() -> None:
    with pytest.raises(ValueError, match="env_id"):
        environment_line({"cpu": "x"})

"""Records: one JSON line per measurement, appended, flushed and fsync'd as each point ends.

A records file holds two kinds of lines, told apart by ``"record"``:

* ``"environment"``: captured once per run, identified by ``env_id``;
* ``"measurement"``: one per point, referring to its run's environment by ``env_id``.

Every line carries ``"schema"``; readers reject versions they do not know. A truncated last
line (the machine lost power mid-write) is ignored with a warning; the writer cuts it off
before appending so the file stays valid JSONL.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
KNOWN_SCHEMAS = frozenset({1})
STATUSES = ("ok", "failed", "timeout", "inaccurate", "skipped")
FINISHED = frozenset(STATUSES)
"""Every status is final: a resumed run repeats none of these points."""

MEASUREMENT = "measurement"
ENVIRONMENT = "environment"

#: Fields every measurement line has (values may be null where they do not apply).
MEASUREMENT_FIELDS = (
    "schema",
    "record",
    "key",
    "env_id",
    "solver",
    "framework",
    "kind",
    "device",
    "dtype",
    "n",
    "k",
    "depth",
    "width",
    "problem",
    "seed",
    "start",
    "status",
    "error",
    "times",
    "loops",
    "warmup",
    "first_call_seconds",
    "compile_seconds",
    "median",
    "iqr",
    "min",
    "mean",
    "noisy",
    "accuracy",
    "bounds",
    "steps",
    "converged",
    "warnings",
    "wall_seconds",
    "finished_at",
)


class RecordsError(ValueError):
    """A records file that cannot be read: corrupt line, unknown schema, missing field."""


class UnknownSchemaError(RecordsError):
    """A line written by a schema version this reader does not know."""


def plain(value: Any) -> Any:
    """`value` as plain JSON: NumPy scalars to Python, non-finite floats to None."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 1) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"record value {value!r} ({type(value).__name__}) is not plain JSON")


def measurement(**fields: Any) -> dict[str, Any]:
    """A measurement line: every known field present (None by default), unknown ones refused."""
    unknown = sorted(set(fields) - set(MEASUREMENT_FIELDS))
    if unknown:
        raise ValueError(f"unknown record field(s): {', '.join(unknown)}")
    status = fields.get("status")
    if status not in STATUSES:
        raise ValueError(f"record status must be one of {STATUSES}, got {status!r}")
    record: dict[str, Any] = dict.fromkeys(MEASUREMENT_FIELDS)
    record.update(plain(fields))
    record["schema"] = SCHEMA_VERSION
    record["record"] = MEASUREMENT
    return record


def environment_line(env: Mapping[str, Any]) -> dict[str, Any]:
    if "env_id" not in env:
        raise ValueError("an environment needs an env_id")
    return {"schema": SCHEMA_VERSION, "record": ENVIRONMENT, **plain(env)}


class RecordWriter:
    """Appends lines durably: each one is written whole, flushed and fsync'd before returning."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _cut_partial_tail(self.path)
        self._file = open(self.path, "a", encoding="utf-8")

    def write(self, line: Mapping[str, Any]) -> None:
        text = json.dumps(line, allow_nan=False, separators=(",", ":"))
        self._file.write(text + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _cut_partial_tail(path: Path) -> None:
    """Drop an unterminated last line so that the next append starts on a line of its own."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb+") as f:
        data = f.read()
        if data.endswith(b"\n"):
            return
        keep = data.rfind(b"\n") + 1
        warnings.warn(
            f"{path}: dropping a truncated last line ({len(data) - keep} bytes) before appending",
            stacklevel=3,
        )
        f.truncate(keep)


@dataclass
class RecordFile:
    """What one records file holds: measurements, and the environments they refer to."""

    measurements: list[dict[str, Any]] = field(default_factory=list)
    environments: dict[str, dict[str, Any]] = field(default_factory=dict)

    def environment_of(self, record: Mapping[str, Any]) -> dict[str, Any] | None:
        return self.environments.get(record.get("env_id"))  # type: ignore[arg-type]


def parse_lines(lines: Iterable[str], source: str = "<records>") -> RecordFile:
    """Parse JSONL text; see `read`."""
    out = RecordFile()
    lines = list(lines)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            last = number == len(lines) and not line.endswith("\n")
            if last:
                warnings.warn(f"{source}:{number}: ignoring a truncated last line ({exc})", stacklevel=3)
                continue
            raise RecordsError(f"{source}:{number}: not valid JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise RecordsError(f"{source}:{number}: a record must be a JSON object")
        version = obj.get("schema")
        if version not in KNOWN_SCHEMAS:
            raise UnknownSchemaError(
                f"{source}:{number}: schema version {version!r} is not known to this reader "
                f"(known: {sorted(KNOWN_SCHEMAS)}); upgrade eigbench to read it"
            )
        kind = obj.get("record")
        if kind == ENVIRONMENT:
            out.environments[str(obj["env_id"])] = obj
        elif kind == MEASUREMENT:
            missing = [f for f in ("key", "solver", "status") if f not in obj]
            if missing:
                raise RecordsError(f"{source}:{number}: measurement lacks {', '.join(missing)}")
            out.measurements.append(obj)
        else:
            raise RecordsError(f"{source}:{number}: unknown record type {kind!r}")
    return out


def read(path: str | os.PathLike[str]) -> RecordFile:
    """Read a records file; a truncated last line is ignored with a warning, not an error."""
    with open(path, encoding="utf-8") as f:
        return parse_lines(f.readlines(), source=str(path))


def finished_keys(path: str | os.PathLike[str]) -> set[str]:
    """Keys of points already on disk with a final status (what `--resume` skips)."""
    if not Path(path).exists():
        return set()
    return {r["key"] for r in read(path).measurements if r["status"] in FINISHED}

"""The timing core, driven by a fake clock: calibration, warm-up, sync placement, statistics."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

import pytest

from harness.timing import MAX_LOOPS, NOISE_THRESHOLD, Timing, measure, time_solver


class FakeClock:
    """Time moves only when the code under test 'works': each call of fn costs its next cost."""

    def __init__(self) -> None:
        self.now = 0.0
        self.events: list[str] = []

    def __call__(self) -> float:
        self.events.append("clock")
        return self.now

    def work(self, costs: Iterable[float] | float) -> Callable[[], str]:
        if isinstance(costs, (int, float)):
            cost = float(costs)
            costs_iter = None
        else:
            costs_iter = iter(costs)

        def fn() -> str:
            self.now += next(costs_iter) if costs_iter is not None else cost
            self.events.append("call")
            return "out"

        return fn


def test_loops_are_calibrated_so_a_sample_outlasts_min_sample_seconds() -> None:
    clock = FakeClock()
    t = measure(clock.work(1e-4), repeat=5, min_sample_seconds=5e-3, clock=clock)
    assert t.loops * 1e-4 >= 5e-3
    assert len(t.times) == 5
    assert t.median == pytest.approx(1e-4)
    assert t.iqr == pytest.approx(0.0, abs=1e-15)
    assert not t.noisy


def test_slow_calls_need_no_calibration() -> None:
    clock = FakeClock()
    t = measure(clock.work(0.5), repeat=3, min_sample_seconds=5e-3, clock=clock)
    assert t.loops == 1
    assert t.warmup == 1
    assert clock.events.count("call") == 1 + 3


def test_first_call_is_recorded_apart_and_not_sampled() -> None:
    clock = FakeClock()
    t = measure(clock.work([2.0] + [0.01] * 50), repeat=4, warmup=1, min_sample_seconds=0.0, clock=clock)
    assert t.first_call_seconds == pytest.approx(2.0)
    assert t.times == pytest.approx((0.01,) * 4)
    assert t.compile_seconds is None


def test_warmup_calls_happen_before_sampling() -> None:
    clock = FakeClock()
    costs = [1.0, 0.5, 0.25] + [0.1] * 10
    t = measure(clock.work(costs), repeat=3, warmup=3, min_sample_seconds=0.0, clock=clock)
    assert t.warmup == 3
    assert t.times == pytest.approx((0.1, 0.1, 0.1))


def test_sync_runs_inside_the_timed_region_once_per_sample_boundary() -> None:
    clock = FakeClock()
    syncs: list[float] = []

    def sync() -> None:
        clock.now += 0.02  # waiting for the device
        syncs.append(clock.now)

    t = measure(clock.work(0.1), repeat=2, warmup=1, min_sample_seconds=0.0, clock=clock, sync=sync)
    # The trailing sync of each sample is timed; the leading one is not.
    assert t.times == pytest.approx((0.12, 0.12))
    assert t.first_call_seconds == pytest.approx(0.12)
    assert len(syncs) == 2 * (1 + 2)  # before and after: first call + 2 samples


def test_max_seconds_stops_sampling_early_but_keeps_one_sample() -> None:
    clock = FakeClock()
    t = measure(clock.work(1.0), repeat=10, max_seconds=3.5, min_sample_seconds=0.0, clock=clock)
    assert 1 <= len(t.times) < 10
    assert clock.now <= 3.5 + 1.0
    clock2 = FakeClock()
    t2 = measure(clock2.work(10.0), repeat=10, max_seconds=1.0, clock=clock2)
    # One call spends the whole budget: it is the only sample, and the only call.
    assert t2.times == (10.0,) and t2.warmup == 0 and t2.first_call_seconds == 10.0
    assert clock2.events.count("call") == 1


def test_a_clock_that_never_moves_does_not_loop_forever() -> None:
    clock = FakeClock()
    t = measure(clock.work(0.0), repeat=2, min_sample_seconds=1.0, clock=clock)
    assert t.loops == MAX_LOOPS
    assert t.median == 0.0 and not t.noisy


def test_statistics_from_raw_times() -> None:
    t = Timing(
        times=(5.0, 1.0, 3.0, 2.0, 4.0), loops=1, warmup=1, first_call_seconds=9.0, compile_seconds=None
    )
    assert t.median == 3.0
    assert t.iqr == pytest.approx(2.0)
    assert t.min == 1.0
    assert t.mean == 3.0
    assert t.noisy  # iqr/median = 0.67


def test_noisy_flag_follows_the_threshold() -> None:
    quiet = Timing(
        times=(1.0, 1.01, 1.02, 1.03), loops=1, warmup=1, first_call_seconds=None, compile_seconds=None
    )
    assert quiet.iqr / quiet.median < NOISE_THRESHOLD and not quiet.noisy
    loud = Timing(
        times=(1.0, 1.3, 1.0, 1.3), loops=1, warmup=1, first_call_seconds=None, compile_seconds=None
    )
    assert loud.noisy


def test_to_dict_is_plain_json_and_keeps_raw_times() -> None:
    clock = FakeClock()
    t = measure(clock.work([0.3, 0.1, 0.2, 0.4]), repeat=3, min_sample_seconds=0.0, clock=clock)
    data = json.loads(json.dumps(t.to_dict()))
    assert data["times"] == pytest.approx([0.1, 0.2, 0.4])
    assert {
        "median",
        "iqr",
        "min",
        "noisy",
        "loops",
        "warmup",
        "first_call_seconds",
        "compile_seconds",
    } <= set(data)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"repeat": 0}, "repeat"),
        ({"warmup": -1}, "warmup"),
        ({"min_sample_seconds": -1.0}, "min_sample_seconds"),
        ({"max_seconds": 0.0}, "max_seconds"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        measure(lambda: None, **kwargs)


def test_empty_timing_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one sample"):
        Timing(times=(), loops=1, warmup=0, first_call_seconds=None, compile_seconds=None)


def test_time_solver_compiles_first_and_records_it_apart() -> None:
    clock = FakeClock()
    order: list[str] = []

    class FakeSolver:
        def compile(self, prepared: object, state: object = None) -> float:
            order.append("compile")
            return 2.5

        def bind(self, prepared: object, state: object = None) -> Callable[[], object]:
            order.append(f"bind {prepared} {state}")
            return clock.work(0.2)

    t = time_solver(FakeSolver(), "P", "S", repeat=2, min_sample_seconds=0.0, clock=clock)
    assert order == ["compile", "bind P S"]
    assert t.compile_seconds == 2.5
    assert t.times == pytest.approx((0.2, 0.2))


def test_real_clock_measures_numpy_matmul() -> None:
    np = pytest.importorskip("numpy")
    a = np.ones((32, 32))
    t = measure(lambda: a @ a, repeat=3, min_sample_seconds=1e-3)
    assert t.loops > 1 and len(t.times) == 3 and t.min > 0

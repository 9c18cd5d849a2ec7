"""Statistics and runner schedules."""

from __future__ import annotations

import math

import pytest

from squall.plugin_api.runner import RateSchedule, ramp_segments, split
from squall.task.results.stats import WorkloadStats, percentile


def test_percentile_interpolates_linearly() -> None:
    values = [1.0, 2.0, 3.0, 4.0]
    assert percentile(values, 0.5) == 2.5
    assert math.isclose(percentile(values, 0.9) or 0, 3.7)
    assert percentile([], 0.5) is None


def test_stats_count_every_iteration_and_merge_repeated_atomics() -> None:
    stats = WorkloadStats()
    act = lambda n, s, d, failed=False: {"name": n, "started_at": s, "finished_at": s + d,  # noqa: E731
                                         "failed": failed, "children": []}
    stats.add_iteration({"timestamp": 100.0, "duration": 1.0, "idle_duration": 0.0, "error": [],
                         "atomic_actions": [act("a", 100, 0.2), act("a", 100.3, 0.3)]})
    stats.add_iteration({"timestamp": 101.0, "duration": 3.0, "idle_duration": 0.0, "error": ["E", "m", "tb"],
                         "atomic_actions": [act("a", 101, 0.1, failed=True)]})
    out = stats.to_dict()["durations"]
    total = out["total"]["data"]
    assert total["iteration_count"] == 2 and total["success"] == "50.0%"
    assert total["max"] == 3.0 and total["min"] == 1.0  # failed iterations count too, as in Rally
    # One row per count in an iteration: "a (x2)" for the first, "a" for the second.
    twice, once = out["atomics"]
    assert twice["count_per_iteration"] == 2 and twice["display_name"] == "a (x2)"
    assert math.isclose(twice["data"]["min"], 0.5) and twice["data"]["success"] == "100.0%"
    assert once["display_name"] == "a" and once["data"]["success"] == "0.0%"
    assert stats.load_duration == 3.0 + 1.0  # 100 .. 104
    assert stats.failed == 1


def test_constant_rate_offsets() -> None:
    rate = RateSchedule(ramp_segments(4))
    assert [rate.offset(i) for i in range(3)] == [0.0, 0.25, 0.5]


def test_ramp_offsets_follow_each_step() -> None:
    segs = ramp_segments({"start": 1, "end": 3, "step": 1, "duration": 2})
    assert segs == ((1.0, 2.0), (2.0, 2.0), (3.0, math.inf))
    rate = RateSchedule(segs)
    # 2 iterations in the first 2 s, 4 in the next 2 s, then 3 per second.
    assert [rate.offset(i) for i in range(8)] == [0.0, 1.0, 2.0, 2.5, 3.0, 3.5, 4.0, 4 + 1 / 3]


def test_ramp_from_zero_skips_the_silent_segment() -> None:
    rate = RateSchedule(ramp_segments({"start": 0, "end": 2, "step": 1, "duration": 1}))
    assert rate.offset(0) == 1.0


def test_split() -> None:
    assert split(10, 3) == (4, 3, 3)
    assert sum(split(7, 2)) == 7


def _iteration(start: float, duration: float, lag: float | None = None) -> dict:
    it = {"timestamp": start, "duration": duration, "idle_duration": 0.0, "error": [], "atomic_actions": []}
    if lag is not None:
        it["start_lag"] = lag
    return it


def test_open_loop_statistics_add_the_schedule_closed_loop_ones_do_not() -> None:
    closed = WorkloadStats()
    closed.add_iteration(_iteration(0.0, 1.0))
    assert "schedule" not in closed.to_dict()
    opened = WorkloadStats()
    # Three due at 0, 0.1, 0.2; the last two waited for the first to end (one slot).
    for start, lag in ((0.0, 0.0), (1.0, 0.9), (2.0, 1.8)):
        opened.add_iteration(_iteration(start, 1.0, lag))
    schedule = opened.to_dict()["schedule"]
    assert schedule["from_schedule"]["max"] == 2.8 and schedule["from_schedule"]["min"] == 1.0
    assert schedule["start_lag"]["median"] == 0.9 and schedule["late"] == 2
    assert schedule["max_concurrency"] == 1  # each started as the one before ended
    assert opened.to_dict()["durations"]["total"]["data"]["max"] == 1.0  # Rally's duration is unchanged


def test_the_schedule_rows_show_the_iterations_success_like_every_other_row() -> None:
    stats = WorkloadStats()
    for n in range(4):
        stats.add_iteration({**_iteration(float(n), 0.5, 0.01), "error": ["E", "m", ""] if n else []})
    table = stats.to_dict()
    assert table["durations"]["total"]["data"]["success"] == "25.0%"
    assert table["schedule"]["start_lag"]["success"] == table["schedule"]["from_schedule"]["success"] == "25.0%"


def test_max_overlap_counts_intervals_open_at_once() -> None:
    from squall.task.results.stats import max_overlap

    assert max_overlap([], []) == 0
    assert max_overlap([0, 1, 2], [1, 2, 3]) == 1  # one ends as the next begins
    assert max_overlap([0, 0.5, 0.6, 5], [1, 2, 0.7, 6]) == 3


def test_stages_move_in_straight_lines_and_their_rate_adds_up() -> None:
    from squall.plugin_api.runner import Stages

    users = Stages(0, ((10.0, 100.0), (5.0, 100.0), (5.0, 0.0)))
    assert [users.at(t) for t in (0, 5, 10, 12, 17.5, 20, 99)] == [0, 50, 100, 100, 50, 0, 0]
    assert users.seconds == 20 and users.peak == 100
    assert users.total() == pytest.approx(500 + 500 + 250)
    rate = RateSchedule(users.rate_segments())
    assert rate.offset(0) >= 0 and rate.offset(1249) < 20 and rate.offset(1251) == math.inf


def test_virtual_users_are_numbered_densely_and_in_turn_over_processes_and_shards() -> None:
    from squall.plugin_api.runner import Schedule
    from squall.task.load.dask.shard import shard_schedules
    from squall.task.load.local.worker_base import WorkerBase

    def numbers(schedule: Schedule, worker_id: int) -> list[int]:
        worker = WorkerBase.__new__(WorkerBase)
        worker.schedule, worker.worker_id, worker.slots = schedule, worker_id, schedule.slots[worker_id]
        return [user.number for user in worker.new_users()]

    local = Schedule(processes=2, slots=(3, 2), times=10)
    assert [numbers(local, 0), numbers(local, 1)] == [[0, 2, 4], [1, 3]]
    shards = shard_schedules(Schedule(processes=2, slots=(4, 3), times=20), 3)
    found = sorted(n for shard in shards for n in numbers(shard, 0))
    assert found == list(range(7)) and numbers(shards[0], 0) == [0, 3, 6]

"""``--results aggregate``: what workers fold and squall merges gives the table and verdicts of rows."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

import pytest

from squall.task.engine.intake import AggregateIntake
from squall.task.engine.sinks import SLASink, StatisticsSink
from squall.task.engine.sla_checker import SLAChecker, needs_rows
from squall.task.load import aggregating as aggregate
from squall.task.load.aggregating import AggregatingEmitter
from squall.task.load.emitter import RawResult
from squall.task.results.stats import WorkloadStats
from tests.unit.helpers import CollectingQueue

ORIGIN = 1_800_000_000.0  # the load's start, epoch seconds
SLA = {"failure_rate": {"max": 10}, "max_avg_duration": 0.05, "max_seconds_per_iteration": 0.2,
       "max_avg_duration_per_atomic": {"create": 0.02, "list": 0.01}, "performance_degradation":
       {"max_degradation": 100000}}


def _action(name: str, start: float, took: float, failed: bool = False,
            children: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"name": name, "started_at": start, "finished_at": start + took, "failed": failed,
            "children": children or []}


def _iterations(count: int, seed: int = 7) -> list[RawResult]:
    """Iterations with nested, repeated and failed atomic actions, idle time, failures outside the last
    action, and start lags: every shape the statistics table handles."""
    rng = random.Random(seed)
    out: list[RawResult] = []
    for i in range(count):
        start = ORIGIN + i * 0.004 + rng.random() * 0.002
        create = rng.uniform(0.005, 0.05)
        actions = [_action("create", start, create, children=[_action("auth", start, create / 3)])]
        if i % 3 == 0:
            actions.append(_action("list", start + create, 0.002))
            actions.append(_action("list", start + create + 0.002, 0.003))  # "list (x2)"
        duration = sum(a["finished_at"] - a["started_at"] for a in actions) + rng.uniform(0, 0.002)
        error: list[str] = []
        if i % 11 == 0:
            actions[-1]["failed"] = True
            error = ["ValueError", "boom", "tb"]
        elif i % 17 == 0:
            error = ["KeyError", "after the actions", "tb"]  # fails outside its last action
        idle = 0.001 if i % 5 == 0 else 0.0
        lag = rng.choice([0.0, 0.0, 0.002, 0.03])
        out.append((i + 1, start, duration, idle, error, None, actions, lag))
    return out


def _rows_mode(results: list[RawResult]) -> tuple[WorkloadStats, SLAChecker]:
    stats, sla = WorkloadStats(), SLAChecker(SLA)
    for number, stamp, duration, idle, error, _out, actions, lag in results:
        it = {"iteration": number, "timestamp": stamp, "duration": duration, "idle_duration": idle,
              "error": error, "atomic_actions": actions, "start_lag": lag}
        stats.add_iteration(it)
        sla.add_iteration(it)
    return stats, sla


def _aggregate_mode(results: list[RawResult], workers: int = 3) -> tuple[AggregateIntake, list[dict[str, Any]]]:
    """The results spread over ``workers`` emitters that report at random moments, merged by one intake."""
    rng = random.Random(3)
    queue = CollectingQueue()
    emitters = [AggregatingEmitter(queue, queue, started=[0] * workers, worker_id=k) for k in range(workers)]
    for emitter in emitters:
        emitter.start(ORIGIN)
    # A worker emits each iteration as it ends, so each one's results come in end order.
    by_end = sorted(results, key=lambda r: r[1] + r[2] + r[3])
    for n, result in enumerate(by_end):
        emitter = emitters[n % workers]
        emitter._started[emitter._worker_id] += 1  # type: ignore[index]
        emitter.emit(result)
        if rng.random() < 0.01:  # a report at any moment: through the end of what it emitted
            queue.items.append(_report(emitter, through=result[1] + result[2] + result[3] - ORIGIN))
    for emitter in emitters:
        emitter.flush(final=True)
    return _intake(queue.items, workers)


@dataclass
class Merged:
    """What squall's process made of the reports: the table, the verdicts and the intake of seconds."""

    stats: WorkloadStats
    sla: SLAChecker
    intake: AggregateIntake

    def statistics(self) -> dict[str, Any]:
        return self.intake.statistics()


def _intake(reports: list[dict[str, Any]], sources: int) -> tuple[Merged, list[dict[str, Any]]]:
    """squall's side, through the consumer's sinks: the reports taken in the order they came, and the seconds
    stored."""
    merged = Merged(WorkloadStats(), SLAChecker(SLA), AggregateIntake(WorkloadStats(), sources=sources))
    merged.intake.stats = merged.stats
    merged.intake.origin = ORIGIN
    sinks = [StatisticsSink(merged.stats, lambda: ORIGIN), SLASink(merged.sla, lambda passed: None)]
    records = []
    for report in reports:
        for sink in sinks:
            sink.take_report(report)
        merged.intake.take(report)
        records += merged.intake.complete()
    records += merged.intake.complete(final=True)
    return merged, records


def _rows(table: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    flat = []
    for row in table["durations"]["atomics"] + [table["durations"]["total"]]:
        flat.append((row["display_name"], row["data"]))
        for child in row["children"]:
            flat.append(("> " + child["display_name"], child["data"]))
            for grandchild in child["children"]:
                flat.append(("> > " + grandchild["display_name"], grandchild["data"]))
    return flat


def test_the_table_is_the_rows_table_to_the_histograms_precision() -> None:
    results = _iterations(3000)
    exact, _ = _rows_mode(results)
    intake, _ = _aggregate_mode(results)
    want, got = exact.to_dict(), intake.stats.to_dict()
    assert [name for name, _ in _rows(got)] == [name for name, _ in _rows(want)]
    assert got.get("exact") is False
    for (name, mine), (_, theirs) in zip(_rows(got), _rows(want), strict=True):
        assert mine["iteration_count"] == theirs["iteration_count"], name
        assert mine["success"] == theirs["success"], name
        for key in ("min", "max", "avg"):
            assert math.isclose(mine[key], theirs[key], rel_tol=1e-9, abs_tol=1e-12), (name, key)
        for key in ("median", "90%ile", "95%ile", "99%ile"):
            # 3 significant digits, and the histogram's 1 µs floor
            assert abs(mine[key] - theirs[key]) <= theirs[key] * 2e-3 + 2e-6, (name, key, mine[key], theirs[key])
    assert got["schedule"]["late"] == want["schedule"]["late"]
    assert got["schedule"]["start_lag"]["iteration_count"] == 3000
    assert intake.stats.first_start == pytest.approx(exact.first_start)
    assert intake.stats.last_end == pytest.approx(exact.last_end)


def test_the_sla_gives_the_verdicts_and_figures_of_rows() -> None:
    results = _iterations(2000)
    _, rows_sla = _rows_mode(results)
    intake, _ = _aggregate_mode(results)
    assert [r["detail"] for r in intake.sla.results()] == [r["detail"] for r in rows_sla.results()]
    assert [r["success"] for r in intake.sla.results()] == [r["success"] for r in rows_sla.results()]
    assert [r["success"] for r in intake.sla.results()] == [False, True, True, False, True]
    assert needs_rows({"outliers": {}, "failure_rate": {"max": 0}}) == ["outliers"]


def test_each_second_counts_the_iterations_that_ended_in_it() -> None:
    results = _iterations(2500)
    intake, records = _aggregate_mode(results)
    by_end: dict[int, list[RawResult]] = {}
    for result in results:
        by_end.setdefault(int(math.floor(result[1] + result[2] + result[3] - ORIGIN)), []).append(result)
    merged: dict[int, dict[str, Any]] = {}
    for rec in records:
        assert rec["s"] not in merged  # every worker reported past it before it was stored: stored once
        merged[rec["s"]] = rec
    assert sorted(merged) == sorted(by_end)
    for second, its in by_end.items():
        rec = merged[second]
        assert rec["n"] == len(its)
        assert rec["failed"] == sum(1 for it in its if it[4])
        assert rec["ok_n"] == sum(1 for it in its if not it[4])
        assert rec["busy"] == pytest.approx(sum(it[2] + it[3] for it in its))
        assert rec["ok"][3] == max(it[2] for it in its if not it[4])
        assert rec["a"]["create"][1] == len(its)
    assert intake.statistics()["histogram"]["counts"] and sum(intake.statistics()["histogram"]["counts"]) == sum(
        r["ok_n"] for r in records)


def test_a_second_is_stored_only_once_every_worker_reported_past_it() -> None:
    queue = CollectingQueue()
    fast, slow = (AggregatingEmitter(queue, queue, worker_id=k) for k in range(2))
    for emitter in (fast, slow):
        emitter.start(ORIGIN)
    for second in range(6):
        fast.emit((second + 1, ORIGIN + second + 0.1, 0.01, 0.0, [], None, [], None))
    fast.flush(final=True)  # through: the end of the load
    intake = AggregateIntake(WorkloadStats(), sources=2)
    intake.origin = ORIGIN
    intake.take(queue.items.pop())
    assert intake.complete() == []  # the slow worker has not reported: nothing is complete
    slow.emit((7, ORIGIN + 1.5, 0.01, 0.0, [], None, [], None))
    report = _report(slow, through=2.5)
    intake.take(report)
    done = intake.complete()
    assert [r["s"] for r in done] == [0, 1]  # seconds 0 and 1 are complete; 2 is not (through 2.5)
    assert done[1]["n"] == 2  # one from each worker
    assert [r["s"] for r in intake.complete(final=True)] == [2, 3, 4, 5]


def _report(emitter: AggregatingEmitter, through: float) -> dict[str, Any]:
    queue: CollectingQueue = emitter.queue
    emitter.flush(final=True)
    report = queue.items.pop()
    report["through"] = through
    return report  # type: ignore[no-any-return]


def test_reports_come_about_once_a_second() -> None:
    queue = CollectingQueue()
    emitter = AggregatingEmitter(queue, queue)
    emitter.start(ORIGIN)
    emitter.emit((1, ORIGIN, 0.01, 0.0, [], None, [], None))
    emitter.flush()
    assert queue.items == []  # the worker flushes every 50 ms; a report waits for REPORT_SECONDS
    emitter._last_report -= aggregate.REPORT_SECONDS
    emitter.flush()
    assert len(queue.items) == 1 and queue.items[0]["count"] == 1


def _closed_loop_iterations(count: int) -> list[RawResult]:
    """HTTP-like closed-loop iterations: mostly one successful action, some failed, some with idle time or a
    second action (no start lag: the closed loop has none)."""
    rng = random.Random(11)
    out: list[RawResult] = []
    for i in range(count):
        start = ORIGIN + i * 0.0007 + rng.random() * 0.0005
        took = rng.uniform(0.0001, 0.003)
        actions = [_action("http.get", start, took)]
        error: list[str] = []
        idle = 0.0
        if i % 13 == 0:
            actions[0]["failed"] = True
            error = ["StatusCodeError", "503", "tb"]
        elif i % 29 == 0:
            idle = 0.0005
        elif i % 31 == 0:
            actions.append(_action("http.get", start + took, 0.001))  # "http.get (x2)"
        out.append((i + 1, start, took + rng.uniform(0, 0.00002), idle, error, None, actions, None))
    return out


def _plain(result: RawResult) -> bool:
    _n, _start, _duration, idle, error, _output, actions, _lag = result
    return not error and not idle and len(actions) == 1 and not actions[0]["children"]


def test_successes_recorded_in_columns_fold_as_their_rows() -> None:
    # The worker's cheap path (ok_recorder: three columns, folded once per report) against every result
    # emitted whole: the same table, seconds and SLA verdicts.
    results = sorted(_closed_loop_iterations(4000), key=lambda r: r[1] + r[2] + r[3])
    runs = []
    for columns in (False, True):
        queue = CollectingQueue()
        emitter = AggregatingEmitter(queue, queue)
        emitter.start(ORIGIN)
        record = emitter.ok_recorder("http.get")
        assert record is not None
        for n, result in enumerate(results):
            if columns and _plain(result):
                record(result[0], result[1], result[2], result[6][0]["finished_at"])
            else:
                emitter.emit(result)
            if n % 997 == 0:
                queue.items.append(_report(emitter, through=result[1] + result[2] + result[3] - ORIGIN))
        emitter.flush(final=True)
        runs.append(_intake(queue.items, 1))
    (whole, whole_records), (cols, cols_records) = runs
    assert sum(1 for r in results if _plain(r)) > 3000
    want, got = whole.stats.to_dict(), cols.stats.to_dict()
    assert [name for name, _ in _rows(got)] == [name for name, _ in _rows(want)] == [
        "http.get", "http.get (x2)", "total", "> duration", "> idle_duration"]
    for (name, mine), (_, theirs) in zip(_rows(got), _rows(want), strict=True):
        assert mine.pop("success") == theirs.pop("success"), name
        assert mine == pytest.approx(theirs, rel=1e-9), name
    assert cols.stats.first_start == whole.stats.first_start and cols.stats.last_end == whole.stats.last_end
    assert [r["detail"] for r in cols.sla.results()] == [r["detail"] for r in whole.sla.results()]
    assert len(cols_records) == len(whole_records) > 2
    for mine, theirs in zip(cols_records, whole_records, strict=True):
        assert {k: mine[k] for k in ("s", "n", "failed", "ok_n")} == {k: theirs[k] for k in ("s", "n", "failed",
                                                                                         "ok_n")}
        assert mine["busy"] == pytest.approx(theirs["busy"], rel=1e-9)
        assert mine["a"].keys() == theirs["a"].keys()
        for name, (total, count) in theirs["a"].items():
            assert mine["a"][name] == [pytest.approx(total, rel=1e-9), count], name


def test_an_open_loop_records_every_result_whole() -> None:
    # Each end in an open loop updates the in-flight peak: no column recorder there.
    emitter = AggregatingEmitter(CollectingQueue(), CollectingQueue(), started=[0], worker_id=0)
    assert emitter.ok_recorder("http.get") is None

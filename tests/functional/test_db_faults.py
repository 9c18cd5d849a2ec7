"""A locked or full database: a clear error, exit code 1, and nothing already stored is lost."""

from __future__ import annotations

import json
import resource
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from squall.api import API
from tests.conftest import CLI, IN_CI, SQUALL
from tests.functional.helpers import iterations, only_workload, v2_task


def _task_file(tmp_path: Path, times: int, sleep: float = 0.0, concurrency: int = 2) -> Path:
    path = tmp_path / f"dummy-{times}.json"
    path.write_text(v2_task("Dummy.dummy", {"sleep": sleep},
                            runner={"constant": {"times": times, "concurrency": concurrency}}))
    return path


def _stored_task(cli: CLI, tmp_path: Path) -> dict:
    cli("task", "start", str(_task_file(tmp_path, 25)), check=True)
    return json.loads(cli("task", "list", "--json", check=True).stdout)[-1]


def _integrity(db_file: Path) -> str:
    with sqlite3.connect(db_file) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_sqlite_locked_by_another_process(cli: CLI, home: Path, tmp_path: Path, api: API) -> None:
    before = _stored_task(cli, tmp_path)
    holder = sqlite3.connect(home / "squall.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        cli.env["SQUALL_DB_LOCK_TIMEOUT"] = "1"
        # Readers go on (WAL); a writer waits for the lock, then gives up with advice.
        assert cli("task", "list", "--json", check=True).stdout
        refused = cli("env", "create", "--name", "while-locked")
        assert refused.returncode == 1
        assert "database is locked" in refused.stderr and "SQUALL_DB_LOCK_TIMEOUT" in refused.stderr
        assert "Traceback" not in refused.stderr
        started = cli("task", "start", str(_task_file(tmp_path, 5)))
        assert started.returncode == 1 and "database is locked" in started.stderr
        assert "Traceback" not in started.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    del cli.env["SQUALL_DB_LOCK_TIMEOUT"]
    assert cli("env", "create", "--name", "after-lock").returncode == 0
    task = api.task.get(task_id=before["uuid"])
    assert task["status"] == "finished" and len(iterations(api, before["uuid"])) == 25
    assert _integrity(home / "squall.db") == "ok"


def test_sqlite_lock_held_briefly_during_a_run_costs_nothing(cli: CLI, home: Path, tmp_path: Path,
                                                             api: API) -> None:
    """A lock shorter than the timeout only delays the writes: every iteration is stored."""
    cli("db", "create", check=True)
    proc = cli.popen("task", "start", str(_task_file(tmp_path, 800, sleep=0.01)))  # about 4 s
    deadline = time.time() + 60
    while not api.task.list(status="running") and time.time() < deadline:
        time.sleep(0.05)
    holder = sqlite3.connect(home / "squall.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    time.sleep(2)
    holder.execute("ROLLBACK")
    holder.close()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    uuid = api.task.list()[-1]["uuid"]
    wl = only_workload(api.task.get(task_id=uuid))
    assert wl["status"] == "finished" and wl["total_iteration_count"] == 800
    assert len(iterations(api, uuid)) == 800


@pytest.mark.postgres
def test_postgresql_locked_by_another_session(cli: CLI, postgres_url: str) -> None:
    import psycopg

    cli.env["SQUALL_DB_URL"] = postgres_url
    cli("env", "create", "--name", "pg-lock-before", check=True)
    holder = psycopg.connect(postgres_url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        holder.execute("LOCK TABLE envs IN ACCESS EXCLUSIVE MODE")
        cli.env["SQUALL_DB_LOCK_TIMEOUT"] = "1"
        refused = cli("env", "create", "--name", "pg-while-locked")
        assert refused.returncode == 1
        assert "lock timeout" in refused.stderr and "SQUALL_DB_LOCK_TIMEOUT" in refused.stderr
        assert "Traceback" not in refused.stderr
    finally:
        holder.rollback()
        holder.close()
    names = cli("env", "list", check=True).stdout
    assert "pg-lock-before" in names and "pg-while-locked" not in names


def _cut_short_run_left_a_sound_database(cli: CLI, api: API, db_file: Path, before: dict,
                                         proc: subprocess.CompletedProcess[str], message: str,
                                         tmp_path: Path) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    # With room again: the database is sound, the old task whole, the cut-short one marked crashed.
    assert _integrity(db_file) == "ok"
    assert len(iterations(api, before["uuid"])) == 25
    cut = api.task.get(task_id=api.task.list()[-1]["uuid"])
    assert cut["uuid"] != before["uuid"] and cut["status"] == "crashed"
    wl = only_workload(cut)
    assert 0 < wl["total_iteration_count"] < 200_000
    assert len(iterations(api, cut["uuid"])) == wl["total_iteration_count"]
    assert cli("task", "start", str(_task_file(tmp_path, 5))).returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs: a disk that really fills up (ENOSPC)."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        if IN_CI:
            pytest.fail(f"cannot mount a tmpfs for the full-disk test: {done.stderr.strip()}")
        pytest.skip(f"this machine refuses mounts (run as root): {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_full_disk_in_the_middle_of_a_run(cli: CLI, small_disk: Path, tmp_path: Path) -> None:
    """No space left while iterations stream in: the run stops with a clear error; the database stays sound."""
    home = small_disk / "home"
    cli.env["SQUALL_HOME"] = str(home)
    before = _stored_task(cli, tmp_path)
    proc = cli("task", "start", str(_task_file(tmp_path, 200_000, concurrency=4)), timeout=300)
    subprocess.run(["mount", "-o", "remount,size=256m", str(small_disk)], check=True)  # space again
    api = API(db_url=f"sqlite:///{home / 'squall.db'}")
    _cut_short_run_left_a_sound_database(cli, api, home / "squall.db", before, proc,
                                         "database or disk is full", tmp_path)


def test_write_error_in_the_middle_of_a_run(cli: CLI, home: Path, tmp_path: Path, api: API) -> None:
    """A write the system refuses (here: past RLIMIT_FSIZE, EFBIG; Python ignores SIGXFSZ) mid-run."""
    before = _stored_task(cli, tmp_path)
    db_file = home / "squall.db"
    wal = db_file.with_name("squall.db-wal")
    room = max(db_file.stat().st_size, wal.stat().st_size if wal.exists() else 0) + 1024 * 1024

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    task = _task_file(tmp_path, 200_000, concurrency=4)
    proc = subprocess.run([*SQUALL, "task", "start", str(task)], capture_output=True, text=True, env=cli.env,
                          cwd=cli.cwd, timeout=300, preexec_fn=limit_file_size)
    _cut_short_run_left_a_sound_database(cli, api, db_file, before, proc, "disk I/O error", tmp_path)


@pytest.mark.parametrize("how", ["file", "folder", "replaced"])
def test_database_file_gone_in_the_middle_of_a_run(cli: CLI, home: Path, tmp_path: Path, api: API,
                                                   how: str) -> None:
    """The SQLite file deleted or swapped under a run: exit 1 with the reason, never 'finished'."""
    cli("db", "create", check=True)
    db_file = home / "squall.db"
    proc = subprocess.Popen([*SQUALL, "task", "start", str(_task_file(tmp_path, 200_000, sleep=0.001))],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli.env, cwd=cli.cwd)
    try:
        deadline = time.monotonic() + 120
        while not [t for t in api.task.list() if t["status"] == "running"]:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        if how == "folder":
            shutil.rmtree(home)
        elif how == "file":
            for path in home.glob("squall.db*"):
                path.unlink()
        else:
            spare = tmp_path / "spare.db"
            sqlite3.connect(spare).close()
            spare.replace(db_file)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, out + err
    assert "was deleted or replaced while squall was using it" in err and "Traceback" not in err
    assert "finished" not in out


def test_postgresql_refusing_chunk_writes_mid_run_stops_it_soundly(cli: CLI, postgres_url: str,
                                                                    tmp_path: Path) -> None:
    """A chunk write PostgreSQL refuses mid-run (a lock held past SQUALL_DB_LOCK_TIMEOUT) stops the run with
    the reason; the task is marked crashed and what was stored is whole, each chunk once."""
    import psycopg

    cli.env["SQUALL_DB_URL"] = postgres_url
    cli.env["SQUALL_DB_LOCK_TIMEOUT"] = "1"
    pg = API(db_url=postgres_url)
    pg.db.recreate(confirm=True)
    proc = cli.popen("task", "start", str(_task_file(tmp_path, 2_000_000, sleep=0.0001)))
    deadline = time.time() + 120
    while not any(w["done"] for t in pg.task.list(status="running")
                  for w in pg.task.progress(task_id=t["uuid"])["workloads"]):
        assert time.time() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    holder = psycopg.connect(postgres_url.replace("postgresql+psycopg://", "postgresql://"))
    try:
        holder.execute("LOCK TABLE workload_data IN ACCESS EXCLUSIVE MODE")
        time.sleep(3)  # longer than the lock timeout: the next chunk write is refused
    finally:
        holder.rollback()
        holder.close()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, out + err
    assert "lock timeout" in err and "Traceback" not in err, err
    cut = pg.task.get(task_id=pg.task.list()[-1]["uuid"])
    assert cut["status"] == "crashed"
    wl = only_workload(cut)
    assert 0 < wl["total_iteration_count"] < 2_000_000
    assert len(iterations(pg, cut["uuid"])) == wl["total_iteration_count"]
    numbers = sorted(it["iteration"] for it in iterations(pg, cut["uuid"]))
    assert len(set(numbers)) == len(numbers)  # no chunk stored twice


def _big_export(cli: CLI, tmp_path: Path, workloads: int = 3, rows: int = 60_000) -> Path:
    """A Rally-style export of one task with several large workloads: its import cannot fit a small disk."""
    task = tmp_path / "one.json"
    task.write_text(json.dumps({"Dummy.dummy": [{"runner": {"type": "serial", "times": 2}}]}))
    cli("task", "start", str(task), check=True)
    exported = tmp_path / "one-export.json"
    cli("task", "export", "--type", "json", "--to", str(exported), check=True)
    doc = json.loads(exported.read_text())
    workload = doc["tasks"][0]["subtasks"][0]["workloads"][0]
    row = workload["data"][0]
    data = [dict(row, timestamp=row["timestamp"] + i * 1e-3) for i in range(rows)]
    doc["tasks"][0]["subtasks"][0]["workloads"] = [
        dict(workload, data=data, position=number, total_iteration_count=rows) for number in range(workloads)]
    doc["tasks"][0]["uuid"] = "big-import"
    big = tmp_path / "big-import.json"
    big.write_text(json.dumps(doc))
    return big


def _import_refused_and_retried(cli: CLI, api: API, proc: subprocess.CompletedProcess[str], message: str,
                                before: list[dict], big: Path, db_file: Path) -> None:
    """Nothing of a refused import is stored (never a task that looks whole); with room again a retry
    stores the task once, whole."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert message in proc.stderr and "what was stored before is kept" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert _integrity(db_file) == "ok"
    after = api.task.list()
    assert [t["uuid"] for t in after] == [t["uuid"] for t in before], after
    cli("task", "import", str(big), check=True, timeout=300)
    imported = [t for t in api.task.list() if t["imported_from"] == "big-import"]
    assert [t["status"] for t in imported] == ["finished"], imported
    workloads = [wl for sub in api.task.get(task_id=imported[0]["uuid"])["subtasks"] for wl in sub["workloads"]]
    assert [wl["total_iteration_count"] for wl in workloads] == [60_000] * 3


def test_full_disk_in_the_middle_of_an_import(cli: CLI, small_disk: Path, tmp_path: Path) -> None:
    """No space left while an exported task is imported: exit 1 with the reason, nothing half-stored."""
    home = small_disk / "home"
    cli.env["SQUALL_HOME"] = str(home)
    big = _big_export(cli, tmp_path)
    api = API(db_url=f"sqlite:///{home / 'squall.db'}")
    before = api.task.list()
    proc = cli("task", "import", str(big), timeout=300)
    subprocess.run(["mount", "-o", "remount,size=256m", str(small_disk)], check=True)  # space again
    _import_refused_and_retried(cli, api, proc, "database or disk is full", before, big, home / "squall.db")


def test_write_error_in_the_middle_of_an_import(cli: CLI, home: Path, tmp_path: Path, api: API) -> None:
    """A write the system refuses (past RLIMIT_FSIZE: EFBIG) while an import is stored."""
    big = _big_export(cli, tmp_path)
    before = api.task.list()
    db_file = home / "squall.db"
    wal = db_file.with_name("squall.db-wal")
    room = max(db_file.stat().st_size, wal.stat().st_size if wal.exists() else 0) + 1024 * 1024

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

    proc = subprocess.run([*SQUALL, "task", "import", str(big)], capture_output=True, text=True, env=cli.env,
                          cwd=cli.cwd, timeout=300, preexec_fn=limit_file_size)
    _import_refused_and_retried(cli, api, proc, "disk I/O error", before, big, db_file)

"""Verifications at scale: import and report a 50,000-test subunit v2 stream (generated), time and peak memory.

Rally 5.1.1 is not measured beside squall here because it cannot import a
subunit v2 file at all: its `verify import` reads the file as UTF-8 text and
fails on the first byte (0xB3), and its API wraps the data in io.StringIO,
which subunit's byte parser cannot read (tests/rally/test_verify_like_rally.py
asserts this on Rally itself). bench/bench_verify_tempest.py measures `verify
start` beside Rally's instead.

    python bench/bench_verify.py [--tests N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procmem import run_measured  # noqa: E402
from results import write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SQUALL = [sys.executable, "-m", "squall.cli.main"]


def stream(path: Path, tests: int) -> None:
    """A Tempest-like subunit v2 stream: 1 in 20 tests fails with a traceback, 1 in 10 is skipped."""
    import subunit

    with path.open("wb") as f:
        out = subunit.StreamResultToBytes(f)
        start = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        for i in range(tests):
            name = f"tempest.api.compute.servers.test_{i // 100}.ServersTest.test_{i}[id-{i:08x},smoke]"
            t0 = start + dt.timedelta(milliseconds=10 * i)
            out.status(test_id=name, test_status="inprogress", timestamp=t0)
            if i % 20 == 1:
                out.status(test_id=name, file_name="traceback", mime_type="text/plain;charset=utf8", eof=True,
                           file_bytes=b"Traceback (most recent call last):\n  ...\nAssertionError: 500 != 200\n")
                status = "fail"
            elif i % 10 == 2:
                out.status(test_id=name, file_name="reason", mime_type="text/plain;charset=utf8", eof=True,
                           file_bytes=b"Cinder is not available")
                status = "skip"
            else:
                status = "success"
            out.status(test_id=name, test_status=status, timestamp=t0 + dt.timedelta(milliseconds=7))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tests", type=int, default=50_000)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = dict(os.environ, SQUALL_HOME=str(work / "home"))
        env.pop("SQUALL_DB_URL", None)
        path = work / "run.subunit"
        stream(path, opts.tests)
        size = path.stat().st_size / 1e6
        squall = [*SQUALL]
        run_measured([*squall, "verify", "create-verifier", "--name", "t", "--type", "subunit", "--settings",
                      '{"command": "true"}'], env=env, cwd=str(ROOT))
        imported = run_measured([*squall, "verify", "import", "--file", str(path)], env=env, cwd=str(ROOT))
        assert imported["rc"] == 0, imported["output"][-2000:]
        report = run_measured([*squall, "verify", "report", "--to", str(work / "r.html")], env=env, cwd=str(ROOT))
        assert report["rc"] == 0, report["output"][-2000:]
        html_mb = (work / "r.html").stat().st_size / 1e6
    rows = [
        f"| verify import of {opts.tests:,} tests ({size:.1f} MB subunit v2) | {imported['wall']:.2f} s | "
        f"{imported['peak_mb']:.1f} MB | {opts.tests / imported['wall']:,.0f} tests/s |",
        f"| verify report --type html of the same run ({html_mb:.1f} MB page) | {report['wall']:.2f} s | "
        f"{report['peak_mb']:.1f} MB | |",
    ]
    body = ("Rally 5.1.1 is not measured beside it: it cannot import a subunit v2 file at all (`rally verify "
            "import` reads it as UTF-8 text and fails on its first byte, 0xB3; its API wraps the data in "
            "io.StringIO), which tests/rally/test_verify_like_rally.py asserts on Rally itself. "
            "bench/bench_verify_tempest.py compares `verify start` with Rally's.\n\n"
            "| measure | wall | peak memory (PSS) | rate |\n|---|---|---|---|\n" + "\n".join(rows) + "\n")
    print(write_section("bench/bench_verify.py", body))


if __name__ == "__main__":
    main()

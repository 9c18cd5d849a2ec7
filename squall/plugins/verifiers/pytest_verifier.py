"""``pytest``: any pytest suite, with every status pytest knows (xfail and unexpected passes included)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from squall.registry import JSON_SCHEMA, configure
from squall.verify.results import TestResult, bounded_text
from squall.verify.verifier import SUITE_RUN_ARGS, Process, Verifier, command_of, follow_lines

SUPPORT = Path(__file__).resolve().parents[2] / "verify" / "pytest_support"


def _check_started(code: int, seen: int, said: str) -> None:
    """A run that ended with no test result and a failing exit code could not start: say pytest's own words.

    pytest exits 0 or 1 after running tests, 2 when interrupted, 3 on an
    internal error, 4 on a usage error and 5 when it collected nothing.
    """
    if seen or code == 0:
        return
    lines = [line for line in said.strip().splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line or line.startswith(("E ", "ERROR"))]
    shown = "; ".join((errors or lines)[-3:])[-1000:]
    what = "collected no tests" if code == 5 else "could not run the suite"
    raise RuntimeError(f"pytest {what} (exit code {code})" + (f": {shown}" if shown else ""))


@configure(name="pytest")
class PytestVerifier(Verifier):
    """Run ``pytest PATH ARGS`` with squall's result plugin; ``python`` picks the interpreter.

    Run arguments: ``pattern`` (pytest's ``-k``), ``concurrency`` (pytest-xdist's ``-n``, when the suite
    has it), ``load_list`` (test ids to run) and ``skip_list`` (test ids to leave out, by reason).
    """

    RUNS_COMMANDS: ClassVar[bool] = True
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {
            "path": {"type": "string", "minLength": 1},
            "args": {"type": "array", "items": {"type": "string"}},
            "python": {"type": "string", "minLength": 1},
        },
        "required": ["path"],
        "additionalProperties": False,
    }

    def _python(self) -> str:
        return str(self.settings.get("python") or sys.executable)

    def version(self) -> str:
        """pytest's version in the suite's interpreter."""
        try:
            out = subprocess.run([self._python(), "-m", "pytest", "--version"], capture_output=True, text=True,
                                 timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr).strip() else ""

    def list_tests(self, pattern: str | None = None) -> list[str]:
        """``pytest --collect-only -q``: the suite's test ids."""
        suite = Path(self.settings["path"]).expanduser().resolve()
        argv = [self._python(), "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", str(suite)]
        if pattern:
            argv += ["-k", pattern]
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=300,
                                 cwd=suite if suite.is_dir() else suite.parent)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RuntimeError(f"cannot list the tests: {exc}") from None
        return [line.strip() for line in out.stdout.splitlines() if "::" in line]

    @classmethod
    def run_args_schema(cls) -> dict[str, Any]:
        """pattern, concurrency, load_list and skip_list."""
        return SUITE_RUN_ARGS

    def run(self, workdir: Path, run_args: dict[str, Any]) -> Iterator[TestResult]:
        """Run the suite; each test's result as soon as it ends."""
        out = workdir / "results.jsonl"
        argv = [self._python(), "-m", "pytest", "-p", "squall_pytest_results", "-q", "-p", "no:cacheprovider"]
        if run_args.get("pattern"):
            argv += ["-k", run_args["pattern"]]
        if run_args.get("concurrency"):
            argv += ["-n", str(run_args["concurrency"])]
        skips = dict(run_args.get("skip_list") or {})
        for test_id in skips:
            argv += ["--deselect", test_id]
        suite = Path(self.settings["path"]).expanduser().resolve()
        # Test ids are relative to the suite's folder: run there, so a load list of earlier ids finds them.
        cwd = suite if suite.is_dir() else suite.parent
        tests = list(run_args.get("load_list") or []) or [str(suite)]
        argv += [*command_of(self.settings.get("args") or []), *tests]
        process = Process(argv, cwd, env={"SQUALL_PYTEST_RESULTS": str(out), "PYTHONPATH": str(SUPPORT)},
                          output=workdir / "output.log")
        seen = len(skips)  # everything deselected: pytest says it collected nothing, and that is right
        try:
            for test_id, reason in skips.items():
                yield {"name": test_id, "status": "skip", "duration": 0.0, "reason": bounded_text(reason)}
            for line in follow_lines(out, process):
                seen += 1
                record = json.loads(line)
                result: TestResult = {"name": str(record["name"]), "status": str(record["status"]),
                                      "duration": float(record.get("duration") or 0.0),
                                      "timestamp": float(record.get("timestamp") or 0.0)}
                for key in ("reason", "traceback"):
                    if record.get(key):
                        result[key] = bounded_text(str(record[key]))  # type: ignore[literal-required]
                yield result
            _check_started(process.wait(), seen, process.tail(3000))
        finally:
            process.stop()

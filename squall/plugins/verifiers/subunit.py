"""``subunit`` and ``stestr``: any command that writes a subunit v2 stream on its standard output."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from squall.registry import JSON_SCHEMA, configure
from squall.verify.results import TestResult
from squall.verify.subunit_reader import read_subunit
from squall.verify.verifier import POLL_SECONDS, Process, Verifier, command_of


class _Following:
    """A file another process is still writing, read as a stream that ends when the process does."""

    def __init__(self, path: Path, process: Process) -> None:
        self.file = path.open("rb")
        self.process = process

    def read(self, size: int = -1) -> bytes:
        while True:
            alive = self.process.running()
            data = self.file.read(size)
            if data or not alive:
                return data
            time.sleep(POLL_SECONDS)


@configure(name="subunit")
class SubunitVerifier(Verifier):
    """Run ``command`` (in ``cwd``); its standard output is read as subunit v2 while it runs."""

    RUNS_COMMANDS: ClassVar[bool] = True
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {"command": {"oneOf": [{"type": "string", "minLength": 1},
                                             {"type": "array", "items": {"type": "string"}, "minItems": 1}]},
                       "cwd": {"type": "string", "minLength": 1}},
        "required": ["command"],
        "additionalProperties": False,
    }

    def argv(self, run_args: dict[str, Any]) -> list[str]:
        """The command line for these run arguments."""
        return command_of(self.settings["command"])

    def run(self, workdir: Path, run_args: dict[str, Any]) -> Iterator[TestResult]:
        """Start the command, read its stream as it comes."""
        cwd = Path(self.settings.get("cwd") or workdir)
        process = Process(self.argv(run_args), cwd if cwd.is_dir() else workdir, output=workdir / "subunit.bin",
                          stderr=workdir / "stderr.log")
        stream = _Following(workdir / "subunit.bin", process)
        try:
            yield from read_subunit(stream)  # type: ignore[arg-type]
        finally:
            process.stop()


@configure(name="stestr")
class StestrVerifier(SubunitVerifier):
    """Run an stestr suite in ``cwd``: ``stestr run --subunit`` with the pattern and concurrency given."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {"cwd": {"type": "string", "minLength": 1},
                       "stestr": {"type": "string", "minLength": 1}},
        "required": ["cwd"],
        "additionalProperties": False,
    }

    @classmethod
    def run_args_schema(cls) -> dict[str, Any]:
        """pattern (a regex) and concurrency."""
        return {"type": "object", "additionalProperties": False, "properties": {
            "pattern": {"type": "string"}, "concurrency": {"type": "integer", "minimum": 0}}}

    def argv(self, run_args: dict[str, Any]) -> list[str]:
        """``stestr run --subunit [--concurrency N] [PATTERN]``."""
        argv = [self.settings.get("stestr") or "stestr", "run", "--subunit"]
        if run_args.get("concurrency"):
            argv += ["--concurrency", str(run_args["concurrency"])]
        if run_args.get("pattern"):
            argv.append(run_args["pattern"])
        return argv

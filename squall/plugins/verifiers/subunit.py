"""``subunit`` and ``stestr``: any command that writes a subunit v2 stream on its standard output."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from squall.registry import JSON_SCHEMA, configure
from squall.verify.results import TestResult
from squall.verify.subunit_reader import run_subunit
from squall.verify.verifier import Verifier, command_of


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

    def run_cwd(self, workdir: Path) -> Path:
        """Where the command runs: ``cwd`` when it is a folder, else the run's own folder."""
        cwd = Path(self.settings.get("cwd") or workdir)
        return cwd if cwd.is_dir() else workdir

    def run_env(self, workdir: Path) -> dict[str, str]:
        """Variables added to the command's environment."""
        return {}

    def run(self, workdir: Path, run_args: dict[str, Any]) -> Iterator[TestResult]:
        """Start the command, read its stream as it comes."""
        yield from run_subunit(self.argv(run_args), self.run_cwd(workdir), self.run_env(workdir), workdir)


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

"""``junit``: any command that writes JUnit XML to the path squall gives it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from squall.registry import JSON_SCHEMA, configure
from squall.verify.results import TestResult, read_junit
from squall.verify.verifier import Process, Verifier, command_of


@configure(name="junit")
class JUnitVerifier(Verifier):
    """Run ``command``; every ``{junit}`` in it becomes the path of the JUnit XML file it must write.

    The results are read when the command ends (JUnit XML is one document).
    """

    RUNS_COMMANDS: ClassVar[bool] = True
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {"command": {"oneOf": [{"type": "string", "minLength": 1},
                                             {"type": "array", "items": {"type": "string"}, "minItems": 1}]}},
        "required": ["command"],
        "additionalProperties": False,
    }

    def run(self, workdir: Path, run_args: dict[str, Any]) -> Iterator[TestResult]:
        """Run the command, then read the file it wrote."""
        path = workdir / "junit.xml"
        argv = [part.replace("{junit}", str(path)) for part in command_of(self.settings["command"])]
        process = Process(argv, workdir)
        try:
            code = process.wait()
        finally:
            process.stop()
        if not path.exists():
            raise RuntimeError(f"the command wrote no JUnit XML to {path}: {process.tail(1000)}")
        seen = 0
        with path.open("rb") as stream:
            for result in read_junit(stream):
                seen += 1
                yield result
        if code and not seen:
            raise RuntimeError(f"the command exited with code {code} and reported no test: {process.tail(1000)}")

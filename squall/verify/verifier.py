"""The verifier plugin kind: a test suite and how to run it, yielding each test's result as it ends.

A verifier plugin (one file under ``squall/plugins/verifiers/``, or a
platform's folder) has a ``CONFIG_SCHEMA`` for its settings (what
``create-verifier`` stores), ``version()`` and ``run()``, which starts the
suite in ``workdir`` and yields :class:`~squall.verify.results.TestResult`
dicts while it runs. A verifier that needs software of its own
(``INSTALLS``) installs it in its ``home`` folder at creation; one that
runs from a configuration file made for each environment (Tempest's
``tempest.conf``) returns it from ``configure()`` and finds it in
``self.config`` when it runs.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from squall import exceptions, registry
from squall.verify.results import TestResult

POLL_SECONDS = 0.2
# The run arguments of a suite that can pick, skip and parallelise its tests (pytest, Tempest).
SUITE_RUN_ARGS: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": {
    "pattern": {"type": "string"}, "concurrency": {"type": "integer", "minimum": 0},
    "load_list": {"type": "array", "items": {"type": "string"}},
    "skip_list": {"type": "object", "additionalProperties": {"type": "string"}}}}


class Verifier(registry.Plugin):
    """Base of verifier plugins."""

    plugin_kind: ClassVar[str] = "verifier"
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {"type": "object"}
    INSTALLS: ClassVar[bool] = False  # create/update install software (so a service needs --allow-exec)

    def __init__(self, settings: dict[str, Any], env_spec: dict[str, Any] | None = None,
                 home: Path | None = None) -> None:
        self.settings = settings
        self.env_spec = env_spec or {}
        self.home = home or Path(".")
        self.config: str | None = None

    def install(self) -> str:
        """Install what the suite needs in ``home``; returns the version installed ("" when nothing is)."""
        return ""

    def configure(self) -> str | None:
        """The configuration file this environment needs, as text (None: this verifier has none)."""
        return None

    def extend_config(self, config: str, options: str | dict[str, dict[str, Any]]) -> str:
        """The configuration with ``options`` added (or replacing the values there)."""
        raise exceptions.InvalidArgumentsError(f"the {self.plugin_name} verifier has no configuration to extend")

    def override_config(self, config: str, new: str) -> str:
        """``new`` as the configuration, checked."""
        raise exceptions.InvalidArgumentsError(f"the {self.plugin_name} verifier has no configuration to override")

    def shown_config(self, config: str) -> str:
        """The configuration as it may be shown and kept with a run: its secrets hidden."""
        return config

    def version(self) -> str:
        """The suite's version as the verifier reports it ("" when unknown)."""
        return ""

    def run(self, workdir: Path, run_args: dict[str, Any]) -> Iterator[TestResult]:
        """Run the suite; yield each test's result as it ends."""
        raise NotImplementedError

    def list_tests(self, pattern: str | None = None) -> list[str]:
        """The ids of the suite's tests (matching ``pattern``), without running them."""
        raise exceptions.InvalidArgumentsError(f"the {self.plugin_name} verifier cannot list its tests")

    @classmethod
    def run_args_schema(cls) -> dict[str, Any]:
        """The run arguments this verifier understands (``pattern``, ``concurrency``, ...)."""
        return {"type": "object", "properties": {"pattern": {"type": "string"}}, "additionalProperties": False}


def command_of(value: str | list[str]) -> list[str]:
    """A command given as one string (split as a shell would, without running one) or a list."""
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


class Process:
    """A suite's process: started in its own session, stopped with its children."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str] | None = None,
                 output: Path | None = None, stderr: Path | None = None) -> None:
        self.argv = argv
        self.output = output or cwd / "output.log"
        errors = stderr.open("wb") if stderr else None
        try:
            with self.output.open("wb") as out:
                self.proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                             stderr=errors or subprocess.STDOUT, env={**os.environ, **(env or {})},
                                             start_new_session=True)
        except OSError as exc:
            raise RuntimeError(f"cannot run {argv[0]}: {exc.strerror}") from None
        finally:
            if errors:
                errors.close()

    def running(self) -> bool:
        """True while the process has not exited."""
        return self.proc.poll() is None

    def stop(self) -> None:
        """Kill the suite and everything it started."""
        if self.running():
            try:
                os.killpg(self.proc.pid, 9)
            except ProcessLookupError:
                pass
        self.proc.wait()

    def wait(self) -> int:
        """Its exit code, once it exits."""
        return self.proc.wait()

    def tail(self, limit: int = 4000) -> str:
        """The end of what it printed."""
        data = self.output.read_bytes()[-limit:]
        return data.decode("utf-8", "replace")


def follow_lines(path: Path, process: Process) -> Iterator[str]:
    """The lines written to ``path`` while ``process`` runs, and those left when it ends."""
    position = 0
    pending = b""
    while True:
        alive = process.running()
        if path.exists():
            with path.open("rb") as f:
                f.seek(position)
                data = f.read()
                position += len(data)
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if line.strip():
                    yield line.decode("utf-8", "replace")
        if not alive:
            if pending.strip():
                yield pending.decode("utf-8", "replace")
            return
        time.sleep(POLL_SECONDS)

"""``tempest``: OpenStack's functional suite, installed from PyPI in a venv of the verifier's own.

Creating the verifier installs Tempest (``version``, default 47.0.0) into
``venv`` (default: the verifier's folder under ``$SQUALL_HOME/verifiers``);
an existing venv with that version is reused, so it is installed once. Each
environment gets a ``tempest.conf`` (:mod:`tempest_config`); a run is
``tempest run --subunit`` in a folder of its own, read as it streams.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from squall import exceptions
from squall.platforms.openstack import tempest_config
from squall.registry import JSON_SCHEMA, configure
from squall.verify.results import TestResult, bounded_text
from squall.verify.subunit_reader import run_subunit
from squall.verify.verifier import SUITE_RUN_ARGS, Verifier

DEFAULT_VERSION = "47.0.0"
INSTALL_TIMEOUT = 1800
TEST_ID = re.compile(r"^[a-zA-Z_.0-9]+(\[[a-zA-Z-_,=0-9]*\])?$")  # a line of `tempest run --list-tests`
# Rally's ``--pattern set=NAME`` spellings.
API_SETS = ("baremetal", "compute", "database", "identity", "image", "messaging", "network", "object_storage",
            "orchestration", "telemetry", "volume")


def tempest_regex(pattern: str) -> str:
    """A ``--pattern`` as Tempest's regex: Rally's ``set=smoke|full|scenario|identity|...`` or a regex."""
    kind, _, name = pattern.partition("=")
    if kind != "set" or not name:
        return pattern
    if name == "full":
        return ""
    if name == "smoke":
        return "smoke"
    if name in API_SETS:
        return f"tempest.api.{name}"
    if name == "scenario":
        return "tempest.scenario"
    raise exceptions.InvalidArgumentsError(f"unknown test set '{name}' (known: full, smoke, scenario, "
                                           f"{', '.join(API_SETS)})")


def expand_skip_list(tests: list[str], skips: dict[str, str]) -> dict[str, str]:
    """Rally's skip list: each key is a regex (or a test id) searched in the test ids; test id -> reason."""
    found: dict[str, str] = {}
    for key, reason in skips.items():
        try:
            regex = re.compile(key)
        except re.error:
            found[key] = reason
            continue
        found.update({test: reason for test in tests if regex.search(test)})
    return found


@configure(name="tempest", platform="openstack")
class TempestVerifier(Verifier):
    """Tempest from PyPI against an OpenStack environment (Rally's ``tempest`` verifier).

    Run arguments: ``pattern`` (a regex, or ``set=identity`` and Rally's other sets), ``concurrency``,
    ``load_list``, ``skip_list`` (regexes or test ids, with reasons).
    """

    RUNS_COMMANDS: ClassVar[bool] = True
    INSTALLS: ClassVar[bool] = True
    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {
            "version": {"type": "string", "pattern": r"^[0-9][0-9A-Za-z.]*$"},
            "source": {"type": "string", "minLength": 1},
            "venv": {"type": "string", "minLength": 1},
            "python": {"type": "string", "minLength": 1},
        },
        "additionalProperties": False,
    }

    @property
    def venv(self) -> Path:
        """The virtual environment Tempest runs from."""
        return Path(self.settings.get("venv") or self.home / "venv").expanduser()

    def _wanted(self) -> str:
        return str(self.settings.get("version") or DEFAULT_VERSION)

    def version(self) -> str:
        """The Tempest version installed in the venv ("" when none is)."""
        found = sorted(self.venv.glob("lib/python*/site-packages/tempest-*.dist-info"))
        return found[-1].name.removeprefix("tempest-").removesuffix(".dist-info") if found else ""

    def install(self) -> str:
        """Create the venv and install Tempest in it, unless it already holds the version wanted."""
        wanted = self._wanted()
        if self.version() == wanted and (self.venv / "bin" / "tempest").exists():
            return wanted
        python = str(self.settings.get("python") or sys.executable)
        if not (self.venv / "bin" / "python").exists():
            self._call([python, "-m", "venv", str(self.venv)], "create the venv")
        source = self.settings.get("source") or f"tempest=={wanted}"
        self._call([str(self.venv / "bin" / "python"), "-m", "pip", "install", "-q", source],
                   f"install {source}")
        return self.version()

    def _call(self, argv: list[str], what: str) -> None:
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=INSTALL_TIMEOUT,
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise exceptions.InvalidArgumentsError(f"cannot {what}: {exc}") from None
        if done.returncode:
            said = "\n".join(ln for ln in (done.stderr or done.stdout).splitlines()
                             if not ln.startswith("WARNING: Location"))[-2000:]
            raise exceptions.InvalidArgumentsError(f"cannot {what} (exit code {done.returncode}): {said}")

    def configure(self) -> str:
        """A tempest.conf from the environment's credentials and what its catalog offers."""
        section = tempest_config.section_of(self.env_spec)
        return tempest_config.build(self.env_spec, tempest_config.discover(section))

    def extend_config(self, config: str, options: str | dict[str, dict[str, Any]]) -> str:
        """tempest.conf with the options (ini text or sections) set; ``***`` values keep theirs."""
        return tempest_config.extend(config, options)

    def override_config(self, config: str, new: str) -> str:
        """``new`` (an ini text) as tempest.conf; ``***`` values keep theirs."""
        return tempest_config.override(config, new)

    def shown_config(self, config: str) -> str:
        """The tempest.conf with its passwords hidden."""
        return tempest_config.redact(config)

    def _tempest(self) -> str:
        binary = self.venv / "bin" / "tempest"
        if not binary.exists():
            raise RuntimeError(f"Tempest is not installed in {self.venv} (see 'squall verify update-verifier')")
        return str(binary)

    def prepare(self, workdir: Path) -> Path:
        """Write the run's tempest.conf (with its log and lock folders) and accounts file into ``workdir``."""
        if not self.config:
            raise RuntimeError("the tempest verifier has no configuration for this environment")
        conf = tempest_config.extend(self.config, {
            "DEFAULT": {"log_dir": str(workdir)}, "oslo_concurrency": {"lock_path": str(workdir / "locks")}})
        path = workdir / "tempest.conf"
        path.write_text(conf)
        path.chmod(0o600)
        accounts = tempest_config.parse(conf, "tempest.conf")
        if accounts.get("auth", "test_accounts_file", fallback="") == tempest_config.ACCOUNTS_FILE:
            (workdir / tempest_config.ACCOUNTS_FILE).write_text(tempest_config.accounts_yaml(self.env_spec))
        return path

    def run_env(self, workdir: Path) -> dict[str, str]:
        """Tempest finds its configuration through these variables (stestr's workers too)."""
        return {"TEMPEST_CONFIG_DIR": str(workdir), "TEMPEST_CONFIG": "tempest.conf"}

    def list_tests(self, pattern: str | None = None) -> list[str]:
        """``tempest run --list-tests``: the test ids (matching ``pattern``)."""
        with tempfile.TemporaryDirectory(prefix="squall-tempest-") as tmp:
            workdir = Path(tmp)
            conf = workdir / "tempest.conf"
            if self.config:
                conf = self.prepare(workdir)
            else:
                conf.write_text("")
            tempest = self._tempest()
            # stestr lists only from inside a repository; a run makes its own.
            subprocess.run([str(Path(tempest).with_name("stestr")), "init"], cwd=workdir, capture_output=True,
                           stdin=subprocess.DEVNULL, timeout=120, check=False)
            argv = [tempest, "run", "--list-tests", "--config-file", str(conf)]
            regex = tempest_regex(pattern) if pattern else ""
            if regex:
                argv += ["--regex", regex]
            try:
                done = subprocess.run(argv, capture_output=True, text=True, timeout=600, cwd=workdir,
                                      env={**os.environ, **self.run_env(workdir)}, stdin=subprocess.DEVNULL)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise RuntimeError(f"cannot list Tempest's tests: {exc}") from None
        if done.returncode:
            raise RuntimeError(f"tempest run --list-tests failed: {(done.stderr or done.stdout)[-2000:]}")
        return [line.strip() for line in done.stdout.splitlines() if TEST_ID.match(line.strip())]

    @classmethod
    def run_args_schema(cls) -> dict[str, Any]:
        """pattern, concurrency, load_list and skip_list."""
        return SUITE_RUN_ARGS

    def argv(self, run_args: dict[str, Any], workdir: Path) -> list[str]:
        """``tempest run --subunit`` with the run's config (in ``workdir``), regex, load list and concurrency."""
        argv = [self._tempest(), "run", "--subunit", "--config-file", str(workdir / "tempest.conf")]
        concurrency = int(run_args.get("concurrency") or 0)
        if concurrency == 1:
            argv.append("--serial")
        elif concurrency > 1:
            argv += ["--concurrency", str(concurrency)]
        if run_args.get("load_list") is not None:
            (workdir / "load-list.txt").write_text("\n".join(run_args["load_list"]) + "\n")
            argv += ["--load-list", str(workdir / "load-list.txt")]
        elif regex := tempest_regex(run_args.get("pattern") or ""):
            argv += ["--regex", regex]
        return argv

    def run(self, workdir: Path, run_args: dict[str, Any]) -> Iterator[TestResult]:
        """Run Tempest; the skip list's tests are reported skipped (with their reasons) and not run."""
        self.prepare(workdir)
        run_args = dict(run_args)
        skips = dict(run_args.pop("skip_list", None) or {})
        if skips:
            tests = list(run_args.get("load_list") or self.list_tests(run_args.get("pattern")))
            skipped = expand_skip_list(tests, skips)
            run_args["load_list"] = [t for t in tests if t not in skipped]
            for name, reason in skipped.items():
                yield {"name": name, "status": "skip", "duration": 0.0, "reason": bounded_text(reason)}
            if not run_args["load_list"]:
                return
        # Each run in its own folder: its own .stestr repository, logs and locks.
        yield from run_subunit(self.argv(run_args, workdir), workdir, self.run_env(workdir), workdir)

"""What `squall verify start` costs over a bare `tempest run`, beside Rally 5.1.1's `rally verify start`.

The same Tempest 47.0.0 runs the same identity tests against one Keystone
(tests/keystone.py) three ways, in turn: `tempest run --subunit` by hand,
`squall verify start` (Tempest from PyPI in squall's verifier venv) and
`rally verify start` (Rally 5.1.1 + rally-openstack 4.1.0 and its Tempest
verifier, cloned from the same release's source; scripts/install-rally.sh).
Each is repeated; the table gives the medians of wall time and of the peak
memory (PSS) of the whole process tree, and the ratios.

    python bench/bench_verify_tempest.py [--pattern REGEX] [--repeat 3] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
from procmem import run_measured  # noqa: E402
from results import write_section  # noqa: E402

from tests import keystone  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from tests.functional.test_verify_tempest import VENV  # noqa: E402
from tests.rally import oracle  # noqa: E402

SQUALL = [sys.executable, "-m", "squall.cli.main"]


def squall_setup(work: Path, creds: dict[str, str]) -> dict[str, str]:
    """A squall home with an environment of the Keystone and a tempest verifier; its environment variables."""
    env = {**os.environ, **creds, "SQUALL_HOME": str(work / "squall-home")}
    env.pop("SQUALL_DB_URL", None)
    for args in (["db", "create"], ["env", "create", "--name", "ks", "--from-sysenv"],
                 ["verify", "create-verifier", "--name", "tempest", "--type", "tempest", "--settings",
                  json.dumps({"venv": str(VENV)})]):
        subprocess.run([*SQUALL, *args], env=env, check=True, capture_output=True, cwd=ROOT)
    return env


def bare_tempest(work: Path, squall_env: dict[str, str], pattern: str, concurrency: int) -> list[str]:
    """The command of a bare run, with squall's tempest.conf."""
    conf = work / "tempest.conf"
    shown = subprocess.run([*SQUALL, "verify", "configure-verifier", "--include-secrets"], env=squall_env,
                           check=True, capture_output=True, text=True, cwd=ROOT).stdout
    conf.write_text(shown.replace("log_file = tempest.log", f"log_file = tempest.log\nlog_dir = {work}"))
    (work / "bare").mkdir()
    return ["sh", "-c", f"cd {work / 'bare'} && TEMPEST_CONFIG_DIR={work} TEMPEST_CONFIG=tempest.conf "
                        f"{VENV / 'bin' / 'tempest'} run --subunit --config-file {conf} --concurrency {concurrency} "
                        f"--regex '{pattern}' > {work / 'bare.subunit'}"]


def median(runs: list[dict[str, float]], key: str) -> float:
    """The median of one measure over the repeats."""
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pattern", default=r"tempest\.api\.identity\.v3\.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=2)
    opts = parser.parse_args()
    subprocess.run(["bash", str(ROOT / "scripts" / "install-rally.sh")], check=True)
    if not keystone.installed():
        keystone.install()
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as tmp:
        work = Path(tmp)
        server = keystone.KeystoneServer(free_port(), work / "keystone")
        server.start()
        try:
            creds = server.credentials()
            squall_env = squall_setup(work, creds)
            rally = oracle.RallyVerify(creds)
            commands: dict[str, list[str]] = {
                "bare tempest run": bare_tempest(work, squall_env, opts.pattern, opts.concurrency),
                "squall verify start": [*SQUALL, "verify", "start", "--pattern", opts.pattern, "--concurrency",
                                        str(opts.concurrency)],
                "rally verify start": [*rally.base, "verify", "start", "--id", rally.VERIFIER, "--deployment-id",
                                       rally.deployment, "--pattern", opts.pattern, "--concurrency",
                                       str(opts.concurrency)],
            }
            envs = {"bare tempest run": squall_env, "squall verify start": squall_env,
                    "rally verify start": rally.env}
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in commands}
            for _ in range(opts.repeat):
                for name, argv in commands.items():
                    done = run_measured(argv, env=envs[name], cwd=str(ROOT))
                    assert done["rc"] in (0, 2, 3), (name, str(done["output"])[-3000:])
                    runs[name].append(done)
        finally:
            server.stop()
    print(write_section("bench/bench_verify_tempest.py", _body(opts, runs)))


def _body(opts: argparse.Namespace, runs: dict[str, list[dict[str, Any]]]) -> str:
    bare, ours, theirs = (runs[k] for k in ("bare tempest run", "squall verify start", "rally verify start"))
    rows = [f"| {name} | {median(r, 'wall'):.2f} s | {median(r, 'peak_mb'):.0f} MB |" for name, r in runs.items()]
    ratios = (f"squall / bare: {median(ours, 'wall') / median(bare, 'wall'):.2f}x wall; "
              f"Rally / bare: {median(theirs, 'wall') / median(bare, 'wall'):.2f}x wall; "
              f"squall / Rally: {median(ours, 'wall') / median(theirs, 'wall'):.2f}x wall, "
              f"{median(ours, 'peak_mb') / median(theirs, 'peak_mb'):.2f}x peak memory.")
    return (f"`--pattern '{opts.pattern}' --concurrency {opts.concurrency}` against one Keystone, each way "
            f"{opts.repeat} times in turn; medians.\n\n| run | wall | peak memory (PSS, process tree) |\n"
            "|---|---|---|\n" + "\n".join(rows) + f"\n\n{ratios}\n")


if __name__ == "__main__":
    main()

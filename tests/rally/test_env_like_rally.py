"""``env create --from-sysenv``, measured on Rally 5.1.1 and compared with squall's."""

from __future__ import annotations

import json

from tests.conftest import CLI
from tests.rally import oracle


def test_from_sysenv_without_os_variables_makes_an_environment_with_no_platform(rally: oracle.Rally,
                                                                               cli: CLI) -> None:
    for var in [v for v in cli.env if v.startswith("OS_")]:
        del cli.env[var]
    theirs = rally("env", "create", "--name", "no-cloud", "--from-sysenv", "--no-use")
    ours = cli("env", "create", "--name", "no-cloud", "--from-sysenv", "--no-use")
    assert (theirs.returncode, ours.returncode) == (0, 0), theirs.stderr + ours.stderr
    said = "Your system environment includes specifications of 0 platform(s)."
    assert said in theirs.stdout and said in ours.stdout
    assert json.loads(rally("env", "show", "no-cloud", "--json", check=True).stdout)["platforms"] == {}
    assert json.loads(cli("env", "show", "no-cloud", "--json", check=True).stdout)["spec"] == {}

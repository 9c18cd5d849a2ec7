"""Run with Rally 5.1.1's interpreter: what `rally task import/detailed/report/trends` do with one results file.

Reads {"config_file": path, "env": name, "file": results file, "out": folder} on stdin. Loads the file as
`rally task import --file` does (its schema check included), imports it, prints `task detailed`, writes the
HTML, trends and JSON reports into the folder; prints {"uuid": ...} or fails with Rally's error.
"""

import contextlib
import io
import json
import os
import sys

from rally import api, plugins
from rally.cli import task_results_loader
from rally.cli.commands import task as task_commands


def main() -> None:
    request = json.load(sys.stdin)
    real_stdout = sys.stdout
    with contextlib.redirect_stdout(io.StringIO()):  # Rally prints as it goes; only the answer is ours
        uuid = _steps(request)
    real_stdout.write("\n" + json.dumps({"uuid": uuid}) + "\n")


def _steps(request: dict) -> str:
    rally = api.API(config_file=request["config_file"])
    plugins.load()
    (results,) = task_results_loader.load(request["file"])
    uuid = rally.task.import_results(deployment=request["env"], task_results=results)["uuid"]
    task_commands._detailed(rally, uuid)  # what `rally task detailed` prints; it must not fail
    for kind, name in (("html", "rally.html"), ("trends-html", "trends.html"), ("json", "rally.json")):
        dest = os.path.join(request["out"], name)
        result = rally.task.export(tasks=[uuid], output_type=kind, output_dest=dest)
        for path, content in result["files"].items():  # the CLI writes what the exporter returns
            with open(path, "w") as f:
                f.write(content)
    return uuid


if __name__ == "__main__":
    main()

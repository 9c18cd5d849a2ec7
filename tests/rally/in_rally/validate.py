"""Run with Rally 5.1.1's interpreter: validate task files as `rally task validate` does, in one process.

Reads {"config_file": path, "env": name, "plugin_paths": [path, ...], "cases": {name: task file text}} on stdin;
prints {name: "valid" or the error}.
"""

import json
import sys

import yaml
from rally import api, plugins
from rally.common.plugin import discover


def main() -> None:
    request = json.load(sys.stdin)
    rally = api.API(config_file=request["config_file"])
    plugins.load()  # what the CLI's commands do first
    for path in request.get("plugin_paths", []):
        discover.load_plugins(path)  # what --plugin-paths does
    out = {}
    for name, text in request["cases"].items():
        try:
            rally.task.validate(deployment=request["env"], config=yaml.safe_load(text))
            out[name] = "valid"
        except Exception as exc:  # noqa: BLE001 - the oracle's verdict, whatever it is
            out[name] = f"{type(exc).__name__}: {exc}"
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

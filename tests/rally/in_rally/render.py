"""Run with Rally 5.1.1's interpreter: render task files as `rally task start` does.

Reads a JSON list of paths on stdin; prints {path: {"doc": parsed} or {"error": text}}.
"""

import json
import os
import sys

import yaml
from rally import api


def main() -> None:
    task_api = api._Task.__new__(api._Task)  # render_template needs no database
    out = {}
    for path in json.load(sys.stdin):
        with open(path) as f:
            text = f.read()
        template_dir = os.path.dirname(path) or "./"
        try:
            rendered = task_api.render_template(task_template=text, template_dir=template_dir)
            out[path] = {"doc": yaml.safe_load(rendered)}
        except Exception as exc:  # noqa: BLE001 - the oracle's verdict, whatever it is
            out[path] = {"error": f"{type(exc).__name__}: {exc}"}
    json.dump(out, sys.stdout, default=str)


if __name__ == "__main__":
    main()

"""Every task file of rally and rally-openstack renders to the same document in squall as in Rally 5.1.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from squall import exceptions
from squall.cli.files import read_templates
from squall.task.taskfile import render
from tests.rally import oracle


def _squall_render(path: Path) -> dict[str, Any]:
    text = path.read_text()
    try:
        return {"doc": render.load_task(text, {}, str(path), read_templates(path, text))}
    except exceptions.InvalidTaskError as exc:
        return {"error": "; ".join(exc.errors)}


def _comparable(doc: Any) -> Any:
    return json.loads(json.dumps(doc, default=str))  # as the oracle prints it (dates as text)


def _names_in(message: str, marker: str) -> set[str]:
    listed = message.rsplit(marker, 1)[1].split("(")[0]
    return {name.strip(" '") for name in listed.split(",")}


def test_every_sample_renders_as_in_rally(rally: oracle.Rally, samples: list[Path]) -> None:
    assert len(samples) > 700
    theirs = rally.python("render.py", stdin=json.dumps([str(p) for p in samples]))
    differ, compared = [], []
    for path in samples:
        ours, want = _squall_render(path), theirs[str(path)]
        if "error" in want or "error" in ours:
            if ("error" in want) != ("error" in ours):
                differ.append(f"{path}: Rally {want}, squall {ours}")
            elif "Please specify" in want["error"]:  # the same variables are missing, by the same rule
                marker = "argument: " if "argument: " in want["error"] else "arguments: "
                if _names_in(want["error"], marker) != _names_in(ours["error"], "undefined: "):
                    differ.append(f"{path}: Rally {want['error']}, squall {ours['error']}")
        elif _comparable(ours["doc"]) != want["doc"]:
            differ.append(f"{path}: documents differ")
        else:
            compared.append(path)
    assert not differ, f"{len(differ)} of {len(samples)} differ:\n" + "\n".join(differ[:30])
    # Rendered, not refused: the "{% set x = x or default %}" idiom and the includes of the certification task.
    idiom = [p for p in compared if "{% set" in p.read_text() and " or " in p.read_text()]
    assert len(idiom) > 100
    assert oracle.RALLY_OPENSTACK_SOURCE / "tasks" / "openstack" / "task.yaml" in compared

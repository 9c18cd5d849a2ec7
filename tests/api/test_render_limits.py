"""Hostile templates: refused with a clear message, the rendering process bounded by the operating system."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from tests.conftest import SQUALL, ServiceFactory

LIMIT_KB = 512 * 1024
TASK = "\nDummy.dummy: [{}]\n"

LONG_LOOP = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
# Each once cost 1 to 2 GB before the sandbox said no; the variants are the next ones an attacker tries.
PAYLOADS = [
    pytest.param('{% set s = "\\n"*10000 %}{{ s|indent(100000, blank=True) }}', id="indent"),
    pytest.param('{{ ("{0:>99999999}"*10).format(1) }}', id="format-widths"),
    pytest.param('{{ ("%(a)99999999s"*10)|format(a=1) }}', id="percent-widths"),
    pytest.param('{{ ("y"*10000000).join(range(100)|map("string")) }}', id="join-generator"),
    pytest.param("{{ range(60)|list|tojson(indent=16000000) }}", id="tojson-indent"),
    pytest.param('{% set t = ([[""]*1000]*2500)|sum(start=[]) %}', id="quadratic-sum"),
    pytest.param('{{ "%099999999d"|format(1) }}{{ "%099999999d"|format(2) }}', id="zero-padded-widths"),
    pytest.param('{{ "{:099999999}{:099999999}".format(1, 2) }}', id="format-two-fields"),
    pytest.param('{{ range(100)|map("string")|join("y"*10000000) }}', id="join-filter-generator"),
    pytest.param('{{ ("\\n"*100000)|indent("x"*1000) }}', id="indent-by-text"),
    pytest.param("{{ range(100000)|list|tojson(indent=1000) }}", id="tojson-wide-list"),
    pytest.param('{% set t = ((("",)*1000,)*3000)|sum(start=()) %}', id="quadratic-tuple-sum"),
    pytest.param('{{ ("x"*8000000)|wordwrap(1) }}', id="wordwrap-unpredicted"),
    pytest.param(LONG_LOOP, id="long-loop"),
]


# A process's peak resident size starts at its parent's at fork time (Linux keeps the high-water mark across
# exec): the CLI is started by a small launcher, not by pytest (whose own size grows over the suite), which
# writes the CLI's exit code and peak (its children's included) to a file.
LAUNCHER = """import os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
open(sys.argv[1], "w").write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def _validate_measured(args: list[str], tmp_path: Path, env: dict[str, str]) -> tuple[int, str, int]:
    """Run ``squall ARGS``; (exit code, stderr, peak RSS in KB of it and every process it waited for)."""
    out, err, measured = tmp_path / "out.txt", tmp_path / "err.txt", tmp_path / "measured.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        subprocess.run([sys.executable, "-c", LAUNCHER, str(measured), *SQUALL, *args], stdout=stdout,
                       stderr=stderr, env=env, cwd=tmp_path, check=True)
    code, peak_kb = (int(v) for v in measured.read_text().split())
    return code, err.read_text(), peak_kb


@pytest.mark.parametrize("template", PAYLOADS)
def test_hostile_templates_are_refused_within_the_memory_limit(template: str, tmp_path: Path, home: Path) -> None:
    task = tmp_path / "task.yaml"
    task.write_text(template + TASK)
    env = dict(os.environ, SQUALL_HOME=str(home), COLUMNS="200")
    code, stderr, peak_kb = _validate_measured(["task", "validate", str(task)], tmp_path, env)
    assert code == 1, stderr
    assert "Traceback" not in stderr
    assert "template rendering stopped" in stderr, stderr
    assert peak_kb < LIMIT_KB, f"a process reached {peak_kb / 1024:.0f} MiB"


def test_the_memory_limit_is_the_operating_systems_and_configurable(tmp_path: Path, home: Path) -> None:
    # 2 million one-letter items: within every size prediction, but 16 MB of pointers; under 1 s of
    # rendering with room to spare, so that a loaded machine stays within the render's 4 s.
    task = tmp_path / "task.yaml"
    task.write_text('# {{ ("x"*2000000)|list|length }}' + TASK)
    env = dict(os.environ, SQUALL_HOME=str(home), COLUMNS="200")
    code, stderr, peak_kb = _validate_measured(["--max-render-memory", "64M", "task", "validate", str(task)],
                                               tmp_path, env)
    assert code == 1, stderr
    assert "64 MiB of memory (--max-render-memory)" in stderr, stderr
    assert peak_kb < 64 * 1024 + 70 * 1024  # the render's 64 MiB, or the CLI itself
    code, stderr, _ = _validate_measured(["--max-render-memory", "512M", "task", "validate", str(task)],
                                         tmp_path, env)
    assert code == 0, stderr
    code, stderr, _ = _validate_measured(["--max-render-memory", "lots", "task", "validate", str(task)],
                                         tmp_path, env)
    assert code == 1 and "is not a size" in stderr, stderr


def test_health_answers_while_a_render_runs(start_service: ServiceFactory) -> None:
    url = start_service()
    answered: list[tuple[str, object]] = []
    done = threading.Event()

    def render() -> None:
        try:
            response = httpx.post(url + "/api/v1/task/validate", json={"config": LONG_LOOP + TASK}, timeout=60)
            answered.append(("render", response.status_code))
            answered.append(("message", response.json()["error"]["msg"]))
        finally:
            done.set()

    thread = threading.Thread(target=render)
    thread.start()
    try:
        while not done.is_set():
            response = httpx.get(url + "/health", timeout=30)
            if not done.is_set():
                answered.append(("health", response.status_code))
    finally:
        thread.join()
    health = [code for what, code in answered if what == "health"]
    assert answered[-2] == ("render", 400), answered
    assert "rendering took longer than" in str(answered[-1][1]), answered
    assert len(health) >= 3 and set(health) == {200}, answered  # the render never held the event loop


def test_a_templated_task_file_gives_the_same_document_in_its_own_process(home: Path) -> None:
    """Rendering in a process of its own changes no result: the same document either way."""
    from squall.task.taskfile import render

    text = ("{% set n = 3 %}\nDummy.dummy:\n  - runner: {type: constant, times: {{ n * 2 }}}\n"
            "    args: {when: 2001-12-14}\n")
    in_process = render.load_document(render.render_template(text, {}), "task file")
    isolated = render.load_task(text, {})
    assert isolated["Dummy.dummy"][0]["runner"] == in_process["Dummy.dummy"][0]["runner"] == \
        {"type": "constant", "times": 6}
    assert isolated["Dummy.dummy"][0]["args"] == {"when": "2001-12-14"}  # a date value travels as its text

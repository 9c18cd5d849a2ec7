"""--plugin-paths (and SQUALL_PLUGIN_PATHS) load plugins from files and folders, as Rally's option does."""

from __future__ import annotations

import json
from pathlib import Path

from squall import naming
from tests.conftest import CLI

PLUGIN = '''
from squall.plugin_api.scenario import Scenario, configure


@configure(name="MyPlugins.echo")
class Echo(Scenario):
    """Write the word given as a text chart."""

    def run(self, word: str = "hi") -> None:
        self.add_output(complete={"title": "echo", "chart_plugin": "TextArea", "data": [word]})
'''


def test_plugins_from_a_file_a_folder_and_the_environment(cli: CLI, tmp_path: Path) -> None:
    folder = tmp_path / "plugins" / "nested"
    folder.mkdir(parents=True)
    (folder / "echo.py").write_text(PLUGIN)
    task = tmp_path / "t.yaml"
    task.write_text("MyPlugins.echo:\n  - args: {word: yo}\n    runner: {type: serial, times: 2}\n")
    refused = cli("task", "validate", str(task))
    assert refused.returncode == 1 and "MyPlugins.echo" in refused.stderr
    cli("--plugin-paths", str(folder / "echo.py"), "task", "start", str(task), check=True)
    exported = json.loads(cli("task", "export", "--type", "squall-json", check=True).stdout)
    data = exported["tasks"][0]["subtasks"][0]["workloads"][0]["data"]
    assert [it["output"]["complete"][0]["data"] for it in data] == [["yo"], ["yo"]]
    cli.env["SQUALL_PLUGIN_PATHS"] = f"{tmp_path / 'plugins'}"
    assert "MyPlugins.echo" in cli("plugin", "list", check=True).stdout


def test_plugin_path_errors_are_clear(cli: CLI, tmp_path: Path, start_service: object) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("def oops(:\n")
    for path, message in ((broken, "broken.py failed to load: SyntaxError"),
                          (tmp_path / "nowhere", "is neither a file nor a folder")):
        proc = cli("--plugin-paths", str(path), "task", "list")
        assert proc.returncode == 1 and message in proc.stderr and "Traceback" not in proc.stderr
    url = start_service()  # type: ignore[operator]
    proc = cli("--plugin-paths", str(broken), "--endpoint-url", url, "task", "list")
    assert proc.returncode == 1 and "a service loads its own" in proc.stderr


def test_a_rally_plugin_file_that_imports_more_of_rally_is_named(cli: CLI, tmp_path: Path) -> None:
    plugin = tmp_path / "uses_openstack.py"
    plugin.write_text("from rally.task import scenario\nfrom rally.plugins.common import validators\n")
    task = tmp_path / "t.yaml"
    task.write_text("Dummy.dummy:\n  - args: {sleep: 0}\n")
    proc = cli("--plugin-paths", str(plugin), "task", "validate", str(task))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "uses_openstack.py failed to load" in proc.stderr
    assert "rally.plugins is not part of the Rally API squall provides" in proc.stderr
    assert "rally.task.scenario" in proc.stderr  # the list of what it does provide


def test_rally_plugin_names_belong_to_the_task(cli: CLI, tmp_path: Path) -> None:
    # generate_random_name() of a Rally plugin gives squall names, which cleanup matches to the task.
    plugin = tmp_path / "namer.py"
    plugin.write_text(
        "from rally.task import scenario\n\n\n"
        "@scenario.configure(name='Namer.name')\n"
        "class Namer(scenario.Scenario):\n"
        "    def run(self):\n"
        "        self.add_output(complete={'title': 'n', 'chart_plugin': 'TextArea',\n"
        "                                  'data': [self.generate_random_name()]})\n")
    task = tmp_path / "t.yaml"
    task.write_text("Namer.name:\n  - runner: {type: serial, times: 1}\n")
    cli("--plugin-paths", str(plugin), "task", "start", str(task), check=True)
    exported = json.loads(cli("task", "export", "--type", "squall-json", check=True).stdout)
    task_uuid = exported["tasks"][0]["uuid"]
    name = exported["tasks"][0]["subtasks"][0]["workloads"][0]["data"][0]["output"]["complete"][0]["data"][0]
    assert naming.belongs_to(name, task_uuid, kind="scenario")

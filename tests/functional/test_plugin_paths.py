"""--plugin-paths (and SQUALL_PLUGIN_PATHS) load plugins from files and folders, as Rally's option does."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CLI

PLUGIN = '''
from squall.task.scenario import Scenario, configure


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

"""Task file formats: rendering, parsing, normalisation and precise errors."""

from __future__ import annotations

import pytest

from squall import exceptions
from squall.task.taskfile import normalise as config
from squall.task.taskfile import render
from squall.task.taskfile import validate as validation


def errors_of(data: dict) -> list[str]:
    with pytest.raises(exceptions.InvalidTaskError) as info:
        validation.validate(config.normalise(data))
    return info.value.errors


def v2(workload: dict) -> dict:
    return {"version": 2, "title": "t", "subtasks": [{"title": "s", "workloads": [workload]}]}


def test_v1_file_becomes_one_subtask_per_workload() -> None:
    cfg = config.normalise({
        "Dummy.dummy": [{"args": {"sleep": 0}, "runner": {"type": "constant", "times": 5, "concurrency": 2},
                         "context": {"dummy_context": {}}, "sla": {"failure_rate": {"max": 1}}},
                        {"runner": {"type": "serial", "times": 2}}],
        "Dummy.failure": [{}],
    })
    validation.validate(cfg)
    titles = [s["title"] for s in cfg["subtasks"]]
    assert titles == ["Dummy.dummy", "Dummy.dummy", "Dummy.failure"]
    first = cfg["subtasks"][0]["workloads"][0]
    assert first["runner_name"] == "constant"
    assert first["runner_args"] == {"times": 5, "concurrency": 2}
    assert first["contexts"] == {"dummy_context": {}}
    assert cfg["subtasks"][2]["workloads"][0]["runner_name"] == "serial"
    assert [w["position"] for s in cfg["subtasks"] for w in s["workloads"]] == [0, 1, 2]


def test_v2_subtask_may_be_a_workload_itself() -> None:
    cfg = config.normalise({"version": 2, "subtasks": [
        {"title": "a", "scenario": {"Dummy.dummy": {}}, "runner": {"serial": {"times": 1}}}]})
    validation.validate(cfg)
    assert cfg["subtasks"][0]["workloads"][0]["scenario_name"] == "Dummy.dummy"


def test_old_hook_section_translates_to_event_and_periodic_triggers() -> None:
    cfg = config.normalise({"Dummy.dummy": [{
        "runner": {"type": "constant", "times": 100, "concurrency": 10},
        "hook": {"iterations": {
            "20": [{"example_hook": {"cmd": "true"}}, {"example_hook": {"cmd": "false"}}],
            "pereodic": {"10": [{"example_hook": {"cmd": "true"}}]},
        }},
    }]})
    hooks = cfg["subtasks"][0]["workloads"][0]["hooks"]
    assert [h["trigger"] for h in hooks] == [
        {"event": {"unit": "iteration", "at": [20]}},
        {"event": {"unit": "iteration", "at": [20]}},
        {"periodic": {"unit": "iteration", "step": 10, "start": 10}},
    ]
    assert hooks[1]["action"] == {"example_hook": {"cmd": "false"}}


def test_schema_violation_names_the_exact_path() -> None:
    errors = errors_of(v2({"scenario": {"Dummy.dummy": {}}, "runner": {"constant": {"times": -1}}}))
    assert errors == ["subtasks[0].workloads[0].runner.constant.times: -1 is less than the minimum of 1"]


def test_every_error_is_reported_at_once() -> None:
    errors = errors_of(v2({
        "scenario": {"Dummy.dumy": {}},
        "runner": {"constant": {"times": 0, "concurrency": "x"}},
        "contexts": {"no_such_context": {}},
        "sla": {"failure_rate": {"max": 200}},
    }))
    assert any("unknown scenario plugin 'Dummy.dumy'" in e and e.startswith("subtasks[0].workloads[0]") for e in errors)
    assert "subtasks[0].workloads[0].runner.constant.concurrency: 'x' is not of type 'integer'" in errors
    assert "subtasks[0].workloads[0].runner.constant.times: 0 is less than the minimum of 1" in errors
    ctx_error = "subtasks[0].workloads[0].contexts.no_such_context: unknown context plugin"
    assert any(e.startswith(ctx_error) for e in errors)
    assert "subtasks[0].workloads[0].sla.failure_rate.max: 200 is greater than the maximum of 100.0" in errors


def test_v1_paths_follow_the_v1_layout() -> None:
    errors = errors_of({"Dummy.failure": [{"args": {"slep": 1}, "runner": {"type": "constant", "times": -3}}]})
    assert "Dummy.failure[0].runner.times: -3 is less than the minimum of 1" in errors
    assert any(e.startswith("Dummy.failure[0].args: unexpected argument 'slep'") for e in errors)


def test_missing_required_scenario_argument() -> None:
    errors = errors_of(v2({"scenario": {"HttpRequests.check_request": {"url": "http://x"}}}))
    assert any("missing required argument 'method'" in e for e in errors)
    assert any("missing required argument 'status_code'" in e for e in errors)


def test_structural_errors_are_precise() -> None:
    with pytest.raises(exceptions.InvalidTaskError) as info:
        config.normalise({"version": 2, "subtasks": [{"title": "x", "workloads": [{"runner": {}}]}]})
    assert "subtasks[0].workloads[0]: 'scenario' is a required property" in info.value.errors
    with pytest.raises(exceptions.InvalidTaskError) as info:
        config.normalise({"Dummy.dummy": {"args": {}}})
    assert info.value.errors == ["Dummy.dummy: must be a list of workloads, got dict"]


def test_template_variables_and_defaults() -> None:
    text = "version: 2\nsubtasks:\n- title: x\n  scenario: {Dummy.dummy: {sleep: {{ sleep }}}}\n"
    data = render.load_task(text, render.parse_task_args('{"sleep": 0.5}'))
    assert data["subtasks"][0]["scenario"]["Dummy.dummy"]["sleep"] == 0.5


def test_undefined_template_variable_is_an_error() -> None:
    with pytest.raises(exceptions.InvalidTaskError) as info:
        render.load_task("a: {{ nope }}", {}, "task.yaml")
    assert info.value.errors == [
        "task.yaml: template variable is undefined: 'nope' (pass it with --task-args)"]


def test_yaml_syntax_error_names_line_and_column() -> None:
    with pytest.raises(exceptions.InvalidTaskError) as info:
        render.load_task("a: 1\nb: [1, 2\nc: 3\n", {}, "task.yaml")
    assert info.value.errors[0].startswith("task.yaml: YAML syntax error at line 3, column 2")


def test_task_args_must_be_a_mapping() -> None:
    with pytest.raises(exceptions.InvalidTaskError) as info:
        render.parse_task_args("[1, 2]")
    assert "--task-args: must be a mapping" in info.value.errors[0]


def test_task_args_take_rallys_key_value_form() -> None:
    from squall.task.taskfile.render import load_task, parse_task_args

    args = parse_task_args("times=3,name=x")
    assert args == {"times": "3", "name": "x"}  # text, as in Rally; the YAML after rendering makes 3 a number
    assert load_task("Dummy.dummy: [{runner: {times: {{ times }}}}]", args)["Dummy.dummy"][0]["runner"]["times"] == 3
    assert parse_task_args("{times: 3}") == {"times": 3}
    with pytest.raises(exceptions.InvalidTaskError, match="YAML syntax error"):
        parse_task_args("{bad")


def test_image_files_on_this_machine_are_reported_as_host_reads() -> None:
    image = {"container_format": "bare", "disk_format": "raw"}
    cfg = config.normalise({"version": 2, "title": "t", "subtasks": [{"title": "s", "workloads": [
        {"scenario": {"GlanceImages.create_and_list_image": {**image, "image_location": "/etc/shadow"}},
         "contexts": {"users": {}, "images": {**image, "image_url": "~/disk.img"}}},
        {"scenario": {"GlanceImages.create_and_delete_image": {**image, "image_location": "https://x/c.img"}},
         "contexts": {"images": {**image, "image_url": "http://x/c.img"}}}]}]})
    assert validation.host_file_reads(cfg) == [
        "subtasks[0].workloads[0].scenario.GlanceImages.create_and_list_image reads /etc/shadow on this machine",
        "subtasks[0].workloads[0].contexts.images reads ~/disk.img on this machine"]

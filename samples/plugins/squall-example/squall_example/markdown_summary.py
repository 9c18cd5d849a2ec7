"""Exporter ``example-markdown``: each workload of the tasks as a row of a Markdown table."""

from __future__ import annotations

from squall.plugin_api import Exporter, ResultsReader, configure


@configure(name="example-markdown")
class MarkdownSummary(Exporter):
    """A Markdown table per task: workload, iterations, failed ones and their mean duration (ms)."""

    def export(self, results: ResultsReader) -> str:
        lines: list[str] = []
        for task in results.tasks:
            lines += [f"## {task['title'] or task['uuid']}", "",
                      "| workload | iterations | failed | mean (ms) |", "|---|---:|---:|---:|"]
            for subtask in task["subtasks"]:
                for workload in subtask["workloads"]:
                    iterations = results.iterations(workload["uuid"])
                    failed = sum(1 for it in iterations if it["error"])
                    mean = sum(it["duration"] for it in iterations) / len(iterations) if iterations else 0.0
                    lines.append(f"| {workload['position']}: {workload['name']} | {len(iterations)} | {failed} | "
                                 f"{mean * 1000:.3f} |")
            lines.append("")
        return "\n".join(lines)

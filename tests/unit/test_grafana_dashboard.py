"""The shipped Grafana dashboard asks only for series squall exposes, and shows every one of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from squall.task.engine.metrics import METRICS, exposed_names

DASHBOARD = Path(__file__).resolve().parents[2] / "samples" / "grafana" / "squall-dashboard.json"


def _queries(dashboard: dict) -> list[str]:
    found = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    for var in dashboard["templating"]["list"]:
        query = var.get("query")
        found.append(query["query"] if isinstance(query, dict) else "")
    return found


def test_every_panel_query_uses_exposed_metrics_only() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    used = {name for q in _queries(dashboard) for name in re.findall(r"\bsquall_[a-z_]+\b", q)}
    assert used and used <= exposed_names(), sorted(used - exposed_names())
    shown = {name for name in METRICS if any(u.startswith(name) for u in used)}
    assert shown == set(METRICS), sorted(set(METRICS) - shown)

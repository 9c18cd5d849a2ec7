"""Renders the report document as one self-contained HTML file.

All JavaScript and CSS are inlined (uPlot, vendored with its licence, draws
the charts), so the file opens offline and fetches nothing.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

HERE = Path(__file__).parent


@cache
def _asset(name: str) -> str:
    return (HERE / name).read_text()


_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                                 "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _safe_json(data: Any) -> str:
    """JSON that cannot end or change its ``<script>`` element.

    ``</script>`` would close the element and ``<!--`` (with ``<script>``)
    switches the HTML parser into a state where the real ``</script>`` no
    longer closes it, which blanked the whole report; U+2028 and U+2029 end
    lines in older JavaScript. Escaped as ``\\uXXXX`` they stay the same
    string once parsed.
    """
    return json.dumps(data, separators=(",", ":"), allow_nan=False).translate(_SCRIPT_ESCAPES)


def render(document: dict[str, Any], kind: str = "task") -> str:
    """HTML for a report document (``kind``: ``task``, ``trends`` or ``compare``)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    template = env.get_template("report.html.j2")
    titles = [t.get("title") or t.get("uuid", "") for t in document.get("tasks", [])]
    return template.render(
        title=document.get("title") or " / ".join(titles) or "squall report",
        kind=kind,
        data=_safe_json(document),
        uplot_js=_asset("vendor/uPlot.iife.min.js"),
        uplot_css=_asset("vendor/uPlot.min.css"),
        report_js=_asset("static/report.js"),
        report_css=_asset("static/report.css"),
        uplot_licence=_asset("vendor/LICENSE-uPlot"),
    )

"""Keeps bench/RESULTS.md: one section per bench script, replaced on each run."""

from __future__ import annotations

import os
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = ("# Benchmark results\n\nLatest output of each bench/ script; squall and Rally 5.1.1 measured in the same "
          "run on the same machine. Regenerate with `make bench` or the script named in each heading.\n")


def machine() -> str:
    """A short description of this machine."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def write_section(script: str, body: str) -> str:
    """Replace (or add) the section of ``script`` with ``body``; return the section."""
    marker = f"## {script}"
    text = f"{marker} ({machine()})\n\n{body.rstrip()}\n"
    sections: dict[str, str] = {}
    if RESULTS.exists():
        for chunk in RESULTS.read_text().split("\n## ")[1:]:
            sections["## " + chunk.split(" ", 1)[0]] = "## " + chunk.rstrip() + "\n"
    sections[marker] = text
    RESULTS.write_text(HEADER + "\n" + "\n".join(sections[k] for k in sorted(sections)))
    return text

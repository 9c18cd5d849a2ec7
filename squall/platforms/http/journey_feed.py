"""A journey's data feed: rows of variables from a CSV or JSON lines file, read once on squall's machine and shipped
to the workers as content; each virtual user takes one row."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path
from typing import Any

MAX_FEED_BYTES = 16 * 1024 * 1024  # shipped to every worker: a bigger feed is refused, not truncated
MAX_FEED_ROWS = 100_000


def feed_rows(path: str) -> list[dict[str, Any]]:
    """The rows of a ``.csv`` file (its first line names the columns) or of a JSON lines file (``.jsonl`` or
    ``.ndjson``: one object per line); ValueError with the reason when it cannot be a feed."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_FEED_BYTES:
            raise ValueError(f"feed {path}: {size:,} bytes, more than the {MAX_FEED_BYTES:,} a feed may have")
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"feed {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"feed {path}: not UTF-8 text") from None
    rows = _json_lines(path, text) if file.suffix.lower() in (".jsonl", ".ndjson") else _csv(path, text)
    if not rows:
        raise ValueError(f"feed {path}: no rows")
    if len(rows) > MAX_FEED_ROWS:
        raise ValueError(f"feed {path}: {len(rows):,} rows, more than the {MAX_FEED_ROWS:,} a feed may have")
    return rows


def _csv(path: str, text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ValueError(f"feed {path}: no header line naming the columns")
    bad = [name for name in reader.fieldnames if not name.isidentifier()]
    if bad:
        raise ValueError(f"feed {path}: column names must be variable names (letters, digits, _): {bad}")
    rows = []
    for number, row in enumerate(reader, start=2):
        if None in row or any(value is None for value in row.values()):
            raise ValueError(f"feed {path}, line {number}: {len(reader.fieldnames)} columns expected")
        rows.append(dict(row))
    return rows


def _json_lines(path: str, text: str) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise ValueError(f"feed {path}, line {number}: not JSON ({exc})") from None
        if not isinstance(row, dict):
            raise ValueError(f"feed {path}, line {number}: a JSON object per line, not {type(row).__name__}")
        rows.append(row)
    return rows


def row_for(feed: dict[str, Any] | None, user: int) -> dict[str, Any]:
    """The row virtual user ``user`` takes: the next in order (user n takes row n, round the rows again past the
    end), or a random one with ``order: random``."""
    if not feed:
        return {}
    rows = feed["rows"]
    if feed.get("order") == "random":
        return dict(random.choice(rows))
    return dict(rows[user % len(rows)])

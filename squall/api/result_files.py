"""Results files read as tasks without storing them: what ``task report FILE.json`` and ``task trends FILE.json``
draw (Rally takes result files there as well as task ids)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from squall import exceptions, importer
from squall.storage.db import Database


@contextmanager
def scratch_tasks(contents: list[str]) -> Iterator[tuple[Database, list[str]]]:
    """The tasks of these results files' texts (squall's or Rally's JSON), imported into a database of their
    own that is gone afterwards: (that database, the tasks' uuids in file order). Nothing reaches squall's
    database."""
    if not contents:
        raise exceptions.InvalidArgumentsError("give at least one results file")
    with tempfile.TemporaryDirectory(prefix="squall-files-") as folder:
        db = Database(f"sqlite:///{Path(folder) / 'scratch.db'}")
        try:
            db.upgrade()
            uuids: list[str] = []
            for text in contents:
                uuids += importer.import_document(db, importer.parse(text))
            yield db, uuids
        finally:
            db.engine.dispose()

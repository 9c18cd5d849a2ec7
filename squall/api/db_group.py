"""API group ``db``: the results database's schema."""

from __future__ import annotations

from typing import Any

from squall import exceptions
from squall.api.base import APIGroup, api_method
from squall.storage.db import redact


class DbAPI(APIGroup):
    """Create, upgrade, show and recreate the results database."""

    group_name = "db"

    @api_method("POST", runs_commands=False, admin=True)
    def create(self) -> dict[str, Any]:
        """Create the schema (no-op when it is already current)."""
        with self.db.schema_lock():
            self.db.upgrade()
            return self._state()

    @api_method("POST", runs_commands=False, admin=True)
    def upgrade(self) -> dict[str, Any]:
        """Bring the schema up to the newest revision."""
        with self.db.schema_lock():
            self.db.upgrade()
            return self._state()

    @api_method("GET", runs_commands=False)
    def show(self) -> dict[str, Any]:
        """The database URL (password hidden) and its schema revision."""
        with self.db.schema_lock():  # never half-way through another process's change
            return self._state()

    def _state(self) -> dict[str, Any]:
        return {"url": redact(self.db.url), "revision": self.db.current_revision(),
                "head": self.db.head_revision()}

    @api_method("POST", runs_commands=False, admin=True)
    def recreate(self, confirm: bool = False) -> dict[str, Any]:
        """Drop everything and create an empty schema; ``confirm`` must be true."""
        if confirm is not True:
            raise exceptions.InvalidArgumentsError(
                "db recreate deletes every result in the database: call it with confirm=true")
        with self.db.schema_lock():
            self.db.recreate()
            return self._state()

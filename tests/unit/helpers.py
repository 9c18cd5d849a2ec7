"""What several unit tests share."""

from __future__ import annotations

from typing import Any


class CollectingQueue:
    """A worker's result queue (and its credits), kept in this process."""

    def __init__(self) -> None:
        self.items: list[Any] = []

    def put(self, item: Any) -> None:
        """What the worker sent, in order."""
        self.items.append(item)

    def acquire(self) -> None:
        """Credits: none needed here."""

    def release(self) -> None:
        """Credits: none needed here."""

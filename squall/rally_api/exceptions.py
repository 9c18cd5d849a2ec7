"""Rally's exception names that plugin files raise or catch."""

from __future__ import annotations

from squall import exceptions


class RallyException(exceptions.SquallError):
    """Root of Rally's exceptions."""


class InvalidArgumentsException(RallyException, exceptions.InvalidArgumentsError):
    """Bad arguments."""


class RallyAssertionError(RallyException, AssertionError):
    """A scenario's assertion (``self.assertEqual`` and friends) failed; Rally's wording."""

    def __init__(self, message: str) -> None:
        super().__init__(f"Assertion error: {message}")


class ValidationError(RallyException):
    """A validator refused the task."""


class TimeoutException(RallyException):
    """Something took longer than it was allowed."""


class GetResourceNotFound(RallyException):
    """A resource was looked up and is gone."""

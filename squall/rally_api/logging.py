"""``rally.common.logging``: standard loggers under Rally's calls."""

from __future__ import annotations

import logging as _logging


def getLogger(name: str | None = None) -> _logging.Logger:  # noqa: N802 - Rally's spelling
    """A standard-library logger, as Rally's ``LOG = logging.getLogger(__name__)`` expects."""
    return _logging.getLogger(name)


def is_debug() -> bool:
    """True when squall logs at debug level."""
    return _logging.getLogger("squall").isEnabledFor(_logging.DEBUG)

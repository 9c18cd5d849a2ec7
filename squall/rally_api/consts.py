"""``rally.consts``: the constants Rally plugin files refer to."""

from squall.registry import JSON_SCHEMA

__all__ = ["JSON_SCHEMA"]

"""squall: a performance and reliability testing engine for clouds and services."""

__version__ = "0.1.0"

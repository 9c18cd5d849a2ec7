"""Rally's configuration file (``--config-file``, an INI file): the few settings squall takes from it."""

from __future__ import annotations

import configparser
from dataclasses import dataclass

from squall import exceptions
from squall.cli.files import read_text


@dataclass(frozen=True)
class Settings:
    """What squall uses of a Rally configuration file; the rest (Rally's own tuning) is ignored."""

    db_url: str | None = None
    debug: bool = False
    log_file: str | None = None


def read(path: str) -> Settings:
    """The settings of the INI file at ``path``: ``[database] connection``, ``[DEFAULT] debug`` and ``log_file``
    (joined to ``log_dir`` when both are given). A file that is not INI is refused with its line."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(read_text(path, "configuration file"), source=path)
    except configparser.Error as exc:
        raise exceptions.InvalidArgumentsError(f"configuration file {path}: {str(exc).splitlines()[0]}") from None
    defaults = parser.defaults()
    try:
        debug = parser.getboolean(configparser.DEFAULTSECT, "debug", fallback=False)
    except ValueError:
        raise exceptions.InvalidArgumentsError(f"configuration file {path}: debug must be true or false, not "
                                               f"{defaults.get('debug')!r}") from None
    log_file = defaults.get("log_file") or None
    if log_file and defaults.get("log_dir") and not log_file.startswith("/"):
        log_file = defaults["log_dir"].rstrip("/") + "/" + log_file
    db_url = parser.get("database", "connection", fallback=None) if parser.has_section("database") else None
    return Settings(db_url=db_url or None, debug=debug, log_file=log_file)

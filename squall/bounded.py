"""Reading and parsing untrusted input within limits.

Every file, body and document squall takes from a user goes through here:
files are read only when they are regular and small enough, text must be
UTF-8, YAML is parsed with libyaml's safe loader and refused when its aliases
would expand it past :data:`MAX_NODES` or it nests deeper than
:data:`MAX_DEPTH`, and numbers that are not finite are refused.
"""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from squall import exceptions

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_IMPORT_CHARS = 512 * 1024 * 1024  # results files of a million iterations are large
MAX_NODES = 2_000_000
MAX_DEPTH = 100
_SCALAR_UNIT = 64  # characters of a scalar that count as one node of expansion

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DocumentError(ValueError):
    """A document is malformed or past a limit; ``str()`` says where."""


def read_text(path: Path | str, what: str = "file", limit: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes.

    Directories, devices and pipes are refused at once, before any read.
    """
    return decode_utf8(read_bytes(path, what, limit), f"{what} {path}")


def read_bytes(path: Path | str, what: str = "file", limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (directories, devices and pipes refused)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise exceptions.InvalidArgumentsError(f"cannot read {what} {path}: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise exceptions.InvalidArgumentsError(f"cannot read {what} {path}: it is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise exceptions.InvalidArgumentsError(f"cannot read {what} {path}: not a regular file")
        if info.st_size > limit:
            raise exceptions.InvalidArgumentsError(
                f"{what} {path} is {info.st_size:,} bytes; the limit is {limit:,}")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise exceptions.InvalidArgumentsError(f"{what} {path} is larger than the limit of {limit:,} bytes")
    return data


def decode_utf8(data: bytes, source: str) -> str:
    """``data`` as text; a precise error names the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise exceptions.InvalidArgumentsError(f"{source}: not UTF-8 at byte {exc.start}") from None


def check_text_size(text: str, source: str, limit: int = MAX_FILE_BYTES) -> None:
    """Refuse a text longer than ``limit`` characters."""
    if len(text) > limit:
        raise DocumentError(f"{source} is {len(text):,} characters; the limit is {limit:,}")


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _where(node: yaml.Node) -> str:
    return f"line {node.start_mark.line + 1}"


def _measure(root: yaml.Node, source: str) -> None:
    """Refuse a node graph whose expansion (aliases followed) is too large or deep."""
    done: dict[int, tuple[int, int]] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in done:
            continue
        children = _children(node)
        if not children_done:
            on_path.add(key)
            stack.append((node, True))
            for child in children:
                if id(child) in on_path:
                    raise DocumentError(f"{source}: recursive alias at {_where(child)}")
                if id(child) not in done:
                    stack.append((child, False))
            continue
        on_path.discard(key)
        if children:
            size = 1 + sum(done[id(c)][0] for c in children)
            depth = 1 + max(done[id(c)][1] for c in children)
        else:
            size, depth = 1 + len(str(node.value)) // _SCALAR_UNIT, 1
        if size > MAX_NODES:
            raise DocumentError(f"{source}: aliases at {_where(node)} expand the document past "
                                f"{MAX_NODES:,} nodes (a 'billion laughs' document?)")
        if depth > MAX_DEPTH:
            raise DocumentError(f"{source}: nested deeper than {MAX_DEPTH} levels at {_where(node)}")
        done[key] = (size, depth)


def _yaml_message(source: str, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"{source}: YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return f"{source}: YAML syntax error: {problem}"


def load_yaml(text: str, source: str) -> Any:
    """Parse YAML (or JSON) text safely and within limits; raise :class:`DocumentError`."""
    check_text_size(text, source)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _measure(node, source)
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise DocumentError(_yaml_message(source, exc)) from None
    except RecursionError:
        raise DocumentError(f"{source}: nested too deeply") from None
    finally:
        loader.dispose()
    check_finite(data, source)
    return data


def check_finite(data: Any, source: str, max_depth: int = MAX_DEPTH) -> None:
    """Refuse NaN and infinities anywhere in ``data``, and nesting past ``max_depth``."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    seen: set[int] = set()
    while stack:
        value, path, depth = stack.pop()
        if depth > max_depth:
            raise DocumentError(f"{source}: nested deeper than {max_depth} levels at {path or 'the top'}")
        if isinstance(value, float) and not math.isfinite(value):
            raise DocumentError(f"{source}: {path or 'value'}: {value} is not a finite number")
        if isinstance(value, dict | list):
            if id(value) in seen:  # a shared alias is checked once
                continue
            seen.add(id(value))
            if isinstance(value, dict):
                _check_keys(value, path, source)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((v, f"{path}/{k}" if path else str(k), depth + 1) for k, v in items)


def _check_keys(mapping: dict[Any, Any], path: str, source: str) -> None:
    """Refuse a key that is not text (YAML reads ``2001-12-14:`` as a date, ``1:`` as a number)."""
    for key in mapping:
        if not isinstance(key, str):
            kind = "a date" if hasattr(key, "isoformat") else f"a {type(key).__name__}"
            where = path or "the top level"
            raise DocumentError(f"{source}: {where}: the key {key} is {kind}, not text; "
                                f"quote it ('{key}':) or use another name")

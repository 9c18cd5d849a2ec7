"""Names of the resources squall creates, and the one matcher cleanup trusts.

A name is ``sq<kind>_<task>_<random><check>``:

* ``kind``: ``s`` when a scenario made the resource, ``c`` when a context did;
* ``task``: the first 8 hex digits of the creating task's UUID;
* ``random``: 7 letters or digits; ``check``: one more, derived from all the
  rest, so a hand-made name of the same shape is recognised as foreign
  (61 times in 62) and a copy with a changed character almost always too.

The matcher is exact (anchored, fixed lengths, checksum): it decides whether
a name belongs to one task, to any squall task, or to nobody.

A resource whose name the task file gives (Rally's ``flavors`` and
``volume_types`` contexts) carries a squall name in its description, made in
the same request as the resource: :func:`tag` writes it, :func:`tagged_name`
reads it back, and the same matcher judges it.
"""

from __future__ import annotations

import re
import secrets
import string
import zlib
from dataclasses import dataclass

ALPHABET = string.ascii_letters + string.digits
KINDS = {"scenario": "s", "context": "c"}
_PATTERN = re.compile(r"^sq([sc])_([0-9a-f]{8})_([A-Za-z0-9]{7})([A-Za-z0-9])$")


def task_code(task_uuid: str) -> str:
    """The 8 hex digits of a task UUID that go into names."""
    code = task_uuid.replace("-", "")[:8].lower()
    if not re.fullmatch(r"[0-9a-f]{8}", code):
        raise ValueError(f"not a task UUID: {task_uuid!r}")
    return code


def _check(body: str) -> str:
    return ALPHABET[zlib.crc32(body.encode()) % len(ALPHABET)]


def generate(task_uuid: str, kind: str = "scenario") -> str:
    """A fresh name for a resource created by ``kind`` on behalf of the task."""
    body = f"sq{KINDS[kind]}_{task_code(task_uuid)}_" + "".join(secrets.choice(ALPHABET) for _ in range(7))
    return body + _check(body)


@dataclass(frozen=True)
class NameOwner:
    """Who made a resource, as its name tells."""

    kind: str
    task_code: str


def owner(name: str) -> NameOwner | None:
    """The owner encoded in a squall name, or None for a name squall did not make."""
    match = _PATTERN.match(name or "")
    if match is None:
        return None
    body = name[:-1]
    if _check(body) != match.group(4):
        return None
    kind = "scenario" if match.group(1) == "s" else "context"
    return NameOwner(kind=kind, task_code=match.group(2))


def belongs_to(name: str, task_uuid: str | None = None, kind: str | None = None) -> bool:
    """True when squall made ``name`` (for that task, and by that kind, when given)."""
    found = owner(name)
    if found is None:
        return False
    if task_uuid is not None and found.task_code != task_code(task_uuid):
        return False
    return kind is None or found.kind == kind


TAG_PREFIX = "made by squall: "


def tag(name: str) -> str:
    """The description that marks a resource named by its task file as squall's ``name``."""
    return f"{TAG_PREFIX}{name}"


def tagged_name(description: str | None) -> str | None:
    """The squall name a description written by :func:`tag` carries, or None (no tag, or a forged one)."""
    if not description or not description.startswith(TAG_PREFIX):
        return None
    candidate = description[len(TAG_PREFIX):]
    return candidate if owner(candidate) is not None else None

"""Secrets in environment specs: which values they are, and how they are hidden.

An environment spec holds what squall needs to reach the system under test,
admin passwords included. Everything that shows a spec (``env show``, ``env
list``, the service, the portal) hides those values unless asked; the engine
reads the stored spec itself.
"""

from __future__ import annotations

import re
from typing import Any

HIDDEN = "***"
_SECRET_KEY = re.compile(r"(^|_)(password|passphrase|secret|token|private_key|api_key|hmac_key)$", re.IGNORECASE)


def is_secret(key: str) -> bool:
    """Whether a spec key names a secret value (``password``, ``admin_token``, ``application_credential_secret``...)."""
    return bool(_SECRET_KEY.search(key))


def redact(value: Any) -> Any:
    """A copy of ``value`` with every secret, at any depth, replaced by ``***`` (empty ones stay empty)."""
    if isinstance(value, dict):
        return {k: (HIDDEN if v and isinstance(k, str) and is_secret(k) and not isinstance(v, (dict, list))
                    else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value

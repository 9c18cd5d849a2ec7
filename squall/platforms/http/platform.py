"""``http`` platform: a service reached at a base URL."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any, ClassVar

from squall.env.platform import Platform
from squall.registry import JSON_SCHEMA, configure


@configure(name="http")
class HttpPlatform(Platform):
    """An HTTP service at ``base_url``; the check sends one GET to it."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "$schema": JSON_SCHEMA,
        "type": "object",
        "properties": {
            "base_url": {"type": "string", "pattern": "^https?://"},
            "check_timeout": {"type": "number", "exclusiveMinimum": 0},
        },
        "required": ["base_url"],
        "additionalProperties": False,
    }

    def check(self) -> dict[str, Any]:
        url = self.spec["base_url"]
        try:
            with urllib.request.urlopen(url, timeout=self.spec.get("check_timeout", 5)) as resp:
                return {"available": True, "message": f"GET {url} answered {resp.status}"}
        except urllib.error.HTTPError as exc:
            return {"available": True, "message": f"GET {url} answered {exc.code}"}
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return {"available": False, "message": f"GET {url} failed: {reason}"}

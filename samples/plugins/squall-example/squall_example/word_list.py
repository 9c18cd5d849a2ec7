"""Context ``word_list``: a list of words every iteration of the workload can read."""

from __future__ import annotations

from typing import Any, ClassVar

from squall.plugin_api import Context, configure_context


@configure_context(name="word_list", order=500)
class WordList(Context):
    """``words`` (a list of text) in ``context["words"]``, set up before the load and removed after it."""

    CONFIG_SCHEMA: ClassVar[dict[str, Any]] = {
        "type": "object", "additionalProperties": False, "required": ["words"],
        "properties": {"words": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
    }

    def setup(self) -> None:
        self.context["words"] = list(self.config["words"])

    def cleanup(self) -> None:
        self.context.pop("words", None)

"""Scenario ``Example.retrying_echo``: echo a word, timed as an atomic action per attempt."""

from __future__ import annotations

from squall.plugin_api import ActionTimer, Scenario, configure_scenario


@configure_scenario(name="Example.retrying_echo")
class RetryingEcho(Scenario):
    """Pick the word of this iteration from the ``word_list`` context; "echo" it in ``attempts`` timed tries
    (``echo.attempt``, the first ``fail_first`` of them failing), and put how many it took in the output."""

    def run(self, attempts: int = 3, fail_first: int = 0) -> None:
        words = self.context["words"]
        word = words[(self.context["iteration"] - 1) % len(words)]
        for attempt in range(1, attempts + 1):
            try:
                with ActionTimer(self, "echo.attempt"):
                    if attempt <= fail_first:
                        raise ConnectionError(f"attempt {attempt} at {word!r} failed")
            except ConnectionError:
                continue
            self.add_output(additive={"title": "Attempts", "chart_plugin": "StackedArea",
                                      "data": [["attempts", attempt]]})
            return
        raise RuntimeError(f"no attempt of {attempts} echoed {word!r}")

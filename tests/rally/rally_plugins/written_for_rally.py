"""A plugin file written against Rally 5.1.1's API; squall and Rally both load it with --plugin-paths."""

from rally.common import logging
from rally.task import atomic, context, scenario, validation

LOG = logging.getLogger(__name__)


@context.configure(name="compat_counter", order=100)
class CompatCounter(context.Context):
    """Puts a starting number into the context for the scenario."""

    CONFIG_SCHEMA = {"type": "object", "properties": {"start": {"type": "integer"}},
                     "additionalProperties": False}

    def setup(self):
        self.context["compat_start"] = self.config.get("start", 0)

    def cleanup(self):
        LOG.info("compat_counter cleaned up")


@validation.add("number", param_name="count", minval=1, integer_only=True)
@validation.add("enum", param_name="mode", values=["sum", "fail"], missed=True)
@scenario.configure(name="Compat.count", context={"compat_counter": {"start": 1}})
class CompatCount(scenario.Scenario):
    """Counts in atomic actions, checks the sum, and charts it."""

    @atomic.action_timer("add_one")
    def _add_one(self, value):
        return value + 1

    def run(self, count, mode="sum"):
        value = self.context["compat_start"]
        with atomic.ActionTimer(self, "count_all"):
            for _ in range(count):
                value = self._add_one(value)
        self.assertEqual(value, self.context["compat_start"] + count)
        self.add_output(additive={"title": "Counted", "chart_plugin": "StackedArea",
                                  "data": [["value", value]]})
        if mode == "fail":
            self.assertEqual(value, -1, "asked to fail")

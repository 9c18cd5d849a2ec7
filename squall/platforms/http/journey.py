"""``HttpJourney.run``: a virtual user's way through a web application, written in the task file.

Each iteration runs the ``steps`` in order: a request (templated URL,
headers, query, body), its checks, the values it takes from the answer for
the steps after it, then a think time that is idle, not duration. A
``choose`` step runs one of its options, picked by weight. ``on_start`` runs
once per virtual user, before its first iteration (a login: the token it
extracts stays with the user), ``on_stop`` once at its end, inside its last
iteration (a logout), and a data ``feed`` gives each user a row of
variables. Each request is an atomic action named after its step and counted
once per request (:attr:`~squall.plugin_api.Scenario.COUNT_EACH_ACTION`), so
the statistics table has one row per request name. Requests go over squall's
HTTP fast path with a cookie jar per user. A worker runs the journey on
callbacks (:mod:`journey_callbacks`) unless its runner has a timeout; both
ways share each step's plan (:mod:`journey_plan`).
"""

from __future__ import annotations

import time
from typing import Any

from squall import exceptions
from squall.platforms.http import fastpath, journey_schema, journey_steps
from squall.platforms.http.connections import WORKER
from squall.platforms.http.journey_callbacks import CallbackJourney
from squall.platforms.http.journey_feed import feed_rows
from squall.platforms.http.journey_plan import StepPlan, chosen, plan_for, start_user, user_scope
from squall.platforms.http.journey_steps import Answer
from squall.plugin_api import atomic
from squall.plugin_api.scenario import Scenario, configure


@configure(name="HttpJourney.run")
class HttpJourney(Scenario):
    """A user's journey through a web application: ordered requests with checks, values carried from one answer
    to the next request, think time, a per-user start (login) and a data feed.

    Each step: ``name`` (its statistics row), ``method``, ``url`` (relative to ``base_url``), ``headers``,
    ``params``, ``cookies``, one body (``json``, ``form`` or ``body``), ``timeout``, ``allow_redirects``,
    ``check`` (status, body_contains, body_matches, json path equals or ``{exists: bool}``, header,
    max_duration), ``extract`` (variables from a json path, regex, header or cookie) and ``think_time``
    (seconds, or [min, max]). ``${name}`` in any string is a variable: ``variables``, the feed's columns,
    earlier extractions, ``base_url``, ``iteration`` and ``user``.
    """

    COUNT_EACH_ACTION = True

    @classmethod
    def argument_errors(cls, args: dict[str, Any], path: str) -> list[str]:
        """The journey's schema, its regular expressions and JSON paths, and the variables each step uses."""
        return journey_schema.errors(args, path)

    @classmethod
    def host_files(cls, args: dict[str, Any]) -> list[str]:
        """The data feed's file, read on squall's machine."""
        feed = args.get("feed")
        return [str(feed["file"])] if isinstance(feed, dict) and feed.get("file") else []

    @classmethod
    def targets(cls, args: dict[str, Any]) -> list[str]:
        """The base URL and every absolute step URL."""
        found = [str(args["base_url"])] if args.get("base_url") else []
        steps = journey_schema.flat_steps([*(args.get("on_start") or []), *(args.get("steps") or []),
                                           *(args.get("on_stop") or [])])
        return found + [str(s["url"]) for s in steps if str(s.get("url", "")).startswith(("http://", "https://"))]

    @classmethod
    def worker_args(cls, args: dict[str, Any]) -> dict[str, Any]:
        """The feed's file read here, once, and shipped to the workers as rows."""
        feed = args.get("feed")
        if not isinstance(feed, dict) or "file" not in feed:
            return args
        try:
            rows = feed_rows(str(feed["file"]))
        except ValueError as exc:
            raise exceptions.InvalidArgumentsError(str(exc)) from None
        return {**args, "feed": {"rows": rows, "order": feed.get("order", "sequential")}}

    @classmethod
    def callback_iteration(cls, args: dict[str, Any]) -> atomic.CallbackIteration | None:
        """The journey on callbacks: no coroutine per iteration or request."""
        return CallbackJourney(args)

    @classmethod
    async def close_worker_resources(cls) -> None:
        """Close this worker's connections when its load ends."""
        await WORKER.close()

    async def run(self, steps: list[dict[str, Any]], base_url: str | None = None,
                  on_start: list[dict[str, Any]] | None = None, variables: dict[str, Any] | None = None,
                  feed: dict[str, Any] | None = None, on_stop: list[dict[str, Any]] | None = None) -> None:
        user = self.user
        if not user.started:
            started = start_user(user, {"variables": variables, "feed": feed, "base_url": base_url})
            await self._walk(on_start or [], base_url, started)
            user.started = True
        await self._walk(steps, base_url, user_scope(user, self.context.get("iteration", 1)))

    async def stop_user(self, base_url: str | None = None, on_stop: list[dict[str, Any]] | None = None,
                        **_: Any) -> None:
        """``on_stop``, once, for a user whose start succeeded (its variables are on_start's, not an iteration's)."""
        user = self.user
        if user.started and on_stop:
            await self._walk(on_stop, base_url, user_scope(user))

    async def _walk(self, steps: list[dict[str, Any]], base_url: str | None, scope: dict[str, Any]) -> None:
        for step in steps:
            if "choose" in step:
                await self._walk(chosen(step), base_url, scope)
                continue
            plan = plan_for(step, base_url)
            scope.update(await self._request(plan, scope))
            if plan.think:
                await self.think(*plan.think)

    async def _request(self, plan: StepPlan, scope: dict[str, Any]) -> dict[str, Any]:
        cookies = self.user.data["cookies"]
        prepared = plan.request(scope, cookies)
        async with atomic.ActionTimer(self, plan.name):
            began = time.perf_counter()
            response = await fastpath.send(WORKER.pool(), prepared)
            answer = Answer(response, time.perf_counter() - began, plan.name)
            cookies.update(answer.cookies())
            journey_steps.check(answer, plan.rules(scope), self.check, plan.check_names)
            return journey_steps.extract(answer, plan.extract)

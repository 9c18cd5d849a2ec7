"""``HttpJourney.run``'s iteration as a chain of callbacks: no coroutine, future or task per iteration or request.

The same steps, checks, extractions, think times, per-user start and stop
and atomic actions as the scenario's ``run``, for a worker that runs the
journey on callbacks (:class:`~squall.plugin_api.atomic.CallbackIteration`):
each answer's callback judges it and sends the next step's request, the way
wrk's state machine goes from one request to the next. A load of a few
requests per iteration then spends its CPU on the requests, not on
scheduling coroutines.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from squall.platforms.http import fastpath, journey_steps
from squall.platforms.http.connections import WORKER
from squall.platforms.http.journey_plan import StepPlan, chosen, plan_for, start_user, user_scope
from squall.platforms.http.journey_steps import Answer
from squall.plugin_api.atomic import AtomicAction, IterationDone, new_action
from squall.plugin_api.checks import TALLY
from squall.plugin_api.scenario import VirtualUser

_STARTED = object()  # in a walk's steps: the user's on_start is over, its iterations' steps come next


class CallbackJourney:
    """A journey's arguments, ready to run iterations on callbacks."""

    def __init__(self, args: dict[str, Any]) -> None:
        self.args = args
        self.steps: list[dict[str, Any]] = args["steps"]
        self.on_start: list[dict[str, Any]] = args.get("on_start") or []
        self.base_url: str | None = args.get("base_url")
        self.on_stop: list[dict[str, Any]] = args.get("on_stop") or []
        self.stops_users = bool(self.on_stop)

    def start(self, user: VirtualUser, iteration: int, done: IterationDone) -> None:
        """Begin one iteration as ``user``: its start first (a login) if it has not succeeded yet."""
        if not user.started:
            todo: list[Any] = [*reversed(self.steps), _STARTED, *reversed(self.on_start)]
            scope = start_user(user, self.args)
        else:
            todo = list(reversed(self.steps))
            scope = user_scope(user, iteration)
        _Walk(self, user, iteration, todo, scope, done).next()

    def stop(self, user: VirtualUser, done: IterationDone) -> None:
        """``on_stop``, once, for a user whose start succeeded (its variables are on_start's, not an iteration's)."""
        if not (user.started and self.on_stop):
            done(None, [], 0.0)
            return
        _Walk(self, user, 0, list(reversed(self.on_stop)), user_scope(user), done).next()


class _Walk:
    """One iteration on its way: the steps still to run (last first), the variables, the actions timed so far."""

    __slots__ = ("journey", "user", "iteration", "todo", "scope", "done", "actions", "idle", "plan", "action",
                 "began")

    def __init__(self, journey: CallbackJourney, user: VirtualUser, iteration: int, todo: list[Any],
                 scope: dict[str, Any], done: IterationDone) -> None:
        self.journey = journey
        self.user = user
        self.iteration = iteration
        self.todo = todo
        self.scope = scope
        self.done = done
        self.actions: list[AtomicAction] = []
        self.idle = 0.0
        self.plan: StepPlan | None = None
        self.action: AtomicAction | None = None
        self.began = 0.0

    def next(self) -> None:
        """Send the next step's request, or end the iteration when none is left."""
        todo = self.todo
        while todo:
            step = todo.pop()
            if step is _STARTED:
                self.user.started = True
                self.scope = user_scope(self.user, self.iteration)
            elif "choose" in step:
                todo.extend(reversed(chosen(step)))
            else:
                self._send(plan_for(step, self.journey.base_url))
                return
        self.done(None, self.actions, self.idle)

    def _send(self, plan: StepPlan) -> None:
        try:
            prepared = plan.request(self.scope, self.user.data["cookies"])
        except Exception as exc:  # a variable not set, a request the fast path cannot send: before any action
            self.done(exc, self.actions, self.idle)
            return
        self.plan = plan
        self.action = action = new_action(plan.name)
        self.actions.append(action)
        self.began = time.perf_counter()
        try:
            WORKER.pool().exchange_then(prepared, self._answered)
        except Exception as exc:  # not sent: the iteration ends here, never left waiting
            self._failed(action, exc)

    def _answered(self, response: fastpath.Response | None, exc: BaseException | None) -> None:
        duration = time.perf_counter() - self.began
        plan, action = self.plan, self.action
        assert plan is not None and action is not None
        if response is None:  # the exchange failed (refused, closed, timed out)
            self._failed(action, exc or ConnectionError("no answer"))
            return
        try:
            answer = Answer(response, duration, plan.name)
            self.user.data["cookies"].update(answer.cookies())
            journey_steps.check(answer, plan.rules(self.scope), TALLY.add, plan.check_names)
            self.scope.update(journey_steps.extract(answer, plan.extract))
        except Exception as failure:
            self._failed(action, failure)
            return
        action["finished_at"] = time.time()
        if plan.think:
            seconds = random.uniform(plan.think[0], plan.think[-1])
            asyncio.get_running_loop().call_later(seconds, self._thought, time.monotonic())
        else:
            self.next()

    def _failed(self, action: AtomicAction, failure: BaseException) -> None:
        action["finished_at"] = time.time()
        action["failed"] = True
        self.done(failure, self.actions, self.idle)

    def _thought(self, since: float) -> None:
        self.idle += time.monotonic() - since
        self.next()

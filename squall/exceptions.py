"""The exception hierarchy of squall.

Every error squall raises on purpose is a :class:`SquallError`. Each class has
an ``http_code`` and remembers its keyword arguments, so an error can travel
as JSON (``to_dict``) and be rebuilt as the same class on the other side
(``from_dict``): the API raises the same exception whether it is called
directly or over HTTP.
"""

from __future__ import annotations

from typing import Any, ClassVar


class SquallError(Exception):
    """Root of every squall error; unknown exceptions are wrapped in it."""

    http_code: ClassVar[int] = 500
    msg_fmt: ClassVar[str] = "{message}"

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        self.kwargs: dict[str, Any] = dict(kwargs)
        if message is not None:
            self.kwargs["message"] = message
        try:
            text = self.msg_fmt.format(**self.kwargs)
        except (KeyError, IndexError):
            text = message if message is not None else self.msg_fmt
        self.message = text
        super().__init__(text)

    def to_dict(self) -> dict[str, Any]:
        """Serialise to ``{name, msg, kwargs, http_code}``."""
        return {
            "name": type(self).__name__,
            "msg": self.message,
            "kwargs": self.kwargs,
            "http_code": self.http_code,
        }

    @classmethod
    def subclasses(cls) -> dict[str, type[SquallError]]:
        """Every subclass of this class, by class name (itself included)."""
        found: dict[str, type[SquallError]] = {cls.__name__: cls}
        for sub in cls.__subclasses__():
            found.update(sub.subclasses())
        return found

    @staticmethod
    def from_dict(data: dict[str, Any]) -> SquallError:
        """Rebuild the exception that ``to_dict`` described."""
        cls = SquallError.subclasses().get(str(data.get("name")), SquallError)
        kwargs = dict(data.get("kwargs") or {})
        try:
            return cls(**kwargs)
        except TypeError:
            return SquallError(str(data.get("msg", "")))


def make_exception(exc: BaseException) -> SquallError:
    """Return ``exc`` itself if it is a squall error, else wrap its message."""
    if isinstance(exc, SquallError):
        return exc
    return SquallError(f"{type(exc).__name__}: {exc}")


class InvalidArgumentsError(SquallError):
    """Arguments of an API call or a command are wrong."""

    http_code = 400


class InvalidTaskError(SquallError):
    """A task file failed to render, parse or validate.

    ``errors`` holds one precise message per problem.
    """

    http_code = 400
    msg_fmt = "Task config is invalid:\n{details}"

    def __init__(self, errors: list[str] | None = None, **kwargs: Any) -> None:
        errors = list(errors or [])
        kwargs.pop("message", None)
        kwargs.pop("details", None)
        super().__init__(errors=errors, details="\n".join(f"  - {e}" for e in errors), **kwargs)
        self.errors = errors


class InvalidConfigError(SquallError):
    """A configuration document other than a task file is invalid."""

    http_code = 400


class NotFoundError(SquallError):
    """The requested object does not exist."""

    http_code = 404
    msg_fmt = "{kind} '{name}' not found"

    def __init__(self, kind: str = "object", name: str = "", **kwargs: Any) -> None:
        kwargs.pop("message", None)
        super().__init__(kind=kind, name=name, **kwargs)


class PluginNotFoundError(NotFoundError):
    """No plugin of that kind has that name."""


class DuplicateError(SquallError):
    """An object with that name already exists."""

    http_code = 409


class InvalidStateError(SquallError):
    """The object is not in a state that allows the operation."""

    http_code = 409


class IllegalTransitionError(InvalidStateError):
    """A deployment history row was asked to move along a transition Fuel's state machine forbids."""


class ContextSetupError(SquallError):
    """A context's set-up failed, so its workload does not run."""

    msg_fmt = "context '{name}' failed to set up: {etype}: {msg}"


class DatabaseError(SquallError):
    """The results database is missing, outdated or unreachable."""

    http_code = 503


class ServiceUnavailableError(SquallError):
    """The squall service cannot be reached."""

    http_code = 503


class UnauthorizedError(SquallError):
    """The request lacks a valid token."""

    http_code = 401


class ForbiddenError(SquallError):
    """The service refuses this operation (read-only, or commands not allowed)."""

    http_code = 403


class MethodNotAllowedError(SquallError):
    """The HTTP method is not allowed on that resource."""

    http_code = 405


class TooManyRequestsError(SquallError):
    """The service already runs as many tasks as it allows (``--max-running``)."""

    http_code = 429


class ThreadTimeoutException(SquallError):  # noqa: N818 - Rally's name, which results and SLA filters carry
    """An iteration ran longer than the runner's ``timeout`` (Rally 5.1.1's type and text)."""

    msg_fmt = "Iteration interrupted due to timeout."

    def __init__(self, timeout: float = 0, **kwargs: Any) -> None:
        kwargs.pop("message", None)
        super().__init__(timeout=timeout, **kwargs)

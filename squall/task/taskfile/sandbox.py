"""Jinja2 rendering of untrusted task files, bounded in what it can do, build and take.

A task file may come from anyone who can reach the service, so its template
runs in Jinja2's immutable sandbox (no attribute of Python's internals, no
mutation of lists or dicts) and, on top of that, under three bounds:

- **size**: no string, list or output grows past :data:`MAX_VALUE`
  characters or items, and all that one render builds stays under
  :data:`MAX_BUILT`. Operators, calls, filters, ``~`` joins and block
  buffers are checked *before* they allocate, so a doubling loop or a
  ``'x' * 10**12`` stops at once instead of exhausting memory;
- **numbers**: integers stay under :data:`MAX_INT_BITS` bits;
- **time**: a render that runs longer than its deadline is interrupted
  (an asynchronous exception lands in the rendering thread).
"""

from __future__ import annotations

import ctypes
import functools
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_VALUE = 16 * 1024 * 1024
MAX_BUILT = 256 * 1024 * 1024
MAX_INT_BITS = 4096
RENDER_SECONDS = 5.0
_NUMBER = re.compile(r"\d+")
_SIZED = (str, bytes, list, tuple, dict, set, frozenset)


class RenderLimitError(Exception):
    """A template went past one of the sandbox's bounds."""


class RenderTimeout(BaseException):  # noqa: N818 - raised asynchronously, must not be caught as Exception
    """The render ran past its deadline (raised inside the rendering thread)."""


def weight(value: Any, limit: int = MAX_VALUE) -> int:
    """How large ``value`` becomes as text, counted until ``limit`` is passed.

    Nested containers count every element each time it is referenced, which
    is what ``str()`` or ``join`` would build from them.
    """
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, dict):
            total += len(item) + 1
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item) + 1
            stack.extend(item)
        else:
            total += 8
    return total


def _too_large(what: str, limit: int = MAX_VALUE) -> RenderLimitError:
    return RenderLimitError(f"{what} would be larger than {limit:,} characters or items")


def _check_number(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise RenderLimitError(f"an integer of more than {MAX_INT_BITS} bits is not allowed in a task file")


def _check_arguments(args: Iterable[Any]) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_VALUE:
            raise RenderLimitError(f"the number {arg} is too large for a template call (limit {MAX_VALUE:,})")
        if isinstance(arg, str) and ("%" in arg or "{" in arg):
            _check_widths(arg)
        if weight(arg) > MAX_VALUE:
            raise _too_large("an argument")


def _check_widths(fmt: str) -> None:
    """Refuse a format string whose fields' widths add up past the size bound (``{0:>99999999}`` x 10)."""
    if sum(int(digits) for digits in _NUMBER.findall(fmt) if len(digits) > 3) > MAX_VALUE:
        raise RenderLimitError(f"format widths adding up to more than {MAX_VALUE:,} characters are not "
                               "allowed in a task file")


def _predict_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would be too large, before it runs."""
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, _SIZED) and isinstance(times, int) and weight(seq) * max(times, 0) > MAX_VALUE:
                raise _too_large("a repeated sequence")
        if isinstance(left, int) and isinstance(right, int) and \
                left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise RenderLimitError(f"a product of more than {MAX_INT_BITS} bits is not allowed in a task file")
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and \
                right * left.bit_length() > MAX_INT_BITS:
            raise RenderLimitError(f"a power of more than {MAX_INT_BITS} bits is not allowed in a task file")
    elif operator == "+":
        if isinstance(left, _SIZED) and isinstance(right, _SIZED) and weight(left) + weight(right) > MAX_VALUE:
            raise _too_large("a sum of sequences")
    elif operator == "%" and isinstance(left, str):
        _check_arguments([left])
        _check_arguments(right if isinstance(right, tuple) else [right])


def _predict_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    target = getattr(getattr(obj, "__wrapped__", obj), "__self__", None)
    name = getattr(obj, "__name__", "")
    if isinstance(target, str) and name in ("format", "format_map"):
        _check_widths(target)
    if isinstance(target, str) and name == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        hits = target.count(old) if old else len(target) + 1
        if len(target) + hits * len(new) > MAX_VALUE:
            raise _too_large("a replaced string")
    if isinstance(target, str) and name == "join" and args:
        _check_join(target, args[0])
    if name == "generate_lorem_ipsum":  # lipsum(n, html, min, max): n paragraphs of up to max words
        values = dict(zip(("n", "html", "min", "max"), args, strict=False)) | kwargs
        n, most = values.get("n", 5), values.get("max", 100)
        if isinstance(n, int) and isinstance(most, int) and n * max(most, 0) * 12 > MAX_VALUE:
            raise _too_large("a lorem ipsum text")
    if isinstance(target, str) and name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int) and target.count("\t") * size > MAX_VALUE:
            raise _too_large("an expanded string")


def _check_join(separator: Any, items: list[Any] | tuple[Any, ...]) -> None:
    if weight(items) + len(str(separator)) * len(items) > MAX_VALUE:
        raise _too_large("a joined string")


def _check_sum(items: list[Any], start: Any) -> None:
    """Summing sequences copies the partial sum at each step: refuse when the copies add up too far."""
    if not isinstance(start, _SIZED):
        return
    so_far, copied = weight(start), 0
    for item in items:
        so_far += weight(item)
        copied += so_far
        if copied > MAX_BUILT:
            raise RenderLimitError(f"a sum of sequences would copy more than {MAX_BUILT:,} items")


def _check_filter(name: str, values: list[Any], kwargs: dict[str, Any]) -> None:
    """Refuse a filter call whose result, or the work to build it, would be too large."""
    second = values[1] if len(values) > 1 else None  # the filter's first argument after its value
    if name == "do_replace" and len(values) >= 3:
        _predict_call(str(values[0]).replace, tuple(values[1:3]), {})
    elif name == "do_indent" and values:
        width = kwargs.get("width", 4 if second is None else second)
        size = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        if len(str(values[0])) + (str(values[0]).count("\n") + 1) * max(size, 0) > MAX_VALUE:
            raise _too_large("an indented string")
    elif name == "do_tojson" and values:
        indent = kwargs.get("indent", second)
        if isinstance(indent, int) and weight(values[0]) * (max(indent, 0) + 1) > MAX_VALUE:
            raise _too_large("an indented JSON text")
    elif name == "do_format" and values:
        _check_widths(str(values[0]))


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox with bounds on size, numbers and work."""

    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def __init__(self, loader: jinja2.BaseLoader | None = None,
                 undefined: type[jinja2.Undefined] = jinja2.StrictUndefined) -> None:
        super().__init__(undefined=undefined, keep_trailing_newline=True, loader=loader,
                         finalize=self._finalize_output)
        self.built = 0
        self.template_class = _BoundedTemplate
        self.concat = self.bounded_concat  # type: ignore[method-assign,assignment]
        self.filters = {name: _bounded_filter(self, func) for name, func in self.filters.items()}

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``obj.name``; a private or special name is refused even where it does not exist."""
        if attribute.startswith("_") and not (isinstance(obj, dict) and attribute in obj):
            return self.unsafe_undefined(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """``obj[key]``; a private or special name that is not an item is refused."""
        if isinstance(argument, str) and argument.startswith("_"):
            try:
                return obj[argument]
            except (TypeError, LookupError):
                return self.unsafe_undefined(obj, argument)
        return super().getitem(obj, argument)

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        """Refuse an unsafe attribute at once, whichever kind of undefined the render uses."""
        raise jinja2.sandbox.SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe.")

    def account(self, value: Any) -> Any:
        """Count ``value`` against this render's budget; refuse it when too large."""
        if isinstance(value, _SIZED):
            size = weight(value)
            if size > MAX_VALUE:
                raise _too_large("a value")
            self.built += size
            if self.built > MAX_BUILT:
                raise RenderLimitError(f"the template built more than {MAX_BUILT:,} characters in all")
        else:
            _check_number(value)
        return value

    def _finalize_output(self, value: Any) -> Any:
        if isinstance(value, _SIZED) and weight(value) > MAX_VALUE:
            raise _too_large("an expression's text")
        return value

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        """An intercepted operator, refused before it runs when its result would be too large."""
        _predict_binop(operator, left, right)
        return self.account(super().call_binop(context, operator, left, right))

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any,  # noqa: N805
             **kwargs: Any) -> Any:
        """A call from the template, with its arguments and result bounded."""
        if __obj is not range and getattr(__obj, "__name__", "") != "safe_range":
            if getattr(__obj, "__name__", "") == "join" and args and not isinstance(args[0], _SIZED):
                args = (list(args[0]), *args[1:])  # a generator is read once, here, so that its size is known
            _check_arguments(args)
            _check_arguments(kwargs.values())
            _predict_call(__obj, args, kwargs)
        return __self.account(super().call(__context, __obj, *args, **kwargs))

    def bounded_concat(self, pieces: Iterable[Any]) -> str:
        """``concat`` for block buffers and ``~``: the joined size is checked first."""
        parts = [p if isinstance(p, str) else str(self._finalize_output(p)) for p in pieces]
        if sum(len(p) for p in parts) > MAX_VALUE:
            raise _too_large("a joined block")
        return str(self.account("".join(parts)))


def _bounded_filter(env: BoundedSandbox, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        values = [a for a in args if not isinstance(a, jinja2.runtime.Context | jinja2.nodes.EvalContext)
                  and a is not env]
        _check_arguments(values)
        _check_arguments(kwargs.values())
        _check_filter(func.__name__, values, kwargs)
        if func.__name__ in ("do_join", "do_sum") and values and not isinstance(values[0], str):
            items = list(values[0])  # a generator is read once, here, so that its size is known
            if func.__name__ == "do_join":
                _check_join(values[1] if len(values) > 1 else kwargs.get("d", ""), items)
            else:
                _check_sum(items, kwargs.get("start", values[2] if len(values) > 2 else 0))
            args = tuple(items if a is values[0] else a for a in args)
        return env.account(func(*args, **kwargs))

    return bounded


class _BoundedTemplate(jinja2.Template):
    """A template whose joins (``~``, block buffers) go through the sandbox's bounds."""

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: Any, globals: Any,  # noqa: A002
                  uptodate: Callable[[], bool] | None = None) -> jinja2.Template:
        namespace: dict[str, Any] = {"environment": environment, "__file__": code.co_filename}
        exec(code, namespace)  # noqa: S102 - Jinja2's own compiled template code
        assert isinstance(environment, BoundedSandbox)
        namespace["concat"] = environment.bounded_concat
        namespace["str_join"] = environment.bounded_concat
        namespace["markup_join"] = environment.bounded_concat
        template = cls._from_namespace(environment, namespace, globals)
        template._uptodate = uptodate
        return template


def _interrupt(thread_id: int) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(RenderTimeout))


def _clear_interrupt(thread_id: int) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)


def render(text: str, args: dict[str, Any], loader: jinja2.BaseLoader | None = None,
           seconds: float = RENDER_SECONDS, globals_: dict[str, Any] | None = None,
           undefined: type[jinja2.Undefined] = jinja2.StrictUndefined,
           check: Callable[[jinja2.nodes.Template, jinja2.Environment], None] | None = None) -> str:
    """Render ``text`` in a fresh bounded sandbox, within ``seconds``.

    ``check`` sees the parsed template (and the environment) before it runs,
    so a caller can refuse it without parsing it again. Raises Jinja2's own
    errors for bad templates, :class:`RenderLimitError` past a bound, and
    :class:`RenderTimeout` past the deadline.
    """
    env = BoundedSandbox(loader, undefined)
    if globals_:
        env.globals.update(globals_)
    thread_id = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False}

    def on_deadline() -> None:
        with lock:
            if not state["done"]:
                _interrupt(thread_id)

    timer = threading.Timer(seconds, on_deadline)
    timer.daemon = True
    timer.start()
    try:
        try:
            out: list[str] = []
            size = 0
            parsed = env.parse(text)
            if check is not None:
                check(parsed, env)
            for piece in env.from_string(parsed).generate(**args):
                size += len(piece)
                if size > MAX_VALUE:
                    raise RenderLimitError(f"the rendered task file would be larger than {MAX_VALUE:,} characters")
                out.append(piece)
            return "".join(out)
        finally:
            with lock:
                state["done"] = True
            timer.cancel()
    except RenderTimeout:
        _clear_interrupt(thread_id)
        raise RenderTimeout(f"rendering took longer than {seconds:g} s") from None

"""Budgets for diagram code: how long a script or expression may run, how big a value it builds.

A diagram's code runs inside the sweep and inside people's requests, so one runaway
(`while True:`, `9**9**9`, `'x' * 10**10`) must never hold a worker. Three layers stop it:

- before deploy, `problems` reads the code and refuses what can only run away: a `while True`
  with no way out, a constant too big to build, a `finally` or bare `except` that would run on
  after the limit stops the code;
- while it runs, the operators that can build a huge value in one step (`**`, `*`, `+`, `<<`,
  `%`), `range`, `pow`, list growth and padding methods check the size first;
- `running` has the watchdog stop the code once the time budget is spent.

The budgets are council settings (`expression_time_limit_seconds`, `expression_size_limit`)
with defaults no council should need to change. Every refusal tells the author how to fix it.
"""

from __future__ import annotations

import ast
import contextlib
import operator
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from RestrictedPython import RestrictingNodeTransformer
from RestrictedPython.Guards import full_write_guard, safer_getattr

from engine.platform import settings
from engine.workflow import watchdog
from engine.workflow.watchdog import OverBudget  # noqa: F401 - what `running` raises

OPERATOR = "_limit_op_"
_OPS = {
    ast.Add: "+",
    ast.Mult: "*",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.Mod: "%",
}
_APPLY = {
    "+": operator.add,
    "*": operator.mul,
    "**": operator.pow,
    "<<": operator.lshift,
    "%": operator.mod,
    "-": operator.sub,
    "/": operator.truediv,
    "//": operator.floordiv,
}
_INPLACE = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
}
_SEQUENCES = (str, bytes, list, tuple)
_PADDING = {"ljust", "rjust", "center", "zfill", "expandtabs"}
_GROWING = {"append", "extend", "insert"}
_WIDTH = re.compile(r"%[-#0 +]*(\*|\d+)")
BITS_PER_DIGIT = 3.33
_WORD = 2**64
_SMALL_KINDS = {(int, int), (int, float), (float, int), (float, float)}


class LimitExceeded(ValueError):
    """Diagram code over its budget; the message says what was too much and how to fix it."""


@dataclass(frozen=True)
class Limits:
    seconds: float
    size: int  # characters of a string, items of a list, or digits of a number

    @property
    def bits(self) -> int:
        return int(self.size * BITS_PER_DIGIT)


def current() -> Limits:
    """The council's budgets (`processes/settings.json`)."""
    return Limits(
        float(settings.get("expression_time_limit_seconds")),
        int(settings.get("expression_size_limit")),
    )


_active = threading.local()


def _limits() -> Limits:
    return getattr(_active, "limits", None) or current()


# ---- sizes, checked before the operation builds the value --------------------------------


def _too_big(what: str, limits: Limits) -> LimitExceeded:
    return LimitExceeded(
        f"{what} would be larger than the limit of {limits.size:,} characters, items or "
        "digits; work with smaller values (a count, a date, a short list), or ask an "
        "administrator to raise expression_size_limit"
    )


def check_operation(op: str, a, b, limits: Limits | None = None) -> None:
    """Refuse `a op b` when its result would be over the size budget; cheap arithmetic only."""
    limits = limits or _limits()
    if op == "*":
        for seq, n in ((a, b), (b, a)):
            if isinstance(seq, _SEQUENCES) and isinstance(n, int) and len(seq) * n > limits.size:
                raise _too_big(f"{n:,} copies of a value of length {len(seq):,}", limits)
        if _whole(a) and _whole(b) and a.bit_length() + b.bit_length() > limits.bits:
            raise _too_big("the product", limits)
    elif op == "**":
        if _whole(a) and _whole(b) and b > 0 and abs(a) > 1 and a.bit_length() * b > limits.bits:
            raise _too_big(f"{_short(a)} to the power {_short(b)}", limits)
    elif op == "<<":
        if _whole(a) and _whole(b) and a and a.bit_length() + b > limits.bits:
            raise _too_big(f"shifting {_short(a)} left by {_short(b)}", limits)
    elif op == "+":
        if (
            isinstance(a, _SEQUENCES)
            and isinstance(b, _SEQUENCES)
            and len(a) + len(b) > limits.size
        ):
            raise _too_big("joining these values", limits)
    elif op == "%" and isinstance(a, str | bytes):
        _check_widths(a if isinstance(a, str) else a.decode("latin-1"), b, limits)


def _check_widths(template: str, values, limits: Limits) -> None:
    for match in _WIDTH.finditer(template):
        width = match.group(1)
        if width == "*":
            raise LimitExceeded(
                "a `%*` width taken from the values is not allowed; write the width as a number"
            )
        if int(width) > limits.size:
            raise _too_big(f"a field {int(width):,} characters wide", limits)


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _short(value) -> str:
    return f"{value:,}" if abs(value) < 10**15 else f"a number of {value.bit_length():,} bits"


def limited_op(op: str, a, b):
    """What `a op b` becomes in diagram code: the size check, then the operation.

    Numbers of a machine word or so, and floats, cannot build anything big in one step: they
    skip the check (it is most of the cost of arithmetic in a loop)."""
    kinds = (type(a), type(b))
    if kinds in _SMALL_KINDS and (
        float in kinds or (op != "**" and op != "<<" and -_WORD < a < _WORD and -_WORD < b < _WORD)
    ):
        return _APPLY[op](a, b)
    check_operation(op, a, b)
    return _APPLY[op](a, b)


def limited_inplace(op: str, x, y):
    """What `x op= y` becomes in diagram code (RestrictedPython's `_inplacevar_`)."""
    if op not in _INPLACE:
        raise LimitExceeded(f"`{op}` is not available in diagrams; write `x = x {op[:-1]} y`")
    check_operation(op[:-1], x, y)
    return _INPLACE[op](x, y)


def limited_pow(base, exponent, modulus=None):
    if modulus is None:
        check_operation("**", base, exponent)
    return pow(base, exponent, modulus)


def limited_range(*args):
    numbers = range(*args)
    limits = _limits()
    if len(numbers) > limits.size:
        raise _too_big(f"a range of {len(numbers):,} numbers", limits)
    return numbers


def limited_write(obj):
    """`obj[key] = value` and `obj.x = value` in diagram code: a container at the size limit
    takes no more items."""
    if isinstance(obj, dict | list) and len(obj) >= _limits().size:
        raise _too_big("this collection", _limits())
    return full_write_guard(obj)


def limited_getattr(obj, name, default=None):
    """`safer_getattr`, with the methods that grow a value in one call checked first."""
    value = safer_getattr(obj, name, default)
    if isinstance(obj, str | bytes) and name in _PADDING:
        return _padding(value, name)
    if isinstance(obj, list) and name in _GROWING:
        return _growing(obj, value)
    return value


def _padding(method, name: str):
    def padded(width=8, *rest):
        limits = _limits()
        if isinstance(width, int) and width > limits.size:
            raise _too_big(f"`{name}` to {width:,} characters", limits)
        return method(width, *rest)

    return padded


def _growing(target: list, method):
    def grow(*args):
        if len(target) >= _limits().size:
            raise _too_big("this list", _limits())
        return method(*args)

    return grow


# ---- the time budget ------------------------------------------------------------------------


@contextlib.contextmanager
def running(limits: Limits | None = None) -> Iterator[None]:
    """Run diagram code under the budgets: stopped by the watchdog when its time is up.

    Nested use (an expression evaluated while a script runs) keeps the outer budget.
    """
    if getattr(_active, "limits", None) is not None:
        yield
        return
    limits = limits or current()
    _active.limits = limits
    token = watchdog.WATCHDOG.watch(limits.seconds)
    try:
        yield
    finally:
        watchdog.WATCHDOG.release(token)
        _active.limits = None


def over_time(limits: Limits | None = None) -> LimitExceeded:
    seconds = (limits or current()).seconds
    return LimitExceeded(
        f"it ran for longer than the limit of {seconds:g} seconds and was stopped; look for a "
        "loop that never ends (a `while` whose condition never becomes false) or one that "
        "repeats far too often, and loop over a list or a `range` instead"
    )


# ---- before deploy ---------------------------------------------------------------------------


class LimitingPolicy(RestrictingNodeTransformer):
    """RestrictedPython's rules, with every size-building operator routed through `limited_op`."""

    def visit_BinOp(self, node: ast.BinOp):
        node = super().visit_BinOp(node)
        op = _OPS.get(type(node.op))
        if op is None:
            return node
        call = ast.Call(
            func=ast.Name(OPERATOR, ast.Load()),
            args=[ast.Constant(op), node.left, node.right],
            keywords=[],
        )
        return ast.fix_missing_locations(ast.copy_location(call, node))


def problems(tree: ast.AST, limits: Limits | None = None) -> list[str]:
    """What in this code can only run away, each with how to write it instead."""
    limits = limits or current()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.While) and _forever(node):
            found.append(
                f"line {node.lineno}: `while {ast.unparse(node.test)}:` has no `break`, so it "
                "never ends; loop over a list or a `range`, or give the loop a condition "
                "that becomes false"
            )
        elif isinstance(node, ast.BinOp):
            message = _constant_too_big(node, limits)
            if message:
                found.append(f"line {node.lineno}: `{_clip(ast.unparse(node))}`: {message}")
        elif isinstance(node, ast.Try) and node.finalbody:
            found.append(
                f"line {node.lineno}: `finally` is not allowed: it would run on after the time "
                "limit stops the code; put the clean-up after the `try` block"
            )
        elif isinstance(node, ast.ExceptHandler) and _catches_everything(node):
            found.append(
                f"line {node.lineno}: catch `Exception` or a named error such as `ValueError`, "
                "not everything: a bare `except:` or `except BaseException:` would hide the "
                "time limit"
            )
        elif isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            found += _format_spec(node, limits)
    return list(dict.fromkeys(found))


def _forever(loop: ast.While) -> bool:
    test = loop.test
    constant = isinstance(test, ast.Constant) and bool(test.value)
    if not constant and not (isinstance(test, ast.Name) and test.id == "True"):
        return False
    return not any(_exits(statement) for statement in loop.body)


def _exits(node: ast.AST, breaks: bool = True) -> bool:
    """A `break` of this loop (not of a loop inside it), a `return` or a `raise`."""
    if isinstance(node, ast.Return | ast.Raise) or (breaks and isinstance(node, ast.Break)):
        return True
    if isinstance(node, ast.FunctionDef | ast.Lambda | ast.ClassDef):
        return False
    if isinstance(node, ast.For | ast.While):
        return any(_exits(n, False) for n in node.body) or any(
            _exits(n, breaks) for n in node.orelse
        )
    return any(_exits(child, breaks) for child in ast.iter_child_nodes(node))


def _constant_too_big(node: ast.BinOp, limits: Limits) -> str | None:
    try:
        _fold(node, limits)
    except LimitExceeded as exc:
        return str(exc)
    except (_NotConstant, ArithmeticError, TypeError, ValueError):
        return None
    return None


class _NotConstant(Exception):
    pass


def _fold(node: ast.AST, limits: Limits):
    """The value of a constant expression, built under the size checks."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str | bytes):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _fold(node.operand, limits)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        op = _OPS.get(type(node.op)) or {ast.Sub: "-", ast.Div: "/", ast.FloorDiv: "//"}.get(
            type(node.op)
        )
        if op is None:
            raise _NotConstant
        left, right = _fold(node.left, limits), _fold(node.right, limits)
        check_operation(op, left, right, limits)
        return _APPLY[op](left, right)
    raise _NotConstant


def _catches_everything(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id == "BaseException" for n in names)


def _format_spec(node: ast.FormattedValue, limits: Limits) -> list[str]:
    spec = node.format_spec
    parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
    if not all(isinstance(p, ast.Constant) for p in parts):
        return [
            f"line {node.lineno}: a format width taken from a value is not allowed in an "
            "f-string; write the width as a number"
        ]
    text = "".join(str(p.value) for p in parts)
    widths = [int(w) for w in re.findall(r"\d+", text)]
    if widths and max(widths) > limits.size:
        return [f"line {node.lineno}: {_too_big(f'a field {max(widths):,} wide', limits)}"]
    return []


def _clip(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."

"""The language of the diagrams: restricted Python plus the calendar and the given functions.

SpiffWorkflow's default environment runs scripts with plain `exec`/`eval`, so a diagram could
import `os`. Every script, condition and timer expression here is compiled with
RestrictedPython instead, against a namespace holding only safe builtins, the calendar
functions below and the functions a `Language` is built with (casework hands over its
record, reminder and document functions: `engine.casework.vocabulary`). The core imports none
of them. Compiled code is cached by source text: a diagram's expressions compile once per process.
Every piece of diagram code runs under the time and size budgets of `expression_limits`.
"""

from __future__ import annotations

import ast
import contextlib
import traceback
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
)
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.platform import clock, settings, workdays
from engine.platform.clock import LONDON
from engine.platform.errors import EngineError
from engine.workflow import expression_limits, step_context
from engine.workflow.expression_limits import LimitExceeded, OverBudget
from engine.workflow.watchdog import CODE_FILENAME


class ExpressionError(ValueError):
    """A diagram expression that cannot compile under the product's restrictions."""


def _iso(day: date) -> str:
    return day.isoformat()


# Calendar arithmetic runs in Python loops the time budget does not trace: bound its counts.
MAX_CALENDAR_COUNT = 100 * 366
MAX_YEARS = 100  # as far as `add_days` reaches: a larger count is a mistake in the diagram


def _count(n) -> int:
    n = int(n)
    if abs(n) > MAX_CALENDAR_COUNT:
        raise LimitExceeded(
            f"{n:,} is too many days or months for the calendar functions (at most "
            f"{MAX_CALENDAR_COUNT:,}); check the value the diagram passes"
        )
    return n


def add_working_days(day, n: int) -> str:
    return _iso(workdays.add_working_days(day, _count(n)))


def working_days_between(a, b) -> int:
    return workdays.working_days_between(a, b)


def add_months(day, n: int) -> str:
    return _iso(workdays.add_months(day, _count(n)))


def add_years(day, n: int) -> str:
    """The anniversary `n` years on (a birthday: 29 February's is 1 March in other years)."""
    n = int(n)
    if abs(n) > MAX_YEARS:
        raise LimitExceeded(
            f"{n:,} is too many years for add_years (at most {MAX_YEARS}); check the value "
            "the diagram passes"
        )
    return _iso(workdays.add_years(day, n))


def working_day_by(day) -> str:
    return _iso(workdays.working_day_by(day))


def add_days(day, n: int) -> str:
    """Calendar days (core group intervals are counted in weeks, not working days)."""
    return _iso(workdays.as_date(day) + timedelta(days=_count(n)))


def setting(name: str):
    """A council setting (`processes/settings.json`): report days, intervals, the chain."""
    return settings.get(name)


def deadline(day) -> str:
    """The instant a due date has passed: midnight at the end of that day, London time."""
    next_day = workdays.as_date(day) + timedelta(days=1)
    return datetime.combine(next_day, time(0, 0), LONDON).isoformat()


def start_of_day(day) -> str:
    """08:00 London on that day: when a reminder for it should land in an inbox."""
    return datetime.combine(workdays.as_date(day), time(8, 0), LONDON).isoformat()


def today() -> str:
    return _iso(clock.current().today())


# Working-day and date arithmetic: every diagram may call these, whatever else it is given.
CALENDAR = {
    "add_working_days": add_working_days,
    "working_days_between": working_days_between,
    "add_months": add_months,
    "add_years": add_years,
    "add_days": add_days,
    "working_day_by": working_day_by,
    "setting": setting,
    "deadline": deadline,
    "start_of_day": start_of_day,
    "today": today,
}

_BUILTINS = dict(safe_builtins)
_BUILTINS.update(
    {
        "min": min,
        "max": max,
        "sum": sum,
        "any": any,
        "all": all,
        "len": len,
        "sorted": sorted,
        "list": list,
        "dict": dict,
        "set": set,
        "enumerate": enumerate,
        "pow": expression_limits.limited_pow,
        "range": expression_limits.limited_range,
    }
)
# Names that would let a script catch the time limit itself.
for _name in ("BaseException", "KeyboardInterrupt", "SystemExit", "GeneratorExit"):
    _BUILTINS.pop(_name)

_GUARDS = {
    "__builtins__": _BUILTINS,
    "_getattr_": expression_limits.limited_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": expression_limits.limited_write,
    "_inplacevar_": expression_limits.limited_inplace,
    expression_limits.OPERATOR: expression_limits.limited_op,
}


def _refuse_runaways(tree: ast.AST, limits: expression_limits.Limits) -> None:
    problems = expression_limits.problems(tree, limits)
    if problems:
        raise ExpressionError("; ".join(problems))


def compile_expression(source: str):
    return _compile_expression(source, expression_limits.current())


@lru_cache(maxsize=2048)
def _compile_expression(source: str, limits: expression_limits.Limits):
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error: {exc.msg}") from exc
    _refuse_runaways(tree, limits)
    result = compile_restricted_eval(
        source.strip(), filename=CODE_FILENAME, policy=expression_limits.LimitingPolicy
    )
    if result.errors or result.code is None:
        raise ExpressionError("; ".join(result.errors) or f"cannot compile {source!r}")
    return result.code


def compile_script(source: str):
    """Compile a script task; imports are refused here so a deploy catches them, not a run."""
    return _compile_script(source, expression_limits.current())


@lru_cache(maxsize=1024)
def _compile_script(source: str, limits: expression_limits.Limits):
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error on line {exc.lineno}: {exc.msg}") from exc
    if any(isinstance(node, ast.Import | ast.ImportFrom) for node in ast.walk(tree)):
        raise ExpressionError("scripts cannot import modules; use the diagram functions")
    _refuse_runaways(tree, limits)
    result = compile_restricted_exec(
        source, filename=CODE_FILENAME, policy=expression_limits.LimitingPolicy
    )
    if result.errors or result.code is None:
        raise ExpressionError("; ".join(result.errors) or "cannot compile script")
    return result.code


def _unknown_calls(source: str, mode: str, reserved: frozenset) -> list[str]:
    tree = ast.parse(source.strip(), mode=mode)
    defined = {
        target.id
        for node in ast.walk(tree)
        for target in getattr(node, "targets", [getattr(node, "target", None)])
        if isinstance(target, ast.Name)
    } | {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    return sorted(called - reserved - defined)


class RestrictedEnvironment(TaskDataEnvironment):
    """Evaluates diagram code with RestrictedPython; task data is the only other namespace."""

    def __init__(self, globals: Mapping):
        super().__init__(dict(globals))

    def evaluate(self, expression, context, external_context=None):
        namespace = dict(self.globals)
        namespace.update(external_context or {})
        namespace.update(context)
        code = compile_expression(expression)
        with _within_budget():
            return eval(code, namespace)  # noqa: S307 - restricted code

    def execute(self, script, context, external_context=None):
        self.check_for_overwrite(context, external_context or {})
        namespace = dict(self.globals)
        namespace.update(external_context or {})
        namespace.update(context)
        before = set(namespace)
        step = step_context.active()
        if step is not None:
            step.data = context
        code = compile_script(script)
        with _within_budget():
            exec(code, namespace)  # noqa: S102 - restricted code
        for key, value in namespace.items():
            if key in context or key not in before:
                if key.startswith("_") or callable(value) or key in self.globals:
                    continue
                context[key] = value
        return True


@contextlib.contextmanager
def _within_budget():
    """Run diagram code under its budgets; running out of time becomes an ordinary error."""
    limits = expression_limits.current()
    try:
        with expression_limits.running(limits):
            yield
    except OverBudget:
        raise expression_limits.over_time(limits) from None


class LimitedScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's engine, naming the element when diagram code goes over its budget."""

    def evaluate(self, task, expression, external_context=None):
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except LimitExceeded as exc:
            raise _over_budget(task, "expression", exc) from exc
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression '{expression}'")
            raise
        except Exception as exc:  # noqa: BLE001 - wrapped as SpiffWorkflow does
            message = f"Error evaluating expression '{expression}'"
            raise WorkflowTaskException(message, task=task, exception=exc) from exc

    def execute(self, task, script, external_context=None):
        try:
            return self.environment.execute(script, task.data, external_context or {})
        except LimitExceeded as exc:
            raise _over_budget(task, "script", exc) from exc
        except Exception as err:  # noqa: BLE001 - SpiffWorkflow's own wrapping
            raise self.create_task_exec_exception(task, script, err) from err

    def get_error_line_number_and_content(self, script, err):
        """SpiffWorkflow's, for code compiled under the product's own file name."""
        line_number = getattr(err, "lineno", 0) if isinstance(err, SyntaxError) else 0
        for frame in traceback.extract_tb(err.__traceback__):
            if frame.filename == CODE_FILENAME:
                line_number = frame.lineno
        lines = script.splitlines()
        error_line = lines[line_number - 1] if 0 < line_number <= len(lines) else ""
        return line_number, error_line


def _over_budget(task, what: str, exc: LimitExceeded) -> WorkflowTaskException:
    spec = task.task_spec
    name = getattr(spec, "bpmn_name", None) or spec.name
    element = getattr(spec, "bpmn_id", None) or spec.name
    return WorkflowTaskException(f"“{name}” ({element}): {what} over its limit: {exc}", task=task)


class Language:
    """The names a diagram may use: the calendar plus `functions`, and what that reserves."""

    def __init__(self, functions: Mapping[str, object] = ()):
        functions = dict(functions)
        clash = sorted(set(functions) & (set(CALENDAR) | set(_GUARDS) | set(_BUILTINS)))
        if clash:
            raise ValueError(f"diagram functions cannot replace built-in names: {clash}")
        self.globals = {**_GUARDS, **CALENDAR, **functions}
        # What a process owner may call, for the editor's reference list: every function.
        self.names = sorted({**CALENDAR, **functions})
        self.reserved = frozenset(self.globals) | frozenset(_BUILTINS)

    def unknown_calls(self, source: str, mode: str = "exec") -> list[str]:
        """Names called as functions that this language does not have.

        RestrictedPython stops escapes at run time; this finds a misspelt or foreign function
        (`os_system(...)`, a Camunda `execution.setVariable`-style call) before deploy.
        """
        return _unknown_calls(source, mode, self.reserved)

    def check_variables(self, data: dict) -> None:
        """Task data keys become diagram variables: identifiers, never one of this language's
        names (a field called `add_days` would shadow the function for the rest of the case)."""
        for key in data:
            if not isinstance(key, str) or not key.isidentifier() or key.startswith("_"):
                raise EngineError(f"“{key}” is not a valid field name.")
            if key in self.reserved:
                raise EngineError(f"“{key}” is a reserved name in diagrams.")
        _refuse_typename(data)

    def environment(self) -> RestrictedEnvironment:
        return RestrictedEnvironment(self.globals)

    def script_engine(self) -> PythonScriptEngine:
        return LimitedScriptEngine(environment=self.environment())


def _refuse_typename(value) -> None:
    """SpiffWorkflow's serializer reads a dict with a `typename` key as one of its objects."""
    if isinstance(value, dict):
        if "typename" in value:
            raise EngineError("“typename” cannot be used as a field name.")
        for item in value.values():
            _refuse_typename(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_typename(item)


# The bare core's language: the calendar alone (casework builds the full one).
CALENDAR_ONLY = Language()

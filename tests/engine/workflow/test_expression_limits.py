"""The budgets on diagram code: refused before deploy, stopped while running."""

import time

import pytest

from engine.diagrams import registry
from engine.platform import settings
from engine.platform.errors import InvalidDiagram
from engine.workflow.expression_limits import LimitExceeded
from engine.workflow.expressions import CALENDAR_ONLY, ExpressionError
from tests.factories import TEST_DIAGRAMS

TWO_STEPS = (TEST_DIAGRAMS / "two_steps.bpmn").read_text()
SCRIPT = "due_date = add_working_days(start_date, 2)"
TIMER = "deadline(due_date)</bpmn:timeDate>"


def problems_of(xml: str) -> list:
    with pytest.raises(InvalidDiagram) as caught:
        registry.parse(xml.encode(), "two_steps.bpmn")
    return caught.value.problems


@pytest.mark.parametrize(
    ("where", "runaway", "element", "says"),
    [
        ("script", "while True:\n    n = 1", "compute_due", "has no `break`, so it never ends"),
        ("script", "x = 9**9**9", "compute_due", "9 to the power 387,420,489 would be larger"),
        ("script", "x = 'x'*10**10", "compute_due", "10,000,000,000 copies of a value"),
        ("timer", "9**9**9", "second_late", "9 to the power 387,420,489"),
        ("timer", "10**10**10", "second_late", "10 to the power 10,000,000,000"),
        ("timer", "'x'*10**10", "second_late", "10,000,000,000 copies"),
        ("due", "'x'*10**10", "second", "10,000,000,000 copies"),
    ],
)
def test_each_runaway_is_refused_at_check_time_on_its_element(where, runaway, element, says):
    if where == "script":
        xml = TWO_STEPS.replace(SCRIPT, f"due_date = add_working_days(start_date, 2)\n{runaway}")
    elif where == "timer":
        xml = TWO_STEPS.replace(TIMER, f"{runaway}</bpmn:timeDate>")
    else:
        xml = TWO_STEPS.replace(
            'name="dueDate" value="due_date"', f'name="dueDate" value="{runaway}"'
        )
    started = time.monotonic()
    found = [p for p in problems_of(xml) if says in p]
    assert time.monotonic() - started < 2
    assert found, problems_of(xml)
    assert found[0].element == element
    assert "larger than the limit" in found[0] or "loop over a list" in found[0]


def test_a_condition_that_runs_away_is_refused_naming_its_gateway():
    xml = (TEST_DIAGRAMS / "loop.bpmn").read_text()
    condition = next(part for part in xml.split("conditionExpression")[1:2])
    assert condition  # the loop diagram has a condition to break
    broken = xml.replace(
        'xsi:type="bpmn:tFormalExpression">', 'xsi:type="bpmn:tFormalExpression">9**9**9 or ', 1
    )
    assert any("9 to the power" in p for p in problems_of_named(broken, "loop.bpmn"))


def problems_of_named(xml: str, name: str) -> list:
    with pytest.raises(InvalidDiagram) as caught:
        registry.parse(xml.encode(), name)
    return caught.value.problems


def run(script: str, **data):
    with settings.using(expression_time_limit_seconds=0.2):
        CALENDAR_ONLY.environment().execute(script, data)
    return data


@pytest.mark.parametrize(
    "script",
    [
        "n = 0\nwhile n >= 0:\n    n = n + 1",
        "n = 0\nwhile n >= 0:\n    try:\n        n = n + 1\n    except Exception:\n        pass",
        "def f(k):\n    return f(k - 1) + f(k - 1) if k else 1\nx = f(60)",
        "x = sum(1 for a in range(10**6) for b in range(10**6))",
    ],
)
def test_a_loop_the_check_cannot_see_is_stopped_by_the_time_budget(script):
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match="longer than the limit of 0.2 seconds"):
        run(script)
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    ("script", "says"),
    [
        ("x = n ** n ** n", "to the power"),
        ("x = 'x' * n ** 10", "copies of a value"),
        ("s = 'ab'\nwhile len(s) > 0:\n    s = s + s", "joining these values"),
        ("x = n\nx **= 10 ** 8", "to the power"),
        ("x = pow(n, 10 ** 8)", "to the power"),
        ("x = list(range(10 ** 8))", "a range of 100,000,000 numbers"),
        ("x = 'a'.ljust(10 ** 9)", "`ljust` to 1,000,000,000 characters"),
        ("x = '%*d' % (10 ** 9, 1)", "write the width as a number"),
        ("x = [n] * 10 ** 9", "copies of a value of length 1"),
        ("x = n << 10 ** 9", "shifting 9 left"),
    ],
)
def test_a_value_too_big_to_build_is_refused_before_it_is_built(script, says):
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match=says):
        run(script, n=9)
    assert time.monotonic() - started < 1


@pytest.mark.parametrize(
    ("script", "says"),
    [
        ("try:\n    x = 1\nexcept:\n    x = 2", "a bare `except:` or `except BaseException:`"),
        ("try:\n    x = 1\nfinally:\n    x = 2", "`finally` is not allowed"),
        ("x = f'{1:>{n}}'", "format width taken from a value"),
    ],
)
def test_code_that_could_outlive_the_limit_is_refused(script, says):
    with pytest.raises(ExpressionError, match=says):
        run(script, n=9)


def test_base_exception_cannot_be_named_to_catch_the_limit():
    with pytest.raises(ExpressionError, match="would hide the time limit"):
        run("try:\n    x = 1\nexcept (ValueError, BaseException):\n    x = 2")
    with pytest.raises(NameError):
        run("everything = BaseException")


def test_ordinary_code_is_untouched_and_the_budget_is_a_setting():
    data = run("total = 0\nfor i in range(1000):\n    total += i * 2\nwords = 'a' * 3 + 'b'")
    assert (data["total"], data["words"]) == (999000, "aaab")
    with settings.using(expression_size_limit=10), pytest.raises(LimitExceeded):
        run("words = 'a' * n", n=11)


def test_calendar_counts_are_bounded():
    with pytest.raises(LimitExceeded, match="too many days"):
        CALENDAR_ONLY.environment().evaluate("add_working_days('2026-03-02', 10**9)", {})
    with pytest.raises(LimitExceeded, match="too many years for add_years"):
        CALENDAR_ONLY.environment().evaluate("add_years('2026-03-02', 10**6)", {})
    assert CALENDAR_ONLY.environment().evaluate("add_years('2012-02-29', 18)", {}) == "2030-03-01"


def test_an_interruption_never_lands_after_the_code_finished():
    """Deadlines falling just as the code ends: each run fails cleanly or succeeds, and no
    interruption is left to surface in the code that runs next."""
    outcomes = set()
    with settings.using(expression_time_limit_seconds=0.01):
        for k in range(120):
            script = f"t = 0\nfor i in range({k % 30 * 4000}):\n    t = t + i"
            try:
                CALENDAR_ONLY.environment().execute(script, {})
                outcomes.add("done")
            except LimitExceeded:
                outcomes.add("stopped")
            total = 0
            for i in range(2000):  # an undelivered interruption would be raised here
                total += i
    assert outcomes == {"done", "stopped"}


def test_a_function_the_code_calls_is_never_interrupted_half_way():
    """The limit lands in the diagram's own code, never inside a function it called (which
    could hold a lock): a slow function finishes, and the code stops when it returns."""
    from engine.workflow.expressions import Language

    finished = []

    def slow():
        ends = time.monotonic() + 0.3
        while time.monotonic() < ends:
            pass
        finished.append(True)
        return 1

    language = Language({"slow": slow})
    with settings.using(expression_time_limit_seconds=0.05), pytest.raises(LimitExceeded):
        language.environment().execute("x = slow()\ny = 2\nwhile y > 0:\n    y = y + 1", {})
    assert finished == [True]


def test_a_script_error_still_names_its_line():
    from engine.workflow.expressions import LimitedScriptEngine

    engine = LimitedScriptEngine(environment=CALENDAR_ONLY.environment())
    err = None
    try:
        CALENDAR_ONLY.environment().execute("a = 1\nb = a / 0", {})
    except ZeroDivisionError as exc:
        err = exc
    assert engine.get_error_line_number_and_content("a = 1\nb = a / 0", err) == (2, "b = a / 0")

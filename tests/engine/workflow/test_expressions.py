from datetime import UTC, datetime

import pytest

from engine.platform import clock
from engine.platform.clock import FixedClock
from engine.workflow.expressions import CALENDAR_ONLY, ExpressionError, deadline


def evaluate(expression, **data):
    return CALENDAR_ONLY.environment().evaluate(expression, data)


def test_diagram_functions_return_iso_dates():
    assert evaluate("add_working_days(d, 15)", d="2026-12-18") == "2027-01-13"
    assert evaluate("add_months(d, 3)", d="2026-11-30") == "2027-02-28"
    assert evaluate("working_days_between(a, b)", a="2026-12-18", b="2027-01-13") == 15


def test_deadline_is_the_end_of_the_day_in_london_across_daylight_saving():
    assert deadline("2026-01-13") == "2026-01-14T00:00:00+00:00"
    assert deadline("2026-07-01") == "2026-07-02T00:00:00+01:00"


def test_today_reads_the_engine_clock_in_london():
    late_evening_utc = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in London
    with clock.using(FixedClock(late_evening_utc)):
        assert evaluate("today()") == "2026-07-01"


def test_scripts_write_task_data_but_not_functions():
    data = {"d": "2026-12-18"}
    script = "due = add_working_days(d, 2)\nitems = [1]\nitems += [2]"
    CALENDAR_ONLY.environment().execute(script, data)
    assert data == {"d": "2026-12-18", "due": "2026-12-22", "items": [1, 2]}


@pytest.mark.parametrize(
    "source",
    ["__import__('os')", "().__class__.__bases__", "getattr(1, '__class__')"],
)
def test_escapes_are_refused_at_compile_time(source):
    with pytest.raises((ExpressionError, NameError)):
        evaluate(source)


def test_open_and_import_are_not_available():
    with pytest.raises(NameError):
        evaluate("open('/etc/passwd')")
    with pytest.raises(ExpressionError):
        CALENDAR_ONLY.environment().execute("import os", {})

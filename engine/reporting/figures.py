"""A figure on the managers' dashboard, the children behind it, and what it means.

Each figure carries its definition in words, shown beside it: a manager comparing our figure
with the Department for Education's statistics needs to see what was counted and over what.
The definitions follow the Children in Need census guide and the "Characteristics of children
in need" statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from engine.models.people import Child, ChildName

_INITIAL = (
    "Initial child protection conferences (pre-birth conferences included) held in the period "
    "whose {clock} is recorded; on time when held within 15 working days of it. "
)
DEFINITIONS = {
    "icpc_str_child": _INITIAL.format(clock="strategy discussion")
    + "Each child counts once per conference.",
    "icpc_str_conference": _INITIAL.format(clock="strategy discussion")
    + "Siblings at one family conference count once: on time only if on time for every child.",
    "icpc_s47_child": _INITIAL.format(clock="section 47 enquiry start date")
    + "Each child counts once per conference (the DfE's national measure).",
    "icpc_s47_conference": _INITIAL.format(clock="section 47 enquiry start date")
    + "Siblings at one family conference count once: on time only if on time for every child.",
    "transfer_in_child": "Transfer-in conferences held in the period, shown apart from initial "
    "conferences; on time when held within 15 working days of the notification from the "
    "previous council. Each child counts once.",
    "transfer_in_conference": "Transfer-in conferences held in the period; siblings seen "
    "together count once, on time only if on time for every child.",
    "reviews_on_time": "Review conferences due in the period, held or not: a review counts "
    "once held, or once its due date has passed while its plan was open. On time when held "
    "on or before its due date; a review never held is late.",
    "reviews_child": "Children on a plan continuously for 3 months or more at the period's "
    "end whose reviews due by then were all held on time (the long-standing national "
    "indicator).",
    "repeat_ever": "Plans started in the period that are the child's second or later plan "
    "(earlier plans in another council included), over all plans started in the period.",
    "repeat_2y": "Plans started in the period within 2 years of the child's previous plan "
    "ending, over all plans started in the period.",
    **{
        f"open_{m}": f"Plans open at the period's end that started {m} months or more before it."
        for m in (9, 12, 18, 24)
    },
    "ended_2y": "Plans ended in the period that had lasted 2 years or more, over all plans "
    "ended in the period.",
    "unborn": "Plans open at the period's end for children not yet born.",
}
OVERDUE_DEFINITION = "Steps waiting today whose due date has passed, by the team holding them."


class Row(NamedTuple):
    """One child behind a figure, with what about them the figure counted (a tuple: a
    figure can hold thousands, made on every drill-down)."""

    child: Child | ChildName | None
    detail: str
    met: bool | None = None


@dataclass
class Figure:
    key: str
    label: str
    met: int
    total: int
    rows: list[Row]
    unit: str = "children"
    percent_of: bool = True  # False: a plain count (met is the count)

    @property
    def percent(self) -> float | None:
        if not self.percent_of or not self.total:
            return None
        return round(100 * self.met / self.total, 1)

    @property
    def definition(self) -> str:
        if self.key.startswith("overdue:"):
            return OVERDUE_DEFINITION
        return DEFINITIONS.get(self.key, "")


@dataclass
class MonthBar:
    month: date
    met: int
    total: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.total, 1) if self.total else None


@lru_cache(maxsize=8192)
def day_text(value: date) -> str:
    """A date as the rows show it; once per date, as thousands of rows share dates."""
    return f"{value.day} {value:%B %Y}"

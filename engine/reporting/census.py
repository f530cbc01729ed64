"""The Children in Need census's child protection plan items, one row per plan in the year.

The census year runs 1 April to 31 March; a plan is included when it was open on any day of
it. Columns follow the census module: CPP start and end dates, initial and latest category of
abuse, number of previous plans, and the conference dates around the plan (the ICPC that
started it, its target date, the s47 start date) and its review dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from engine.models import performance
from engine.models.conferences import RCPC
from engine.platform.errors import EngineError

HEADER = (
    "child_reference",
    "date_of_birth",
    "expected_date_of_birth",
    "cpp_start_date",
    "cpp_end_date",
    "initial_category_of_abuse",
    "latest_category_of_abuse",
    "number_of_previous_cpp",
    "s47_start_date",
    "icpc_date",
    "icpc_target_date",
    "review_dates",
)


@dataclass(frozen=True)
class CensusYear:
    start: date
    end: date

    @classmethod
    def ending(cls, year: int) -> CensusYear:
        """The census year that ends on 31 March of `year` (the 2027 census: 2026-27)."""
        return cls(date(year - 1, 4, 1), date(year, 3, 31))

    @classmethod
    def containing(cls, day: date) -> CensusYear:
        return cls.ending(day.year + 1 if day.month >= 4 else day.year)

    @property
    def label(self) -> str:
        return f"{self.start.year} to {self.end.year}"


FIRST_CENSUS_YEAR = 2000


def census_year(ending: int | None, today: date) -> CensusYear:
    """The year asked for, or the one `today` falls in; never one that has not begun."""
    current = CensusYear.containing(today)
    if ending is None:
        return current
    if not FIRST_CENSUS_YEAR <= ending <= current.end.year:  # checked before any date is made
        raise EngineError(f"Choose a census year from {FIRST_CENSUS_YEAR} to {current.end.year}.")
    return CensusYear.ending(ending)


def as_records(rows_: list[tuple[str, ...]]) -> list[dict]:
    """Rows as named fields (empty cells as None), for the API."""
    return [{k: (v or None) for k, v in zip(HEADER, row, strict=True)} for row in rows_]


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def rows(session: Session, year: CensusYear, condition=None) -> list[tuple[str, ...]]:
    plans = performance.plans_in_year(session, year.start, year.end, condition)
    conferences = performance.conferences_for_children(
        session, sorted({child.id for _, child in plans})
    )
    by_child: dict[int, list] = {}
    for conference in conferences:
        by_child.setdefault(conference.child_id, []).append(conference)
    result = []
    for plan, child in plans:
        mine = by_child.get(child.id, [])
        initial = [c for c in mine if c.kind != RCPC and c.held_on and c.held_on <= plan.started_on]
        icpc = max(initial, key=lambda c: c.held_on, default=None)
        reviews = [c.held_on for c in mine if c.kind == RCPC and c.plan_id == plan.id and c.held_on]
        result.append(
            (
                child.reference,
                _iso(child.date_of_birth),
                _iso(child.expected_date_of_birth),
                _iso(plan.started_on),
                # A plan that ended after 31 March was still open at the census date.
                _iso(plan.ended_on if plan.ended_on and plan.ended_on <= year.end else None),
                plan.initial_category,
                plan.latest_category,
                str(plan.previous_plans),
                _iso(icpc.s47_start_date if icpc else None),
                _iso(icpc.held_on if icpc else None),
                _iso(icpc.due_on if icpc else None),
                ";".join(_iso(d) for d in sorted(reviews)),
            )
        )
    return result

"""The Children in Need census's child protection items for one census year.

The census year runs 1 April to 31 March. What it holds, in the census's own item names
(codes from the DfE's Children in Need census guide, `ITEMS`):
- each section 47 enquiry that started in the year or whose conference was held in it: its
  start date, the ICPC target (15 working days from the strategy discussion, as the diagram
  computed it, for a pre-birth case too), the ICPC date when held in the year, and "ICPC not
  required" when the enquiry found no conference needed;
- each plan open on any day of the year: start, end (only if it ended in the year), initial
  and latest category, the number of previous plans (a plan in the council a child moved
  from counts), and the dates of the reviews held in the year.
A child is returned when they have either. `census_export` writes these as COLLECT's XML and
as CSV; the API returns them typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from engine.models import performance
from engine.models.enquiries import enquiries_in
from engine.platform.errors import EngineError

ITEMS = {  # census item: its code in the census guide's list of data items
    "LAchildID": "N00097",
    "PersonBirthDate": "N00066",
    "ExpectedPersonBirthDate": "N00098",
    "S47ActualStartDate": "N00148",
    "InitialCPCtarget": "N00109",
    "DateOfInitialCPC": "N00110",
    "ICPCnotRequired": "N00111",
    "CPPstartDate": "N00105",
    "CPPendDate": "N00115",
    "InitialCategoryOfAbuse": "N00113",
    "LatestCategoryOfAbuse": "N00114",
    "NumberOfPreviousCPP": "N00106",
    "CPPreviewDate": "N00116",
}


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


@dataclass(frozen=True)
class Enquiry:
    """A Section47 group: S47ActualStartDate, InitialCPCtarget, DateOfInitialCPC,
    ICPCnotRequired."""

    s47_start: date
    icpc_target: date | None
    icpc_date: date | None
    icpc_not_required: bool


@dataclass(frozen=True)
class PlanItems:
    """A ChildProtectionPlans group: CPPstartDate, CPPendDate, the two categories,
    NumberOfPreviousCPP and the Reviews' CPPreviewDates."""

    start: date
    end: date | None
    initial_category: str
    latest_category: str
    previous_plans: int
    review_dates: tuple[date, ...]


@dataclass
class ChildItems:
    """One child's items: ChildIdentifiers (LAchildID, PersonBirthDate or
    ExpectedPersonBirthDate) and their enquiries and plans in the year."""

    child_id: int
    reference: str
    birth_date: date | None
    expected_birth_date: date | None
    enquiries: list[Enquiry]
    plans: list[PlanItems]


def collect(session: Session, year: CensusYear, condition=None) -> list[ChildItems]:
    """Every child with an enquiry or a plan in the year, by reference; `condition` limits
    the children (the caller's access). Three queries of plain rows, whatever the year's size."""
    children: dict[int, ChildItems] = {}

    def child_items(child_id, reference, born, expected) -> ChildItems:
        found = children.get(child_id)
        if found is None:
            found = children[child_id] = ChildItems(child_id, reference, born, expected, [], [])
        return found

    for start, target, needed, held, *child in enquiries_in(
        session, year.start, year.end, condition
    ):
        child_items(*child).enquiries.append(
            Enquiry(start, target, held if held and held <= year.end else None, not needed)
        )
    reviews: dict[int, list[date]] = {}
    for plan_id, held in performance.reviews_held_in(session, year.start, year.end, condition):
        reviews.setdefault(plan_id, []).append(held)
    for plan_id, start, end, initial, latest, previous, *child in performance.plans_in_year(
        session, year.start, year.end, condition
    ):
        child_items(*child).plans.append(
            PlanItems(
                start,
                # A plan that ended after 31 March was still open at the census date.
                end if end and end <= year.end else None,
                initial,
                latest,
                int(previous or 0),
                tuple(reviews.get(plan_id, ())),
            )
        )
    return sorted(children.values(), key=lambda c: c.reference)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def as_records(children: list[ChildItems]) -> dict[str, list[dict]]:
    """The items as the API gives them, typed: dates as ISO strings or null, counts as
    integers, "ICPC not required" as a boolean, review dates as a list."""
    who = [
        (
            c,
            {
                "child_reference": c.reference,
                "date_of_birth": _iso(c.birth_date),
                "expected_date_of_birth": _iso(c.expected_birth_date),
            },
        )
        for c in children
    ]
    return {
        "section47": [
            {
                **ids,
                "s47_start_date": _iso(e.s47_start),
                "icpc_target_date": _iso(e.icpc_target),
                "icpc_date": _iso(e.icpc_date),
                "icpc_not_required": e.icpc_not_required,
            }
            for c, ids in who
            for e in c.enquiries
        ],
        "plans": [
            {
                **ids,
                "cpp_start_date": _iso(p.start),
                "cpp_end_date": _iso(p.end),
                "initial_category_of_abuse": p.initial_category,
                "latest_category_of_abuse": p.latest_category,
                "number_of_previous_cpp": p.previous_plans,
                "review_dates": [d.isoformat() for d in p.review_dates],
            }
            for c, ids in who
            for p in c.plans
        ],
    }

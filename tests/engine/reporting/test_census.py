"""The Children in Need census's child protection items, from cases run through the
diagrams (`quarter`), checked item by item against what happened to each child."""

from datetime import UTC, date, datetime

import pytest
from lxml import etree

from engine.models.people import Child
from engine.platform.errors import EngineError
from engine.reporting import census, census_export
from tests.engine.reporting.quarter import quarter

YEAR = census.CensusYear.ending(2027)  # 1 April 2026 to 31 March 2027
BORN = "2016-04-11"


def by_name(db, records: list[dict]) -> dict[str, list[dict]]:
    names = {c.reference: c.given_name for c in db.query(Child)}
    found: dict[str, list[dict]] = {}
    for record in records:
        found.setdefault(names[record.pop("child_reference")], []).append(record)
    return found


def test_each_item_of_the_year_by_hand(db, engine, clock):
    quarter(db, engine, clock)
    items = census.as_records(census.collect(db, YEAR))
    enquiries, plans = by_name(db, items["section47"]), by_name(db, items["plans"])
    unborn = {"date_of_birth": None, "expected_date_of_birth": "2027-04-12"}
    born = {"date_of_birth": BORN, "expected_date_of_birth": None}
    # Eve, unborn: the target is 15 working days from the strategy discussion (11 January),
    # not the 28th-week date the diagram booked the conference by.
    assert enquiries["Eve"] == [
        {**unborn, "s47_start_date": "2027-01-11", "icpc_target_date": "2027-02-01",
         "icpc_date": "2027-01-25", "icpc_not_required": False},
    ]  # fmt: skip
    assert plans["Eve"] == [
        {**unborn, "cpp_start_date": "2027-01-25", "cpp_end_date": None,
         "initial_category_of_abuse": "NEG", "latest_category_of_abuse": "NEG",
         "number_of_previous_cpp": 0, "review_dates": []},
    ]  # fmt: skip
    # Dan: a conference, no plan. Nia: no conference needed.
    assert enquiries["Dan"] == [
        {**born, "s47_start_date": "2027-03-01", "icpc_target_date": "2027-03-22",
         "icpc_date": "2027-03-29", "icpc_not_required": False},
    ]  # fmt: skip
    assert "Dan" not in plans
    assert enquiries["Nia"] == [
        {**born, "s47_start_date": "2027-02-08", "icpc_target_date": "2027-03-01",
         "icpc_date": None, "icpc_not_required": True},
    ]  # fmt: skip
    # Ben: only this year's enquiry and plan; his plan of 2024-25 is a previous one.
    assert enquiries["Ben"] == [
        {**born, "s47_start_date": "2027-02-01", "icpc_target_date": "2027-02-22",
         "icpc_date": "2027-02-22", "icpc_not_required": False},
    ]  # fmt: skip
    assert [(p["cpp_start_date"], p["number_of_previous_cpp"]) for p in plans["Ben"]] == [
        ("2027-02-22", 1)
    ]
    # Gus moved in on a plan: no enquiry here, and the plan he came with counts.
    assert "Gus" not in enquiries
    assert plans["Gus"] == [
        {**born, "cpp_start_date": "2027-03-03", "cpp_end_date": None,
         "initial_category_of_abuse": "NEG", "latest_category_of_abuse": "NEG",
         "number_of_previous_cpp": 1, "review_dates": []},
    ]  # fmt: skip
    # Lee: the reviews held in the year; Kit: a plan that ended in it.
    assert plans["Lee"][0]["review_dates"] == ["2026-09-22", "2027-03-19"]
    assert enquiries["Lee"][0]["icpc_target_date"] == "2026-07-06"
    assert plans["Kit"][0]["cpp_end_date"] == "2027-02-15"
    assert plans["Mo"][0]["review_dates"] == ["2027-01-04"]  # the one due in December
    assert len(items["section47"]) == 12 and len(items["plans"]) == 12

    earlier = by_name(
        db, census.as_records(census.collect(db, census.CensusYear.ending(2025)))["plans"]
    )
    assert earlier == {
        "Ben": [
            {**born, "cpp_start_date": "2024-12-04", "cpp_end_date": "2025-03-03",
             "initial_category_of_abuse": "NEG", "latest_category_of_abuse": "NEG",
             "number_of_previous_cpp": 0, "review_dates": ["2025-03-03"]},
        ]
    }  # fmt: skip


def test_the_xml_for_collect_and_the_csv(db, engine, clock):
    quarter(db, engine, clock)
    children = census.collect(db, YEAR)
    made = datetime(2027, 4, 20, 9, 30, tzinfo=UTC)
    document = census_export.to_xml(children, YEAR, made)
    assert census_export.problems(document) == []
    root = etree.fromstring(document)
    assert root.findtext("Header/CollectionDetails/Year") == "2027"
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2027-03-31"
    assert root.findtext("Header/Source/LEA") == "999"
    eve = next(
        c for c in root.iter("Child") if c.findtext("ChildIdentifiers/ExpectedPersonBirthDate")
    )
    assert eve.findtext("CINdetails/Section47/InitialCPCtarget") == "2027-02-01"
    assert eve.findtext("CINdetails/ChildProtectionPlans/NumberOfPreviousCPP") == "0"
    not_required = [s.findtext("ICPCnotRequired") for s in root.iter("Section47")]
    assert not_required.count("true") == 1
    # Lee's two, Mo's, Hal's and Isla's: Ben's of March 2025 was in an earlier year.
    reviews = sorted(d.text for d in root.iter("CPPreviewDate"))
    assert reviews == ["2026-09-22", "2027-01-04", "2027-01-05", "2027-02-09", "2027-03-19"]
    rows = census_export.csv_rows(children)
    assert len(rows) == 24 and all(len(r) == len(census_export.CSV_HEADER) for r in rows)
    # A page of rows is the same rows, whichever child it starts or ends within.
    for first in range(26):
        assert census_export.csv_rows(children, first, 7) == rows[first : first + 7]
    nia = next(r for r in rows if r[6] == "true")
    assert nia[3:7] == ("2027-02-08", "2027-03-01", "", "true")


def test_the_schema_refuses_a_malformed_return():
    broken = census_export.to_xml([], YEAR, datetime(2027, 4, 20, tzinfo=UTC)).replace(
        b"<Collection>CIN</Collection>", b"<Collection>CLA</Collection>"
    )
    assert census_export.problems(broken)
    made = census_export.to_xml([], YEAR, datetime(2027, 4, 20, tzinfo=UTC))
    assert census_export.problems(made.replace(b"<SerialNo>001<", b"<SerialNo>1<"))
    plan = census.PlanItems(date(2026, 5, 1), None, "XXX", "NEG", 0, ())
    child = census.ChildItems(1, "C000001", date(2016, 4, 11), None, [], [plan])
    with pytest.raises(EngineError, match="census schema"):
        census_export.to_xml([child], YEAR, datetime(2027, 4, 20, tzinfo=UTC))


@pytest.mark.parametrize("asked", [0, 1, 1999, 2028, 10**6])
def test_a_census_year_outside_the_range_is_refused_clearly(asked):
    with pytest.raises(EngineError, match="Choose a census year from 2000 to 2027"):
        census.census_year(asked, date(2026, 11, 23))


def test_no_year_means_the_one_today_falls_in():
    assert census.census_year(None, date(2026, 11, 23)) == census.CensusYear.ending(2027)
    assert census.census_year(2000, date(2026, 11, 23)) == census.CensusYear.ending(2000)
    assert census.CensusYear.containing(date(2026, 3, 31)).end == date(2026, 3, 31)

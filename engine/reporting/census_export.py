"""The census items as the files a council sends: COLLECT's XML message and a CSV.

The XML is checked against the schema kept beside this module (`schemas/`, written from the
census guide) before it is handed out, so a file that COLLECT would reject on its shape is
never downloaded. The CSV has one row per Section47 or ChildProtectionPlans group, its
columns the census's item names.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from lxml import etree

from engine.platform import settings
from engine.platform.errors import EngineError
from engine.reporting.census import CensusYear, ChildItems

SCHEMA = Path(__file__).parent / "schemas" / "cin_census_child_protection.xsd"
SOFTWARE = "Child protection conferences"
RELEASE = "1"

CSV_HEADER = (
    "LAchildID",
    "PersonBirthDate",
    "ExpectedPersonBirthDate",
    "S47ActualStartDate",
    "InitialCPCtarget",
    "DateOfInitialCPC",
    "ICPCnotRequired",
    "CPPstartDate",
    "CPPendDate",
    "InitialCategoryOfAbuse",
    "LatestCategoryOfAbuse",
    "NumberOfPreviousCPP",
    "CPPreviewDate",
)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _add(parent, name: str, value=None):
    element = etree.SubElement(parent, name)
    if value is not None:
        element.text = _text(value)
    return element


def _header(message, year: CensusYear, made: datetime) -> None:
    header = _add(message, "Header")
    details = _add(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", year.end.year)
    _add(details, "ReferenceDate", year.end)
    source = _add(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", settings.get("census_la_code"))
    _add(source, "SoftwareCode", SOFTWARE)
    _add(source, "Release", RELEASE)
    _add(source, "SerialNo", "001")
    _add(source, "DateTime", made.replace(microsecond=0, tzinfo=None).isoformat())
    levels = _add(_add(header, "Content"), "CBDSLevels")
    _add(levels, "CBDSLevel", "Child")


def _child(children, items: ChildItems) -> None:
    child = _add(children, "Child")
    identifiers = _add(child, "ChildIdentifiers")
    _add(identifiers, "LAchildID", items.reference)
    if items.birth_date:
        _add(identifiers, "PersonBirthDate", items.birth_date)
    else:
        _add(identifiers, "ExpectedPersonBirthDate", items.expected_birth_date)
    details = _add(child, "CINdetails")
    for enquiry in items.enquiries:
        group = _add(details, "Section47")
        _add(group, "S47ActualStartDate", enquiry.s47_start)
        if enquiry.icpc_target:
            _add(group, "InitialCPCtarget", enquiry.icpc_target)
        if enquiry.icpc_date:
            _add(group, "DateOfInitialCPC", enquiry.icpc_date)
        _add(group, "ICPCnotRequired", enquiry.icpc_not_required)
    for plan in items.plans:
        group = _add(details, "ChildProtectionPlans")
        _add(group, "CPPstartDate", plan.start)
        if plan.end:
            _add(group, "CPPendDate", plan.end)
        _add(group, "InitialCategoryOfAbuse", plan.initial_category)
        _add(group, "LatestCategoryOfAbuse", plan.latest_category)
        _add(group, "NumberOfPreviousCPP", plan.previous_plans)
        if plan.review_dates:
            reviews = _add(group, "Reviews")
            for day in plan.review_dates:
                _add(reviews, "CPPreviewDate", day)


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def problems(document: bytes) -> list[str]:
    """What the schema finds wrong with a census message (none: it is valid)."""
    schema = _schema()
    if schema.validate(etree.fromstring(document)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def to_xml(children: list[ChildItems], year: CensusYear, made: datetime) -> bytes:
    """The COLLECT message for these children, checked against the schema."""
    message = etree.Element("Message")
    _header(message, year, made)
    listed = _add(message, "Children")
    for items in children:
        _child(listed, items)
    document = etree.tostring(message, xml_declaration=True, encoding="utf-8", pretty_print=True)
    found = problems(document)
    if found:
        raise EngineError("The census file does not match the census schema: " + found[0])
    return document


def csv_rows(children: list[ChildItems], first: int = 0, count: int | None = None):
    """One row per group, in `CSV_HEADER`'s columns; a plan's review dates joined by ";".
    With `first` and `count`, only those rows (a page), skipping whole children before them."""
    rows: list[tuple[str, ...]] = []
    for c in children:
        groups = len(c.enquiries) + len(c.plans)
        if not rows and first >= groups:
            first -= groups
            continue
        if count is not None and len(rows) >= first + count:
            break
        who = (c.reference, _text(c.birth_date), _text(c.expected_birth_date))
        for e in c.enquiries:
            s47 = (e.s47_start, e.icpc_target, e.icpc_date, e.icpc_not_required)
            rows.append((*who, *map(_text, s47), "", "", "", "", "", ""))
        for p in c.plans:
            plan = (p.start, p.end, p.initial_category, p.latest_category, p.previous_plans)
            reviews = ";".join(d.isoformat() for d in p.review_dates)
            rows.append((*who, "", "", "", "", *map(_text, plan), reviews))
    return rows[first:] if count is None else rows[first : first + count]

"""The dates ahead for a plan come from the deployed diagrams' own scripts: change the
diagram or the council's setting, and the projection changes with it."""

from datetime import date

from engine.diagrams import projection, registry
from engine.platform import settings
from engine.platform.db import transaction
from tests.factories import PROCESSES
from tests.processes.driver import Case, on_a_plan


def dates(ahead) -> list[tuple]:
    return [(a.on, a.what, a.projected) for a in ahead]


def test_every_date_ahead_for_the_plan(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    on_a_plan(case)  # ICPC held Monday 11 January 2027; Amara born 11 April 2016
    ahead = dates(projection.plan_ahead(db, case.child))
    assert ahead[:8] == [
        (date(2027, 1, 25), "Core group 1", False),  # set by its running workflow
        (date(2027, 3, 8), "Core group 2", True),  # six weeks on
        (date(2027, 4, 9), "Review 1", False),  # three months on was Sunday 11 April
        (date(2027, 4, 12), "Review 1: decision letter", True),
        (date(2027, 4, 19), "Core group 3", True),
        (date(2027, 4, 30), "Review 1: minutes", True),
        (date(2027, 5, 28), "Core group 4", True),
        (date(2027, 7, 9), "Core group 5", True),
    ]
    assert (date(2027, 10, 8), "Review 2", True) in ahead  # six months after 9 April
    assert ahead[-1] == (date(2034, 4, 11), "18th birthday: the plan ends", False)
    assert [d for d, *_ in ahead] == sorted(d for d, *_ in ahead)


def test_what_if_the_review_were_held_on_another_day(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    on_a_plan(case)
    ahead = dates(projection.plan_ahead(db, case.child, review_on=date(2027, 4, 20)))
    reviews = [(d, what) for d, what, _p in ahead if what.startswith("Review")]
    assert reviews[:4] == [
        (date(2027, 4, 20), "Review 1"),
        (date(2027, 4, 21), "Review 1: decision letter"),
        (date(2027, 5, 12), "Review 1: minutes"),
        (date(2027, 10, 20), "Review 2"),
    ]


def test_the_projection_follows_the_deployed_diagram_and_the_settings(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    on_a_plan(case)
    with settings.using(core_group_interval_weeks=4):
        ahead = dates(projection.plan_ahead(db, case.child))
    assert (date(2027, 2, 22), "Core group 2", True) in ahead  # four weeks on, not six
    xml = (
        (PROCESSES / "rcpc.bpmn")
        .read_text()
        .replace("add_months(held_date, 6)", "add_months(held_date, 4)")
    )
    diagram = registry.parse(xml.encode(), "rcpc.bpmn")
    with transaction(db):
        registry.deploy(db, diagram, "tests")
    ahead = dates(projection.plan_ahead(db, case.child))
    assert (date(2027, 8, 9), "Review 2", True) in ahead  # 9 April + 4 months


def test_a_plan_for_a_child_born_on_29_february_ends_on_1_march(db, engine, clock):
    case = Case(db, engine, clock, reload=False, born=date(2012, 2, 29))
    on_a_plan(case)
    assert dates(projection.plan_ahead(db, case.child))[-1] == (
        date(2030, 3, 1),  # 2030 has no 29 February: 28 February is still their 17th year
        "18th birthday: the plan ends",
        False,
    )


def test_a_child_without_a_plan_has_nothing_ahead(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    assert projection.plan_ahead(db, case.child) == []

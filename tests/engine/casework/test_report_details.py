"""An agency's or GP's answers under the report form's headings become part of its report."""

from sqlalchemy import select

from engine.models import Report
from tests.processes.driver import Case, invited


def test_the_gp_answers_are_kept_under_their_headings(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    invited(case)
    case.at("2027-01-06 11:00")
    gp_task = next(t for t in case.all_ready("agency_report") if "Patel" in t.title)
    case.do(
        "agency_report",
        task=gp_task,
        actor="bs",
        report_worries="Missed immunisations.",
        report_health="All registered; the mother attends her own appointments.",
        report_recommendation="cin_plan",
    )
    report = db.scalars(select(Report).where(Report.author == "Dr Asha Patel")).one()
    assert report.summary.splitlines() == [
        "Known to us.",
        "What we are worried about: Missed immunisations.",
        "Health information (GP): All registered; the mother attends her own appointments.",
        "Recommendation: a child in need plan",
    ]


def test_a_report_with_only_a_summary_is_unchanged(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    invited(case)
    case.at("2027-01-06 11:00")
    task = case.all_ready("agency_report")[0]
    case.do("agency_report", task=task, actor="police" if task.assignee_id else "bs")
    done = select(Report.summary).where(Report.kind == "agency", Report.submitted_on.is_not(None))
    assert db.scalars(done).all() == ["Known to us."]

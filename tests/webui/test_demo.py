"""The demo data holds cases at every stage, played through the real diagrams."""

from sqlalchemy import func, select

from engine.models import (
    Conference,
    DocumentRecord,
    Escalation,
    FamilyLink,
    FeedbackResponse,
    HumanTask,
    OutboxMessage,
    Plan,
    ReportFile,
)
from engine.models.people import Child
from engine.reporting import census, census_export
from tests.factories import deploy_processes
from webui import demo


def test_demo_cases_cover_every_stage(db, engine):
    deploy_processes(db)
    assert "Loaded" in demo.load(db, engine)
    assert "already loaded" in demo.load(db, engine)

    def child(name):
        return db.scalars(select(Child).where(Child.given_name == name)).one()

    def open_steps(name):
        query = (
            select(HumanTask.task_spec)
            .join(HumanTask.instance)
            .where(HumanTask.state == "ready", HumanTask.instance.has(child_id=child(name).id))
        )
        return set(db.scalars(query))

    assert open_steps("Amara") == {"record_strategy_discussion"}
    assert open_steps("Ben") == {"book_conference"}
    assert {"agency_report", "social_worker_report", "hold_conference"} <= open_steps("Daniel")
    assert "agree_conference_held_late" in open_steps("Jack")
    levels = db.scalars(select(Escalation.level).where(Escalation.child_id == child("Ella").id))
    assert sorted(levels) == [1, 2]  # overdue, and escalated to the service manager too
    kinds = set(db.scalars(select(Conference.kind)))
    assert kinds == {"icpc", "rcpc", "transfer_in", "pre_birth"}
    plans = {p.child_id: p for p in db.scalars(select(Plan))}
    assert plans[child("Finn").id].open
    assert plans[child("Grace").id].latest_category == "EMO"
    assert plans[child("Harry").id].end_reason == "review_cin"
    assert db.scalar(select(func.count(OutboxMessage.id))) > 10

    finn = db.scalars(
        select(Conference).where(Conference.child_id == child("Finn").id, Conference.kind == "icpc")
    ).one()
    sent = db.scalars(
        select(DocumentRecord.kind).where(
            DocumentRecord.conference_id == finn.id, DocumentRecord.purpose == "sent"
        )
    )
    assert set(sent) == {"invitation", "agenda", "decision_letter", "plan", "minutes"}
    assert db.scalar(select(func.count(ReportFile.id))) == 1
    # The census return for the demo's year validates against the schema kept here, with an
    # enquiry that needed no conference among the rest.
    year = census.CensusYear.containing(engine.clock.today())
    children = census.collect(db, year)
    document = census_export.to_xml(children, year, engine.clock.now())
    assert census_export.problems(document) == []
    assert b"<ICPCnotRequired>true</ICPCnotRequired>" in document
    assert any(c.plans for c in children) and any(c.enquiries for c in children)
    assert sorted(db.scalars(select(FeedbackResponse.respondent))) == ["parent", "professional"]
    links = db.scalars(select(FamilyLink).where(FamilyLink.conference_id == finn.id)).all()
    assert sorted(link.used_at is None for link in links) == [False, True]

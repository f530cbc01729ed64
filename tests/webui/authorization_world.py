"""The world the authorization matrix runs in: one person per role, their case and another.

Case A is "own" for every role that has a link to it (allocated, team, chair, invited, a task
in their pool); case B belongs to another team and links to nobody in the matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from engine.casework import cases, family_links
from engine.models import (
    ApiToken,
    CasePerson,
    Conference,
    DocumentRecord,
    InstanceMove,
    Invitation,
    OutboxMessage,
    PostedLetter,
    ProcessInstance,
    ProfessionalLink,
    Report,
    WithheldItem,
    teams,
)
from engine.models.conferences import ReportShare
from engine.models.documents import ReportFile
from engine.models.instances import open_tasks
from engine.platform.db import transaction
from tests.factories import (
    deploy_processes,
    make_child,
    make_service_account,
    make_staff,
    make_token,
    make_user,
)
from tests.processes.driver import ANSWERS

# matrix column → (username, roles)
ROLES = {
    "social_worker": "sw",
    "team_manager": "tm",
    "service_manager": "sm",
    "conference_chair": "chair",
    "business_support": "bs",
    "agency_professional": "police",
    "process_owner": "po",
    "administrator": "admin",
}


@dataclass
class CaseIds:
    child_id: int
    instance_id: int
    task_id: str
    item_id: int = 0
    conference_id: int = 0
    report_id: int = 0
    file_id: int = 0
    person_id: int = 0  # a parent invited to the conference (with a withheld address)
    token: str = "not-a-valid-link"
    link: str = "not-a-valid-link"
    letter_id: int = 0


@dataclass
class World:
    own: CaseIds
    other: CaseIds
    message_id: int
    version_id: int = 0
    move_id: int = 0
    user_id: int = 0  # an account the administration pages act on
    token_id: int = 0  # a service account's live API token
    team_id: int = 0  # a team the administration pages act on


def build(db, engine) -> World:
    staff = make_staff(db)
    make_user(db, "po", "process_owner", team=None)
    make_user(db, "admin", "administrator", team=None)
    south = make_user(db, "sw_south", "social_worker", team="South")
    deploy_processes(db)
    own = _case(db, engine, staff["sw"], "Amara")
    other = _case(db, engine, south, "Bo")
    # Case A moves on to booking, a task for business support's pool.
    first = open_tasks(db, own.instance_id)[0]
    engine.complete(db, first.id, staff["sw"], ANSWERS["record_strategy_discussion"])
    own.task_id = open_tasks(db, own.instance_id)[0].id
    with transaction(db):
        conference = db.scalar(select(Conference).where(Conference.child_id == own.child_id))
        conference.chair_id = staff["chair"].id
        police = CasePerson(
            child_id=own.child_id,
            kind="professional",
            name="Robin Hall",
            relationship_or_agency="Police",
            user_id=staff["police"].id,
        )
        db.add(police)
        db.flush()
        db.add(Invitation(conference_id=conference.id, person_id=police.id, role="professional"))
        own.conference_id = conference.id
        other.conference_id = _conference_for(db, other, engine.clock.today()).id
        _booked_with_a_report(db, own, engine.clock.today(), author=police)
        _booked_with_a_report(db, other, engine.clock.today())
        message = OutboxMessage(
            idempotency_key="matrix",
            kind="test",
            to_address="x@example.invalid",
            subject="s",
            body="b",
            status="failed",
        )
        db.add(message)
        for ids in (own, other):
            ids.item_id = _withheld_item(db, ids.child_id, staff["chair"].id)
            ids.person_id = db.get(WithheldItem, ids.item_id).record_id
            db.add(
                Invitation(conference_id=ids.conference_id, person_id=ids.person_id, role="parent")
            )
            # The police report given to her, per parent, as the share step records it.
            shared_on = db.get(Report, ids.report_id).shared_with_parents_on
            db.add(
                ReportShare(report_id=ids.report_id, person_id=ids.person_id, shared_on=shared_on)
            )
        own.link, own.letter_id = _a_used_link_and_a_letter(db, own, police, engine.clock.now())
    own.token = family_links.issue(
        db,
        staff["sw"],
        db.get(Conference, own.conference_id),
        db.get(WithheldItem, own.item_id).record_id,
        family_links.PARENT_REPORT,
        "grace@example.invalid",
        engine.clock.now(),
    )
    world = World(own=own, other=other, message_id=message.id, user_id=staff["bs"].id)
    make_service_account(db, "cms", "team_manager")
    make_token(db, "cms", engine.clock.now())
    world.token_id = db.scalar(select(ApiToken.id))
    with transaction(db):
        world.team_id = teams.ensure(db, "Matrix team").id
    world.version_id, world.move_id = _a_recorded_move(db, own.instance_id)
    return world


def _a_recorded_move(db, instance_id: int) -> tuple[int, int]:
    """A move of case A onto its own version, already undone: undoing it again is refused."""
    instance = db.get(ProcessInstance, instance_id)
    with transaction(db):
        move = InstanceMove(
            instance_id=instance.id,
            from_version_id=instance.version_id,
            to_version_id=instance.version_id,
            previous_state="{}",
            lock_after=instance.lock_version,
            moved_by="po",
            reverted_at=instance.updated_at,
            reverted_by="po",
        )
        db.add(move)
    return instance.version_id, move.id


def _a_used_link_and_a_letter(db, ids: CaseIds, person: CasePerson, now) -> tuple[str, int]:
    """Case A's police report link, already used (its page says so: 410), and the agenda
    waiting in the print queue for the officer."""
    db.add(
        ProfessionalLink(
            token_hash=family_links.token_hash("a-used-professional-link"),
            conference_id=ids.conference_id,
            person_id=person.id,
            report_id=ids.report_id,
            email="robin@example.invalid",
            created_at=now,
            expires_at=now + timedelta(days=21),
            used_at=now,
        )
    )
    record = DocumentRecord(
        conference_id=ids.conference_id,
        kind="agenda",
        purpose="sent",
        generated_at=now,
        generated_by_name="The workflow",
        recipients=[],
        sha256="0" * 64,
    )
    db.add(record)
    db.flush()
    letter = PostedLetter(
        document_record_id=record.id,
        conference_id=ids.conference_id,
        child_id=ids.child_id,
        person_id=person.id,
        kind="agenda",
        role="professional",
        queued_at=now,
    )
    db.add(letter)
    db.flush()
    return "a-used-professional-link", letter.id


def _conference_for(db, ids: CaseIds, today) -> Conference:
    found = db.scalar(select(Conference).where(Conference.child_id == ids.child_id))
    if found is None:
        found = Conference(
            child_id=ids.child_id, instance_id=ids.instance_id, kind="icpc", due_on=today
        )
        db.add(found)
        db.flush()
    return found


def _booked_with_a_report(db, ids: CaseIds, today, author: CasePerson | None = None) -> None:
    """Booked (so it has an agenda) with a police report, shared with the parents, and a file;
    `author` is the officer on the child's record it was asked of, where there is one."""
    conference = db.get(Conference, ids.conference_id)
    conference.scheduled_on = today + timedelta(days=10)
    report = Report(
        conference_id=conference.id,
        kind="agency",
        agency="police",
        author="Robin Hall",
        person_id=author.id if author else None,
        summary="Known to us.",
        shared_with_parents_on=today - timedelta(days=1),
    )
    db.add(report)
    db.flush()
    upload = ReportFile(
        report_id=report.id,
        filename="police.pdf",
        content_type="application/pdf",
        size=9,
        content=b"%PDF-1.4\n",
    )
    db.add(upload)
    db.flush()
    ids.report_id, ids.file_id = report.id, upload.id


def _case(db, engine, worker, given) -> CaseIds:
    child = make_child(db, engine, worker, given=given)
    instance = cases.start_conference(db, engine, worker, child.id)
    task = open_tasks(db, instance.id)[0]
    return CaseIds(child.id, instance.id, task.id, 0)


def _withheld_item(db, child_id: int, chair_id: int) -> int:
    person = CasePerson(child_id=child_id, kind="family", name="Grace", address="1 Lane")
    db.add(person)
    db.flush()
    item = WithheldItem(
        child_id=child_id,
        record="person",
        record_id=person.id,
        field="address",
        from_role="agency_professional",
        reason="Safety",
        by_id=chair_id,
    )
    db.add(item)
    db.flush()
    return item.id

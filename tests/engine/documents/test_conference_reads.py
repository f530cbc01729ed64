"""A step sending two documents reads the conference once, and never serves what it changed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select, update

from engine.documents import conference_reads, document_data, document_redaction, frozen
from engine.documents import sending as documents
from engine.models import CasePerson, Conference, DocumentRecord, Report
from engine.models.conferences import Invitation
from engine.models.instances import ProcessInstance
from engine.models.withholding import FAMILY, WithheldItem
from engine.workflow import step_context
from engine.workflow.step_context import StepContext
from tests.processes.driver import Case, invited

TABLE = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)", re.IGNORECASE)


@pytest.fixture
def case(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    invited(case)
    return case


def the_conference(case: Case) -> Conference:
    query = select(Conference).where(Conference.child_id == case.child.id)
    return case.db.scalars(query).one()


def send_two(case: Case, between=lambda row: None) -> tuple[DocumentRecord, list[str]]:
    """Send the agenda, then the letters, in one step as its script does (no autoflush),
    with `between` run between them; the second record and the statements it sent."""
    db, row = case.db, the_conference(case)
    context = StepContext(db, db.get(ProcessInstance, row.instance_id), case.clock.now())
    sent: list[str] = []
    keep = lambda *args: sent.append(args[2])  # noqa: E731
    with step_context.bound(context), db.no_autoflush:
        documents.send_document(row.id, "agenda", case.clock.today())
        between(row)
        event.listen(db.get_bind(), "before_cursor_execute", keep)
        try:
            second = documents.send_document(row.id, "invitation", case.clock.today())
        finally:
            event.remove(db.get_bind(), "before_cursor_execute", keep)
    db.flush()
    return db.get(DocumentRecord, second), sent


def tables_read(statements: list[str]) -> set[str]:
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    return {t for s in selects for t in TABLE.findall(s)}


def test_the_second_document_of_a_step_reads_none_of_the_conference_again(case):
    record, sent = send_two(case)
    assert tables_read(sent) & conference_reads.TABLES == set()
    assert not [s for s in sent if s.lstrip().upper().startswith("SELECT")]
    # Its record only: its letters and emails, and the first's, wait for the step's save.
    assert [" ".join(s.split()[:3]) for s in sent] == ["INSERT INTO document_records"]
    assert len(record.recipients) == len(record.data["invitations"]) >= 4


def test_a_person_invited_between_two_sends_is_in_the_second(case):
    def invite(row):
        aunt = CasePerson(child_id=row.child_id, kind="family", name="Bea Okoye")
        case.db.add(aunt)
        case.db.flush()
        case.db.add(Invitation(conference_id=row.id, person_id=aunt.id, role="parent"))
        case.db.flush()

    record, sent = send_two(case, invite)
    assert "Bea Okoye" in {i["name"] for i in record.data["invitations"]}
    assert "Bea Okoye" in {p["name"] for p in record.recipients}
    assert "invitations" in tables_read(sent)


def test_a_report_changed_by_an_update_statement_is_seen_by_the_second(case):
    def summarise(row):
        statement = update(Report).where(Report.conference_id == row.id)
        case.db.execute(statement.values(summary="Seen after the update."))

    record, _sent = send_two(case, summarise)
    assert {r["summary"] for r in record.data["reports"]} == {"Seen after the update."}


def test_a_change_not_yet_flushed_is_seen_by_the_second(case):
    def rename(row):
        report = case.db.scalars(select(Report).where(Report.conference_id == row.id)).first()
        report.summary = "Pending, not flushed."  # the step does not autoflush

    record, _sent = send_two(case, rename)
    assert "Pending, not flushed." in {r["summary"] for r in record.data["reports"]}


def test_what_the_sending_writes_keeps_the_memo_but_a_rollback_drops_it(case):
    row = the_conference(case)
    first = document_data.invitations(case.db, row.id)
    case.db.add(
        DocumentRecord(
            conference_id=row.id,
            kind="agenda",
            purpose="downloaded",
            file_format="pdf",
            sha256="0" * 64,
            generated_at=case.clock.now(),
            generated_by_name="Bs",
            recipients=[],
        )
    )
    case.db.flush()
    assert document_data.invitations(case.db, row.id) is first
    case.db.rollback()
    assert document_data.invitations(case.db, row.id) is not first


def test_an_address_withheld_between_two_copies_is_kept_from_the_second(case):
    db, row = case.db, the_conference(case)
    people = [i.person for i in document_data.invitations(db, row.id)]
    mother = next(p for p in people if p.kind == "family")  # her address, kept from the family
    mother.address = "1 High Street"
    db.flush()
    data = frozen.freeze(document_data.gather(db, row.id, "agenda", case.clock.today()))
    before = document_redaction.for_recipients(db, people, row.child_id, data)
    assert all(
        next(i for i in c["invitations"] if i["person_id"] == mother.id)["address"] for c in before
    )
    db.add(
        WithheldItem(
            child_id=row.child_id,
            record="person",
            record_id=mother.id,
            field="address",
            from_group=FAMILY,
            reason="Safety",
            by_id=case.staff["chair"].id,
        )
    )
    db.flush()
    after = document_redaction.for_recipients(db, people, row.child_id, data)
    others = [(p, c) for p, c in zip(people, after, strict=True) if p is not mother]
    for person, copy in others:
        [hers] = [i for i in copy["invitations"] if i["person_id"] == mother.id]
        assert (hers["address"] is None) == (person.kind == "family")
    assert {p.kind for p, _c in others} == {"family", "professional"}

"""A family conference's papers, through the real diagrams (issue 22): one agenda, one set of
invitations, one decision letter and one set of minutes for the three siblings, each person
sent each once, each child's decision in its own part, and each reader's copy without what is
withheld from them for ANY of the children."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.access import withholding
from engine.access.access import Level
from engine.casework import family_conferences
from engine.documents import (
    conference_documents,
    document_redaction,
    document_render,
    frozen,
    print_queue,
)
from engine.documents import sending as documents
from engine.models import CasePerson, DocumentRecord
from engine.models.professional_links import PostedLetter
from engine.platform.errors import NotFound
from tests.engine.documents.test_documents import docx_text, pdf_text
from tests.processes.test_family_conference import REASON, conference_of, join

REFUGE = "Flat 2, Refuge House\n8 Quiet Lane\nNorthtown NT1 4QQ"
FAMILY = [
    {"name": "Grace Okoye", "relationship": "Mother", "address": REFUGE},
    {"name": "Tom Okoye", "relationship": "Father", "address": "4 Old Road\nSouthtown ST2 9ZZ"},
]
GP_ONLY = [{"agency": "gp", "name": "Dr Asha Patel", "email": "gp@example.invalid"}]
DECISIONS = {"Ada": ("cp_plan", "EMO"), "Femi": ("cin_plan", None)}


def person(case, name: str) -> CasePerson:
    query = select(CasePerson).where(CasePerson.child_id == case.child.id, CasePerson.name == name)
    return case.db.scalars(query).one()


def records(case, kind: str) -> list[DocumentRecord]:
    query = select(DocumentRecord).where(DocumentRecord.kind == kind)
    return list(case.db.scalars(query.order_by(DocumentRecord.id)))


def copy_text(case, record: DocumentRecord, reader, child_id: int) -> str:
    """One reader's copy of a sent family document, as PDF text and Word text together."""
    data = document_redaction.for_recipient(case.db, reader, child_id, frozen.thaw(record.data))
    return " ".join(
        (
            pdf_text(document_render.render(data, "pdf")),
            docx_text(document_render.render(data, "docx")),
        )
    )


@pytest.fixture
def family(case):
    """Amara, Ada and Femi at one initial conference, invited, held and decided per child;
    the mother's new address (given on Amara's and on Ada's records) withheld from the father
    on Amara's record only."""
    ada, femi = case.sibling("Ada"), case.sibling("Femi")
    case.at("2026-12-18 14:00")
    for child in (case, ada, femi):
        child.start()
        child.do("record_strategy_discussion")
    case.at("2026-12-21 10:00")
    case.do("book_conference")
    for sibling in (ada, femi):
        family_conferences.link_siblings(
            case.db, case.staff["sw"], case.clock.now(), case.child.id, sibling.child.id
        )
        join(case, sibling, REASON)
    case.do("send_invitations", family=FAMILY)
    mail_after_first = len(case.mail("document"))
    for sibling in (ada, femi):  # their booking and invitations were done on Amara's steps
        assert not {"book_conference", "send_invitations"} & set(sibling.ready())
    assert len(case.mail("document")) == mail_after_first  # the siblings' steps sent nothing
    withholding.withhold(
        case.db, case.staff["chair"], case.child.id, "person",
        person(case, "Grace Okoye").id, "address", f"person:{person(case, 'Tom Okoye').id}",
        "Risk of harm to the mother.", case.clock.now(),
    )  # fmt: skip
    case.at("2027-01-11 15:00")
    case.do("hold_conference", safety_plan="Grace lives at Flat 2, Refuge House, 8 Quiet Lane.")
    for sibling in (ada, femi):
        decision, category = DECISIONS[sibling.child.given_name]
        sibling.do(
            "hold_conference", decision=decision, category=category, attendance=[],
            quorum_reason="The police came for Amara: one meeting for the family.",
        )  # fmt: skip
    for child in (case, ada, femi):
        child.do("decision_letter")
    return case, ada, femi


def test_the_family_gets_one_of_each_paper_and_each_person_one_copy(family):
    case, ada, femi = family
    for kind in ("invitation", "agenda", "decision_letter"):
        sent = [r for r in records(case, kind) if r.purpose == "sent"]
        covered = [r for r in records(case, kind) if r.purpose == "covered"]
        assert len(sent) == 1 and sent[0].group_id is not None, kind
        assert {r.conference_id for r in covered} == {
            conference_of(ada).id, conference_of(femi).id
        }  # fmt: skip
        assert {r.covered_by_id for r in covered} == {sent[0].id}
        names = [p["name"] for p in sent[0].recipients]
        assert sorted(names) == sorted(set(names))  # everyone invited, once each
        assert {"Grace Okoye", "Tom Okoye", "Robin Hall"} <= set(names)
    letter = [r for r in records(case, "decision_letter") if r.purpose == "sent"][0]
    # One letter to post to each parent, however many children they are invited for.
    posted = case.db.scalars(
        select(PostedLetter).where(PostedLetter.document_record_id == letter.id)
    ).all()
    assert sorted(p.person.name for p in posted) == ["Grace Okoye", "Tom Okoye"]
    emails = [m for m in case.mail("document") if "Decision letter" in m[1]]
    assert len(emails) == len(set(emails))  # one email a person, not one a child
    text = copy_text(case, letter, person(case, "Grace Okoye"), case.child.id)
    for child in (case, ada, femi):
        assert child.child.full_name in text
    assert "child protection plan" in text and "Emotional abuse" in text
    assert "supported under a child in need plan" in text  # Femi's own decision


def test_the_father_never_sees_the_mothers_address_withheld_for_one_child(family):
    case, ada, _femi = family
    case.do("send_minutes")
    ada.do("send_minutes")
    minutes = [r for r in records(case, "minutes") if r.purpose == "sent"]
    letter = [r for r in records(case, "decision_letter") if r.purpose == "sent"][0]
    tom_on_ada = person(ada, "Tom Okoye")
    for record in (minutes[0], letter):
        # Withheld from him on Amara's record: out of his copy, read as Amara's or Ada's father.
        for tom, child in ((person(case, "Tom Okoye"), case), (tom_on_ada, ada)):
            text = copy_text(case, record, tom, child.child.id)
            assert "Refuge House" not in text and "Quiet Lane" not in text, record.kind
            assert "Ada Okoye" in text
        grace = copy_text(case, record, person(case, "Grace Okoye"), case.child.id)
        if record.kind == "minutes":
            assert "Refuge House" in grace  # she reads her own address
    # The print queue's copy for the father is made from the same family document.
    letter_for_tom = case.db.scalars(
        select(PostedLetter).where(
            PostedLetter.document_record_id == letter.id,
            PostedLetter.person_id.in_([person(case, "Tom Okoye").id, tom_on_ada.id]),
        )
    ).one()
    printed = print_queue.letter_pdf(case.db, case.staff["bs"], letter_for_tom.id, case.clock.now())
    assert "Refuge House" not in pdf_text(printed.content)
    invitation = [r for r in records(case, "invitation") if r.purpose == "sent"][0]
    letters = copy_text(case, invitation, person(case, "Grace Okoye"), case.child.id)
    assert "Dear Grace Okoye" in letters and "Dear Tom Okoye" not in letters
    assert "Refuge House" in letters  # her letter is addressed to her


def test_each_child_s_page_lists_the_family_papers_and_each_reader_gets_their_own_copy(family):
    case, ada, _femi = family
    sw, police = case.staff["sw"], case.staff["police"]
    for child in (case, ada):
        page = conference_documents.overview(case.db, sw, conference_of(child), Level.FULL)
        kinds = {r.kind for r in page.family_documents}
        assert kinds == {"invitation", "agenda", "decision_letter"}
    letter = [r for r in records(case, "decision_letter") if r.purpose == "sent"][0]
    now = case.clock.now()
    mine = documents.produce_sent(case.db, sw, conference_of(ada), letter.id, "pdf", now)
    text = pdf_text(mine.content)
    assert "Ada Okoye" in text and "Femi Okoye" in text
    with pytest.raises(NotFound):
        documents.produce_sent(case.db, sw, conference_of(ada), letter.id, "txt", now)
    # The police officer, invited for the family (the invitations were sent once, for every
    # child), reads each child's part, with the mother's withheld address out of it.
    copy = documents.produce_sent(case.db, police, conference_of(case), letter.id, "docx", now)
    words = docx_text(copy.content)
    assert case.child.full_name in words and "Femi Okoye" in words
    assert "Emotional abuse" in words  # Ada's category
    invitation = [r for r in records(case, "invitation") if r.purpose == "sent"][0]
    copy = documents.produce_sent(case.db, police, conference_of(case), invitation.id, "docx", now)
    letters = docx_text(copy.content)
    assert "Amara Okoye" in letters and "Ada Okoye" in letters


def test_the_printer_gets_no_address_withheld_from_them_on_a_family_letter(family):
    """The mother's address is withheld from business support on Amara's record. Her family
    invitation letter, printed from the print queue by business support, carries neither
    her address block nor the address quoted anywhere; her own copy has it."""
    case, _ada, _femi = family
    grace = person(case, "Grace Okoye")
    withholding.withhold(
        case.db, case.staff["chair"], case.child.id, "person", grace.id, "address",
        "role:business_support", "Her new address is known to few.", case.clock.now(),
    )  # fmt: skip
    invitation = [r for r in records(case, "invitation") if r.purpose == "sent"][0]
    letter = case.db.scalars(
        select(PostedLetter).where(
            PostedLetter.document_record_id == invitation.id, PostedLetter.person_id == grace.id
        )
    ).one()
    printed = print_queue.letter_pdf(case.db, case.staff["bs"], letter.id, case.clock.now())
    text = pdf_text(printed.content)
    assert "Dear Grace Okoye" in text
    assert "Refuge House" not in text and "Quiet Lane" not in text
    assert "Refuge House" in copy_text(case, invitation, grace, case.child.id)  # as sent to her

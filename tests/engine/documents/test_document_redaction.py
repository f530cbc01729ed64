"""Each reader's PDF and Word documents leave out what the chair withheld from them."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from engine.access import withholding
from engine.documents import document_data, document_redaction, frozen, print_queue
from engine.documents import sending as documents
from engine.models import CasePerson, Conference, DocumentRecord, Report
from engine.models.conferences import ICPC, invitations_for
from engine.models.professional_links import PostedLetter
from tests.engine.documents.test_documents import docx_text, pdf_text
from tests.processes.driver import Case, invited

ADDRESS = "Flat 2, Refuge House\n8 Quiet Lane\nNorthtown NT1 4QQ"
PHONE = "07700 900123"
FAMILY = [
    {"name": "Grace Okoye", "relationship": "Mother", "address": ADDRESS},
    {"name": "Tom Okoye", "relationship": "Father", "address": "4 Old Road\nSouthtown ST2 9ZZ"},
]
SAFETY_PLAN = "Grace and the children now live at Flat 2, Refuge House, 8 Quiet Lane."
REPORT = "The social worker's own account of the refuge move."
REQUESTS = [
    {
        "kind": "withhold",
        "details": "Keep the mother's new address from the father.",
        "person": "Grace Okoye",
        "field": "address",
        "withheld_from": "Tom Okoye",
    },
    {
        "kind": "withhold",
        "details": "The police officer does not need the mother's new phone.",
        "person": "Grace Okoye",
        "field": "phone",
        "withheld_from": "Robin Hall",
    },
    {"kind": "exclude", "details": "Tom has threatened the mother.", "person": "Tom Okoye"},
]
AGREED = {"decision": "agreed", "reason": "Risk of harm to the mother."}
EXCLUDED_FROM = "The police report and the discussion of it"


def person(case: Case, name: str) -> CasePerson:
    query = select(CasePerson).where(CasePerson.child_id == case.child.id, CasePerson.name == name)
    return case.db.scalars(query).one()


def the_conference(case: Case) -> Conference:
    query = select(Conference).where(Conference.child_id == case.child.id, Conference.kind == ICPC)
    return case.db.scalars(query).one()


def withheld_case(case: Case, **invitations) -> Case:
    """A held conference: the mother's address (quoted in the safety plan) and the social
    worker's report withheld from the father, her phone from the police officer, and the
    father excluded from the police part of the meeting (`invitations`: more invited)."""
    invited(case, family=FAMILY, **invitations)  # their postal addresses given with them
    person(case, "Grace Okoye").phone = PHONE
    case.db.commit()
    case.at("2027-01-06 11:00")
    for task in case.all_ready("agency_report"):
        case.do("agency_report", task=task, actor="police" if task.assignee_id else "bs")
    case.do("social_worker_report", report_summary=REPORT, requests=REQUESTS)
    decisions = [{**r, **AGREED} for r in REQUESTS]
    decisions[2]["excluded_from"] = EXCLUDED_FROM
    case.at("2027-01-08 11:00")
    case.do("decide_requests", requests=decisions)
    report = case.db.scalars(
        select(Report).where(Report.summary == REPORT, Report.kind == "social_worker")
    ).one()
    tom = person(case, "Tom Okoye")
    withholding.withhold(
        case.db,
        case.staff["chair"],
        case.child.id,
        "report",
        report.id,
        "summary",
        f"person:{tom.id}",
        "It names the refuge.",
        case.clock.now(),
    )
    case.do("chair_pre_contact")
    case.at("2027-01-11 15:00")
    case.do("hold_conference", safety_plan=SAFETY_PLAN)
    return case


@pytest.fixture
def case(db, engine, clock):
    return withheld_case(Case(db, engine, clock, reload=False))


def copy_text(case: Case, kind: str, name: str) -> str:
    """The posted copy for one person, as PDF text and Word text together."""
    row, who = the_conference(case), person(case, name).id
    now = case.clock.now()
    pdf = documents.produce_copy(case.db, case.staff["bs"], row, kind, "pdf", who, now)
    word = documents.produce_copy(case.db, case.staff["bs"], row, kind, "docx", who, now)
    return pdf_text(pdf.content) + "\n" + docx_text(word.content)


def download_text(case: Case, username: str, kind: str) -> str:
    row, user, now = the_conference(case), case.staff[username], case.clock.now()
    pdf = documents.produce(case.db, user, row, kind, "pdf", now)
    word = documents.produce(case.db, user, row, kind, "docx", now)
    return pdf_text(pdf.content) + "\n" + docx_text(word.content)


def test_the_fathers_copies_have_no_withheld_address_or_report(case):
    for kind in ("agenda", "invitation", "minutes", "decision_letter", "plan"):
        text = copy_text(case, kind, "Tom Okoye")
        assert "Refuge House" not in text and "Quiet Lane" not in text, kind
        assert REPORT not in text and "Risk of harm" not in text, kind
    minutes = copy_text(case, "minutes", "Tom Okoye")
    assert "Grace and the children now live at Withheld" in minutes
    assert "Social worker's report" not in minutes  # left out, not just emptied
    assert "Agency report" in minutes


def test_the_fathers_letter_is_his_own_with_his_address_and_exclusion(case):
    letters = copy_text(case, "invitation", "Tom Okoye")
    assert "Dear Tom Okoye" in letters and "Dear Grace Okoye" not in letters
    assert "4 Old Road" in letters and "Southtown ST2 9ZZ" in letters
    assert "you will not take part in this part of the conference: " + EXCLUDED_FROM in letters


def test_the_mothers_letter_is_addressed_to_her_new_address(case):
    letters = copy_text(case, "invitation", "Grace Okoye")
    assert "Dear Grace Okoye" in letters and "Dear Tom Okoye" not in letters
    assert "Flat 2, Refuge House" in letters and "Northtown NT1 4QQ" in letters
    assert "you will not take part" not in letters


def test_staff_see_the_address_the_decisions_and_the_exclusion(case):
    minutes = download_text(case, "sw", "minutes")
    assert SAFETY_PLAN in " ".join(minutes.split())
    assert "Social worker's report" in minutes
    assert "Withhold Grace Okoye's address from Tom Okoye: Agreed. Risk of harm" in minutes
    assert f"Tom Okoye will not take part in: {EXCLUDED_FROM}" in minutes
    agenda = download_text(case, "sw", "agenda")
    assert f"Tom Okoye will not take part in: {EXCLUDED_FROM}" in agenda
    letters = download_text(case, "sw", "invitation")
    assert "Flat 2, Refuge House" in letters and "4 Old Road" in letters


def test_a_field_withheld_from_an_invited_professional_is_kept_from_their_account(case):
    letters = download_text(case, "police", "invitation")
    assert "Flat 2, Refuge House" in letters  # only the phone is withheld from the police
    data = document_data.gather(case.db, the_conference(case).id, "minutes", case.clock.today())
    data["conference"]["safety_plan"] = f"Call Grace on {PHONE} first."
    police = document_redaction.for_reader(case.db, case.staff["police"], case.child.id, data)
    assert police["conference"]["safety_plan"] == "Call Grace on Withheld first."
    social_worker = document_redaction.for_reader(case.db, case.staff["sw"], case.child.id, data)
    assert PHONE in social_worker["conference"]["safety_plan"]


def test_each_person_sent_a_document_gets_their_own_fingerprint(case):
    case.do("decision_letter")
    case.do("send_minutes")
    sent = case.db.scalars(select(DocumentRecord).where(DocumentRecord.kind == "minutes")).one()
    prints = {p["name"]: p["sha256"] for p in sent.recipients}
    row = the_conference(case)
    tom = document_redaction.for_recipient(
        case.db, person(case, "Tom Okoye"), row.child_id, sent.data
    )
    assert prints["Tom Okoye"] == frozen.fingerprint(tom)
    assert sent.sha256 == frozen.fingerprint(sent.data)
    assert prints["Tom Okoye"] != prints["Grace Okoye"]


def test_the_conference_page_reads_each_reports_text_for_the_person_looking(case):
    from engine.access.access import Level
    from engine.documents import conference_documents

    report = case.db.scalars(select(Report).where(Report.summary == REPORT)).one()
    report.summary = f"{REPORT} She now lives at 8 Quiet Lane."
    case.db.commit()
    grace = person(case, "Grace Okoye")
    withholding.withhold(
        case.db,
        case.staff["chair"],
        case.child.id,
        "person",
        grace.id,
        "address",
        "role:team_manager",
        "Not needed for management oversight.",
        case.clock.now(),
    )
    row = the_conference(case)
    managers = conference_documents.overview(case.db, case.staff["tm"], row, Level.FULL)
    workers = conference_documents.overview(case.db, case.staff["sw"], row, Level.FULL)
    assert managers.summaries[report.id].endswith("She now lives at Withheld.")
    assert workers.summaries[report.id].endswith("She now lives at 8 Quiet Lane.")
    assert report.summary.endswith("8 Quiet Lane.")  # the row itself is untouched


def copies(case: Case, kind: str, sent: list | None = None) -> tuple[list, list]:
    """Each invited person's copy of the conference's document, by `for_recipients` (the
    statements it sends kept in `sent`) and by `for_recipient` one person at a time."""
    row = the_conference(case)
    data = frozen.freeze(document_data.gather(case.db, row.id, kind, case.clock.today()))
    people = [i.person for i in invitations_for(case.db, row.id)]
    keep = lambda *args: sent.append(args[2])  # noqa: E731
    if sent is not None:
        event.listen(case.db.get_bind(), "before_cursor_execute", keep)
    together = document_redaction.for_recipients(case.db, people, row.child_id, data)
    if sent is not None:
        event.remove(case.db.get_bind(), "before_cursor_execute", keep)
    one_by_one = [document_redaction.for_recipient(case.db, p, row.child_id, data) for p in people]
    return together, one_by_one


def test_the_copies_made_together_are_each_persons_own(case):
    together, one_by_one = copies(case, "minutes")
    assert together == one_by_one
    toms = [c for c in together if ADDRESS.splitlines()[0] not in str(c)]
    assert len(toms) == 1 and REPORT not in str(toms[0]) and toms[0]["decisions"] == []


def test_the_childs_advocate_s_copy_has_no_record_of_the_decisions(db, engine, clock):
    """The chair's decisions and their reasons are for the staff: neither a family member's
    copy nor the child's advocate's (the advocate is a non-professional, as in withholding)
    has them; an agency's has."""
    case = Case(db, engine, clock, reload=False)
    case = withheld_case(case, child_invited=True, advocate="Jo Bell")
    row = the_conference(case)
    data = frozen.freeze(document_data.gather(case.db, row.id, "minutes", case.clock.today()))
    assert data["decisions"]  # the staff's minutes list them
    copy = lambda name: document_redaction.for_recipient(  # noqa: E731
        case.db, person(case, name), row.child_id, data
    )
    assert copy("Jo Bell")["decisions"] == copy("Grace Okoye")["decisions"] == []
    assert copy("Robin Hall")["decisions"]


def test_with_nothing_withheld_one_read_serves_every_copy(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    invited(case, family=FAMILY)
    sent: list[str] = []
    together, one_by_one = copies(case, "invitation", sent)
    assert together == one_by_one
    # Each copy has only the letter to its own person.
    assert [len(c["invitations"]) for c in together] == [1] * len(together)
    assert len({c["invitations"][0]["name"] for c in together}) == len(together) >= 4
    assert [s for s in sent if "withheld_items" in s] == sent and len(sent) == 1


def test_a_copy_printed_to_post_leaves_out_what_is_withheld_from_the_printer(case):
    """The mother's address is withheld from business support too. The copies they print to
    post to her (on the conference page, or from the print queue: frozen when the step sent
    them, before this was withheld) are hers less that: no address on her letter, none in
    the minutes; someone it is not withheld from posts her letter. The father's are his."""
    grace = person(case, "Grace Okoye")
    withholding.withhold(
        case.db,
        case.staff["chair"],
        case.child.id,
        "person",
        grace.id,
        "address",
        "role:business_support",
        "Her new address is known to few.",
        case.clock.now(),
    )
    letters = copy_text(case, "invitation", "Grace Okoye")
    assert "Dear Grace Okoye" in letters
    assert "Refuge House" not in letters and "Quiet Lane" not in letters
    minutes = copy_text(case, "minutes", "Grace Okoye")
    assert "Grace and the children now live at Withheld" in minutes
    assert "Quiet Lane" not in minutes
    assert "4 Old Road" in copy_text(case, "invitation", "Tom Okoye")
    queued = case.db.scalars(select(PostedLetter).where(PostedLetter.person_id == grace.id)).all()
    assert {letter.kind for letter in queued} >= {"invitation", "agenda"}
    for letter in queued:
        printed = print_queue.letter_pdf(case.db, case.staff["bs"], letter.id, case.clock.now())
        text = pdf_text(printed.content)
        assert "Refuge House" not in text and "Quiet Lane" not in text, letter.kind
    sm = case.staff["sm"]  # nothing withheld from the service manager: her letter as sent
    word = documents.produce_copy(
        case.db, sm, the_conference(case), "invitation", "docx", grace.id, case.clock.now()
    )
    assert "Quiet Lane" in docx_text(word.content)

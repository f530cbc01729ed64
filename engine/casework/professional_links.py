"""Agency professionals without an account take part by a single-use secure link.

GPs, schools, health visitors and probation rarely hold an account on a council's system.
When the invitations go out, each professional asked for a report who has an email address
and no account is sent the invitation by email with a link to their own report form, where
they may add a file (PDF or Word). What they send completes the same report step an account
holder would (the agency report task, its report row and its file), in one transaction with
the link being spent, so the report is recorded once whoever does it. Any request to the
chair (to withhold information or exclude someone) sent with it is raised in that same
transaction, as the professional's own, for the chair to decide before the conference.
Only the token's hash is kept; the link works once and until it expires; every issue,
opening, use and refusal is an audit event, as with family links.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from engine.casework import conference_requests
from engine.casework.family_links import LinkRefused, link_event, refuse, token_hash
from engine.documents import report_files
from engine.messaging import outbox
from engine.models.base import fetch
from engine.models.conferences import CasePerson, Conference, Report
from engine.models.instances import ProcessInstance, open_tasks
from engine.models.professional_links import ProfessionalLink, link_by_hash, spend
from engine.platform import settings, workdays
from engine.platform.clock import day_in_england
from engine.platform.db import transaction
from engine.workflow import step_context

REPORT_STEP = "agency_report"  # the diagrams' agency report task a link completes
REQUESTS = "agency_requests"  # the form's requests to the chair, raised by the professional
CONTACT = "Contact the conference team on {phone} for a new link."


@dataclass(frozen=True)
class Opened:
    link: ProfessionalLink
    conference: Conference
    report: Report
    due_on: object


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


def _contact() -> str:
    return CONTACT.format(phone=settings.get("council_phone"))


def _email_body(conference: Conference, reference: str, due_on, days: int) -> str:
    when = f"{conference.scheduled_on:%-d %B %Y}" if conference.scheduled_on else "a date to come"
    at = f" at {conference.scheduled_time}" if conference.scheduled_time else ""
    where = f", {conference.venue}" if conference.venue else ""
    return (
        f"You are invited to a {conference.kind_label.lower()} for case {reference} "
        f"on {when}{at}{where}.\n\n"
        f"Please send your agency's report for the conference by {due_on:%-d %B %Y} using the "
        "link below. It opens a report form for you alone, where you can also attach your "
        "report as a PDF or Word file. The report is shared with the parents before the "
        "conference unless the chair agrees to withhold it.\n\n"
        f"The link works once and stops working after {days} days. "
        f"If you cannot use it, call the conference team on {settings.get('council_phone')}."
    )


# ---- the function the diagrams call ---------------------------------------------------------


def send_report_links(conference_id, report_requests, due_date) -> int:
    """Email a report link to each professional asked for a report who has an email address
    and no account; how many were sent. The others do their report task in the service, or
    business support records the report they send in."""
    ctx = step_context.current()
    conference = fetch(ctx.session, Conference, conference_id, "There is no such conference.")
    due_on = workdays.as_date(due_date)
    days = int(settings.get("professional_link_days"))
    sent = 0
    for request in report_requests or []:
        if request.get("username"):
            continue
        report = fetch(ctx.session, Report, request["report_id"], "There is no such report.")
        person = ctx.session.get(CasePerson, report.person_id) if report.person_id else None
        if person is None or person.user_id is not None or not person.email:
            continue
        token = secrets.token_urlsafe(32)
        link = ProfessionalLink(
            token_hash=token_hash(token),
            conference_id=conference.id,
            person_id=person.id,
            report_id=report.id,
            email=person.email,
            created_at=ctx.now,
            expires_at=ctx.now + timedelta(days=days),
        )
        ctx.session.add(link)
        report.due_on = due_on  # written with the link: the documents next read it saved
        ctx.session.flush()
        outbox.queue_to_address(
            ctx.session,
            kind="professional_link",
            key=f"professional_link:{link.id}",
            address=person.email,
            subject=(
                f"{settings.get('council_name')}: invitation and report request "
                f"(reference {ctx.instance.reference})"
            ),
            body=_email_body(conference, ctx.instance.reference, due_on, days),
            link=f"/professional/{token}",
            instance_id=conference.instance_id,
            now=ctx.now,
        )
        _audit(ctx.session, link, "issued", ctx.now, actor=ctx.actor)
        sent += 1
    return sent


FUNCTIONS = {"send_report_links": send_report_links}


# ---- the pages the link opens ---------------------------------------------------------------


def _valid(session: Session, token: str, now: datetime, action: str) -> ProfessionalLink:
    """The link for this token if it may be used now; otherwise audit the refusal and raise."""
    link = link_by_hash(session, token_hash(token)) if token else None
    if link is None:
        reason = "This link is not valid. Check you copied the whole link from the email."
        refuse(session, "professional_link", None, action, reason, now, gone=False)
    if link.used_at is not None:
        reason = "Your report was sent with this link, so it will not open again. " + _contact()
        refuse(session, "professional_link", link, action, reason, now, gone=True)
    if link.expires_at <= now:
        reason = "This link has expired and nothing more can be sent with it. " + _contact()
        refuse(session, "professional_link", link, action, reason, now, gone=True)
    return link


def _audit(session, link: ProfessionalLink, action: str, now: datetime, **detail) -> None:
    link_event(session, "professional_link", link, action, now, report_id=link.report_id, **detail)


def _report_task(session: Session, engine, link: ProfessionalLink):
    """The open agency report task this link's report belongs to, or None when it is done
    (business support recorded the report sent in, or the conference has been held)."""
    instance = session.get(ProcessInstance, link.conference.instance_id)
    for row in open_tasks(session, instance.id):
        if row.task_spec != REPORT_STEP:
            continue
        request = engine.task_data(session, row).get("request") or {}
        if request.get("report_id") == link.report_id:
            return row
    return None


def open_link(session: Session, engine, token: str, now: datetime) -> Opened:
    """The report form's page: which conference, by when; refused once the report is in."""
    link = _valid(session, token, now, "open")
    if _report_task(session, engine, link) is None:
        reason = "The conference team already has your report, or the conference has been held."
        refuse(session, "professional_link", link, "open", f"{reason} {_contact()}", now, gone=True)
    report = session.get(Report, link.report_id)
    with transaction(session):
        _audit(session, link, "opened", now)
    return Opened(link, link.conference, report, report.due_on)


def submit(
    session: Session,
    engine,
    token: str,
    answers: dict,
    upload: Upload | None,
    now: datetime,
    scanner=None,
) -> None:
    """Complete the report task with the answers (and the file), spending the link: all in
    one transaction, so a refused file or a lost race leaves the link unspent and nothing
    saved."""
    link = _valid(session, token, now, "submit")
    if answers.get(REQUESTS) and link.conference.held_on is not None:
        reason = "The conference has been held: a request to the chair is raised before it."
        refuse(
            session, "professional_link", link, "submit", f"{reason} {_contact()}", now, gone=True
        )
    task = _report_task(session, engine, link)
    if task is None:
        reason = "The conference team already has your report, or the conference has been held."
        refuse(
            session, "professional_link", link, "submit", f"{reason} {_contact()}", now, gone=True
        )
    report = session.get(Report, link.report_id)
    file_row = (
        report_files.checked(report, upload.filename, upload.content, now, None, scanner)
        if upload is not None
        else None
    )

    def spend_and_answer(_row) -> dict:
        if not spend(session, link.id, now):
            raise LinkRefused(
                "Your report was sent with this link, so it will not open again. " + _contact(),
                gone=True,
            )
        if file_row is not None:
            session.add(file_row)
            session.flush()
            _audit(session, link, "file_uploaded", now, file_id=file_row.id, size=file_row.size)
        raised = conference_requests.raise_by_link(
            session, link.conference, answers.get(REQUESTS), link.person, now
        )
        if raised:
            _audit(session, link, "requests_raised", now, requests=raised)
        _audit(session, link, "used", now)
        answered = {k: v for k, v in answers.items() if k != REQUESTS}  # recorded just now
        return {**answered, "report_submitted_date": day_in_england(now).isoformat()}

    engine.complete_by_link(session, task.id, spend_and_answer)

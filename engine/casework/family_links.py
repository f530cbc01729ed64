"""Single-use secure links that let a parent or a child take part without an account.

Staff send a link by email for one purpose: the parents' report, the child's views, or
feedback after the conference. The link opens that one form and the reports already shared
with the parents, nothing else, read for the family member the link is for: a report withheld
from them is not there, and text withheld from them (another person's address, phone or
email, a withheld report quoted) is taken out of the rest before any page is made of it.
Only a hash of the token is stored; a link works until it is used once or expires; a
tampered, reused or expired token is refused with a clear reason. Every opening, use and
refusal is an audit event.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from engine.access import withheld_text, withholding
from engine.messaging import outbox
from engine.models import audit
from engine.models.conferences import CasePerson, Conference, Report, reports_for
from engine.models.documents import (
    FamilyLink,
    FeedbackResponse,
    link_by_hash,
    spend,
)
from engine.models.instances import ProcessInstance, open_tasks
from engine.models.people import User
from engine.models.withholding import shares_for
from engine.platform import settings
from engine.platform.clock import day_in_england
from engine.platform.db import transaction
from engine.platform.errors import EngineError, NotFound

PARENT_REPORT, CHILD_VIEWS, PARENT_FEEDBACK, CHILD_FEEDBACK = (
    "parent_report",
    "child_views",
    "parent_feedback",
    "child_feedback",
)
PURPOSES = {
    PARENT_REPORT: "The parents' report for the conference",
    CHILD_VIEWS: "The child's views for the conference",
    PARENT_FEEDBACK: "Feedback from a parent or carer after the conference",
    CHILD_FEEDBACK: "Feedback from the child after the conference",
}
FEEDBACK = {PARENT_FEEDBACK: "parent", CHILD_FEEDBACK: "child"}
PARENT_REPORT_STEP = "parent_report"  # the social worker's "Record the parents' own report"
USED = (
    "This link has already been used, and what you sent with it has been saved. If you want "
    "to add something, ask your social worker for a new link."
)


class LinkRefused(EngineError):
    """The link cannot be used; the message says why, in words a parent understands.
    `gone` is true for a real link that was used or has expired (not a made-up one)."""

    def __init__(self, message: str, gone: bool = False):
        super().__init__(message)
        self.gone = gone


@dataclass(frozen=True)
class SharedFile:
    id: int
    filename: str


@dataclass(frozen=True)
class SharedReport:
    """A report as the link's family member may read it (never the row itself, so nothing
    taken out of it can be written back)."""

    id: int
    kind: str
    agency: str | None
    shared_with_parents_on: object
    summary: str | None


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Opened:
    link: FamilyLink
    form_key: str
    shared_reports: list[SharedReport]
    files: dict[int, list[SharedFile]]

    @property
    def child_id(self) -> int:
        return self.link.conference.child_id


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def form_key(link: FamilyLink) -> str:
    if link.purpose == PARENT_REPORT:
        review = link.conference.kind == "rcpc"
        return "family/parent_review_report" if review else "family/parent_report"
    if link.purpose == CHILD_VIEWS:
        return "family/child_views"
    return f"feedback/{FEEDBACK[link.purpose]}"


def issue(
    session: Session,
    actor: User,
    conference: Conference,
    person_id: int,
    purpose: str,
    email: str,
    now: datetime,
) -> str:
    """Create the link, email it (only the link: no name, no concerns), audit it; the token."""
    if purpose not in PURPOSES:
        raise EngineError("Choose what the link is for.")
    person = session.get(CasePerson, person_id)
    if person is None or person.child_id != conference.child_id or person.kind != "family":
        raise NotFound("Choose a family member of this child.")
    email = (email or "").strip()
    if "@" not in email or len(email) > 254 or " " in email:
        raise EngineError("Enter an email address in the correct format, like name@example.com")
    if purpose in FEEDBACK and conference.held_on is None:
        raise EngineError("Feedback can be asked for once the conference has been held.")
    token = secrets.token_urlsafe(32)
    days = int(settings.get("family_link_days"))
    link = FamilyLink(
        token_hash=token_hash(token),
        conference_id=conference.id,
        person_id=person.id,
        purpose=purpose,
        email=email,
        created_at=now,
        created_by_id=actor.id,
        expires_at=now + timedelta(days=days),
    )
    with transaction(session):
        session.add(link)
        session.flush()
        person.email = person.email or email
        reference = session.get(ProcessInstance, conference.instance_id).reference
        outbox.queue_to_address(
            session,
            kind="family_link",
            key=f"family_link:{link.id}",
            address=email,
            subject=f"{settings.get('council_name')}: a form for you (reference {reference})",
            body=_email_body(conference, purpose, reference, link.expires_at, days),
            link=f"/family/{token}",
            instance_id=conference.instance_id,
            now=now,
        )
        link_event(session, "family_link", link, "issued", now, actor=actor, purpose=purpose)
    return token


def fill_in_by(conference: Conference, purpose: str, expires_at: datetime) -> date:
    """The day the form is wanted by: the day before a conference still to come for the
    report and the child's views, else the day the link stops working."""
    last_day = day_in_england(expires_at) - timedelta(days=1)
    before = conference.scheduled_on and conference.held_on is None
    if purpose in (PARENT_REPORT, CHILD_VIEWS) and before:
        return min(last_day, conference.scheduled_on - timedelta(days=1))
    return last_day


def _email_body(conference, purpose: str, reference: str, expires_at, days: int) -> str:
    """What the form is for and by when, and who to call: never the child's name."""
    by = fill_in_by(conference, purpose, expires_at)
    return (
        f"{PURPOSES[purpose]} (case {reference}): you have been asked to fill in this form. "
        f"Please fill it in by {by:%A %-d %B %Y}. "
        "What you write goes to the conference chair and the social worker.\n\n"
        f"The link works once and stops working after {days} days. If you have a question, "
        f"or would like help or another format, call {settings.get('council_phone')}."
    )


def _valid(session: Session, token: str, now: datetime, action: str) -> FamilyLink:
    """The link for this token if it may be used now; otherwise audit the refusal and raise."""
    link = link_by_hash(session, token_hash(token)) if token else None
    reason = None
    if link is None:
        reason = "This link is not valid. Check you copied the whole link from the email."
    elif link.used_at is not None:
        reason = USED
    elif link.expires_at <= now:
        reason = (
            "This link has expired, so it cannot be used any more. Nothing was sent with it. "
            "Ask your social worker for a new one."
        )
    if reason:
        refuse(session, "family_link", link, action, reason, now, gone=link is not None)
    return link


def _used(session, link: FamilyLink, action: str, now: datetime, **detail) -> None:
    link_event(session, "family_link", link, action, now, purpose=link.purpose, **detail)


# A family member's link and a professional's (`professional_links`) are audited alike.


def link_event(session, kind: str, link, action: str, now: datetime, actor=None, **detail):
    """`<kind>.<action>` in the audit trail: the link, its conference's workflow and the
    person it is for; `actor` is whoever issued it (nobody when its holder uses it)."""
    audit.record(
        session,
        actor,
        f"{kind}.{action}",
        now,
        instance_id=link.conference.instance_id,
        link_id=link.id,
        person=link.person.name,
        **detail,
    )


def refuse(session, kind: str, link, action: str, reason: str, now: datetime, gone: bool):
    """Audit a refused use of a link (None: no such link) in its own transaction, and raise
    `LinkRefused` with the reason its holder reads."""
    with transaction(session):
        audit.record(
            session,
            None,
            f"{kind}.refused",
            now,
            instance_id=link.conference.instance_id if link else None,
            link_id=link.id if link else None,
            attempted=action,
            reason=reason,
        )
    raise LinkRefused(reason, gone=gone)


def open_link(session: Session, token: str, now: datetime) -> Opened:
    """What the link shows: its form and the reports shared with the parents by today, read
    for the link's family member."""
    link = _valid(session, token, now, "open")
    shared = shared_reports(session, link, now)
    values = withholding.values_hidden_from(session, link.person, link.conference.child_id)
    files = {
        report_id: [SharedFile(f.id, withheld_text.redact(f.filename, values)) for f in found]
        for report_id, found in withholding.files_for_reader(
            session, link.person, link.conference.child_id, [r.id for r in shared]
        ).items()
    }
    with transaction(session):
        _used(session, link, "opened", now)
    return Opened(link, form_key(link), shared, files)


def shared_reports(session: Session, link: FamilyLink, now: datetime) -> list[SharedReport]:
    """Reports given to this family member by today (`report_shares`: never a report withheld
    from them, nor one a request to withhold from them waits on), less any withheld from them
    since, with what is withheld from them taken out; the child's own views link shows none.
    The report's own "shared with the parents" date is not enough: it is set for every parent
    at once, also when a request to keep the report from one of them waits for the chair."""
    if link.purpose == CHILD_VIEWS or link.purpose == CHILD_FEEDBACK:
        return []
    today = day_in_england(now)
    report_ids = [r.id for r in reports_for(session, link.conference_id)]
    shared_on = {
        share.report_id: share.shared_on
        for shares in shares_for(session, report_ids).values()
        for share in shares
        if share.person_id == link.person_id and share.shared_on <= today
    }
    child_id = session.get(Conference, link.conference_id).child_id
    return [
        SharedReport(view.id, view.kind, view.agency, shared_on[view.id], view.summary)
        for view in withholding.reports_for(session, link.person, child_id)
        if view.id in shared_on and not view.withheld  # withheld from this family member
    ]


def shared_file(session: Session, token: str, file_id: int, now: datetime) -> Download:
    """A file of a report shared with the parents, through a link still valid; its name
    read for the link's family member like the reports' text."""
    link = _valid(session, token, now, "file")
    allowed = {r.id for r in shared_reports(session, link, now)}
    try:
        found = withholding.require_file(session, link.person, file_id)
    except NotFound:
        found = None
    if found is None or found.report_id not in allowed:
        raise NotFound("That file is not available through this link.")
    values = withholding.values_hidden_from(session, link.person, link.conference.child_id)
    with transaction(session):
        _used(session, link, "file_downloaded", now, file_id=found.id)
    return Download(withheld_text.redact(found.filename, values), found.content_type, found.content)


def submit(
    session: Session, token: str, answers: dict, labels: dict, now: datetime, engine=None
) -> str:
    """Record the answers as the report, views or feedback, and spend the link. A parents'
    report completes the social worker's open "Record the parents' own report" step with it
    (given the `engine`), so nobody types it again: one engine command, one transaction."""
    link = _valid(session, token, now, "submit")
    summary = "\n".join(f"{labels.get(k, k)}: {v}" for k, v in answers.items() if v)
    task = _parent_report_task(session, link) if engine is not None else None
    if task is not None:

        def spend_and_answer(_row) -> dict:
            _spend(session, link, now)
            return {
                "parent_report_date": day_in_england(now).isoformat(),
                "parent_report_author": link.person.name,
                "parent_report_summary": summary,
                "parent_report_person_id": link.person_id,
            }

        engine.complete_by_link(session, task.id, spend_and_answer)
        return link.purpose
    with transaction(session):  # a refused or failed submission leaves the link unspent
        _spend(session, link, now)
        if link.purpose in FEEDBACK:
            session.add(
                FeedbackResponse(
                    conference_id=link.conference_id,
                    respondent=FEEDBACK[link.purpose],
                    answers=answers,
                    submitted_at=now,
                    link_id=link.id,
                )
            )
        else:
            session.add(
                Report(
                    conference_id=link.conference_id,
                    kind="parent" if link.purpose == PARENT_REPORT else "child",
                    author=link.person.name,
                    person_id=link.person_id,
                    submitted_on=day_in_england(now),
                    summary=summary,
                )
            )
    return link.purpose


def _spend(session: Session, link: FamilyLink, now: datetime) -> None:
    if not spend(session, link.id, now):
        raise LinkRefused(USED, gone=True)
    _used(session, link, "used", now)


def _parent_report_task(session: Session, link: FamilyLink):
    """The open step waiting for the parents' report on this link's conference, if any."""
    if link.purpose != PARENT_REPORT or link.conference.held_on is not None:
        return None
    found = [t for t in open_tasks(session, link.conference.instance_id)]
    return next((t for t in found if t.task_spec == PARENT_REPORT_STEP), None)

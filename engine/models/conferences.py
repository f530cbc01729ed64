"""Conferences and what surrounds each one: the people, invitations, reports and requests.

These are the facts managers and inspectors query (due, booked, held, decision, late reason),
so they are rows written by the diagrams' steps, never read out of workflow state.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    select,
)
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, utcnow
from engine.models.people import User

ICPC, RCPC, TRANSFER_IN, PRE_BIRTH = "icpc", "rcpc", "transfer_in", "pre_birth"
KINDS = {
    ICPC: "Initial conference",
    RCPC: "Review conference",
    TRANSFER_IN: "Transfer-in conference",
    PRE_BIRTH: "Pre-birth conference",
}
CATEGORIES = {
    "NEG": "Neglect",
    "PHY": "Physical abuse",
    "SAB": "Sexual abuse",
    "EMO": "Emotional abuse",
    "MUL": "Multiple categories",
}
# The agencies a conference invites, as people read them (the forms hold the same words).
AGENCIES = {
    "children_social_care": "Children's social care",
    "police": "Police",
    "health_visitor": "Health visitor",
    "school_nurse": "School nurse",
    "gp": "GP",
    "school": "School or nursery",
    "midwife": "Midwife",
    "probation": "Probation",
    "housing": "Housing",
    "adult_services": "Adult mental health or substance misuse services",
    "other": "Other agency",
    "advocate": "Advocate",
    "child": "Child",
}
# How an invitee took part. The last two are for the parents and the child only.
ATTENDED, APOLOGIES, ABSENT, ADVOCATE, VIEWS_SENT = (
    "attended",
    "apologies",
    "did_not_attend",
    "advocate",
    "views_sent",
)
ATTENDANCE = {
    ATTENDED: "Attended",
    APOLOGIES: "Sent apologies",
    ABSENT: "Did not attend",
    ADVOCATE: "Took part through an advocate",
    VIEWS_SENT: "Sent their views",
}
FAMILY_ONLY = frozenset({ADVOCATE, VIEWS_SENT})


def agency_label(code: str | None) -> str:
    """An agency or relationship as people read it: "health_visitor" is "Health visitor"."""
    if not code:
        return ""
    return AGENCIES.get(code, code.replace("_", " ")[:1].upper() + code.replace("_", " ")[1:])


class CasePerson(Base):
    """A family member or professional involved with a child, entered once and reused."""

    __tablename__ = "case_people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # family | professional
    name: Mapped[str] = mapped_column(String(200))
    relationship_or_agency: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    # An interpreter and language, an accessible format: offered in every letter to them.
    communication_needs: Mapped[str | None] = mapped_column(String(400))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


class Conference(Base):
    __tablename__ = "conferences"
    # The census finds the year's reviews by kind and date held.
    __table_args__ = (Index("ix_conferences_kind_held_on", "kind", "held_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"), index=True)
    # A family conference: the siblings' rows of one meeting (`engine.models.families`).
    group_id: Mapped[int | None] = mapped_column(ForeignKey("conference_groups.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    review_number: Mapped[int | None] = mapped_column(Integer)
    strategy_discussion_date: Mapped[date | None] = mapped_column(Date)
    s47_start_date: Mapped[date | None] = mapped_column(Date)
    notified_date: Mapped[date | None] = mapped_column(Date)
    previous_authority: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scheduled_on: Mapped[date | None] = mapped_column(Date)
    scheduled_time: Mapped[str | None] = mapped_column(String(5))
    venue: Mapped[str | None] = mapped_column(String(200))
    # Why it was booked off the calendar or after its due date (the late reason's first draft).
    booking_reason: Mapped[str | None] = mapped_column(Text)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    held_on: Mapped[date | None] = mapped_column(Date, index=True)
    quorate: Mapped[bool | None] = mapped_column(Boolean)
    quorum_reason: Mapped[str | None] = mapped_column(Text)
    agencies_attended: Mapped[str | None] = mapped_column(String(400))
    harm: Mapped[str | None] = mapped_column(Text)
    strengths: Mapped[str | None] = mapped_column(Text)
    safety: Mapped[str | None] = mapped_column(Text)
    complicating_factors: Mapped[str | None] = mapped_column(Text)
    grey_areas: Mapped[str | None] = mapped_column(Text)
    child_views: Mapped[str | None] = mapped_column(Text)
    parent_views: Mapped[str | None] = mapped_column(Text)
    safety_plan: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(3))
    dissent: Mapped[str | None] = mapped_column(Text)
    decision_reasons: Mapped[str | None] = mapped_column(Text)
    plan_outcomes: Mapped[str | None] = mapped_column(Text)
    late_reason: Mapped[str | None] = mapped_column(Text)
    late_reason_agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    letter_sent_on: Mapped[date | None] = mapped_column(Date)
    minutes_sent_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id])

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def held_late(self) -> bool:
        return self.held_on is not None and self.held_on > self.due_on


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("case_people.id"))
    role: Mapped[str] = mapped_column(String(20))  # parent | child | advocate | professional
    invited_on: Mapped[date | None] = mapped_column(Date)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    # One of ATTENDANCE, recorded by the chair at the conference (None: not recorded).
    attendance: Mapped[str | None] = mapped_column(String(20))
    # Named to the plan's core group at the conference.
    core_group: Mapped[bool | None] = mapped_column(Boolean)

    person: Mapped[CasePerson] = relationship()

    @property
    def family(self) -> bool:
        return self.role in ("parent", "child")

    @property
    def label(self) -> str:
        """The person as the chair's form and the minutes name them: "Robin Hall (Police)"."""
        what = agency_label(self.person.relationship_or_agency) or self.role.capitalize()
        return f"{self.person.name} ({what})"


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # agency | social_worker | parent
    agency: Mapped[str | None] = mapped_column(String(120))
    author: Mapped[str | None] = mapped_column(String(200))
    # Who on the child's record was asked for it (an agency's professional, a family member
    # by a secure link): authorship is this row, never a name that two people can share.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("case_people.id"), index=True)
    requested_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    shared_with_parents_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str | None] = mapped_column(Text)


class ReportShare(Base):
    """A report given to one parent, on a date: sharing is recorded per parent, as a report
    withheld from one parent is never given to them (see `withholding.share_with_parents`)."""

    __tablename__ = "report_shares"
    __table_args__ = (UniqueConstraint("report_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("case_people.id"))
    shared_on: Mapped[date] = mapped_column(Date)

    person: Mapped[CasePerson] = relationship()


class ConferenceRequest(Base):
    """A request to exclude a family member or withhold information, decided by the chair."""

    __tablename__ = "conference_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # exclude | withhold
    details: Mapped[str] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(20))  # agreed | refused
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[date | None] = mapped_column(Date)
    # What an agreed request does: whose information (or who is excluded), which field of
    # theirs ("address", "phone", "email"), from which person on the record it is withheld,
    # and which part of the meeting an excluded person misses.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("case_people.id"))
    field: Mapped[str | None] = mapped_column(String(40))
    withheld_from_id: Mapped[int | None] = mapped_column(ForeignKey("case_people.id"))
    excluded_from: Mapped[str | None] = mapped_column(Text)
    # Or a whole report, one uploaded file, or a passage of text withheld wherever it appears;
    # and who raised it (the social worker, the chair or an invited professional).
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    report_file_id: Mapped[int | None] = mapped_column(ForeignKey("report_files.id"))
    passage: Mapped[str | None] = mapped_column(Text)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Withheld from a group rather than (or as well as) named people: "family" or
    # "non_professionals" (see `engine.models.withholding.GROUPS`), resolved when data is
    # read, so a family member added to the case later is covered too.
    withheld_from_group: Mapped[str | None] = mapped_column(String(40))

    conference: Mapped[Conference] = relationship()
    person: Mapped[CasePerson | None] = relationship(foreign_keys=[person_id])
    withheld_from: Mapped[CasePerson | None] = relationship(foreign_keys=[withheld_from_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])
    report: Mapped[Report | None] = relationship()
    # Every person the request names to withhold from (one or several); `withheld_from` is
    # the first of them, as requests naming one person have always recorded it.
    audience: Mapped[list[RequestAudience]] = relationship(
        order_by="RequestAudience.id", cascade="all, delete-orphan"
    )

    @property
    def withheld_from_people(self) -> list[CasePerson]:
        named = [a.person for a in self.audience]
        return named or ([self.withheld_from] if self.withheld_from else [])


class RequestAudience(Base):
    """One person a request to withhold names to keep the information from."""

    __tablename__ = "request_audiences"
    __table_args__ = (UniqueConstraint("request_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("conference_requests.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("case_people.id"))

    person: Mapped[CasePerson] = relationship()


def conference_for_instance(session: Session, instance_id: int) -> Conference | None:
    query = select(Conference).where(Conference.instance_id == instance_id)
    return session.scalars(query.order_by(Conference.id.desc())).first()


def previous_held(session: Session, conference: Conference) -> Conference | None:
    """The child's last conference held before this one (a review's starting point)."""
    query = select(Conference).where(
        Conference.child_id == conference.child_id,
        Conference.id != conference.id,
        Conference.held_on.is_not(None),
    )
    if conference.held_on is not None:
        query = query.where(Conference.held_on <= conference.held_on)
    order = (Conference.held_on.desc(), Conference.id.desc())
    return session.scalars(query.order_by(*order)).first()


# A conference's rows, as every document and page reads them: built once, not per call.
_REPORTS = (
    select(Report).where(Report.conference_id == bindparam("conference_id")).order_by(Report.id)
)
_INVITATIONS = (
    select(Invitation)
    .where(Invitation.conference_id == bindparam("conference_id"))
    .options(joinedload(Invitation.person))
    .order_by(Invitation.id)
)
_REQUESTS = (
    select(ConferenceRequest)
    .where(ConferenceRequest.conference_id == bindparam("conference_id"))
    .order_by(ConferenceRequest.id)
)


def reports_for(session: Session, conference_id: int) -> list[Report]:
    return list(session.scalars(_REPORTS, {"conference_id": conference_id}))


def invitations_for(session: Session, conference_id: int) -> list[Invitation]:
    return list(session.scalars(_INVITATIONS, {"conference_id": conference_id}))


def requests_for(session: Session, conference_id: int) -> list[ConferenceRequest]:
    return list(session.scalars(_REQUESTS, {"conference_id": conference_id}))

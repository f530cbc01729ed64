"""Drive a child's case through the deployed diagrams, step by step, with the test clock.

Each step is answered with a realistic form payload (the same shape the web forms produce);
a test overrides only what it is about. With `reload=True` the engine forgets every
workflow between steps, so each step starts from what the database holds.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from engine.casework import cases
from engine.models import (
    CasePerson,
    Conference,
    ConferenceRequest,
    HumanTask,
    OutboxMessage,
    Plan,
    ProcessInstance,
    WithheldItem,
)
from engine.models.instances import READY
from engine.platform.clock import LONDON
from engine.platform.db import reusing
from engine.workflow import timers
from tests.factories import deploy_processes, make_child, make_staff

ANSWERS = {
    "record_strategy_discussion": {
        "strategy_discussion_date": "2026-12-18",
        "s47_start_date": "2026-12-18",
        "outcome": "icpc",
    },
    "record_transfer_notification": {
        "transfer_notified_date": "2027-02-01",
        "previous_authority": "Leeds City Council",
        "previous_plan_start_date": "2026-09-14",
        "previous_category": "EMO",
    },
    "book_conference": {
        "conference_date": "2027-01-11",
        "conference_time": "10:00",
        "venue": "Civic Centre, room 2",
        "chair": "chair",
    },
    "send_invitations": {
        "invitations_sent_date": "2027-01-04",
        "family": [
            {"name": "Grace Okoye", "relationship": "Mother"},
            {"name": "Tom Okoye", "relationship": "Father"},
        ],
        "child_invited": False,
        "agencies": [
            {"agency": "police", "name": "Robin Hall", "username": "police"},
            {"agency": "gp", "name": "Dr Asha Patel", "email": "gp@example.invalid"},
        ],
        "parent_report_expected": False,
    },
    "agency_report": {
        "report_submitted_date": "2027-01-06",
        "report_summary": "Known to us.",
        "agency_requests": [],
    },
    "parent_report": {
        "parent_report_date": "2027-01-07",
        "parent_report_author": "Grace Okoye",
        "parent_report_summary": "We want the conference to know we are trying.",
    },
    "social_worker_report": {
        "report_completed_date": "2027-01-06",
        "report_shared_date": "2027-01-07",
        "report_summary": "Neglect of basic care; strong extended family.",
        "requests": [],
    },
    "chair_pre_contact": {
        "pre_contact_date": "2027-01-08",
        "pre_contact_method": "phone",
        "chair_requests": [],
    },
    "decide_requests": {},
    "hold_conference": {
        "held_date": "2027-01-11",
        "social_care_attended": True,
        "attendance": [
            {"name": "Grace Okoye (Mother)", "attendance": "attended", "core_group": True},
            {"name": "Tom Okoye (Father)", "attendance": "apologies", "core_group": False},
            {"name": "Robin Hall (Police)", "attendance": "attended", "core_group": False},
            {"name": "Dr Asha Patel (GP)", "attendance": "attended", "core_group": True},
        ],
        "harm": "Repeated missed medical appointments.",
        "strengths": "Grandmother visits daily.",
        "safety": "School attendance is good.",
        "child_views": "Wants to stay at home.",
        "parent_views": "Accept help with routines.",
        "safety_plan": "Grandmother to attend appointments with mother.",
        "decision": "cp_plan",
        "category": "NEG",
        "decision_reasons": "Repeated neglect of health needs despite support offered.",
        "lead_social_worker": "sw",
        "plan_outcomes": "Amara's health needs are met: appointments kept, a dentist found.",
        "plan_actions": [
            {"what": "Register with a dentist", "who": "Grace Okoye", "by_when": "2027-02-01"},
            {"what": "Weekly home visits", "who": "Social worker", "by_when": "2027-04-01"},
        ],
    },
    "decision_letter": {"letter_sent_date": "2027-01-12"},
    "send_minutes": {"minutes_sent_date": "2027-01-25"},
    "core_group_meeting": {
        "core_group_date": "2027-01-22",
        "core_group_attendees": "Social worker, health visitor, school, mother",
        "core_group_progress": "Dentist appointment booked.",
        "actions": [],  # `do` answers the plan's actions as the form starts them
    },
    "agree_late_reason": {
        "late_reason": "chair_availability",
        "late_explanation": "No chair was free within the timescale.",
    },
    "chair_agree_late_reason": {"chair_agrees": True},
    "record_plan_ending": {
        "ending_reason": "left_uk",
        "ending_date": "2027-03-01",
        "ending_details": "The family moved to Poland permanently.",
    },
    "agree_plan_ending": {"ending_agreed": True, "ending_comment": "Confirmed with the school."},
}
ANSWERS["hold_review"] = {
    **ANSWERS["hold_conference"],
    "decision": "continue",
    "category": "NEG",
    "actions": [],
    "plan_actions": [],  # the plan's actions go on; a test adds new ones
}

WHO = {
    "record_strategy_discussion": "sw",
    "record_transfer_notification": "sw",
    "book_conference": "bs",
    "send_invitations": "bs",
    "agency_report": "bs",
    "parent_report": "sw",
    "social_worker_report": "sw",
    "chair_pre_contact": "chair",
    "decide_requests": "chair",
    "hold_conference": "chair",
    "hold_review": "chair",
    "chair_agree_conference_held_late": "chair",
    "chair_agree_review_held_late": "chair",
    "decision_letter": "bs",
    "send_minutes": "bs",
    "core_group_meeting": "sw",
    "record_plan_ending": "sw",
    "agree_plan_ending": "tm",
}


def everyone_came(prefilled: dict) -> list[dict]:
    """The chair's attendance rows as the form starts them, everyone there in person."""
    return [{**row, "attendance": "attended"} for row in prefilled.get("attendance", [])]


def answers_for(task_spec: str) -> dict:
    if task_spec.startswith("chair_agree_") and task_spec.endswith("_late"):
        return dict(ANSWERS["chair_agree_late_reason"])
    late = task_spec.startswith("agree_") and task_spec.endswith("_late")
    return dict(ANSWERS["agree_late_reason" if late else task_spec])


class Case:
    def __init__(self, db, engine, clock, reload: bool, expected_date_of_birth=None, born=None):
        self.db, self.engine, self.clock, self.reload = db, engine, clock, reload
        self.staff = make_staff(db)
        deploy_processes(db)
        extra = {"born": born} if born else {}
        self.child = make_child(db, engine, self.staff["sw"], **extra)
        if expected_date_of_birth:
            self.child.expected_date_of_birth = expected_date_of_birth
            self.child.date_of_birth = None
            db.commit()

    def sibling(self, given: str, family: str = "Okoye", **born) -> Case:
        """Another child's case beside this one: the same staff, diagrams and clock. `born`
        is `date_of_birth` or, for an unborn child, `expected_date_of_birth`."""
        other = Case.__new__(Case)
        other.db, other.engine, other.clock, other.reload = (
            self.db,
            self.engine,
            self.clock,
            self.reload,
        )
        other.staff = self.staff
        sw = self.staff["sw"]
        born.setdefault("date_of_birth", None if born else date(2016, 4, 11))
        other.child = cases.add_child(
            self.db, self.engine, sw, given, family, born["date_of_birth"], sw,
            born.get("expected_date_of_birth"),
        )  # fmt: skip
        return other

    def at(self, when: str) -> None:
        """Move the clock to a London wall-clock time, like `2027-01-11 10:00`."""
        self.clock.set(datetime.fromisoformat(when).replace(tzinfo=LONDON))

    def start(self, conference_type: str = "icpc") -> ProcessInstance:
        return cases.start_conference(
            self.db, self.engine, self.staff["sw"], self.child.id, conference_type
        )

    def ready(self) -> dict[str, HumanTask]:
        """Open task rows of every running workflow of this child, by step name."""
        query = (
            select(HumanTask)
            .join(HumanTask.instance)
            .where(ProcessInstance.child_id == self.child.id, HumanTask.state == READY)
            .order_by(HumanTask.created_at, HumanTask.title)
        )
        rows: dict[str, HumanTask] = {}
        for row in self.db.scalars(query):
            rows.setdefault(row.task_spec, row)
        return rows

    def all_ready(self, task_spec: str) -> list[HumanTask]:
        query = (
            select(HumanTask)
            .join(HumanTask.instance)
            .where(
                ProcessInstance.child_id == self.child.id,
                HumanTask.state == READY,
                HumanTask.task_spec == task_spec,
            )
            .order_by(HumanTask.title)
        )
        return list(self.db.scalars(query))

    def do(self, task_spec: str, actor: str | None = None, task: HumanTask | None = None, **data):
        """Complete the step with the standard answers, overridden by `data`."""
        if self.reload:
            self.engine.cache.clear()
            self.db.expire_all()
        task = task or self.ready()[task_spec]
        answers = {**answers_for(task_spec), **data}
        if task_spec in ("hold_conference", "hold_review") and "attendance" not in data:
            prefilled = everyone_came(self.engine.task_data(self.db, task))
            if [r["name"] for r in prefilled] != [r["name"] for r in answers["attendance"]]:
                answers["attendance"] = prefilled  # other invitations: everyone came
        if task_spec in ("core_group_meeting", "hold_review") and "actions" not in data:
            answers["actions"] = self.engine.task_data(self.db, task).get("actions", [])
        who = actor or WHO.get(task_spec, "tm")
        return self.engine.complete(self.db, task.id, self.staff[who], answers).instance

    def withhold(
        self, record: str, record_id: int, field: str, reason: str, by="chair", **audience
    ) -> None:
        """Keep part of the child's record from `audience` (from_user_id, from_role,
        from_group or from_person_id), as a chair (`by`) would have agreed; the test is
        about what follows, not the agreeing."""
        self.db.add(
            WithheldItem(
                child_id=self.child.id,
                record=record,
                record_id=record_id,
                field=field,
                reason=reason,
                by_id=self.staff[by].id,
                **audience,
            )
        )
        self.db.commit()

    def withhold_passage(self, passage: str, details: str, reason: str, **audience) -> None:
        """A passage of text kept from `audience`: the agreed request that names it (asking
        with `details`), on the child's first conference, and the withheld item."""
        first = self.db.scalars(
            select(Conference).where(Conference.child_id == self.child.id).order_by(Conference.id)
        ).first()
        request = ConferenceRequest(
            conference_id=first.id,
            kind="withhold",
            details=details,
            decision="agreed",
            field="passage",
            passage=passage,
        )
        self.db.add(request)
        self.db.flush()
        self.withhold("request", request.id, "passage", reason, **audience)

    def person(self, name: str) -> CasePerson:
        """One of the child's case people, by name."""
        query = select(CasePerson).where(
            CasePerson.child_id == self.child.id, CasePerson.name == name
        )
        return self.db.scalars(query).one()

    def sweep(self) -> int:
        """Run the timer sweep at the clock's time; how many instances had a timer fire."""
        return timers.sweep(reusing(self.db), self.engine, "tests").instances

    def instances(self, process_id: str) -> list[ProcessInstance]:
        query = select(ProcessInstance).where(
            ProcessInstance.child_id == self.child.id, ProcessInstance.process_id == process_id
        )
        return list(self.db.scalars(query.order_by(ProcessInstance.id)))

    def mail(self, kind: str | None = None) -> list[tuple[str, str]]:
        """(recipient username, subject) of every email queued, oldest first."""
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        users = {u.id: name for name, u in self.staff.items()}
        return [(users.get(m.to_user_id), m.subject) for m in self.db.scalars(query)]


def on_a_plan(case: Case) -> Plan:
    """An initial conference held on Monday 11 January 2027 that made a neglect plan."""
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")
    case.at("2027-01-04 09:00")
    case.do("book_conference")
    case.do("send_invitations")
    case.at("2027-01-11 15:00")
    case.do("hold_conference")
    case.do("decision_letter", letter_sent_date="2027-01-11")
    case.do("send_minutes", minutes_sent_date="2027-01-11")
    return case.db.scalars(select(Plan).where(Plan.child_id == case.child.id)).one()


WITHHELD = "Flat 3, 12 Hidden Road"


def invited(case, **invitations):
    """An initial conference booked for Monday 11 January 2027, invitations sent (the
    standard ones, overridden by `invitations`)."""
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")
    case.at("2026-12-21 10:00")
    case.do("book_conference")
    case.at("2027-01-04 09:00")
    case.do("send_invitations", **invitations)


def held(case, **outcome):
    """The conference held with every report in and shared, a request to withhold agreed."""
    invited(case)
    case.at("2027-01-06 11:00")
    for task in case.all_ready("agency_report"):
        case.do("agency_report", task=task, actor="police" if task.assignee_id else "bs")
    case.do(
        "social_worker_report",
        report_shared_date="2027-01-06",
        requests=[{"kind": "withhold", "details": f"Keep the address {WITHHELD} from Tom"}],
    )
    case.at("2027-01-08 11:00")
    case.do("decide_requests", requests=[{"decision": "agreed", "reason": "Risk of harm"}])
    case.do("chair_pre_contact")
    case.at("2027-01-11 15:00")
    case.do("hold_conference", dissent="Police think a plan is not needed yet.", **outcome)

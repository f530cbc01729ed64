"""The record functions the diagrams call: conferences, invitations, reports, plans.

Each writes rows in the running step's transaction (see `step_context`). Arguments are what
a diagram holds: ISO date strings, usernames, lists of dicts from repeating form fields.
Each returns something JSON-safe (an id, a list of dicts) for the diagram to keep.
"""

from __future__ import annotations

from engine.casework import attendance, date_checks, family_conferences, family_steps
from engine.casework.conference_requests import require_requests_decided
from engine.models import conference_rows
from engine.models.base import fetch
from engine.models.child_conferences import people_for_child
from engine.models.conferences import TRANSFER_IN, CasePerson, Conference, Report
from engine.models.instances import active_instances_for_plan
from engine.models.people import user_by_username, user_ids_by_username
from engine.models.plans import CoreGroupMeeting, Plan, PlanAction, count_previous_plans
from engine.models.timeliness import LateStep
from engine.platform import workdays
from engine.platform.clock import day_in_england
from engine.workflow import step_context


def _date(value):
    return workdays.as_date(value) if value else None


def _row(model, key, what: str):
    return fetch(step_context.current().session, model, key, f"No {what} {key}.")


def _conference(conference_id) -> Conference:
    return _row(Conference, conference_id, "conference")


def _user_id(username):
    if not username:
        return None
    name = str(username)
    return user_ids_by_username(step_context.current().session, {name}).get(name)


def open_conference(kind, due_date, **facts) -> int:
    """A conference row from the moment its due date is known, so lateness is measurable."""
    ctx = step_context.current()
    row = Conference(
        child_id=ctx.instance.child_id,
        instance_id=ctx.instance.id,
        plan_id=ctx.instance.plan_id,
        kind=str(kind),
        due_on=_date(due_date),
        review_number=facts.get("review_number"),
        strategy_discussion_date=_date(facts.get("strategy_discussion_date")),
        s47_start_date=_date(facts.get("s47_start_date")),
        notified_date=_date(facts.get("notified_date")),
        previous_authority=facts.get("previous_authority"),
        created_at=ctx.now,
    )
    ctx.session.add(row)
    ctx.session.flush()
    return row.id


def record_booking(conference_id, conference_date, conference_time, venue, chair) -> None:
    """The booking; a date off the calendar or past the due date needs the booker's reason
    (the form's `booking_reason`), kept as the first draft of any late reason."""
    ctx = step_context.current()
    row = _conference(conference_id)
    booked, reason = _date(conference_date), ctx.data.get("booking_reason")
    date_checks.check_booking(booked, row.due_on, reason)
    row.booked_at = ctx.now
    row.scheduled_on, row.scheduled_time = booked, conference_time
    row.venue, row.chair_id = venue, _user_id(chair)
    needed = date_checks.booking_reason_needed(booked, row.due_on)
    row.booking_reason = reason.strip() if needed else None
    if row.group_id is not None:  # a family conference: booked once for every child
        family_conferences.book_group(ctx.session, row, reason, ctx.now)


def late_reason_draft(conference_id) -> str:
    """What the booker said of a late or off-calendar date, for the late reason to start from."""
    return _conference(conference_id).booking_reason or ""


def _people(child_id, wanted: list[dict]) -> list[CasePerson]:
    """The child's people named in `wanted` (kind, name, and what is known of them), those
    already on the record reused and filled in, the others added in one statement."""
    session = step_context.current().session
    known = people_for_child(session, child_id)
    usernames = {str(f["username"]) for f in wanted if f.get("username")}
    user_ids = user_ids_by_username(session, usernames) if usernames else {}
    found, new = [], []
    for facts in wanted:
        user_id = user_ids.get(str(facts.get("username") or ""))
        person = _same_person(known, facts["kind"], facts["name"], user_id)
        if person is None:
            person = CasePerson(child_id=child_id, kind=facts["kind"], name=facts["name"])
            new.append(person)
            known.append(person)
        conference_rows.fill_in(
            person,
            relationship_or_agency=facts.get("relationship") or person.relationship_or_agency or "",
            email=facts.get("email") or person.email,
            address=(facts.get("address") or "").strip() or person.address,
            communication_needs=facts.get("communication_needs") or person.communication_needs,
            user_id=user_id or person.user_id,
        )
        found.append(person)
    session.flush()  # changes to people already on the record, first (none: no SQL at all)
    conference_rows.add_as_read(session, new)
    return found


def _same_person(known: list[CasePerson], kind: str, name: str, user_id: int | None):
    """The person already on the record: the one with this account, else the one of this name
    with no other account. Two professionals can share a name; a record (and the reports and
    invitations it opens) never passes from one account to another."""
    if user_id is not None:
        for person in known:
            if person.kind == kind and person.user_id == user_id:
                return person
    for person in known:
        same = person.kind == kind and person.name == name
        if same and (user_id is None or person.user_id in (None, user_id)):
            return person
    return None


def record_invitations(conference_id, sent_date, family, agencies, child_invited, advocate=None):
    """Invitation rows for everyone; one report request per agency, for the report tasks."""
    ctx = step_context.current()
    row = _conference(conference_id)
    sent = _date(sent_date)
    invited = [
        (
            "parent",
            {
                "kind": "family",
                "name": m["name"],
                "relationship": m.get("relationship"),
                "address": m.get("address"),
                "communication_needs": m.get("communication_needs"),
            },
        )
        for m in family or []
    ]
    if child_invited:
        child = ctx.instance.child
        invited.append(
            ("child", {"kind": "family", "name": child.full_name, "relationship": "child"})
        )
        if advocate:
            invited.append(
                ("advocate", {"kind": "professional", "name": advocate, "relationship": "advocate"})
            )
    agencies = agencies or []
    for agency in agencies:
        facts = {**agency, "kind": "professional", "relationship": agency["agency"]}
        invited.append(("professional", facts))
    people = _people(row.child_id, [facts for _role, facts in invited])
    invitations = [(person.id, role) for (role, _f), person in zip(invited, people, strict=True)]
    conference_rows.insert_invitations(ctx.session, row.id, sent, invitations)
    # Each report is due when the diagram's report steps are due and chased: the date the
    # booking worked out (`report_due_date`), the conference's own day only failing that.
    due = _date(ctx.data.get("report_due_date")) or row.scheduled_on
    reports = [
        Report(
            conference_id=row.id,
            kind="agency",
            agency=agency["agency"],
            author=person.name,
            person_id=person.id,
            requested_on=sent,
            due_on=due,
        )
        for agency, person in zip(agencies, people[len(people) - len(agencies) :], strict=True)
    ]
    conference_rows.add_as_read(ctx.session, reports)
    if row.group_id is not None:  # a family conference: one set of invitations
        family_steps.share_invitations(row, sent or day_in_england(ctx.now))
    return [
        {
            "report_id": report.id,
            "agency": agency["agency"],
            "name": report.author,
            "username": agency.get("username") or None,
        }
        for agency, report in zip(agencies, reports, strict=True)
    ]


def record_report(report_id, submitted_date, summary="") -> None:
    report = _row(Report, report_id, "report")
    report.submitted_on, report.summary = _date(submitted_date), summary or None


def record_own_report(
    conference_id, kind, author, submitted_date, summary="", shared_date=None, person_id=None
):
    """The social worker's or the parents' report: submitted, and when parents had it; a
    parents' report sent by a family link names the family member who sent it."""
    session = step_context.current().session
    row = _conference(conference_id)
    date_checks.check_shared(_date(submitted_date), _date(shared_date))
    report = Report(
        conference_id=row.id,
        kind=kind,
        author=_person_name(session, author),
        submitted_on=_date(submitted_date),
        shared_with_parents_on=_date(shared_date),
        summary=summary or None,
        person_id=int(person_id) if person_id else None,
    )
    session.add(report)
    session.flush()
    return report.id


def _person_name(session, author):
    """A report's author as people read it: a diagram hands the social worker's username,
    usually the actor's, read already (the query would return that very object)."""
    actor = step_context.current().actor
    if author and actor is not None and actor in session and actor.username == str(author):
        return actor.display_name
    user = user_by_username(session, str(author)) if author else None
    return user.display_name if user is not None else author


def record_conference(conference_id) -> None:
    """What the conference found and decided (Strengthening Families headings and decision).

    Reads the answers of the form just completed, whose field names are these columns.
    """
    ctx = step_context.current()
    outcome = ctx.data
    row = _conference(conference_id)
    require_requests_decided(ctx.session, conference_id)
    row.held_on = _date(outcome.get("held_date"))
    date_checks.check_held(row.held_on, row.scheduled_on)
    attendance.record(ctx.session, row, outcome)
    for name in (
        "harm",
        "strengths",
        "safety",
        "complicating_factors",
        "grey_areas",
        "child_views",
        "parent_views",
        "safety_plan",
        "decision",
        "category",
        "dissent",
        "decision_reasons",
        "plan_outcomes",
    ):
        setattr(row, name, outcome.get(name))


def start_plan(conference_id, category, start_date) -> int:
    """A new child protection plan from the conference; counts the child's earlier plans."""
    ctx = step_context.current()
    row = _conference(conference_id)
    plan = Plan(
        child_id=row.child_id,
        started_on=_date(start_date),
        initial_category=category,
        latest_category=category,
        # A child transferred in had a plan in the council they came from: the census
        # counts it among their previous plans.
        previous_plans=count_previous_plans(ctx.session, row.child_id) + (row.kind == TRANSFER_IN),
        # named by the conference, else the child's allocated social worker
        lead_social_worker_id=_user_id(ctx.data.get("lead_social_worker"))
        or ctx.instance.child.social_worker_id,
        created_at=ctx.now,
    )
    ctx.session.add(plan)
    ctx.session.flush()
    row.plan_id = plan.id
    ctx.instance.plan_id = plan.id
    return plan.id


def _plan(plan_id) -> Plan:
    return _row(Plan, plan_id, "plan")


def continue_plan(plan_id, category) -> None:
    """The review's category and, if it named one, the plan's lead social worker."""
    plan = _plan(plan_id)
    if category:
        plan.latest_category = category
    lead = _user_id(step_context.current().data.get("lead_social_worker"))
    if lead:
        plan.lead_social_worker_id = lead


def end_plan(plan_id, reason, end_date, details=None) -> None:
    """Close the plan and end every other running workflow that belongs to it."""
    ctx = step_context.current()
    plan = _plan(plan_id)
    if plan.ended_on is not None:
        return
    plan.ended_on, plan.end_reason, plan.end_details = _date(end_date), reason, details
    for instance in active_instances_for_plan(ctx.session, plan.id):
        if instance.id != ctx.instance.id:
            ctx.to_end[instance.id] = f"The plan ended: {reason}"


def plan_is_open(plan_id) -> bool:
    return _plan(plan_id).ended_on is None


def record_plan_actions(plan_id, conference_id, actions) -> None:
    session = step_context.current().session
    for action in actions or []:
        session.add(
            PlanAction(
                plan_id=plan_id,
                conference_id=conference_id,
                what=action["what"],
                who=action["who"],
                by_when=_date(action.get("by_when")),
            )
        )


def record_letter(conference_id, sent_date) -> None:
    _conference(conference_id).letter_sent_on = _date(sent_date)


def record_minutes(conference_id, sent_date) -> None:
    _conference(conference_id).minutes_sent_on = _date(sent_date)


def open_core_group(plan_id, due_date, sequence) -> int:
    ctx = step_context.current()
    meeting = CoreGroupMeeting(
        plan_id=plan_id, instance_id=ctx.instance.id, sequence=sequence, due_on=_date(due_date)
    )
    ctx.session.add(meeting)
    ctx.session.flush()
    return meeting.id


def record_core_group(meeting_id, held_date, attendees, progress) -> None:
    meeting = _row(CoreGroupMeeting, meeting_id, "core group meeting")
    date_checks.check_core_group(_date(held_date), _plan(meeting.plan_id).started_on)
    meeting.held_on, meeting.attendees, meeting.progress = _date(held_date), attendees, progress


def record_late_step(step, due_date, done_date, reason, explanation, conference_id=None) -> None:
    """The reason a step was late, as agreed by the manager completing this task."""
    ctx = step_context.current()
    ctx.session.add(
        LateStep(
            instance_id=ctx.instance.id,
            child_id=ctx.instance.child_id,
            conference_id=conference_id,
            step=step,
            due_on=_date(due_date),
            done_on=_date(done_date),
            reason=reason,
            explanation=explanation,
            agreed_by_id=ctx.actor.id if ctx.actor else None,
            agreed_at=ctx.now,
        )
    )
    if conference_id is not None:
        row = _conference(conference_id)
        row.late_reason = f"{reason}: {explanation}"
        row.late_reason_agreed_by_id = ctx.actor.id if ctx.actor else None


def start_process(process_id, **data) -> None:
    """Start another workflow for this case when the step commits (the next review, say)."""
    step_context.current().followups.append((str(process_id), dict(data)))


FUNCTIONS = {
    f.__name__: f
    for f in (
        open_conference,
        record_booking,
        late_reason_draft,
        record_invitations,
        record_report,
        record_own_report,
        record_conference,
        start_plan,
        continue_plan,
        end_plan,
        plan_is_open,
        record_plan_actions,
        record_letter,
        record_minutes,
        open_core_group,
        record_core_group,
        record_late_step,
        start_process,
    )
}

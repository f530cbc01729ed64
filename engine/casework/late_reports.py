"""A report that comes in after the social worker shared the reports with the parents.

Parents are promised every report before the conference, but the social worker's share step
gives them only the reports in by then. A report received later (an agency late with its
report) is given to the parents when it is recorded: to each parent invited, unless it is
withheld from them or a request to withhold it from them waits for the chair
(`share_with_parents`), so each parent's link shows it from that day. The social worker is
told which report went (by agency, never its content), to ask the chair to keep part of it
back if they must, or to go through it with the family before the conference.
"""

from __future__ import annotations

from engine.messaging import outbox
from engine.models import audit
from engine.models.base import fetch
from engine.models.conferences import Conference, Report, agency_label, reports_for
from engine.models.people import User
from engine.models.withholding import share_with_parents
from engine.platform.clock import day_in_england
from engine.workflow import step_context


def share_if_late(report_id) -> int:
    """Give a report just recorded to the parents if the reports were shared before it came
    (and the conference is still to be held); how many parents it went to."""
    ctx = step_context.current()
    report = fetch(ctx.session, Report, int(report_id), f"No report {report_id}.")
    conference = ctx.session.get(Conference, report.conference_id)
    if report.submitted_on is None or report.shared_with_parents_on is not None:
        return 0
    if conference.held_on is not None or not _shared_already(ctx.session, conference.id):
        return 0
    today = day_in_england(ctx.now)
    report.shared_with_parents_on = max(today, report.submitted_on)
    given = share_with_parents(ctx.session, report, report.shared_with_parents_on)
    what = _what(report)
    audit.record(
        ctx.session,
        ctx.actor,
        "report.shared_late",
        ctx.now,
        instance_id=ctx.instance.id,
        child_id=conference.child_id,
        conference_id=conference.id,
        report_id=report.id,
        parents=len(given),
    )
    worker = ctx.instance.child.social_worker if ctx.instance.child else None
    if isinstance(worker, User):
        reference = ctx.instance.reference
        outbox.queue(
            ctx.session,
            kind="report_shared_late",
            key=f"report_shared_late:{report.id}",
            user=worker,
            subject=f"A late report has gone to the parents ({reference})",
            body=f"{what} for case {reference} came in after you shared the reports, so it "
            f"has been given to {len(given)} parent(s) as well. Open the conference to read "
            "it; ask the chair now if any of it must be kept from a parent.",
            link=f"/conferences/{conference.id}",
            instance_id=ctx.instance.id,
            now=ctx.now,
        )
    return len(given)


def _shared_already(session, conference_id: int) -> bool:
    """Whether the social worker's share step has given the parents the reports."""
    return any(
        r.kind == "social_worker" and r.shared_with_parents_on is not None
        for r in reports_for(session, conference_id)
    )


def _what(report: Report) -> str:
    if report.agency:
        return f"The {agency_label(report.agency).lower()} report"
    return f"The {report.kind.replace('_', ' ')} report"


FUNCTIONS = {"share_if_late": share_if_late}

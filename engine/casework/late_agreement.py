"""A late step's reason as the people agreeing it see it, and the chair's answer.

A step done after its statutory date needs a reason agreed by a team manager and, for a
late conference, by the chair as well. The task asking for it is named by `late_title`
(which step, its due date, when it was done) so neither has to look the dates up, and the
chair's own answer (agree or not, with a comment) is kept beside the manager's on the late
step's row, not as the manager's word for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.people import User
from engine.models.timeliness import LateStep, awaiting_chair
from engine.platform import workdays
from engine.platform.errors import NotFound
from engine.workflow import step_context
from forms import load

CHAIR_FORM = "conference/chair_agree_late_reason"
MANAGER_FORM = "conference/agree_late_reason"


@dataclass(frozen=True)
class ManagersReason:
    """The reason a manager agreed, as the chair asked to agree it reads it."""

    step: str
    due_on: date
    done_on: date
    reason: str
    explanation: str
    agreed_by: str | None


def reason_label(code: str) -> str:
    """The manager's main reason in the words of the manager's own form."""
    field = next(f for f in load(MANAGER_FORM).fields if f.name == "late_reason")
    return next((o["text"] for o in field.options if o["value"] == code), code)


def managers_reasons(session: Session, instance_id: int) -> list[ManagersReason]:
    """What the chair is asked to agree: each reason on this workflow awaiting the chair."""
    reasons = []
    for row in awaiting_chair(session, instance_id):
        manager = session.get(User, row.agreed_by_id) if row.agreed_by_id else None
        reasons.append(
            ManagersReason(
                step=row.step,
                due_on=row.due_on,
                done_on=row.done_on,
                reason=reason_label(row.reason),
                explanation=row.explanation,
                agreed_by=manager.display_name if manager else None,
            )
        )
    return reasons


def _day(value) -> str:
    return f"{workdays.as_date(value):%-d %B %Y}"


def late_title(what, due_date, done_word, done_date) -> str:
    """Which step, and both dates: The conference: due 13 January 2027, held 22 January 2027."""
    return f"{what}: due {_day(due_date)}, {done_word} {_day(done_date)}"


def record_chair_late_agreement(step, agrees, comment=None) -> None:
    """The chair's answer on the reason the manager agreed for this late step."""
    ctx = step_context.current()
    query = (
        select(LateStep)
        .where(LateStep.instance_id == ctx.instance.id, LateStep.step == str(step))
        .order_by(LateStep.id.desc())
    )
    row = ctx.session.scalars(query).first()
    if row is None:
        raise NotFound(f"No late step “{step}” has a manager's reason to agree.")
    row.chair_agrees = agrees in (True, "yes")
    row.chair_comment = comment or None
    row.chair_id = ctx.actor.id if ctx.actor else None
    row.chair_answered_at = ctx.now


FUNCTIONS = {"late_title": late_title, "record_chair_late_agreement": record_chair_late_agreement}

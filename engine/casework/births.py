"""Recording the birth of a child who was unborn when their case began.

From then on the child is counted as born: the unborn figure and the census read the date
of birth from the record, and every running workflow of the child learns it, so what a
diagram works out from the birth (the first review after a pre-birth conference, the 18th
birthday) uses the real date, not the expected one. The expected date is kept as history.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from engine.access import access
from engine.models import audit
from engine.models.instances import RUNNING, instances_for_child
from engine.models.people import Child, User
from engine.platform.errors import InvalidValue, NotAllowed
from engine.workflow.permissions import can_start
from engine.workflow.runtime import Engine


def record_birth(
    session: Session,
    engine: Engine,
    actor: User,
    child_id: int,
    *,
    born_on: date,
    given_name: str,
    family_name: str,
) -> Child:
    child, level = access.require_child(session, actor, child_id)
    if level is not access.Level.FULL or not can_start(actor):
        raise NotAllowed("Only the child's social worker or their managers can record a birth.")
    if child.date_of_birth is not None:
        raise InvalidValue({"date_of_birth": "This child's birth is already recorded."})
    today = engine.clock.today()
    if born_on > today:
        raise InvalidValue({"date_of_birth": "Date of birth must be today or in the past"})
    expected = child.expected_date_of_birth
    if expected is not None and abs((born_on - expected).days) > 140:
        raise InvalidValue(
            {
                "date_of_birth": "Date of birth must be within 20 weeks of the expected date, "
                f"{expected.day} {expected:%B %Y}"
            }
        )
    given, family = (given_name or "").strip(), (family_name or "").strip()
    if not given or not family:
        raise InvalidValue({"given_name": "Enter the child's given name and family name"})
    running = [i.id for i in instances_for_child(session, child.id) if i.status == RUNNING]

    def record() -> None:
        before = child.full_name
        child.date_of_birth, child.given_name, child.family_name = born_on, given, family
        audit.record(
            session,
            actor,
            "child.born",
            engine.clock.now(),
            child_id=child.id,
            born_on=born_on.isoformat(),
            name_before=before,
            name=child.full_name,
        )

    engine.change_data(
        session,
        running,
        actor,
        {"date_of_birth": born_on.isoformat()},
        then=record,
    )
    return child

"""The plan's actions followed from meeting to meeting: each core group and review shows
them and records how each stands.

A meeting's form starts with one row per action still open (`actions_to_review`, a diagram's
pre-script); the person recording the meeting says whether it is done, still open or no
longer needed, and what has happened. Each note is kept under its meeting's date, so the
action's history reads from the first core group to the last review.
"""

from __future__ import annotations

from engine.models.plans import PlanAction, actions_for
from engine.platform import workdays
from engine.platform.errors import InvalidValue
from engine.workflow import step_context

STATUSES = {"open": "Not done yet", "done": "Done", "dropped": "No longer needed"}


def label(action: PlanAction) -> str:
    when = f", by {action.by_when.day} {action.by_when:%B %Y}" if action.by_when else ""
    return f"{action.what} ({action.who}{when})"


def actions_to_review(plan_id) -> list[dict]:
    """The plan's open actions as the meeting's form starts them."""
    if not plan_id:
        return []
    session = step_context.current().session
    return [
        {"action": label(a), "status": a.status}
        for a in actions_for(session, int(plan_id))
        if a.status == "open"
    ]


def record_action_progress(plan_id, rows, meeting_date) -> None:
    """Each row's status and note on the action it names (as the form showed it)."""
    if not plan_id or not rows:
        return
    session = step_context.current().session
    actions = actions_for(session, int(plan_id))
    on = workdays.as_date(meeting_date)
    done = set()
    for row in rows:
        action = _named(actions, row.get("action", ""), done)
        if row.get("status") not in STATUSES:
            raise InvalidValue({"actions": f"Say how “{action.what}” stands."})
        action.status = row["status"]
        note = (row.get("progress") or "").strip()
        if note:
            dated = f"{on.day} {on:%B %Y}: {note}"
            action.progress = f"{action.progress}\n{dated}" if action.progress else dated
        done.add(action.id)


def _named(actions: list[PlanAction], name: str, done: set) -> PlanAction:
    wanted = " ".join(str(name).split()).casefold()
    for action in actions:
        if action.id not in done and wanted in (
            " ".join(label(action).split()).casefold(),
            " ".join(action.what.split()).casefold(),
        ):
            return action
    raise InvalidValue({"actions": f"“{name}” is not an action of this plan."})


FUNCTIONS = {f.__name__: f for f in (actions_to_review, record_action_progress)}

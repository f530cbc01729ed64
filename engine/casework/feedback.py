"""Feedback after a conference (parents and carers, children, professionals) and its summary.

Parents and children answer through a single-use link (`family_links`); professionals answer
signed in. `summary` is the read model managers see: for each form, how many answered each
question each way, and the latest comments, for the conferences the manager may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from engine.access import access
from engine.models import audit
from engine.models.conferences import Conference
from engine.models.documents import FeedbackResponse, feedback_given, feedback_since
from engine.models.people import User
from engine.platform.db import transaction
from engine.platform.errors import EngineError
from forms import load

FORMS = {
    "parent": "feedback/parent",
    "child": "feedback/child",
    "professional": "feedback/professional",
}
RESPONDENTS = {
    "parent": "Parents and carers",
    "child": "Children and young people",
    "professional": "Professionals",
}
COMMENTS_SHOWN = 20


def record_professional(
    session: Session, user: User, conference: Conference, answers: dict, now: datetime
) -> None:
    """A professional's feedback on a conference they could see; once each."""
    if conference.held_on is None:
        raise EngineError("Feedback can be given once the conference has been held.")
    if feedback_given(session, conference.id, "professional", user.id):
        raise EngineError("You have already given feedback on this conference. Thank you.")
    with transaction(session):
        session.add(
            FeedbackResponse(
                conference_id=conference.id,
                respondent="professional",
                answers=answers,
                submitted_at=now,
                user_id=user.id,
            )
        )
        audit.record(
            session,
            user,
            "feedback.given",
            now,
            instance_id=conference.instance_id,
            conference_id=conference.id,
        )


@dataclass
class Question:
    label: str
    options: list[tuple[str, int]]  # (answer text, how many)
    answered: int = 0


@dataclass
class FormSummary:
    respondent: str
    label: str
    responses: int = 0
    questions: list[Question] = field(default_factory=list)
    comments: list[tuple[datetime, str, str]] = field(default_factory=list)


def summary(session: Session, user: User, since: datetime | None = None) -> list[FormSummary]:
    """Counts per answer and the latest comments, per form, for conferences the user may see."""
    rows = feedback_since(session, since, access.child_filter(user, Conference.child_id))
    result = []
    for respondent, key in FORMS.items():
        form = load(key)
        mine = [(r, c) for r, c in rows if r.respondent == respondent]
        result.append(_summarise(respondent, form, mine))
    return result


def _summarise(respondent: str, form, rows) -> FormSummary:
    found = FormSummary(respondent, RESPONDENTS[respondent], responses=len(rows))
    for question in form.fields:
        if question.type != "radios":
            continue
        counts = {o["value"]: 0 for o in question.options}
        for response, _conference in rows:
            value = response.answers.get(question.name)
            if value in counts:
                counts[value] += 1
        found.questions.append(
            Question(
                question.label,
                [(o["text"], counts[o["value"]]) for o in question.options],
                sum(counts.values()),
            )
        )
    for response, conference in rows:
        text = (response.answers.get("comments") or "").strip()
        if text and len(found.comments) < COMMENTS_SHOWN:
            label = conference.kind_label
            found.comments.append((response.submitted_at, label, text))
    return found

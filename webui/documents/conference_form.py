"""A page with one form about one conference (correct its record, move it), shown the same way.

Each page says what the conference is now in its own template (`documents/correct.html`,
`documents/reschedule.html`), which extends `documents/conference_form.html`.
"""

from __future__ import annotations

from flask import g, render_template

from engine.access import access
from engine.platform.errors import NotAllowed
from forms import FormDefinition, FormErrors

from ..extensions import db


def conference_for(conference_id: int, may, refusal: str):
    """The conference, for someone with full access to its child whom `may(user, conference)`
    lets use the form; anyone else is refused with `refusal`."""
    conference, level = access.require_conference(db(), g.user, conference_id)
    if level is not access.Level.FULL or not may(g.user, conference):
        raise NotAllowed(refusal)
    return conference


def render(
    template: str, conference, form: FormDefinition, values, errors: FormErrors | None, resolve=None
):
    """The page, with the answers as given and their errors (then a 400)."""
    return render_template(
        template,
        title=form.title,
        conference=conference,
        form=form,
        values=values,
        errors=errors.messages if errors else {},
        resolve=resolve,
    ), (400 if errors else 200)

"""A page with one form about one conference (correct its record, move it), shown the same way.

Each page says what the conference is now in its own template (`documents/correct.html`,
`documents/reschedule.html`), which extends `documents/conference_form.html`.
"""

from __future__ import annotations

from flask import render_template

from forms import FormDefinition, FormErrors


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

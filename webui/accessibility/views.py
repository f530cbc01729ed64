"""/accessibility: the statement, in the form of GOV.UK's model statement.

What it says about testing is what `tests/browser/test_every_page.py` checks on every run
(axe-core, reflow at 320 px, console) and the keyboard journeys; the council's contact comes
from the settings, so the statement names who to tell without code changes.
"""

from __future__ import annotations

from datetime import date

from flask import render_template

from . import bp

# When this product's statement was written and its pages last tested as the statement says.
PREPARED_ON = date(2026, 12, 5)
TESTED_ON = date(2026, 12, 5)


@bp.route("/accessibility")
def statement():
    return render_template(
        "accessibility/statement.html",
        title="Accessibility statement",
        prepared_on=PREPARED_ON,
        tested_on=TESTED_ON,
    )

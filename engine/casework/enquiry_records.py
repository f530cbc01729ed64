"""The record a diagram writes when a strategy discussion starts a section 47 enquiry.

Apart from `records` because the enquiry is the census's own unit: it is written whether or
not a conference follows, so an enquiry that found none needed is still counted.
"""

from __future__ import annotations

from engine.models.enquiries import Section47Enquiry
from engine.platform import workdays
from engine.workflow import step_context


def record_enquiry(strategy_discussion_date, s47_start_date, icpc_target_date, outcome) -> int:
    """The enquiry, its ICPC target as the diagram computed it, and whether a conference is
    needed (`outcome` is the strategy discussion form's answer)."""
    ctx = step_context.current()
    row = Section47Enquiry(
        child_id=ctx.instance.child_id,
        instance_id=ctx.instance.id,
        strategy_discussion_date=workdays.as_date(strategy_discussion_date),
        s47_start_date=workdays.as_date(s47_start_date),
        icpc_target_date=workdays.as_date(icpc_target_date),
        conference_needed=outcome != "no_conference",
        created_at=ctx.now,
    )
    ctx.session.add(row)
    ctx.session.flush()
    return row.id


FUNCTIONS = {"record_enquiry": record_enquiry}

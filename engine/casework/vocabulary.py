"""What diagrams can call beyond the calendar: casework's records, reminders and documents.

The workflow core's script engine imports none of these; `engine.service` builds the
engine's `Language` from this table, and the diagram checks and the editor's reference list
read the same one, so a function a diagram can call is always one the editor lists.
"""

from engine.casework import (
    action_progress,
    attendance,
    conference_requests,
    enquiry_records,
    family_steps,
    late_agreement,
    late_reports,
    previous_invitees,
    professional_links,
    records,
    report_details,
)
from engine.documents import sending
from engine.messaging import notifications
from engine.workflow.expressions import Language

FUNCTIONS = {
    **records.FUNCTIONS,
    **conference_requests.FUNCTIONS,
    **attendance.FUNCTIONS,
    **action_progress.FUNCTIONS,
    **previous_invitees.FUNCTIONS,
    **enquiry_records.FUNCTIONS,
    **notifications.FUNCTIONS,
    **sending.FUNCTIONS,
    **report_details.FUNCTIONS,
    **professional_links.FUNCTIONS,
    **late_agreement.FUNCTIONS,
    **late_reports.FUNCTIONS,
    **family_steps.FUNCTIONS,
}
LANGUAGE = Language(FUNCTIONS)

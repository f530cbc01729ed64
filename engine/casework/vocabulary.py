"""What diagrams can call beyond the calendar: casework's records, reminders and documents.

The workflow core's script engine imports none of these; `engine.service` builds the
engine's `Language` from this table, and the diagram checks and the editor's reference list
read the same one, so a function a diagram can call is always one the editor lists.
"""

from engine.casework import enquiry_records, records, report_details
from engine.documents import sending
from engine.messaging import notifications
from engine.workflow.expressions import Language

FUNCTIONS = {
    **records.FUNCTIONS,
    **enquiry_records.FUNCTIONS,
    **notifications.FUNCTIONS,
    **sending.FUNCTIONS,
    **report_details.FUNCTIONS,
}
LANGUAGE = Language(FUNCTIONS)

"""The agency and GP report form's structured answers, folded into the report's text.

Kent's and Kirklees's report forms ask each agency the same headings (involvement, worries,
what is working well, the child's views, a recommendation; GPs add health information). The
diagram's agency report step records the summary with `record_report` and then calls
`record_report_details`, which adds whichever headings were answered, in that order, so the
report reads the same on the conference page, in the parents' link and in the minutes.
"""

from __future__ import annotations

from engine.models.base import fetch
from engine.models.conferences import Report
from engine.workflow import step_context

HEADINGS = (
    ("report_involvement", "Involvement with the child and family"),
    ("report_worries", "What we are worried about"),
    ("report_working_well", "What is working well"),
    ("report_child_views", "What the child has said"),
    ("report_health", "Health information (GP)"),
)
RECOMMENDATIONS = {
    "cp_plan": "a child protection plan",
    "cin_plan": "a child in need plan",
    "nfa": "no further action",
    "unsure": "not sure",
}


def details_text(answers: dict) -> str:
    lines = [f"{label}: {answers[name]}" for name, label in HEADINGS if answers.get(name)]
    recommendation = RECOMMENDATIONS.get(answers.get("report_recommendation") or "")
    if recommendation:
        lines.append(f"Recommendation: {recommendation}")
    return "\n".join(lines)


def record_report_details(report_id) -> None:
    ctx = step_context.current()
    report = fetch(ctx.session, Report, report_id, f"No report {report_id}.")
    extra = details_text(ctx.data)
    if extra:
        report.summary = "\n".join(part for part in (report.summary, extra) if part)


FUNCTIONS = {"record_report_details": record_report_details}

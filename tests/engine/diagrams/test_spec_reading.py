"""One refusal does not hide the others: every element the parser refuses is listed."""

from __future__ import annotations

import pytest

from engine.diagrams import registry
from engine.platform.errors import InvalidDiagram
from forms import exists as form_exists
from tests.factories import PROCESSES

LOOP_REF = "<bpmn:loopDataInputRef>report_requests</bpmn:loopDataInputRef>"


def refusals(xml: str, filename: str) -> list[tuple[str | None, str]]:
    with pytest.raises(InvalidDiagram) as caught:
        registry.parse(xml.encode("utf-8"), filename, form_exists)
    return [(p.element, str(p)) for p in caught.value.problems]


def test_a_multi_instance_task_without_its_list_does_not_hide_later_problems():
    xml = (PROCESSES / "icpc.bpmn").read_text()
    xml = xml.replace(LOOP_REF, "").replace(
        'value="conference/book_conference"', 'value="conference/no_such_form"'
    )
    found = refusals(xml, "icpc.bpmn")
    assert found == [
        (
            "agency_reports",
            "“Each agency's report, chased on its own” (agency_reports): this step repeats for "
            "each item of a list but does not name the list: give the list's variable as its "
            "input collection (loopDataInputRef)",
        ),
        (
            "book_conference",
            "“Book the conference” (book_conference): no form definition for formKey "
            "“conference/no_such_form”",
        ),
    ]


def test_two_parser_refusals_are_both_listed():
    xml = (PROCESSES / "icpc.bpmn").read_text().replace(LOOP_REF, "")
    xml = xml.replace(' default="no_parent_report"', "")
    found = dict(refusals(xml, "icpc.bpmn"))
    assert set(found) == {"agency_reports", "no_parent_report"}
    assert found["no_parent_report"] == (
        "“No” (no_parent_report): this arrow leaves a decision without a condition and is "
        "not its default path: give it a condition or make it the decision's default"
    )


def test_every_schema_error_is_listed_by_element_in_plain_words():
    xml = (PROCESSES / "core_group.bpmn").read_text()
    xml = xml.replace('id="next_meeting"', 'id="next meeting"', 1)
    xml = xml.replace("<bpmn:incoming>", "<bpmn:bogus/><bpmn:incoming>", 1)
    found = refusals(xml, "core_group.bpmn")
    messages = [message for _, message in found]
    assert "a “bogus” is not allowed here by the BPMN standard" in messages[0]
    assert found[0][0] == "open_meeting"
    assert messages[1] == (
        "“Arrange the next meeting while the plan lasts” (next meeting): “next meeting” is not "
        "a valid id: an id starts with a letter or underscore and has no spaces"
    )
    assert not any("{http" in m or "xs:ID" in m for m in messages)

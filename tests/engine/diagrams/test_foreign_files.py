"""A corpus of files from other modellers and encodings: each is read or refused plainly.

Written for this project in the shapes Camunda 7 and 8, Signavio and bpmn.io export, plus
non-UTF-8 encodings and broken XML. A refusal names the element and says why in words a
process owner reads: never exception text, a Python repr, a namespace URI or library terms.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.diagrams import refusals, registry
from engine.platform.errors import InvalidDiagram
from forms import exists as form_exists

FOREIGN = Path(__file__).resolve().parent / "foreign"
CORPUS = sorted(p.name for p in FOREIGN.glob("*.bpmn"))
JARGON = re.compile(
    r"0x[0-9a-f]{4,}|Error\(|Exception|Traceback|<Element|\{http|SubWorkflow|operator|"
    r"NoneType|xs:|lxml|SpiffWorkflow",
    re.IGNORECASE,
)
READABLE = {
    "bpmnio_latin1.bpmn": "Réunion de suivi",
    "bpmnio_utf16.bpmn": "Home visit – UTF-16",
    "camunda7_core_group.bpmn": "Core group (Camunda 7)",
}
REFUSED = {
    "bpmnio_not_executable.bpmn": [("Process_0x1k2j3", "choose “Make it executable”")],
    "broken_truncated.bpmn": [(None, "line 14, column 5: the file ends too early")],
    "camunda7_groovy_and_delegate.bpmn": [
        ("Activity_compute_date", "a groovy script cannot run here"),
        ("Activity_send_email", "it calls Java code"),
    ],
    "camunda7_multi_instance.bpmn": [
        ("Activity_ask", "does not name the list"),
        ("Activity_file", "reads a data object the file does not define"),
    ],
    "camunda7_unquoted_timer.bpmn": [("Event_wait_ten_days", 'write it in quotes ("P10D")')],
    "camunda8_agency_report.bpmn": [("Activity_file_report", "Zeebe job worker")],
    "camunda8_unknown_message.bpmn": [
        ("Event_report_received", "names the message “Message_police_report”"),
        ("Activity_orphan", "nothing leads to this script task"),
        ("Activity_orphan", "nothing follows this script task"),
    ],
    "signavio_plan_ending.bpmn": [("sid-AGREE-0002", "a user task needs a formKey property")],
    "signavio_undeclared_prefix.bpmn": [
        (None, "uses the prefix “signavio”, which the file never declares")
    ],
}


def test_the_corpus_is_all_accounted_for():
    assert sorted([*READABLE, *REFUSED]) == CORPUS


@pytest.mark.parametrize("name", sorted(READABLE))
def test_a_readable_file_is_read_whatever_its_encoding(name):
    diagram = registry.parse((FOREIGN / name).read_bytes(), name, form_exists)
    assert diagram.name == READABLE[name]
    assert diagram.xml.startswith("<?xml version='1.0' encoding='UTF-8'?>")
    assert registry.parse(diagram.xml, name, form_exists).content_hash == diagram.content_hash


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_refused_file_names_each_element_and_says_why_plainly(name):
    with pytest.raises(InvalidDiagram) as caught:
        registry.parse((FOREIGN / name).read_bytes(), name, form_exists)
    found = [(p.element, str(p)) for p in caught.value.problems]
    assert len(found) == len(REFUSED[name]), found
    for (element, message), (want_element, want_text) in zip(found, REFUSED[name], strict=True):
        assert element == want_element and want_text in message
        assert not JARGON.search(message.replace("Process_0x1k2j3", "")), message


def test_an_unknown_parser_failure_is_named_by_element_without_its_text():
    class Refused(Exception):
        id, name, tag = "Task_1", "Visit", "{http://www.omg.org/spec/BPMN/20100524/MODEL}task"

    problem = refusals.plain(Refused("TypeError(\"'NoneType' at 0x7f3a\")"), None)
    assert (problem.element, str(problem)) == (
        "Task_1",
        f"“Visit” (Task_1): {refusals.UNSUPPORTED}",
    )

"""Processes made in the browser: blank, copied or imported; how they start; retiring."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.casework import cases
from engine.diagrams import diagram_editing, new_processes
from engine.diagrams.new_processes import StartModes
from engine.models import AuditEvent
from engine.models.catalogue import child_page_processes, entry
from engine.models.processes import versions_of
from engine.platform.errors import EngineError, InvalidDiagram, NotAllowed
from forms import exists as form_exists
from tests.factories import PROCESSES, deploy_processes, make_child, make_staff, make_user

MEETING = (PROCESSES / "optional" / "childrens_meeting.bpmn").read_bytes()
CHILD_PAGE, DIAGRAMS = StartModes(True, False), StartModes(False, True)


@pytest.fixture
def owner(db):
    return make_user(db, "owner", "process_owner", team=None)


def create(db, owner, clock, process_id="meeting", modes=CHILD_PAGE, **how):
    return new_processes.create(
        db, owner, process_id, "A meeting", modes, form_exists, clock.now(), **how
    )


def test_a_blank_process_is_deployed_as_its_version_1_with_how_it_starts(db, owner, clock):
    version = create(db, owner, clock)
    assert (version.process_id, version.number, version.name) == ("meeting", 1, "A meeting")
    assert version.comment == "New process, made from a blank start and end."
    found = entry(db, "meeting")
    assert (found.from_child_page, found.from_diagrams, found.made_by) == (True, False, "owner")
    assert child_page_processes(db) == ["meeting"]
    actions = db.scalars(select(AuditEvent.action)).all()
    assert "process.created" in actions


def test_a_copy_takes_the_new_id_and_name_and_keeps_every_step(db, owner, clock):
    deploy_processes(db)
    version = create(
        db, owner, clock, "core_group_copy", DIAGRAMS, how="copy", copy_of="core_group"
    )
    assert 'id="core_group_copy"' in version.bpmn_xml and "A meeting" in version.bpmn_xml
    assert version.bpmn_xml.count("userTask") == (PROCESSES / "core_group.bpmn").read_text().count(
        "userTask"
    )
    assert version.comment.startswith("New process, made from a copy of core_group version")


def test_an_imported_file_is_checked_like_any_deploy(db, owner, clock):
    version = create(db, owner, clock, "ending", how="file", file=MEETING, filename="x.bpmn")
    assert 'id="ending"' in version.bpmn_xml and 'processRef="ending"' in version.bpmn_xml
    broken = MEETING.replace(b"childrens_meeting/offer_meeting", b"childrens_meeting/nothing")
    with pytest.raises(InvalidDiagram) as refused:
        create(db, owner, clock, "ending2", how="file", file=broken)
    assert "no form definition" in str(refused.value.problems)
    assert entry(db, "ending2") is None and not versions_of(db, "ending2")


@pytest.mark.parametrize(
    ("process_id", "modes", "message"),
    [
        ("Bad Id", CHILD_PAGE, "lower-case letters"),
        ("icpc", CHILD_PAGE, "already a process"),
        ("fine_id", StartModes(False, False), "Choose how the process starts"),
    ],
)
def test_refusals_store_nothing(db, owner, clock, process_id, modes, message):
    deploy_processes(db)
    with pytest.raises(EngineError, match=message):
        create(db, owner, clock, process_id, modes)
    assert entry(db, process_id) is None


def test_only_process_owners_make_processes(db, clock):
    worker = make_user(db, "sw", "social_worker")
    with pytest.raises(NotAllowed):
        create(db, worker, clock)


def test_a_retired_process_starts_no_new_case_and_its_running_cases_go_on(db, engine, owner, clock):
    deploy_processes(db)
    staff = make_staff(db)
    create(db, owner, clock, "two_step", how="file", file=MEETING)
    first, second = make_child(db, engine, staff["sw"]), make_child(db, engine, staff["sw"], "B")
    running = cases.start_from_child_page(db, engine, staff["sw"], first.id, "two_step")
    assert running.active
    new_processes.retire(db, owner, "two_step", "replaced by the new guidance", clock.now())
    assert child_page_processes(db) == []
    with pytest.raises(EngineError, match="cannot be started from a child's page"):
        cases.start_from_child_page(db, engine, staff["sw"], second.id, "two_step")
    with pytest.raises(EngineError, match="is retired"):
        engine.start(db, "two_step", staff["sw"], {}, child_id=second.id)
    db.refresh(running)
    assert running.active  # nothing happened to the running case
    new_processes.bring_back(db, owner, "two_step", clock.now())
    assert child_page_processes(db) == ["two_step"]


def test_a_diagram_may_not_start_a_process_that_starts_only_from_a_child_page(db, owner, clock):
    deploy_processes(db)
    create(db, owner, clock, "meeting", CHILD_PAGE)
    core_group = (PROCESSES / "core_group.bpmn").read_text()
    starting = core_group.replace("</bpmn:script>", '\nstart_process("meeting")</bpmn:script>', 1)
    assert starting != core_group
    with pytest.raises(InvalidDiagram) as refused:
        diagram_editing.deploy(db, owner, "core_group", starting, "why", form_exists, clock.now())
    assert "starts only from a child's page" in str(refused.value.problems)
    new_processes.change_modes(db, owner, "meeting", StartModes(True, True), clock.now())
    version, new = diagram_editing.deploy(
        db, owner, "core_group", starting, "why", form_exists, clock.now()
    )
    assert new

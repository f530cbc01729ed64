"""The Children's Meeting (Leeds): an optional process made only as a process owner can.

It is imported as a new process in the browser (`new_processes.create`, from the file a
process owner would upload), started from the child's page, and its three forms are filled
through the same validation as the web form, a mistake first.
"""

from datetime import date

from engine.casework import cases
from engine.diagrams import new_processes
from engine.models.catalogue import child_page_processes
from forms import exists, load, validate
from tests.factories import PROCESSES, make_user
from webui.tasks.formdata import values_from_data

MEETING = (PROCESSES / "optional" / "childrens_meeting.bpmn").read_bytes()
ANSWERS = {
    "offer_meeting": {
        "child_spoken_to_date": "2027-03-01",
        "meeting_wanted": "yes",
        "advocate_offered": True,
    },
    "arrange_meeting": {
        "meeting_date": "2027-03-08",
        "meeting_time": "16:00",
        "meeting_place": "At school, in the library",
        "meeting_chair": "chair",
    },
    "record_views": {
        "meeting_held_date": "2027-03-08",
        "child_views": "I want to stay at home but I want the shouting to stop.",
        "views_shared_with_parents": True,
    },
}


def offered(case):
    owner = make_user(case.db, "owner", "process_owner", team=None)
    new_processes.create(
        case.db,
        owner,
        "childrens_meeting",
        "Children's Meeting",
        new_processes.StartModes(from_child_page=True, from_diagrams=False),
        exists,
        case.clock.now(),
        how=new_processes.FILE,
        file=MEETING,
        filename="childrens_meeting.bpmn",
    )
    assert child_page_processes(case.db) == ["childrens_meeting"]
    case.at("2027-03-01 09:00")
    return cases.start_from_child_page(
        case.db, case.engine, case.staff["sw"], case.child.id, "childrens_meeting"
    )


def fill(case, task_spec, who, today, **overrides):
    """Answer through the form's own validation, then complete the step as `who`."""
    definition = load(f"childrens_meeting/{task_spec}")
    answers = {**ANSWERS[task_spec], **overrides}
    data, errors = validate(definition, values_from_data(definition, answers), today, _users)
    assert not errors.messages, errors.messages
    task = case.ready()[task_spec]
    return case.engine.complete(case.db, task.id, case.staff[who], data).instance


def _users(source):
    return [{"value": "chair", "text": "Chair"}] if source == "users:conference_chair" else []


def test_a_child_who_wants_a_meeting_has_their_views_recorded_by_the_chair(case):
    instance = offered(case)
    offer = case.ready()["offer_meeting"]
    assert offer.assignee_id == case.staff["sw"].id and offer.due_on == date(2027, 3, 8)
    fill(case, "offer_meeting", "sw", date(2027, 3, 1))
    arrange = case.ready()["arrange_meeting"]
    assert arrange.role == "business_support" and arrange.assignee_id is None
    fill(case, "arrange_meeting", "bs", date(2027, 3, 1))
    views = case.ready()["record_views"]
    assert views.assignee_id == case.staff["chair"].id and views.due_on == date(2027, 3, 9)
    case.at("2027-03-08 17:00")
    done = fill(case, "record_views", "chair", date(2027, 3, 8))
    assert done.id == instance.id and done.status == "completed"
    assert case.engine.task_data(case.db, views)["child_views"].startswith("I want to stay")


def test_a_child_who_does_not_want_one_says_how_their_views_reach_the_conference(case):
    offered(case)
    definition = load("childrens_meeting/offer_meeting")
    posted = values_from_data(definition, {**ANSWERS["offer_meeting"], "meeting_wanted": "no"})
    _data, errors = validate(definition, posted, date(2027, 3, 1), _users)
    assert list(errors.messages) == ["views_other_way"]
    done = fill(
        case,
        "offer_meeting",
        "sw",
        date(2027, 3, 1),
        meeting_wanted="no",
        views_other_way="In the social worker's report, in her words.",
    )
    assert done.status == "completed" and case.ready() == {}


def test_a_retired_meeting_is_not_offered_but_one_running_finishes(case):
    offered(case)
    owner = case.db.query(type(case.staff["sw"])).filter_by(username="owner").one()
    new_processes.retire(
        case.db, owner, "childrens_meeting", "Advocacy replaces it", case.clock.now()
    )
    assert child_page_processes(case.db) == []
    fill(case, "offer_meeting", "sw", date(2027, 3, 1))
    fill(case, "arrange_meeting", "bs", date(2027, 3, 1))
    case.at("2027-03-08 17:00")
    assert fill(case, "record_views", "chair", date(2027, 3, 8)).status == "completed"

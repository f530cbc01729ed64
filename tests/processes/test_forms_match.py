"""Every user task's form produces exactly the data its diagram reads.

The driver's answers are what the engine tests feed the diagrams; here they go through the
same validation as the web form, and must come out unchanged. A renamed field in a form
or a diagram fails here, not in front of a social worker.
"""

from datetime import date
from pathlib import Path

import pytest

from engine.diagrams import registry
from forms import exists, load, validate
from tests.factories import PROCESSES
from tests.processes.driver import ANSWERS, answers_for
from webui.tasks.formdata import values_from_data

USER_TASKS = sorted(
    {
        (path.stem, spec.bpmn_id, spec.extensions["properties"]["formKey"])
        for path in PROCESSES.glob("*.bpmn")
        for each in [registry.parse(path.read_bytes(), path.name, exists)]
        for spec_set in [each.spec, *each.subprocess_specs.values()]
        for spec in spec_set.task_specs.values()
        if getattr(spec, "manual", False)
    }
)


def test_every_diagram_in_processes_is_covered():
    assert {p for p, _t, _f in USER_TASKS} == {Path(p).stem for p in PROCESSES.glob("*.bpmn")}
    assert len(USER_TASKS) > 20


@pytest.mark.parametrize(("process", "task", "form_key"), USER_TASKS)
def test_the_answers_pass_the_form_unchanged(process, task, form_key):
    if task == "decide_requests":
        request = {"kind": "exclude", "details": "d", "decision": "agreed", "reason": "r"}
        answers = {"requests": [request]}
    else:
        answers = answers_for(task)
    answers = {k: v for k, v in answers.items() if v is not None}
    definition = load(form_key)
    posted = values_from_data(definition, answers)
    # "Today" is a day on which every date rule (not in the future, not past) holds.
    results = [validate(definition, posted, day, _users) for day in _dates(answers)]
    data, errors = next(((d, e) for d, e in results if not e), results[0])
    assert not errors.messages
    assert data == answers, f"{process}.{task}"


def _dates(answers) -> list[date]:
    found = set()

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and len(value) == 10 and value[4] == "-":
            found.add(date.fromisoformat(value))

    walk(answers)
    return sorted(found) or [date(2027, 1, 12)]


def _users(source):
    names = {
        "users:conference_chair": ["chair"],
        "users:agency_professional": ["police"],
        "users:social_worker": ["sw"],
    }
    return [{"value": n, "text": n} for n in names.get(source, [])]


def test_every_answer_set_belongs_to_a_task():
    tasks = {t for _p, t, _f in USER_TASKS}
    assert set(ANSWERS) - {"agree_late_reason", "chair_agree_late_reason"} <= tasks

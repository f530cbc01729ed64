"""Who came to the conference, and the quorum counted from it (issue 22)."""

import pytest
from sqlalchemy import select

from engine.documents import document_data, document_render
from engine.models import Conference, Invitation
from engine.platform.errors import InvalidValue
from tests.processes.driver import ANSWERS, invited, on_a_plan
from tests.processes.test_rcpc import hold_first_review, reviews

CAME = ANSWERS["hold_conference"]["attendance"]


def conference(case) -> Conference:
    return case.db.scalars(select(Conference).where(Conference.kind == "icpc")).one()


def attendance(case) -> dict[str, str | None]:
    rows = case.db.scalars(select(Invitation).order_by(Invitation.id))
    return {i.person.name: i.attendance for i in rows}


def held(case, **answers):
    invited(case)
    case.at("2027-01-11 15:00")
    return case.do("hold_conference", **answers)


def with_attendance(**how) -> list[dict]:
    """The standard rows (Tom sent apologies), with the people named by first name changed."""
    return [
        {**row, "attendance": how.get(row["name"].split()[0], row["attendance"])} for row in CAME
    ]


def test_the_form_starts_with_one_row_per_person_invited(case):
    invited(case)
    task = case.ready()["hold_conference"]
    assert case.engine.task_data(case.db, task)["attendance"] == [
        {"name": "Grace Okoye (Mother)"},
        {"name": "Tom Okoye (Father)"},
        {"name": "Robin Hall (Police)"},
        {"name": "Dr Asha Patel (GP)"},
    ]


def test_social_care_and_two_agencies_make_a_quorum(case):
    held(case)
    row = conference(case)
    assert (row.quorate, row.quorum_reason) == (True, None)
    assert row.agencies_attended == "children_social_care, police, gp"
    assert attendance(case) == {
        "Grace Okoye": "attended",
        "Tom Okoye": "apologies",
        "Robin Hall": "attended",
        "Dr Asha Patel": "attended",
    }


def test_below_quorum_the_chair_must_say_why_and_nothing_is_saved_until_then(case):
    invited(case)
    case.at("2027-01-11 15:00")
    below = with_attendance(Dr="apologies")
    with pytest.raises(InvalidValue) as refused:
        case.do("hold_conference", attendance=below)
    assert refused.value.fields == {
        "quorum_reason": "The conference is not quorate: it needs children's social care and "
        "at least two other agencies, and Children's social care, Police attended. Give the "
        "reason the chair went ahead"
    }
    assert conference(case).held_on is None and "hold_conference" in case.ready()
    assert set(attendance(case).values()) == {None}
    reason = "The GP sent a full report; delay would leave the child without a plan."
    case.do("hold_conference", attendance=below, quorum_reason=reason)
    row = conference(case)
    assert (row.quorate, row.quorum_reason) == (False, reason)
    assert row.agencies_attended == "children_social_care, police"


def test_without_children_s_social_care_there_is_no_quorum(case):
    with pytest.raises(InvalidValue, match="no agency|Police, GP attended"):
        held(case, social_care_attended=False)


def test_the_parents_can_take_part_through_an_advocate_or_by_views_but_agencies_cannot(case):
    invited(case)
    case.at("2027-01-11 15:00")
    with pytest.raises(InvalidValue, match=r"Robin Hall \(Police\) is not a parent"):
        case.do("hold_conference", attendance=with_attendance(Robin="advocate"))
    case.do("hold_conference", attendance=with_attendance(Grace="advocate", Tom="views_sent"))
    assert attendance(case)["Grace Okoye"] == "advocate"
    assert attendance(case)["Tom Okoye"] == "views_sent"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (CAME[:3], r"Record whether Dr Asha Patel \(GP\) attended"),
        ([*CAME, {"name": "Ann Other", "attendance": "attended"}], "Ann Other was not invited"),
        ([*CAME, CAME[0]], "Grace Okoye \\(Mother\\) was not invited .* or has a row already"),
    ],
)
def test_every_invitee_once_and_no_one_else(case, rows, message):
    invited(case)
    case.at("2027-01-11 15:00")
    with pytest.raises(InvalidValue, match=message):
        case.do("hold_conference", attendance=rows)


def test_a_row_may_name_the_person_alone(case):
    rows = [{**row, "name": row["name"].split(" (")[0]} for row in CAME]
    held(case, attendance=rows)
    assert attendance(case)["Tom Okoye"] == "apologies"


def test_the_minutes_print_attendance_apologies_reports_and_the_quorum(case):
    invited(case)
    case.at("2027-01-06 11:00")
    for task in case.all_ready("agency_report"):
        if task.assignee_id:  # the police report is in; the GP's never comes
            case.do("agency_report", task=task, actor="police")
    case.at("2027-01-11 15:00")
    reason = "The GP was ill on the day."
    case.do(
        "hold_conference", attendance=with_attendance(Dr="did_not_attend"), quorum_reason=reason
    )
    doc = document_data.gather(case.db, conference(case).id, "minutes", case.clock.today())
    people = {p["name"]: (p["attendance"], p["report_sent"]) for p in doc["invitations"]}
    assert people == {
        "Grace Okoye": ("Attended", None),
        "Tom Okoye": ("Sent apologies", None),
        "Robin Hall": ("Attended", True),
        "Dr Asha Patel": ("Did not attend", False),
    }
    assert doc["conference"]["agencies_attended"] == ["Children's social care", "Police"]
    html = document_render.render_html(doc).replace("&#39;", "'")
    assert "Apologies: Tom Okoye (Father)." in html
    assert f"The chair went ahead because: {reason}" in html
    assert "Agencies that attended: Children's social care, Police." in html


def test_a_review_counts_its_quorum_the_same_way(case):
    on_a_plan(case)
    hold_first_review(case)
    row = reviews(case)[0]
    assert (row.quorate, row.agencies_attended) == (True, "children_social_care, police, gp")


def test_review_invitations_start_from_the_last_conference(case):
    on_a_plan(case)
    case.at("2027-02-25 09:00")
    case.do("book_conference", conference_date="2027-04-08")
    task = case.ready()["send_invitations"]
    data = case.engine.task_data(case.db, task)
    assert data["family"] == [
        {"name": "Grace Okoye", "relationship": "Mother"},
        {"name": "Tom Okoye", "relationship": "Father"},
    ]
    assert data["agencies"] == [
        {"agency": "police", "name": "Robin Hall", "username": "police"},
        {"agency": "gp", "name": "Dr Asha Patel", "email": "gp@example.invalid"},
    ]

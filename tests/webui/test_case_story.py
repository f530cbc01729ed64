"""The child's page tells the story: one timeline, what is due next, who is involved; an
agency professional sees only the conferences they are invited to."""

import pytest

from tests.processes.driver import Case, on_a_plan
from tests.webui.conftest import page, sign_in


@pytest.fixture
def planned(db, web_engine, clock):
    case = Case(db, web_engine, clock, reload=False)
    on_a_plan(case)
    return case


def test_the_timeline_tells_the_story_newest_first(client, planned):
    sign_in(client, "sw")
    html = page(client.get(f"/children/{planned.child.id}"))
    entries = [li.get_text(" ", strip=True) for li in html.select("#timeline li")]
    titles = " | ".join(entries)
    for expected in (
        "Strategy discussion",
        "Initial conference booked",
        "Initial conference held",
        "Decision: child protection plan (Neglect)",
        "Child protection plan started",
        "Decision letter sent",
        "Minutes sent",
    ):
        assert expected in titles
    dates = [t["datetime"] for t in html.select("#timeline time")]
    assert dates == sorted(dates, reverse=True)


def test_what_is_due_next_and_who_is_involved(client, planned):
    sign_in(client, "sw")
    html = page(client.get(f"/children/{planned.child.id}"))
    due = html.select_one("#due-next").get_text(" ", strip=True)
    assert "core group" in due.lower()
    people = html.select_one("#people").get_text(" ", strip=True)
    assert "Sw (social worker)" in people
    assert "Chair (conference chair)" in people
    assert "Grace Okoye (Mother)" in people


def test_a_late_step_is_marked_late_in_the_story(client, db, web_engine, clock):
    case = Case(db, web_engine, clock, reload=False)
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")
    case.at("2027-01-25 09:00")
    case.sweep()
    sign_in(client, "tm")
    html = page(client.get(f"/children/{case.child.id}"))
    late = html.select(".app-timeline__item--escalation")
    assert late and "Late" in late[0].text
    assert "Overdue" in html.select_one("#due-next").text


def test_a_child_with_nothing_recorded_has_an_empty_story(client, db, web_engine, clock):
    case = Case(db, web_engine, clock, reload=False)
    sign_in(client, "sw")
    html = page(client.get(f"/children/{case.child.id}"))
    assert html.select_one("#timeline-empty") is not None
    assert "Nothing is waiting" in html.select_one("#due-next").text


def test_an_agency_professional_sees_only_their_conferences(client, planned):
    sign_in(client, "police")
    response = client.get(f"/children/{planned.child.id}")
    assert response.status_code == 200
    html = page(response)
    assert html.select_one("#invited-notice") is not None
    assert "Initial conference" in html.select_one("#conferences").text
    story = html.select_one("#timeline").text
    assert "Initial conference held" in story
    assert "Decision: child protection plan" in story
    for private in ("Strategy discussion", "Minutes sent", "plan started", "Report from"):
        assert private not in story
    assert html.select_one("#people") is None and html.select_one("#due-next") is None


def test_someone_unconnected_is_refused_and_an_unknown_child_is_not_found(client, db, planned):
    from tests.factories import make_user

    make_user(db, "stranger", "social_worker", team="South")
    sign_in(client, "stranger")
    assert client.get(f"/children/{planned.child.id}").status_code == 403
    assert client.get("/children/999999").status_code == 404

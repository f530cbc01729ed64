"""The single-use secure link: one form and the shared reports, once, until it expires."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.casework import family_links
from engine.models import (
    AuditEvent,
    Conference,
    FeedbackResponse,
    OutboxMessage,
    Report,
    ReportFile,
)
from tests.processes.driver import WITHHELD, Case, held, invited
from tests.webui.conftest import page, post_form
from webui import demo_scenes

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def case(db, web_engine, clock):
    made = Case(db, web_engine, clock, reload=False)
    held(made)
    return made


def icpc(case) -> Conference:
    query = select(Conference).where(
        Conference.child_id == case.child.id, Conference.kind == "icpc"
    )
    return case.db.scalars(query).one()


def link_for(case, purpose="parent_report", name="Grace Okoye") -> str:
    conference = icpc(case)
    person = next(p for p in case.db.scalars(select(family_links.CasePerson)) if p.name == name)
    return family_links.issue(
        case.db, case.staff["sw"], conference, person.id, purpose, "g@example.com", case.clock.now()
    )


def send_report(client, token, **answers):
    data = {"strengths": "We love our children.", **answers}
    return post_form(client, f"/family/{token}", data, token_from="/sign-in")


def actions(case) -> list[str]:
    rows = case.db.scalars(select(AuditEvent).where(AuditEvent.action.like("family_link.%")))
    return [e.action for e in rows]


def test_the_link_shows_its_form_and_the_shared_reports_and_nothing_else(client, case):
    token = link_for(case)
    html = page(client.get(f"/family/{token}"))
    assert html.h1.text.strip() == "Your report for the conference"
    shared = html.select_one("#shared-reports").text
    assert "Social worker's report" in shared and "Neglect of basic care" in shared
    text = html.text
    for hidden in (WITHHELD, "Repeated missed medical appointments", "Sign out"):
        assert hidden not in text
    assert html.select(".govuk-service-navigation__item") == []
    # The link grants no session: the staff pages still ask for a sign-in.
    for path in (f"/children/{case.child.id}", f"/conferences/{icpc(case).id}", "/inbox"):
        response = client.get(path)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_link_works_once_for_its_form(client, case):
    token = link_for(case)
    response = send_report(client, token, support="Help with the school run.")
    assert response.status_code == 200
    assert "Your answers have been sent" in page(response).select_one(".govuk-panel").text
    report = case.db.scalars(select(Report).where(Report.kind == "parent")).one()
    assert report.author == "Grace Okoye" and "Help with the school run." in report.summary
    assert str(report.submitted_on) == case.clock.today().isoformat()
    again = send_report(client, token)
    assert again.status_code == 410
    assert "already been used" in page(again).select_one("#reason").text
    assert client.get(f"/family/{token}").status_code == 410
    assert case.db.scalars(select(Report).where(Report.kind == "parent")).all() == [report]
    assert actions(case) == [
        "family_link.issued",
        "family_link.opened",  # the form page, read again on sending
        "family_link.used",
        "family_link.refused",
        "family_link.refused",
    ]


def test_a_required_answer_missing_keeps_the_link_usable(client, case):
    token = link_for(case)
    response = send_report(client, token, strengths="")
    assert response.status_code == 400
    assert page(response).select_one(".govuk-error-summary") is not None
    assert send_report(client, token).status_code == 200


def test_an_expired_link_is_refused(client, case):
    token = link_for(case)
    case.clock.set(case.clock.now() + timedelta(days=14, seconds=1))
    response = client.get(f"/family/{token}")
    assert response.status_code == 410
    assert "expired" in page(response).select_one("#reason").text


@pytest.mark.parametrize("change", ["tamper", "truncate", "random"])
def test_a_tampered_token_is_refused(client, case, change):
    token = link_for(case)
    forged = {
        "tamper": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "truncate": token[:20],
        "random": "x" * 43,
    }[change]
    response = client.get(f"/family/{forged}")
    assert response.status_code == 404
    assert "not valid" in page(response).select_one("#reason").text
    assert send_report(client, forged).status_code == 404
    assert case.db.scalars(select(Report).where(Report.kind == "parent")).all() == []
    assert client.get(f"/family/{token}").status_code == 200  # the real one still works


def test_only_files_of_shared_reports_can_be_fetched(client, case):
    shared = case.db.scalars(select(Report).where(Report.kind == "social_worker")).one()
    unshared = Report(conference_id=icpc(case).id, kind="agency", agency="school")
    case.db.add(unshared)
    case.db.flush()
    for report in (shared, unshared):
        case.db.add(
            ReportFile(
                report_id=report.id,
                filename="r.pdf",
                content_type="application/pdf",
                size=len(PDF),
                content=PDF,
                uploaded_at=case.clock.now(),
            )
        )
    case.db.commit()
    token = link_for(case)
    html = page(client.get(f"/family/{token}"))
    hrefs = [a["href"] for a in html.select("#shared-reports a")]
    assert len(hrefs) == 1
    response = client.get(hrefs[0])
    assert response.status_code == 200 and response.data == PDF
    response.close()
    other = re.sub(r"/files/\d+$", f"/files/{int(hrefs[0].rsplit('/', 1)[1]) + 1}", hrefs[0])
    assert client.get(other).status_code == 404


def test_the_childs_views_link_shows_no_reports(client, case):
    token = link_for(case, "child_views")
    html = page(client.get(f"/family/{token}"))
    assert html.h1.text.strip() == "What you want the meeting to know"
    assert html.select_one("#shared-reports") is None
    response = post_form(client, f"/family/{token}", {"good_things": "My dog."})
    assert response.status_code == 200
    views = case.db.scalars(select(Report).where(Report.kind == "child")).one()
    assert "My dog." in views.summary


def test_parent_feedback_through_a_link_is_recorded_for_the_summary(client, case):
    token = link_for(case, "parent_feedback")
    answers = {
        "understood_why": "yes",
        "reports_in_time": "partly",
        "listened_to": "yes",
        "know_next_steps": "no",
        "overall": "4",
        "comments": "The chair was kind.",
    }
    assert post_form(client, f"/family/{token}", answers).status_code == 200
    response = case.db.scalars(select(FeedbackResponse)).one()
    assert response.respondent == "parent" and response.answers["overall"] == "4"


def test_the_fathers_link_pages_show_nothing_withheld_from_him(client, case):
    from tests.engine.casework.test_family_links import secrets, withheld_from_the_father

    files = withheld_from_the_father(case)
    bodies = []
    for purpose in ("parent_report", "parent_feedback"):
        token = link_for(case, purpose, name="Tom Okoye")
        bodies.append(client.get(f"/family/{token}").get_data(as_text=True))
        download = client.get(f"/family/{token}/files/{files['shared']}")
        assert download.status_code == 200
        bodies.append(download.headers["Content-Disposition"] + download.get_data(as_text=True))
        download.close()
        assert client.get(f"/family/{token}/files/{files['secret']}").status_code == 404
    text = "\n".join(bodies)
    assert [s for s in secrets() if s in text] == []
    assert "[withheld]" not in text  # the read model took it out, not the last net
    assert "Grace has moved to Withheld" in text


def test_the_mothers_link_shows_her_own_address(client, case):
    from tests.engine.casework.test_family_links import ADDRESS, withheld_from_the_father

    withheld_from_the_father(case)
    token = link_for(case, name="Grace Okoye")
    text = client.get(f"/family/{token}").get_data(as_text=True)
    assert ADDRESS.replace("\n", ", ") in text and "[withheld]" not in text


def test_a_link_page_that_forgot_is_scrubbed_for_its_person(make_app, db, web_engine, clock):
    from flask import g

    from tests.engine.casework.test_family_links import PHONE, withheld_from_the_father

    app = make_app()
    made = Case(db, app.extensions["cpc"].workflow, clock, reload=False)
    held(made)
    withheld_from_the_father(made)

    @app.after_request
    def forget(response):  # a template change that shows the mother's phone on every page
        if g.get("redaction_family") and response.mimetype == "text/html":
            response.set_data(response.get_data(as_text=True) + f"<p>{PHONE}</p>")
        return response

    client = app.test_client()
    father = client.get(f"/family/{link_for(made, name='Tom Okoye')}").get_data(as_text=True)
    mother = client.get(f"/family/{link_for(made, name='Grace Okoye')}").get_data(as_text=True)
    assert PHONE not in father and "[withheld]" in father
    assert PHONE in mother


def test_a_guess_typed_into_the_fathers_form_reads_the_same_right_or_wrong(client, case):
    from tests.engine.casework.test_family_links import PHONE, withheld_from_the_father

    withheld_from_the_father(case)
    answers = []
    for guess in (PHONE, "07700 900999"):
        token = link_for(case, name="Tom Okoye")
        response = send_report(client, token, strengths="", support=f"Is she on {guess}?")
        assert response.status_code == 400
        answers.append(response.get_data(as_text=True))
    right, wrong = answers
    assert "[withheld]" not in right and "[withheld]" not in wrong
    assert f"Is she on {PHONE}?" in right  # his own words, echoed as typed


def test_pages_and_emails_say_what_a_family_needs_to_know(client, case):
    """The email says what the form is for and by when; a past conference is in the past
    tense; a used link says what was sent is saved; the footer is the family's."""
    token = link_for(case, purpose="parent_feedback")
    mail = case.db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "family_link")).all()[
        -1
    ]
    assert mail.body.startswith("Feedback from a parent or carer after the conference (case ")
    expires = case.clock.today() + timedelta(days=13)
    assert f"Please fill it in by {expires:%A %-d %B %Y}." in mail.body
    assert "01234 567890" in mail.body and case.child.given_name not in mail.body
    html = page(client.get(f"/family/{token}"))
    said = html.select_one("main").text
    assert "The conference was held on 11 January 2027." in said and "is on" not in said
    footer = html.select_one("footer").text
    assert "special category" not in footer and "01234 567890" in footer
    answers = {k: v for k, v in demo_scenes.PARENT_FEEDBACK.items()}
    sent = post_form(client, f"/family/{token}", answers, token_from="/sign-in")
    assert sent.status_code == 200, page(sent).select_one("main").text[:300]
    again = page(client.get(f"/family/{token}"))
    reason = again.select_one("#reason").text
    assert "what you sent with it has been saved" in reason
    assert "Nothing has been saved" not in again.text


def test_a_report_link_asks_for_it_before_the_conference(db, web_engine, clock):
    made = Case(db, web_engine, clock, reload=False)
    invited(made)  # the conference is on Monday 11 January 2027
    person = next(p for p in db.scalars(select(family_links.CasePerson)) if p.name == "Tom Okoye")
    row = db.scalars(select(Conference).where(Conference.child_id == made.child.id)).one()
    family_links.issue(
        db, made.staff["sw"], row, person.id, "parent_report", "t@example.com", clock.now()
    )
    mail = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "family_link")).one()
    assert mail.body.startswith("The parents' report for the conference (case ")
    assert "Please fill it in by Sunday 10 January 2027." in mail.body

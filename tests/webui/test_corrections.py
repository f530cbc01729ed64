"""A team manager corrects a held conference's record (issue 22)."""

import pytest
from sqlalchemy import select

from engine.casework import corrections
from engine.models import AuditEvent, Conference
from engine.models.people import user_by_username
from engine.platform.errors import InvalidValue
from tests.processes.driver import Case, held
from tests.webui.conftest import page, post_form, sign_in


def made(db, web_engine, clock) -> Conference:
    case = Case(db, web_engine, clock, reload=False)
    held(case)
    return db.scalars(select(Conference).where(Conference.kind == "icpc")).one()


def test_a_team_manager_corrects_the_record_with_a_reason(client, db, web_engine, clock):
    conference = made(db, web_engine, clock)
    sign_in(client, "tm")
    assert "Correct the conference record" in client.get(f"/conferences/{conference.id}").get_data(
        as_text=True
    )
    path = f"/conferences/{conference.id}/correct"
    form = client.get(path).get_data(as_text=True)
    assert "Grandmother visits daily." in form
    answers = {
        "harm": conference.harm,
        "strengths": "Grandmother visits twice a day.",
        "safety": conference.safety,
        "child_views": conference.child_views,
        "parent_views": conference.parent_views,
        "safety_plan": conference.safety_plan,
        "decision_reasons": conference.decision_reasons,
        "plan_outcomes": conference.plan_outcomes,
        "dissent": conference.dissent,
    }
    refused = post_form(client, path, {**answers, "reason": ""})
    assert refused.status_code == 400
    assert "Enter why the record is corrected" in refused.get_data(as_text=True)
    unchanged = post_form(
        client, path, {**answers, "strengths": conference.strengths, "reason": "x"}
    )
    assert "Nothing was changed" in unchanged.get_data(as_text=True)
    done = post_form(client, path, {**answers, "reason": "The chair misheard."})
    assert done.status_code == 302
    db.expire_all()
    assert db.get(Conference, conference.id).strengths == "Grandmother visits twice a day."
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "conference.corrected")).one()
    assert event.detail == {
        "conference_id": conference.id,
        "changes": {
            "strengths": {
                "old": "Grandmother visits daily.",
                "new": "Grandmother visits twice a day.",
            }
        },
        "reason": "The chair misheard.",
    }


def test_only_a_manager_corrects_and_a_required_answer_stays(client, db, web_engine, clock):
    conference = made(db, web_engine, clock)
    sign_in(client, "chair")
    assert client.get(f"/conferences/{conference.id}/correct").status_code == 403
    manager = user_by_username(db, "tm")
    with pytest.raises(InvalidValue) as refused:
        corrections.correct(db, manager, conference.id, {"harm": " "}, "Wrong.", clock.now())
    assert refused.value.fields == {"harm": "Enter harm and danger"}
    db.expire_all()
    assert db.get(Conference, conference.id).harm == "Repeated missed medical appointments."


def test_the_form_corrects_the_date_held_and_refuses_a_new_plan_kind(client, db, web_engine, clock):
    conference = made(db, web_engine, clock)
    clock.set(clock.now().replace(day=12))
    sign_in(client, "tm")
    path = f"/conferences/{conference.id}/correct"
    form = page(client.get(path))
    assert form.find("input", {"name": "held_date-day"})["value"] == "11"
    assert form.find("input", {"name": "strategy_discussion_date-day"})["value"] == "18"
    assert form.find("input", {"name": "decision", "value": "cp_plan"}).has_attr("checked")
    words = {n: getattr(conference, n) or "" for n in corrections.CORRECTABLE}
    refused = post_form(client, path, {**words, "decision": "nfa", "reason": "Wrong decision."})
    assert refused.status_code == 400
    assert "cannot be corrected here" in refused.get_data(as_text=True)
    moved = {"held_date-day": "12", "held_date-month": "1", "held_date-year": "2027"}
    done = post_form(client, path, {**words, **moved, "reason": "The chair typed the 11th."})
    assert done.status_code == 302
    db.expire_all()
    assert db.get(Conference, conference.id).held_on.day == 12


def test_words_holding_what_is_withheld_from_the_manager_are_not_offered_to_them(
    client, db, web_engine, clock
):
    """The mother's phone is withheld from the team manager and the safety plan quotes it
    (written without its space, which the last net would not find). Their correction form
    leaves the safety plan out and says so, nor shows the phone; correcting another answer
    leaves the safety plan as it is; a safety plan sent anyway is refused. The service
    manager, from whom nothing is withheld, corrects it."""
    from engine.access import withholding
    from engine.models import CasePerson

    conference = made(db, web_engine, clock)
    conference.safety_plan = "Grace keeps her phone (07700900456) with her at all times."
    grace = db.scalars(select(CasePerson).where(CasePerson.name == "Grace Okoye")).one()
    grace.phone = "07700 900456"
    db.commit()
    chair = user_by_username(db, "chair")
    withholding.withhold(
        db, chair, conference.child_id, "person", grace.id, "phone", "user:tm", "Fled.", clock.now()
    )
    sign_in(client, "tm")
    path = f"/conferences/{conference.id}/correct"
    form = client.get(path).get_data(as_text=True)
    assert "900456" not in form and 'name="safety_plan"' not in form
    assert "as they hold information withheld from you: Safety plan" in form
    answers = {n: getattr(conference, n) or "" for n in corrections.CORRECTABLE}
    del answers["safety_plan"]
    done = post_form(client, path, {**answers, "strengths": "Daily visits.", "reason": "Misheard."})
    assert done.status_code == 302
    db.expire_all()
    assert db.get(Conference, conference.id).safety_plan.startswith("Grace keeps her phone (077")
    tm = user_by_username(db, "tm")
    with pytest.raises(InvalidValue, match="holds information withheld from you"):
        corrections.correct(
            db, tm, conference.id, {"safety_plan": "Gone."}, "Tidy.", clock.now(), web_engine
        )
    sign_in(client, "sm")
    assert 'name="safety_plan"' in client.get(path).get_data(as_text=True)

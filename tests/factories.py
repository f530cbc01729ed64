"""Small factory functions for test data: each makes one thing, with sensible defaults."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from engine.access import accounts
from engine.casework import cases
from engine.diagrams import registry
from engine.models.instances import open_tasks
from engine.models.people import User
from engine.platform.db import transaction
from forms import exists as form_exists

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
TEST_DIAGRAMS = Path(__file__).resolve().parent / "engine" / "diagrams"
PASSWORD = "correct horse battery staple"


def make_user(session, username: str, *roles: str, team: str | None = "North") -> User:
    with transaction(session):
        return accounts.create_user(
            session,
            username,
            username.title(),
            f"{username}@example.invalid",
            list(roles),
            PASSWORD,
            team,
        )


def make_staff(session) -> dict[str, User]:
    """One user per role a conference needs; the social worker and manager in team North."""
    return {
        "sw": make_user(session, "sw", "social_worker"),
        "tm": make_user(session, "tm", "team_manager"),
        "bs": make_user(session, "bs", "business_support", team=None),
        "chair": make_user(session, "chair", "conference_chair", team=None),
        "sm": make_user(session, "sm", "service_manager", team=None),
        "police": make_user(session, "police", "agency_professional", team=None),
    }


def make_child(
    session, engine, social_worker: User, given="Amara", family="Okoye", born=date(2016, 4, 11)
):
    return cases.add_child(session, engine, social_worker, given, family, born, social_worker)


def deploy_file(session, path: Path, by: str = "tests", check_forms: bool = True):
    diagram = registry.parse(path.read_bytes(), path.name, form_exists if check_forms else None)
    with transaction(session):
        version, _ = registry.deploy(session, diagram, by)
    return version


def deploy_icpc(session):
    return deploy_file(session, PROCESSES / "icpc.bpmn")


def deploy_processes(session) -> None:
    """Every diagram in `processes/`: a conference hands over to reviews and core groups."""
    for path in sorted(PROCESSES.glob("*.bpmn")):
        deploy_file(session, path)


def deploy_test_diagram(session, name: str):
    return deploy_file(session, TEST_DIAGRAMS / f"{name}.bpmn", check_forms=False)


def ready(session, instance_id: int) -> dict[str, object]:
    """Ready task rows of an instance, by task spec name."""
    return {t.task_spec: t for t in open_tasks(session, instance_id)}


def complete(session, engine, instance_id: int, task_spec: str, actor: User, **data):
    task = ready(session, instance_id)[task_spec]
    return engine.complete(session, task.id, actor, data).instance


def start_icpc(session, engine):
    """Staff, a child allocated to `sw`, the diagrams deployed, an ICPC started."""
    staff = make_staff(session)
    deploy_processes(session)
    child = make_child(session, engine, staff["sw"])
    return staff, child, cases.start_conference(session, engine, staff["sw"], child.id)


STRATEGY = {
    "strategy_discussion_date": "2026-03-02",
    "s47_start_date": "2026-03-02",
    "outcome": "icpc",
}
BOOKING = {
    "conference_date": "2026-03-16",
    "conference_time": "10:00",
    "venue": "Civic Centre",
    "chair": "chair",
}
INVITATIONS = {
    "invitations_sent_date": "2026-03-02",
    "family": [{"name": "Grace Okoye", "relationship": "Mother"}],
    "child_invited": False,
    "agencies": [{"agency": "police", "name": "Robin Hall"}],
    "parent_report_expected": False,
}


def strategy_recorded(session, engine, instance_id: int, staff) -> None:
    """The social worker records the strategy discussion (2 March 2026): an ICPC is needed."""
    complete(session, engine, instance_id, "record_strategy_discussion", staff["sw"], **STRATEGY)


def conference_booked(session, engine, instance_id: int, staff, **booking) -> None:
    """Strategy discussion recorded, then business support books the conference."""
    strategy_recorded(session, engine, instance_id, staff)
    complete(session, engine, instance_id, "book_conference", staff["bs"], **BOOKING, **booking)


def make_service_account(session, username: str, *roles: str, team: str | None = "North") -> User:
    with transaction(session):
        return accounts.create_user(
            session,
            username,
            f"{username.title()} system",
            f"{username}@example.invalid",
            list(roles),
            team=team,
            service_account=True,
        )


def make_token(session, username: str, now=None) -> str:
    """A new API token's secret for the service account `username`."""
    from datetime import UTC, datetime

    from engine.access import tokens

    _token, secret = tokens.create(
        session, username, "tests", "tests", now or datetime(2026, 3, 2, tzinfo=UTC)
    )
    return secret


def add_conference(session, instance, child, kind="icpc", **values):
    """A conference record written directly, for figures that only read records."""
    from engine.models import Conference

    row = Conference(child_id=child.id, instance_id=instance.id, kind=kind, **values)
    with transaction(session):
        session.add(row)
    return row


def add_family_conference(session, children) -> int:
    """A family and a conference group for these children, written directly: the group's id
    for the children's conference rows (`add_conference(..., group_id=...)`)."""
    from engine.models import ConferenceGroup, Family

    with transaction(session):
        family = Family(name=children[0].family_name)
        session.add(family)
        session.flush()
        for child in children:
            child.family_id = family.id
        group = ConferenceGroup(family_id=family.id)
        session.add(group)
    return group.id


def add_plan(session, child, started, ended=None, previous=0, category="NEG"):
    """A plan record written directly (ended at a review when `ended` is given)."""
    from engine.models import Plan

    row = Plan(
        child_id=child.id,
        started_on=started,
        ended_on=ended,
        initial_category=category,
        latest_category=category,
        previous_plans=previous,
        end_reason="review_nfa" if ended else None,
    )
    with transaction(session):
        session.add(row)
    return row

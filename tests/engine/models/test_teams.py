"""A team manager manages their own team and every team an administrator adds them to: they
see those teams' children, their steps escalate to them, and a team's page lists them."""

from datetime import UTC, datetime

from sqlalchemy import select

from engine.access import access, team_admin
from engine.models import teams
from engine.models.people import Child, team_manager_for
from tests.factories import make_child, make_user

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def visible(db, user) -> set[str]:
    query = select(Child.reference).where(access.child_filter(user, Child.id))
    return set(db.scalars(query))


def test_a_manager_of_two_teams_sees_both_and_is_escalated_to(db, engine):
    admin = make_user(db, "admin", "administrator", team=None)
    tm = make_user(db, "tm", "team_manager", team="North")
    north, south = (
        make_user(db, "sw1", "social_worker"),
        make_user(db, "sw2", "social_worker", team="South"),
    )
    a, b = make_child(db, engine, north, "A"), make_child(db, engine, south, "B")
    assert teams.managed_by(db, tm) == ["North"]
    assert visible(db, tm) == {a.reference}
    assert team_manager_for(db, south) is None

    assert team_admin.add(db, admin, "South", NOW) == {
        "name": "There is already a team called “South”"
    }
    assert team_admin.add(db, admin, "  West   Hub ", NOW) == {}
    south_team = teams.by_name(db, "South")
    assert team_admin.set_managers(db, admin, south_team.id, [north.id], NOW) == {
        f"managers-{south_team.id}": "Choose managers from the team managers listed"
    }
    assert team_admin.set_managers(db, admin, south_team.id, [tm.id], NOW) == {}

    assert teams.managed_by(db, tm) == ["North", "South"]
    assert visible(db, tm) == {a.reference, b.reference}
    assert team_manager_for(db, south) == tm
    views = {v.team.name: ([m.username for m in v.managers], [p.username for p in v.members])
             for v in teams.overview(db)}  # fmt: skip
    assert views == {
        "North": (["tm"], ["sw1"]),
        "South": (["tm"], ["sw2"]),
        "West Hub": ([], []),
    }

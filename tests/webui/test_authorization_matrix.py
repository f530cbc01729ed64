"""Every route × every role × own case / other case: allowed or denied, as specified here.

The rules below are the specification. A route the app serves without a rule here fails the
test, so nobody can add a page without deciding who may use it. The matrix is printed.
"""

from __future__ import annotations

import re

import pytest

from engine.service import Engine
from tests.conftest import empty_tables
from tests.webui.authorization_world import ROLES, World, build
from tests.webui.conftest import sign_in

STARTERS = {"social_worker", "team_manager", "service_manager", "administrator"}
MANAGERS = {"team_manager", "service_manager", "administrator"}
DEPLOYERS = {"process_owner", "administrator"}
SERVICE_WIDE = {"service_manager", "administrator"}
MOVERS = {"business_support", "team_manager", "conference_chair"}  # move a booked conference
LINKERS = {"social_worker", "team_manager", "service_manager", "business_support"}  # siblings
LINKED_TO_OWN = {
    "social_worker",  # allocated
    "team_manager",  # the social worker's team
    "conference_chair",  # chairs its conference
    "business_support",  # booking is in their pool
    "agency_professional",  # invited
} | SERVICE_WIDE


RAISERS = {"social_worker", "conference_chair", "agency_professional"}


def case(role, own):
    return role in (LINKED_TO_OWN if own else SERVICE_WIDE)


def full_case(role, own):
    return case(role, own) and role != "agency_professional"


RULES = {
    ("auth.sign_in", "GET"): lambda role, own: True,
    ("auth.sign_in", "POST"): lambda role, own: True,
    ("auth.sign_out", "POST"): lambda role, own: True,
    ("accessibility.statement", "GET"): lambda role, own: True,  # public, no sign-in
    ("auth.oidc_start", "GET"): lambda role, own: False,  # 404 unless OIDC is configured
    ("auth.oidc_callback", "GET"): lambda role, own: False,
    ("govuk_assets", "GET"): lambda role, own: True,
    ("govuk_frontend", "GET"): lambda role, own: True,
    ("static", "GET"): lambda role, own: True,
    ("vendor", "GET"): lambda role, own: True,
    ("inbox.home", "GET"): lambda role, own: True,  # a redirect to the inbox, which then asks
    ("inbox.index", "GET"): lambda role, own: role is not None,
    ("account.show", "GET"): lambda role, own: role is not None,
    ("account.notifications", "POST"): lambda role, own: role is not None,
    ("account.password", "GET"): lambda role, own: role is not None,
    ("account.password", "POST"): lambda role, own: role is not None,
    # Administration: system administrators only, every page and action.
    **{
        (f"admin.{name}", method): lambda role, own: role == "administrator"
        for name, method in (
            ("index", "GET"),
            ("users", "GET"),
            ("teams_page", "GET"),
            ("add_team", "POST"),
            ("team_managers", "POST"),
            ("settings_page", "GET"),
            ("settings_page", "POST"),
            ("new_user", "GET"),
            ("new_user", "POST"),
            ("user", "GET"),
            ("user", "POST"),
            ("user_action", "POST"),
            ("user_password", "POST"),
            ("user_identity", "POST"),
            ("tokens_page", "GET"),
            ("issue_token", "POST"),
            ("revoke_token", "POST"),
        )
    },
    ("cases.index", "GET"): lambda role, own: role is not None,  # lists only what they may see
    ("cases.show", "GET"): case,
    ("cases.start", "POST"): lambda role, own: role in STARTERS and full_case(role, own),
    ("cases.end_plan", "POST"): lambda role, own: role in STARTERS and full_case(role, own),
    ("cases.start_process", "POST"): lambda role, own: role in STARTERS and full_case(role, own),
    ("cases.add", "GET"): lambda role, own: role in STARTERS,
    ("cases.add", "POST"): lambda role, own: role in STARTERS,
    ("people.add", "GET"): lambda role, own: role in STARTERS and full_case(role, own),
    ("cases.record_birth", "GET"): lambda role, own: role in STARTERS and full_case(role, own),
    ("cases.record_birth", "POST"): lambda role, own: role in STARTERS and full_case(role, own),
    ("people.add", "POST"): lambda role, own: role in STARTERS and full_case(role, own),
    ("people.withheld", "GET"): lambda role, own: role == "conference_chair" and case(role, own),
    ("people.withheld", "POST"): lambda role, own: role == "conference_chair" and case(role, own),
    ("people.lift", "POST"): lambda role, own: role == "conference_chair" and case(role, own),
    ("instances.index", "GET"): lambda role, own: role in MANAGERS | DEPLOYERS,
    ("instances.show", "GET"): lambda role, own: role in MANAGERS | DEPLOYERS and case(role, own),
    ("instances.control", "POST"): lambda role, own: role in MANAGERS and case(role, own),
    ("scheduler.index", "GET"): lambda role, own: role in MANAGERS,
    # The scheduler's lists and retries hold only the cases a manager may see; the failed
    # email belongs to no case and no addressee here, so only the service-wide retry it.
    ("scheduler.retry_mail", "POST"): lambda role, own: role in SERVICE_WIDE,
    ("scheduler.retry_timer", "POST"): lambda role, own: role in MANAGERS and case(role, own),
    # Tasks: A's open task is in business support's pool; B's belongs to another team's worker.
    ("tasks.show", "GET"): lambda role, own: own and role == "business_support",
    ("tasks.submit", "POST"): lambda role, own: own and role == "business_support",
    ("api.complete", "POST"): lambda role, own: own and role == "business_support",
    # The JSON API (/api/v1): the pages' rules, nothing weaker.
    ("api.openapi", "GET"): lambda role, own: True,
    ("api.me", "GET"): lambda role, own: role is not None,
    ("api.processes", "GET"): lambda role, own: role is not None,
    ("api.versions", "GET"): lambda role, own: role is not None,
    ("api.children", "GET"): lambda role, own: role is not None,  # filtered to theirs
    ("api.tasks_list", "GET"): lambda role, own: role is not None,  # their inbox
    ("api.child", "GET"): case,
    ("api.conferences", "GET"): case,
    ("api.plans", "GET"): full_case,
    ("api.ahead", "GET"): full_case,
    ("api.census_plans", "GET"): lambda role, own: role in MANAGERS,
    ("api.instances_list", "GET"): lambda role, own: role in MANAGERS | DEPLOYERS,
    ("api.instance_start", "POST"): lambda role, own: role in STARTERS and full_case(role, own),
    ("api.instance_show", "GET"): lambda role, own: (
        role in MANAGERS | DEPLOYERS and case(role, own)
    ),
    # An invited professional reads only their own tasks, not the case's others.
    ("api.task_show", "GET"): full_case,
    # Claim: A's task is in business support's pool; B's is assigned to its worker, so the
    # service-wide managers reach the check and are told it is taken (409), others are refused.
    ("api.claim", "POST"): lambda role, own: (
        role == "business_support" if own else role in SERVICE_WIDE
    ),
    # Unclaim is for the person who claimed it: nothing is claimed here (test_api covers it).
    ("api.unclaim", "POST"): lambda role, own: False,
    ("api.assign", "POST"): lambda role, own: role in MANAGERS and full_case(role, own),
    ("inbox.claim", "POST"): lambda role, own: (
        role == "business_support"  # as api.claim
        if own
        else role in SERVICE_WIDE
    ),
    ("inbox.unclaim", "POST"): lambda role, own: False,  # nothing is claimed in this world
    ("inbox.reassign", "POST"): lambda role, own: role in MANAGERS and case(role, own),
    ("tasks.discard_draft", "POST"): lambda role, own: own and role == "business_support",
    ("instances.diagram_xml", "GET"): lambda role, own: (
        role in MANAGERS | DEPLOYERS and case(role, own)
    ),
    ("instances.diagram_states", "GET"): lambda role, own: (
        role in MANAGERS | DEPLOYERS and case(role, own)
    ),
    # Dashboard and census: managers, counting only the children they may see.
    **{
        (f"dashboard.{name}", "GET"): lambda role, own: role in MANAGERS
        for name in (
            "index",
            "figures_csv",
            "figure",
            "figure_csv",
            "census_page",
            "census_csv",
            "census_xml",
            "overdue",
            "late_reasons",
            "escalations",
            "team_tasks",
            "coming",
        )
    },
    ("audit.index", "GET"): lambda role, own: role == "administrator",
    ("audit.export", "GET"): lambda role, own: role == "administrator",
    ("retention.index", "GET"): lambda role, own: role == "administrator",
    # Documents: the conference is its child's record; an invited professional reaches the
    # conferences they were invited to and their own report.
    ("documents.show", "GET"): case,
    ("documents.download", "GET"): case,
    ("documents.posted_copy", "GET"): full_case,
    # The world's conference is no family conference, so it has no family document to read:
    # who reads whose copy is in test_family_conference and processes/test_family_documents.
    ("documents.family_document", "GET"): lambda role, own: False,
    ("documents.raise_request", "POST"): lambda role, own: own and role in RAISERS,
    ("documents.decide_request", "POST"): lambda role, own: own and role == "conference_chair",
    ("documents.report_file", "GET"): case,
    ("documents.upload", "POST"): case,
    ("documents.issue_link", "POST"): full_case,
    # The world's conference is booked, not held: no one corrects it yet (test_corrections).
    ("documents.correct", "GET"): lambda role, own: False,
    ("documents.correct", "POST"): lambda role, own: False,
    ("documents.reschedule", "GET"): lambda role, own: role in MOVERS and full_case(role, own),
    ("documents.reschedule", "POST"): lambda role, own: role in MOVERS and full_case(role, own),
    ("documents.join", "POST"): lambda role, own: role in LINKERS and full_case(role, own),
    ("cases.link_sibling", "POST"): lambda role, own: role in LINKERS and full_case(role, own),
    ("feedback.give", "GET"): case,
    ("feedback.give", "POST"): case,
    ("feedback.summary", "GET"): lambda role, own: role in MANAGERS,
    # The family's single-use link: the token alone decides (own: a live link, other: forged).
    ("family.open_form", "GET"): lambda role, own: own,
    ("family.submit", "POST"): lambda role, own: own,
    ("family.shared_file", "GET"): lambda role, own: own,
    # A professional's report link: the token alone decides (own: a real link, already used,
    # whose page says so; other: forged).
    ("professional.open_form", "GET"): lambda role, own: own,
    ("professional.submit", "POST"): lambda role, own: own,
    # The print queue is business support's, each letter through their access to its child.
    ("print_queue.index", "GET"): lambda role, own: role == "business_support",
    ("print_queue.letter", "GET"): lambda role, own: own and role == "business_support",
    ("print_queue.posted", "POST"): lambda role, own: own and role == "business_support",
    # Diagrams: process owners only (deploys and case moves are audited).
    **{
        (f"diagrams.{name}", method): lambda role, own: role == "process_owner"
        for name, method in (
            ("index", "GET"),
            ("form_index", "GET"),
            ("form_create", "POST"),
            ("form_edit", "GET"),
            ("form_check", "GET"),
            ("form_details", "POST"),
            ("form_move", "POST"),
            ("form_remove", "POST"),
            ("form_discard", "POST"),
            ("form_field", "GET"),
            ("form_field_save", "POST"),
            ("form_preview", "GET"),
            ("form_preview", "POST"),
            ("new_process", "GET"),
            ("new_process", "POST"),
            ("starts", "GET"),
            ("starts", "POST"),
            ("cases", "GET"),
            ("versions", "GET"),
            ("download", "GET"),
            ("diff", "GET"),
            ("migrate", "GET"),
            ("move", "POST"),
            ("undo", "POST"),
            ("edit", "GET"),
            ("validate", "POST"),
            ("save_draft", "POST"),
            ("discard_draft", "POST"),
            ("confirm_discard", "GET"),
            ("deploy", "POST"),
            ("upload", "POST"),
            ("upload_confirmed", "POST"),
            ("roll_back", "GET"),
            ("roll_back", "POST"),
            ("failures", "GET"),
            ("failure_counts", "GET"),
            ("retry_failures", "POST"),
        )
    },
    # Operations: no personal data; /metrics answers this machine or a bearer token only.
    ("health.healthz", "GET"): lambda role, own: True,
    ("health.readyz", "GET"): lambda role, own: True,
    ("health.metrics", "GET"): lambda role, own: True,
}

FIXED = {
    "filename": {
        "govuk_assets": "images/favicon.ico",
        "govuk_frontend": "govuk-frontend.min.css",
        "static": "app.css",
        "vendor": "bpmn-viewer.production.min.js",
    },
    "package": "bpmn-js",
    "action": "suspend",
}


def served_routes(app) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def url_for_case(app, endpoint: str, world: World, own: bool) -> str:
    ids = world.own if own else world.other
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {
        "child_id": ids.child_id,
        "instance_id": ids.instance_id,
        "task_id": ids.task_id,
        "item_id": ids.item_id,
        "message_id": world.message_id,
        "package": FIXED["package"],
        "action": "unlock" if endpoint == "admin.user_action" else FIXED["action"],
        "filename": FIXED["filename"].get(endpoint, ""),
        "conference_id": ids.conference_id,
        "report_id": ids.report_id,
        "file_id": ids.file_id,
        "person_id": ids.person_id,
        "token": ids.token,
        "link": ids.link,
        "letter_id": ids.letter_id,
        "kind": "agenda",
        "file_format": "docx",
        "process_id": "icpc",
        "version_id": world.version_id,
        "move_id": world.move_id,
        "user_id": world.user_id,
        "token_id": world.token_id,
        "team_id": world.team_id,
        "record_id": 1,
    }
    with app.test_request_context():
        from flask import url_for

        extra = {"key": "icpc_str_child"} if endpoint.startswith("dashboard.figure") else {}
        if endpoint.startswith("diagrams.form_"):
            extra = {"key": "icpc/hold_conference"}
        return url_for(endpoint, **{k: values[k] for k in rule.arguments}, **extra)


_SIGNED_IN: dict = {}


def client_as(app, role: str | None):
    """A fresh client holding the role's signed-in session (signed in once per app and role)."""
    client = app.test_client()
    if role is not None:
        key = (id(app), role)
        if key not in _SIGNED_IN:
            sign_in(client, ROLES[role])
            _SIGNED_IN[key] = client.get_cookie("session").value
        client.set_cookie("session", _SIGNED_IN[key])
    return client


def request_as(app, role, method: str, path: str, child_id: int, version_id: int = 0):
    client = client_as(app, role)
    if method == "GET":
        response = client.get(path)
    elif path.startswith("/api/"):
        response = client.post(path, json={"data": {}, "child_id": child_id})
    else:
        token = _token(client)
        # Enough for a route to reach its access check, not enough to change anything much.
        response = client.post(path, data={"csrf_token": token, "reason": "", "to": version_id})
    response.close()
    return response


def _token(client) -> str:
    html = client.get("/sign-in").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def allowed(response) -> bool:
    assert response.status_code != 500, response.get_data(as_text=True)[:300]
    if response.status_code in (401, 403, 404):
        return False
    location = response.headers.get("Location", "")
    return not (response.status_code == 302 and "/sign-in" in location)


COLUMNS = [None, *ROLES]


@pytest.fixture
def fresh(db, db_engine, clock, make_app, quick_password_hashing):
    """A new world and a new app (no caches from before) on emptied tables."""

    def make():
        db.expunge_all()
        empty_tables(db_engine)
        return build(db, Engine(clock=clock)), make_app()

    return make


def test_every_route_has_a_rule(app):
    missing = served_routes(app) - set(RULES)
    assert not missing, f"routes without an authorization rule: {sorted(missing)}"
    stale = set(RULES) - served_routes(app)
    assert not stale, f"rules for routes that no longer exist: {sorted(stale)}"


def test_authorization_matrix(fresh, capsys):
    """Reads share one world; each route that changes things gets a world of its own."""
    _SIGNED_IN.clear()
    rows, wrong = [], []
    world, app = fresh()
    for endpoint, method in sorted(RULES, key=lambda r: (r[1] != "GET", r)):
        if (endpoint, method) == ("auth.sign_out", "POST"):
            continue  # signing out is for everyone; it is tested in test_auth
        if method != "GET":
            world, app = fresh()
        for own in (True, False):
            path = url_for_case(app, endpoint, world, own)
            expected = {r: bool(RULES[endpoint, method](r, own)) for r in COLUMNS}
            # Denials first, on the untouched world; then the people allowed (who may change it).
            outcome = {}
            for role in sorted(COLUMNS, key=lambda r: (expected[r], str(r))):
                child_id = (world.own if own else world.other).child_id
                outcome[role] = allowed(
                    request_as(app, role, method, path, child_id, world.version_id)
                )
                if outcome[role] != expected[role]:
                    wrong.append((endpoint, method, "own" if own else "other", role, outcome[role]))
            rows.append((f"{method} {endpoint}", "own" if own else "other", outcome))
    with capsys.disabled():
        print_matrix(sorted(rows))
    assert not wrong, "\n".join(
        f"{e} {m} {c} as {r}: got {'allowed' if a else 'denied'}" for e, m, c, r, a in wrong
    )


def print_matrix(rows) -> None:
    heads = ["anon", *[k.split("_")[0][:6] for k in ROLES]]
    print("\nAuthorization matrix (Y allowed, . denied)")
    print(f"{'route':44} {'case':5} " + " ".join(f"{h:6}" for h in heads))
    for route, which, outcome in rows:
        cells = " ".join(f"{'Y' if outcome[r] else '.':6}" for r in COLUMNS)
        print(f"{route[:44]:44} {which:5} {cells}")

"""The OpenAPI document matches the routes, and generated requests never meet a server error."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from tests.factories import (
    deploy_processes,
    make_child,
    make_service_account,
    make_staff,
    make_token,
)
from webui.api.openapi import document

EXAMPLES_PER_OPERATION = 12


def api_routes(app) -> set[tuple[str, str]]:
    """(path in OpenAPI form, method) of every /api/v1 route of the app."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:[^:>]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            found |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_every_route_is_documented_and_every_documented_path_is_a_route(app):
    documented = {(path, method) for path, item in document()["paths"].items() for method in item}
    assert api_routes(app) == documented


def test_every_operation_says_who_may_call_it():
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            assert operation.get("x-access"), f"{method.upper()} {path} has no access rule"


def test_the_document_is_served_and_valid(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json["openapi"] == "3.1.0"


@pytest.fixture
def schema_and_token(app, db, web_engine):
    """A manager's token (it reaches the most code), a case with a running ICPC."""
    staff = make_staff(db)
    deploy_processes(db)
    make_service_account(db, "tm_sys", "team_manager", "social_worker", "business_support")
    child = make_child(db, web_engine, staff["sw"])
    from engine.casework import cases

    cases.start_conference(db, web_engine, staff["sw"], child.id)
    token = make_token(db, "tm_sys")
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), token


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_never_meet_a_server_error(schema_and_token, mode):
    schema, token = schema_and_token
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        check()
    assert failures == []

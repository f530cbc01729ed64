"""The OpenAPI 3.1 document of /api/v1, kept beside the routes it describes.

Each operation says who may call it in `x-access` (the rule the view applies through
engine/access/access.py and engine/workflow/permissions.py); tests check every route is here and
every path
here is a route, and run generated requests against it.
"""

from __future__ import annotations

import copy

from .openapi_schemas import ID, SCHEMAS

ERROR = {"$ref": "#/components/schemas/Error"}
INVALID = {"$ref": "#/components/schemas/Invalid"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _responses(ok: dict, ok_status: str = "200", *errors: str) -> dict:
    described = {
        "400": "The request cannot be carried out (the message says why)",
        "401": "No valid API token",
        "403": "The token's account may not do this",
        "404": "No such resource",
        "409": "Already done, or changed by someone else at the same moment",
        "415": "The body is not JSON",
        "422": "The request's fields are not valid (a message per field)",
    }
    responses = {ok_status: ok}
    for code in ("401", *errors):
        schema = INVALID if code == "422" else ERROR
        responses[code] = _json(schema, described[code])
    return responses


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _list(key: str, item: str) -> dict:
    return {
        "type": "object",
        "required": [key],
        "properties": {
            key: {"type": "array", "items": _ref(item)},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
        },
    }


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _path(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


INSTANCE_ID = _path("instance_id", ID)
CHILD_ID = _path("child_id", ID)
TASK_ID = _path("task_id", {"type": "string", "maxLength": 36})
PAGING = [
    _query("limit", {"type": "integer", "minimum": 1, "maximum": 500}, "At most this many"),
    _query("offset", {"type": "integer", "minimum": 0}, "Skip this many"),
]
JSON_BODY = "application/json"
SIGNED_IN = "any account with a valid token"
TASK_ACTION_ERRORS = ("403", "404", "409", "415")


def _post_task(summary: str, access: str, request: dict | None = None, ok=None) -> dict:
    operation = {
        "summary": summary,
        "x-access": access,
        "parameters": [TASK_ID],
        "responses": _responses(
            ok or _json(_ref("Task"), "The task as it now stands"),
            "200",
            "400",
            *TASK_ACTION_ERRORS,
            "422",
        ),
    }
    if request is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {JSON_BODY: {"schema": request}},
        }
    return {"post": operation}


PATHS = {
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "x-access": "public (holds no case data)",
            "security": [],
            "responses": {"200": _json({"type": "object"}, "The OpenAPI document")},
        }
    },
    "/api/v1/me": {
        "get": {
            "summary": "The account the token acts as",
            "x-access": SIGNED_IN,
            "responses": _responses(_json(_ref("Me"), "The account")),
        }
    },
    "/api/v1/processes": {
        "get": {
            "summary": "Deployed process definitions (latest version of each) and how each starts",
            "x-access": SIGNED_IN,
            "responses": _responses(_json(_list("processes", "Process"), "The processes")),
        }
    },
    "/api/v1/processes/{process_id}/versions": {
        "get": {
            "summary": "Every deployed version of a process, newest first",
            "x-access": SIGNED_IN,
            "parameters": [_path("process_id", {"type": "string", "maxLength": 64})],
            "responses": _responses(
                _json(_list("versions", "Version"), "The versions"), "200", "404"
            ),
        }
    },
    "/api/v1/instances": {
        "get": {
            "summary": "Process instances, newest first, filtered",
            "x-access": "managers and process owners (as the instance pages); only instances "
            "of children they may see (access.child_filter)",
            "parameters": [
                _query("process", {"type": "string", "maxLength": 64}, "Process id"),
                _query(
                    "status",
                    {"enum": ["running", "suspended", "completed", "terminated"]},
                    "Status",
                ),
                _query("overdue", {"enum": ["true", "false"]}, "Only with an overdue task"),
                _query("child_id", ID, "One child's"),
                *PAGING,
            ],
            "responses": _responses(
                _json(_list("instances", "Instance"), "The instances"), "200", "403", "422"
            ),
        },
        "post": {
            "summary": "Start a conference (icpc), a plan ending (end_plan) or a process the "
            "catalogue lets a child's page start, for a child",
            "x-access": "social workers and managers with full access to the child "
            "(engine/casework/cases.py: permissions.can_start and access.require_child)",
            "requestBody": {
                "required": True,
                "content": {JSON_BODY: {"schema": _ref("StartInstance")}},
            },
            "responses": _responses(
                _json(_ref("InstanceWithReadyTasks"), "The started instance"),
                "201",
                "400",
                "403",
                "404",
                "415",
                "422",
            ),
        },
    },
    "/api/v1/instances/{instance_id}": {
        "get": {
            "summary": "One instance with its tasks, timers and history",
            "x-access": "managers and process owners with access to the instance's child "
            "(access.require_instance)",
            "parameters": [INSTANCE_ID],
            "responses": _responses(
                _json(_ref("InstanceDetail"), "The instance"), "200", "403", "404"
            ),
        }
    },
    "/api/v1/tasks": {
        "get": {
            "summary": "Ready tasks: mine, my roles', both (the inbox), or one instance's",
            "x-access": "own inbox for any account; an instance's tasks need full access to "
            "its child (access.require_child)",
            "parameters": [
                _query("scope", {"enum": ["all", "mine", "role"]}, "Whose tasks"),
                _query("instance_id", ID, "One instance's"),
                *PAGING,
            ],
            "responses": _responses(
                _json(_list("tasks", "Task"), "The tasks"), "200", "403", "404", "422"
            ),
        }
    },
    "/api/v1/tasks/{task_id}": {
        "get": {
            "summary": "One task and the definition of its form",
            "x-access": "who may complete it (permissions.can_complete), or anyone with "
            "access to its case (access.require_instance)",
            "parameters": [TASK_ID],
            "responses": _responses(_json(_ref("TaskWithForm"), "The task"), "200", "403", "404"),
        }
    },
    "/api/v1/tasks/{task_id}/claim": _post_task(
        "Take an unassigned task of one of your roles",
        "holders of the task's role with access to its case (permissions.can_complete, "
        "access.require_instance)",
    ),
    "/api/v1/tasks/{task_id}/unclaim": _post_task(
        "Hand a task you hold back to its role's pool",
        "the assignee who claimed it from the pool (a task given by the diagram or a manager "
        "stays theirs), with access to its case",
    ),
    "/api/v1/tasks/{task_id}/assign": _post_task(
        "Give a task to a named holder of its role (null: back to the pool)",
        "managers (permissions.can_assign) with full access to the task's child",
        _ref("Assign"),
    ),
    "/api/v1/tasks/{task_id}/complete": _post_task(
        "Complete a task with data, validated by its form",
        "the assignee, or while unassigned a holder of its role (permissions.can_complete), "
        "as on the task page",
        _ref("Complete"),
        _json(_ref("InstanceWithReadyTasks"), "The instance after the step"),
    ),
    "/api/v1/children": {
        "get": {
            "summary": "Children whose records the account may see",
            "x-access": "any account; filtered by access.child_filter",
            "parameters": PAGING,
            "responses": _responses(
                _json(_list("children", "Child"), "The children"), "200", "422"
            ),
        }
    },
    "/api/v1/children/{child_id}": {
        "get": {
            "summary": "The case summary (an invited professional sees the conferences only)",
            "x-access": "access to the child (access.require_child); full or invited level",
            "parameters": [CHILD_ID],
            "responses": _responses(_json(_ref("CaseSummary"), "The case"), "200", "403", "404"),
        }
    },
    "/api/v1/children/{child_id}/conferences": {
        "get": {
            "summary": "The child's conferences",
            "x-access": "access to the child (access.require_child), either level",
            "parameters": [CHILD_ID],
            "responses": _responses(
                _json(_list("conferences", "Conference"), "The conferences"),
                "200",
                "403",
                "404",
            ),
        }
    },
    "/api/v1/children/{child_id}/plans": {
        "get": {
            "summary": "The child's protection plans, their actions and core group meetings",
            "x-access": "full access to the child (access.require_child, Level.FULL)",
            "parameters": [CHILD_ID],
            "responses": _responses(
                _json(_list("plans", "Plan"), "The plans"), "200", "403", "404"
            ),
        }
    },
    "/api/v1/children/{child_id}/ahead": {
        "get": {
            "summary": "Every statutory date ahead for the child's current plan, projected from "
            "the deployed diagrams and the council's settings",
            "x-access": "full access to the child (access.require_child, Level.FULL)",
            "parameters": [
                CHILD_ID,
                _query(
                    "review_on",
                    {"type": "string", "format": "date"},
                    "What if the next review were held on this date (within five years of today)",
                ),
            ],
            "responses": _responses(
                _json(
                    {
                        "type": "object",
                        "required": ["review_on", "dates"],
                        "properties": {
                            "review_on": {"type": ["string", "null"], "format": "date"},
                            "dates": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["date", "what", "projected"],
                                    "properties": {
                                        "date": {"type": "string", "format": "date"},
                                        "what": {"type": "string"},
                                        "projected": {"type": "boolean"},
                                    },
                                },
                            },
                        },
                    },
                    "The dates ahead, earliest first",
                ),
                "200",
                "403",
                "404",
                "422",
            ),
        }
    },
    "/api/v1/census/child-protection-plans": {
        "get": {
            "summary": "CIN census: child protection plans open in a census year (1 April to "
            "31 March, named by the year it ends)",
            "x-access": "managers (permissions.can_manage_instances); only children they may "
            "see (access.child_filter)",
            "parameters": [
                _query(
                    "year",
                    {"type": "integer", "minimum": 2000, "maximum": 9999},
                    "Census year (default: the current one)",
                ),
            ],
            "responses": _responses(
                _json(_ref("Census"), "The plan items"), "200", "400", "403", "422"
            ),
        }
    },
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Child protection conferences API",
        "version": "1",
        "description": "Processes, instances, tasks and cases, with the same access rules as "
        "the pages. Authenticate with a service account's token: `Authorization: Bearer "
        "<token>` (made by `cpc token create`). Send JSON; errors are "
        '`{"error": …, "status": …}`, and 422 adds `fields`.',
    },
    "servers": [{"url": "/"}],
    "security": [{"token": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        "schemas": SCHEMAS,
    },
}


def document() -> dict:
    """A copy to serve: nothing downstream can alter the module's document."""
    return copy.deepcopy(DOCUMENT)

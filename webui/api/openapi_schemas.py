"""The schemas of the OpenAPI document: the JSON the API takes and gives (`shapes.py`)."""

from __future__ import annotations

ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
CENSUS_CHILD = {
    "child_reference": {"type": "string"},
    "date_of_birth": NULLABLE_DATE,
    "expected_date_of_birth": NULLABLE_DATE,
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
    },
    "Invalid": {
        "type": "object",
        "required": ["error", "fields"],
        "properties": {
            "error": {"type": "string"},
            "status": {"type": "integer"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "Me": {
        "type": "object",
        "properties": {
            "username": {"type": "string"},
            "display_name": {"type": "string"},
            "roles": {"type": "array", "items": {"type": "string"}},
            "team": NULLABLE_STRING,
            "manages_teams": {"type": "array", "items": {"type": "string"}},
            "service_account": {"type": "boolean"},
        },
    },
    "Version": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "process_id": {"type": "string"},
            "name": {"type": "string"},
            "content_hash": {"type": "string"},
            "deployed_at": {"type": "string", "format": "date-time"},
            "deployed_by": {"type": "string"},
        },
    },
    "Process": {
        "allOf": [
            {"$ref": "#/components/schemas/Version"},
            {
                "type": "object",
                "required": ["started"],
                "properties": {
                    "started": {
                        "enum": ["child", "diagram", "retired"],
                        "description": (
                            "child: POST /api/v1/instances starts it for a child; diagram: "
                            "only another diagram's step starts it; retired: nothing may"
                        ),
                    }
                },
            },
        ]
    },
    "Task": {
        "type": "object",
        "required": ["id", "instance_id", "task", "title", "state"],
        "properties": {
            "id": {"type": "string"},
            "instance_id": {"type": "integer"},
            "case_reference": {"type": "string"},
            "task": {"type": "string"},
            "title": {"type": "string"},
            "role": NULLABLE_STRING,
            "assignee": NULLABLE_STRING,
            "due_on": NULLABLE_DATE,
            "state": {"enum": ["ready", "completed", "cancelled"]},
            "form": NULLABLE_STRING,
            "created_at": {"type": "string", "format": "date-time"},
            "completed_at": NULLABLE_TIME,
            "completed_by": NULLABLE_STRING,
        },
    },
    "TaskWithForm": {
        "allOf": [
            _ref("Task"),
            {
                "type": "object",
                "properties": {
                    "form_definition": {
                        "type": ["object", "null"],
                        "description": "The fields `data` must carry to complete the task",
                    }
                },
            },
        ]
    },
    "Instance": {
        "type": "object",
        "required": ["id", "reference", "process_id", "status"],
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "process_id": {"type": "string"},
            "version_id": {"type": "integer"},
            "status": {"enum": ["running", "suspended", "completed", "terminated"]},
            "child_id": {"type": ["integer", "null"]},
            "started_at": {"type": "string", "format": "date-time"},
            "ended_at": NULLABLE_TIME,
            "next_timer_at": NULLABLE_TIME,
        },
    },
    "InstanceWithReadyTasks": {
        "allOf": [
            _ref("Instance"),
            {
                "type": "object",
                "required": ["ready_tasks"],
                "properties": {"ready_tasks": {"type": "array", "items": _ref("Task")}},
            },
        ]
    },
    "InstanceDetail": {
        "allOf": [
            _ref("Instance"),
            {
                "type": "object",
                "properties": {
                    "tasks": {"type": "array", "items": _ref("Task")},
                    "timers": {"type": "array", "items": {"type": "object"}},
                    "history": {"type": "array", "items": {"type": "object"}},
                },
            },
        ]
    },
    "StartInstance": {
        "type": "object",
        "required": ["child_id"],
        "properties": {
            "process_id": {
                "type": "string",
                "default": "icpc",
                "description": "icpc (a conference), end_plan (a plan ending), or the id of "
                "a process the catalogue lets a child's page start and that is not retired "
                "(GET /api/v1/processes lists the deployed ones); any other is refused with 400",
            },
            "child_id": ID,
            "conference_type": {"enum": ["icpc", "pre_birth", "transfer_in"], "default": "icpc"},
        },
    },
    "Assign": {
        "type": "object",
        "required": ["username"],
        "properties": {"username": NULLABLE_STRING},
    },
    "Complete": {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {
                "type": "object",
                "description": "The form's fields by name: dates as YYYY-MM-DD, yes/no as "
                "booleans, checkboxes as arrays, lists as arrays of objects",
            }
        },
    },
    "Child": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "given_name": {"type": "string"},
            "family_name": {"type": "string"},
            "date_of_birth": NULLABLE_DATE,
            "expected_date_of_birth": NULLABLE_DATE,
            "social_worker": NULLABLE_STRING,
        },
    },
    "Conference": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string"},
            "due_on": {"type": "string", "format": "date"},
            "held_on": NULLABLE_DATE,
            "decision": NULLABLE_STRING,
            "category": NULLABLE_STRING,
        },
    },
    "Plan": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "started_on": {"type": "string", "format": "date"},
            "ended_on": NULLABLE_DATE,
            "initial_category": {"type": "string"},
            "latest_category": {"type": "string"},
            "previous_plans": {"type": "integer"},
        },
    },
    "CaseSummary": {
        "type": "object",
        "required": ["child", "access", "conferences"],
        "properties": {
            "child": _ref("Child"),
            "access": {"enum": ["full", "invited"]},
            "conferences": {"type": "array", "items": _ref("Conference")},
            "plans": {"type": "array", "items": _ref("Plan")},
            "people": {"type": "array", "items": {"type": "object"}},
            "late_steps": {"type": "array", "items": {"type": "object"}},
            "instances": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Census": {
        "type": "object",
        "properties": {
            "census_year": {"type": "integer"},
            "period_start": {"type": "string", "format": "date"},
            "period_end": {"type": "string", "format": "date"},
            "section47": {
                "type": "array",
                "items": {
                    "type": "object",
                    "description": "A CIN census Section47 group: an enquiry that started in "
                    "the year or whose conference was held in it.",
                    "properties": {
                        **CENSUS_CHILD,
                        "s47_start_date": {"type": "string", "format": "date"},
                        "icpc_target_date": NULLABLE_DATE,
                        "icpc_date": NULLABLE_DATE,
                        "icpc_not_required": {"type": "boolean"},
                    },
                },
            },
            "plans": {
                "type": "array",
                "items": {
                    "type": "object",
                    "description": "A CIN census ChildProtectionPlans group: a plan open on "
                    "any day of the year, with the reviews held in it.",
                    "properties": {
                        **CENSUS_CHILD,
                        "cpp_start_date": {"type": "string", "format": "date"},
                        "cpp_end_date": NULLABLE_DATE,
                        "initial_category_of_abuse": {"type": "string"},
                        "latest_category_of_abuse": {"type": "string"},
                        "number_of_previous_cpp": {"type": "integer", "minimum": 0},
                        "review_dates": {
                            "type": "array",
                            "items": {"type": "string", "format": "date"},
                        },
                    },
                },
            },
        },
    },
}

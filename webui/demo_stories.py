"""Who the demo's people are and each child's story: the steps it takes, on which working day
after it starts, with which answers (played by `demo_playing`; `make run` only).
"""

from __future__ import annotations

from engine.models.conferences import agency_label

PASSWORD = "demo"
USERS = [
    ("sw1", "Sam Taylor", ["social_worker"], "North"),
    ("sw2", "Priya Shah", ["social_worker"], "North"),
    ("tm1", "Alex Morgan", ["team_manager"], "North"),
    ("sm1", "Jordan Lee", ["service_manager"], None),
    ("chair1", "Chris Evans", ["conference_chair"], None),
    ("chair2", "Dana Okafor", ["conference_chair"], None),
    ("bs1", "Pat Hughes", ["business_support"], None),
    ("police1", "Robin Hall", ["agency_professional"], None),
    ("po1", "Morgan Blake", ["process_owner"], None),
    ("admin", "Casey Admin", ["administrator"], None),
]
FAMILY = [
    {
        "name": "Parent One",
        "relationship": "Mother",
        "communication_needs": "Polish interpreter; letters in large print",
    }
]
AGENCIES = [
    {"agency": "police", "name": "Robin Hall", "username": "police1"},
    {"agency": "health_visitor", "name": "Jo Green", "email": "hv@example.invalid"},
]
WHO = {
    "record_strategy_discussion": "social_worker",
    "record_transfer_notification": "social_worker",
    "social_worker_report": "social_worker",
    "parent_report": "social_worker",
    "core_group_meeting": "social_worker",
    "record_plan_ending": "social_worker",
    "chair_pre_contact": "chair1",
    "decide_requests": "chair1",
    "hold_conference": "chair1",
    "hold_review": "chair1",
}
SAMPLE_TEXT = "Recorded for the demonstration."


def to_plan(category="NEG"):
    """The steps from strategy discussion to a plan with its first core group (working days)."""
    return [
        (0, "record_strategy_discussion", {"outcome": "icpc"}),
        (2, "book_conference", {"conference_date": 12}),
        (3, "send_invitations", {"family": FAMILY, "agencies": AGENCIES}),
        (8, "agency_report", {}),
        (8, "agency_report", {}),
        (10, "social_worker_report", {}),
        (11, "chair_pre_contact", {}),
        (12, "hold_conference", {"decision": "cp_plan", "category": category, **came()}),
        (13, "decision_letter", {}),
        (20, "send_minutes", {}),
        (21, "core_group_meeting", {}),
    ]


def _parents_report_asked():
    """Up to the invitations, with the parents' own report asked for (sent by link)."""
    steps = to_plan()[:3]
    offset, name, answers = steps[2]
    return [*steps[:2], (offset, name, {**answers, "parent_report_expected": True})]


# A father the chair keeps apart: the mother's address withheld from him, and the police
# report discussed without him. The social worker asks; the chair agrees both before the day.
FATHER = {"name": "Parent Two", "relationship": "Father"}
REQUESTS = [
    {
        "kind": "withhold",
        "details": "Parent One has moved to a refuge; Parent Two must not learn the address.",
        "person": "Parent One",
        "field": "address",
        "withheld_from": "Parent Two",
    },
    {
        "kind": "exclude",
        "details": "Parent Two has threatened Parent One; the police ask to speak without him.",
        "person": "Parent Two",
    },
]
DECISIONS = [
    {**REQUESTS[0], "decision": "agreed", "reason": "Risk of harm to the mother and child."},
    {
        **REQUESTS[1],
        "decision": "agreed",
        "reason": "The police information could not be shared safely with him present.",
        "excluded_from": "The police report and the discussion of it",
    },
]
MOTHER_ADDRESS = "Flat 2, Refuge House, 8 Quiet Lane, Northtown"
# The police report and a passage of the social worker's report withheld from the father
# too: his copies of the documents and his family link leave them out.
GROUP = "Parent One goes to a support group at the Northtown family centre on Thursdays"
MORE_REQUESTS = [
    {
        "kind": "withhold",
        "details": "The police report names a third party.",
        "field": "report",
        "report": "Robin Hall",
        "withheld_from": "Parent Two",
    },
    {
        "kind": "withhold",
        "details": "The support group would tell Parent Two where she is each week.",
        "field": "passage",
        "passage": GROUP,
        "withheld_from": "Parent Two",
    },
]
# Who made the referral withheld from the whole family in one step: "all family members"
# covers both parents, and anyone in the family added to the case later.
REFERRER = "The referral came from the neighbour at number 14"
MORE_REQUESTS.append(
    {
        "kind": "withhold",
        "details": "The neighbour who called us must not be identifiable to the family.",
        "field": "passage",
        "passage": REFERRER,
        "withheld_from": "all family members",
    }
)
MORE_DECISIONS = [
    {**r, "decision": "agreed", "reason": "Risk of harm to the mother and child."}
    for r in MORE_REQUESTS[:2]
] + [{**MORE_REQUESTS[2], "decision": "agreed", "reason": "Risk of harm to the referrer."}]


def _with_requests(steps):
    """The steps to a plan, with a father invited and five requests agreed by the chair."""
    changed = []
    for offset, task_spec, overrides in steps:
        if task_spec == "send_invitations":
            addresses = [
                {**FAMILY[0], "address": MOTHER_ADDRESS.replace(", ", "\n")},
                {**FATHER, "address": "27 Mill Street\nSouthtown ST4 1AA"},
            ]
            overrides = {**overrides, "family": addresses}
        elif task_spec == "social_worker_report":
            summary = f"Home visits show warm care. {GROUP}, and it helps her. {REFERRER}."
            requests = [*REQUESTS, *MORE_REQUESTS]
            overrides = {**overrides, "report_summary": summary, "requests": requests}
        elif task_spec == "hold_conference":
            overrides = {**overrides, **came((*FAMILY, FATHER, *AGENCIES))}
        changed.append((offset, task_spec, overrides))
        if task_spec == "social_worker_report":
            decisions = [*DECISIONS, *MORE_DECISIONS]
            changed.append((offset, "decide_requests", {"requests": decisions}))
    return changed


def _actions(offset: int):
    return [
        {"what": "Weekly home visits", "who": "Social worker", "by_when": offset + 40},
        {"what": "Attend parenting course", "who": "Parent One", "by_when": offset + 30},
    ]


def came(people=(*FAMILY, *AGENCIES), **changes) -> dict:
    """The chair's attendance answers: everyone invited there in person, children's social
    care too, but for those named by first name (`Parent="apologies"`)."""
    rows = []
    for person in people:
        what = person.get("relationship") or agency_label(person["agency"])
        how = changes.get(person["name"].split()[0], "attended")
        row = {"name": f"{person['name']} ({what})", "attendance": how}
        rows.append({**row, "core_group": how == "attended"})
    return {
        "social_care_attended": True,
        "attendance": rows,
        **_DECIDED,
        "plan_actions": _actions(12),
    }


_DECIDED = {
    "decision_reasons": "The harm is likely to continue without a plan; the family accept help.",
    "plan_outcomes": "The child's health and daily care needs are met every day.",
}


# Jack's conference was booked late (the reason is the late reason's first draft) and went
# ahead with only the police there: the chair says why.
JACK_LATE = "No chair was free within the 15 working days; the first free date was taken."
_BELOW_QUORUM = {
    **came((*FAMILY, *AGENCIES[:1])),
    "quorum_reason": "The health visitor sent a full report and the risk of harm is too high "
    "to wait for another date.",
}


def _review(at: int, decision: str, category: str | None = "NEG"):
    """Book a review `at - 24` working days, hold it at `at`, letter and minutes after."""
    held = {"decision": decision, **came(Parent="apologies"), "plan_actions": _actions(at)}
    if category:
        held["category"] = category
    return [
        (at - 24, "book_conference", {"conference_date": at}),
        (at - 23, "send_invitations", {"family": FAMILY, "agencies": AGENCIES}),
        (at - 4, "social_worker_report", {}),
        (at, "hold_review", held),
        (at + 1, "decision_letter", {}),
        (at + 5, "send_minutes", {}),
    ]


def _core_groups(first: int, until: int):
    """A core group about every six weeks (28 working days, inside the interval) until `until`."""
    return [(day, "core_group_meeting", {}) for day in range(first, until, 28)]


# (given, family, born or None, expected birth in days or None, worker, started wd ago,
#  conference type, steps)
STORIES = [
    ("Amara", "Okoye", "2016-04-11", None, "sw1", 1, "icpc", []),
    ("Ben", "Carter", "2019-09-02", None, "sw1", 4, "icpc", to_plan()[:1]),
    ("Chloe", "Carter", "2021-01-23", None, "sw1", 4, "icpc", to_plan()[:1]),
    ("Daniel", "Novak", "2012-07-30", None, "sw2", 9, "icpc", _parents_report_asked()),
    ("Ella", "Price", "2018-02-14", None, "sw2", 22, "icpc", to_plan()[:1]),
    (
        "Jack",
        "Mills",
        "2017-06-19",
        None,
        "sw2",
        20,
        "icpc",
        [
            (0, "record_strategy_discussion", {"outcome": "icpc"}),
            (14, "book_conference", {"conference_date": 17, "booking_reason": JACK_LATE}),
            (14, "send_invitations", {"family": FAMILY, "agencies": AGENCIES[:1]}),
            (17, "hold_conference", {"decision": "cp_plan", "category": "PHY", **_BELOW_QUORUM}),
        ],
    ),
    ("Finn", "Walsh", "2015-11-05", None, "sw1", 45, "icpc", _with_requests(to_plan())),
    (
        "Grace",
        "Adams",
        "2014-03-08",
        None,
        "sw1",
        150,
        "icpc",
        sorted(
            to_plan() + _core_groups(49, 150) + _review(74, "continue", "EMO"),
            key=lambda step: step[0],
        ),
    ),
    (
        "Harry",
        "Brown",
        "2013-10-21",
        None,
        "sw2",
        100,
        "icpc",
        sorted(
            to_plan() + _core_groups(49, 74) + _review(74, "end_cin", None),
            key=lambda step: step[0],
        ),
    ),
    (
        "Isla",
        "Khan",
        "2011-05-02",
        None,
        "sw2",
        3,
        "transfer_in",
        [(0, "record_transfer_notification", {})],
    ),
    ("Baby", "Jones", None, 100, "sw1", 5, "pre_birth", to_plan()[:3]),
    # A first review booked for two working days ahead: its chair's form starts from where
    # the initial conference left things (its map and the plan's actions).
    (
        "Kai",
        "Turner",
        "2016-09-12",
        None,
        "sw1",
        62,
        "icpc",
        sorted(
            to_plan() + _core_groups(49, 62) + _review(64, "continue")[:3],
            key=lambda step: step[0],
        ),
    ),
]


def census_stories() -> list[tuple]:
    """What the census return needs besides conferences: an enquiry that found no
    conference needed (the census says "ICPC not required")."""
    reason = "The family accepted help; no risk of significant harm was found."
    decided = {"outcome": "no_conference", "no_conference_reason": reason}
    steps = [(0, "record_strategy_discussion", decided)]
    return [("Nia", "Cole", "2015-02-03", None, "sw1", 20, "icpc", steps)]

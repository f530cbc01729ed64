"""bench/complete.py's long cases: does step 100 take longer than step 5?

Two shapes, through the API: a child's plan, the product's long-running case (its core group
meetings, each a short instance the diagrams chain), and one instance whose task loops (its
tree keeps every finished task, so it grows by design). Kept out of the script, which
measures the short ones, so each module holds one idea.
"""

from __future__ import annotations

from bench.support.figures import median_growth
from bench.support.server import Client
from engine.platform.clock import Clock

TODAY = Clock().today().isoformat()

HOLD_CONFERENCE = {
    "held_date": TODAY,
    "social_care_attended": True,
    "attendance": [
        {"name": name, "attendance": "attended"}
        for name in (
            "Grace Okoye",
            "Daniel Reid",
            "DC Robin Hall",
            "Ms Patel, designated safeguarding lead",
        )
    ],
    "harm": "Physical harm: bruising consistent with being hit with a belt. " * 5,
    "strengths": "Grace engages with the social worker and wants support. " * 5,
    "safety": "Daniel Reid has moved out and agreed not to return while enquiries go on. " * 3,
    "child_views": "Amara says she feels safer now and wants to stay at her school.",
    "parent_views": "Grace accepts the concerns and agrees to a plan.",
    "safety_plan": "Daniel Reid not to have unsupervised contact; school to report concerns. " * 3,
    "decision": "cp_plan",
    "category": "PHY",
    "decision_reasons": "Physical harm is likely to recur without a plan.",
    "lead_social_worker": "sw_sys",
    "plan_outcomes": "Amara is safe at home and at school.",
}


def plan_growth(port: int, secrets: dict, child_ids: list, meetings: int, icpc_steps) -> dict:
    """The product's long-running case, once for each child: their plan (the `icpc_steps` of
    bench/complete.py up to the conference) and its core group meetings (each its own short
    instance, as the diagrams chain them) completed one after another."""
    return median_growth([_plan(port, secrets, c, meetings, icpc_steps) for c in child_ids])


def loop_growth(port: int, secrets: dict, loop_ids: list, steps: int) -> dict:
    """One instance whose task loops `steps` times, for each of `loop_ids`."""
    return median_growth([_loop(port, secrets, loop_id, steps) for loop_id in loop_ids])


def _plan(port: int, secrets: dict, child_id: int, meetings: int, icpc_steps) -> list[float]:
    clients = {k: Client(port, s) for k, s in secrets.items()}
    instance, _ = clients["sw"].ok("POST", "/api/v1/instances", {"child_id": child_id})
    # Booked for today: a conference cannot be recorded as held before the day it was booked
    # (with a reason, in case today is not a working day).
    booking = {**icpc_steps[1][2], "conference_date": TODAY, "booking_reason": "Held at once"}
    booked_today = ("book_conference", "bs", booking)
    steps = [
        icpc_steps[0],
        booked_today,
        icpc_steps[2],
        ("hold_conference", "chair", HOLD_CONFERENCE),
    ]
    for spec, who, data in steps:
        task = next(t for t in instance["ready_tasks"] if t["task"] == spec)
        instance, _ = clients[who].ok(
            "POST", f"/api/v1/tasks/{task['id']}/complete", {"data": data}
        )
    times = []
    for n in range(meetings):
        mine, _ = clients["sw"].ok("GET", "/api/v1/tasks?scope=mine&limit=500")
        task = next(t for t in mine["tasks"] if t["task"] == "core_group_meeting")
        answers = {
            "core_group_date": TODAY,
            "core_group_attendees": "Grace Okoye, DC Robin Hall, Ms Patel, social worker",
            "core_group_progress": f"Meeting {n + 1}: the plan's actions are on track. " * 4,
        }
        _, elapsed = clients["sw"].ok(
            "POST", f"/api/v1/tasks/{task['id']}/complete", {"data": answers}
        )
        times.append(elapsed)
    return times


def _loop(port: int, secrets: dict, loop_id: int, steps: int) -> list[float]:
    client = Client(port, secrets["sw"])
    listed, _ = client.ok("GET", "/api/v1/tasks?scope=role&limit=500")
    task = next(t for t in listed["tasks"] if t["instance_id"] == loop_id)
    times = []
    for n in range(steps):
        instance, elapsed = client.ok(
            "POST", f"/api/v1/tasks/{task['id']}/complete", {"data": {"visit": n, "stop": False}}
        )
        times.append(elapsed)
        task = instance["ready_tasks"][0]
    return times

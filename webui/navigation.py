"""What every page template knows: the service, the signed-in user, the navigation."""

from __future__ import annotations

from flask import Flask, g, request, url_for

from engine.documents import print_queue
from engine.platform import settings as council
from engine.workflow import permissions


def _nav_items():
    user = g.get("user")
    if user is None:
        return []
    items = [("Your tasks", "inbox.index"), ("Children", "cases.index")]
    if permissions.can_see_all_instances(user):
        items.append(("Process instances", "instances.index"))
    if permissions.can_deploy(user):
        items.append(("Diagrams", "diagrams.index"))
    if print_queue.can_print(user):
        items.append(("Print queue", "print_queue.index"))
    if permissions.can_view_dashboard(user):
        items.append(("Dashboard", "dashboard.index"))
    if permissions.can_manage_instances(user):
        items.append(("Feedback", "feedback.summary"))  # the summary is for managers
        items.append(("Scheduler", "scheduler.index"))
    if permissions.can_read_audit(user):
        items.append(("Audit trail", "audit.index"))
        items.append(("Retention", "retention.index"))
    if permissions.can_administer(user):
        items.append(("Administration", "admin.index"))
    return [
        {
            "href": url_for(endpoint),
            "text": text,
            "active": request.endpoint is not None
            and request.endpoint.split(".")[0] == endpoint.split(".")[0],
        }
        for text, endpoint in items
    ]


def init_app(app: Flask) -> None:
    @app.context_processor
    def page_globals():
        return {
            "service_name": app.config["SERVICE_NAME"],
            "council_name": council.get("council_name"),
            "council_contact": {
                "phone": council.get("council_phone"),
                "email": council.get("council_email"),
            },
            "current_user": g.get("user"),
            "nav_items": _nav_items(),
            "council_phone": council.get("council_phone"),
        }

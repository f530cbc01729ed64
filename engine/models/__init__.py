"""Storage models, split by aggregate; each module holds the queries that read its tables."""

from .audit import AuditEvent
from .base import Base
from .conferences import CasePerson, Conference, ConferenceRequest, Invitation, Report
from .instances import HumanTask, ProcessInstance
from .outbox import OutboxMessage
from .people import Child, User, UserRole
from .plans import CoreGroupMeeting, Plan, PlanAction
from .processes import ProcessVersion
from .timeliness import Escalation, LateStep

__all__ = [
    "AuditEvent",
    "Base",
    "CasePerson",
    "Child",
    "Conference",
    "ConferenceRequest",
    "CoreGroupMeeting",
    "Escalation",
    "HumanTask",
    "Invitation",
    "LateStep",
    "OutboxMessage",
    "Plan",
    "PlanAction",
    "ProcessInstance",
    "ProcessVersion",
    "Report",
    "User",
    "UserRole",
]

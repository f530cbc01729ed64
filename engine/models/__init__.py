"""Storage models, split by aggregate; each module holds the queries that read its tables."""

from .audit import AuditEvent
from .base import Base
from .conferences import CasePerson, Conference, ConferenceRequest, Invitation, Report
from .instances import HumanTask, ProcessInstance
from .outbox import OutboxAttempt, OutboxMessage
from .people import Child, User, UserRole
from .plans import CoreGroupMeeting, Plan, PlanAction
from .processes import ProcessVersion
from .scheduler import ScheduledRun, SchedulerProcess
from .timeliness import Escalation, LateStep
from .timers import Timer

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
    "OutboxAttempt",
    "OutboxMessage",
    "Plan",
    "PlanAction",
    "ProcessInstance",
    "ProcessVersion",
    "Report",
    "ScheduledRun",
    "SchedulerProcess",
    "Timer",
    "User",
    "UserRole",
]

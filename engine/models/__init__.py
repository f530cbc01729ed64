"""Storage models, split by aggregate; each module holds the queries that read its tables."""

# Every session refuses over-long text before it flushes, wherever the models are used.
from .. import lengths  # noqa: F401
from .audit import AuditEvent
from .base import Base
from .conferences import CasePerson, Conference, ConferenceRequest, Invitation, Report
from .diagrams import DiagramDraft, InstanceMove
from .documents import DocumentRecord, FamilyLink, FeedbackResponse, ReportFile
from .drafts import TaskDraft
from .instances import HumanTask, ProcessInstance
from .outbox import OutboxAttempt, OutboxMessage
from .people import Child, User, UserRole
from .plans import CoreGroupMeeting, Plan, PlanAction
from .processes import ProcessVersion
from .scheduler import ScheduledRun, SchedulerProcess
from .timeliness import Escalation, LateStep
from .timers import Timer
from .tokens import ApiToken
from .withholding import WithheldItem

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "CasePerson",
    "Child",
    "Conference",
    "ConferenceRequest",
    "CoreGroupMeeting",
    "DocumentRecord",
    "DiagramDraft",
    "Escalation",
    "FamilyLink",
    "FeedbackResponse",
    "HumanTask",
    "InstanceMove",
    "Invitation",
    "LateStep",
    "OutboxAttempt",
    "OutboxMessage",
    "Plan",
    "PlanAction",
    "ProcessInstance",
    "ProcessVersion",
    "Report",
    "ReportFile",
    "ScheduledRun",
    "SchedulerProcess",
    "TaskDraft",
    "Timer",
    "User",
    "UserRole",
    "WithheldItem",
]

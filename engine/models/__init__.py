"""Storage models, split by aggregate; each module holds the queries that read its tables."""

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.models import lengths
from engine.models.audit import AuditEvent, refuse_changes
from engine.models.base import Base
from engine.models.catalogue import CatalogueEntry
from engine.models.conferences import CasePerson, Conference, ConferenceRequest, Invitation, Report
from engine.models.council_settings import SettingsVersion
from engine.models.diagrams import DiagramDraft, InstanceMove
from engine.models.documents import DocumentRecord, FamilyLink, FeedbackResponse, ReportFile
from engine.models.drafts import TaskDraft
from engine.models.enquiries import Section47Enquiry
from engine.models.families import ConferenceGroup, Family
from engine.models.forms import DiagramFormPin, FormDraft, FormVersion
from engine.models.instances import HumanTask, ProcessInstance
from engine.models.outbox import OutboxAttempt, OutboxMessage
from engine.models.people import Child, User, UserRole
from engine.models.plans import CoreGroupMeeting, Plan, PlanAction
from engine.models.processes import ProcessVersion
from engine.models.professional_links import PostedLetter, ProfessionalLink
from engine.models.scheduler import ScheduledRun, SchedulerProcess
from engine.models.sign_ins import SignInFailure, UserSession
from engine.models.teams import Team
from engine.models.timeliness import Escalation, LateStep
from engine.models.timers import Timer
from engine.models.tokens import ApiToken
from engine.models.withholding import WithheldItem
from engine.platform import db

# What every session checks before it flushes: audit rows are never changed, text fits its column.
FLUSH_GUARDS = (refuse_changes, lengths.refuse_too_long)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """The one way sessions are made: the platform's factory with the models' flush guards."""
    return db.make_session_factory(engine, before_flush=FLUSH_GUARDS)


__all__ = [
    "FLUSH_GUARDS",
    "make_session_factory",
    "ApiToken",
    "AuditEvent",
    "Base",
    "SignInFailure",
    "UserSession",
    "CasePerson",
    "CatalogueEntry",
    "Child",
    "Conference",
    "ConferenceGroup",
    "ConferenceRequest",
    "CoreGroupMeeting",
    "DocumentRecord",
    "DiagramDraft",
    "DiagramFormPin",
    "Escalation",
    "Family",
    "FamilyLink",
    "FeedbackResponse",
    "FormDraft",
    "FormVersion",
    "HumanTask",
    "InstanceMove",
    "Invitation",
    "LateStep",
    "OutboxAttempt",
    "OutboxMessage",
    "Plan",
    "PostedLetter",
    "PlanAction",
    "ProcessInstance",
    "ProcessVersion",
    "ProfessionalLink",
    "Report",
    "ReportFile",
    "Section47Enquiry",
    "ScheduledRun",
    "SettingsVersion",
    "Team",
    "SchedulerProcess",
    "TaskDraft",
    "Timer",
    "User",
    "UserRole",
    "WithheldItem",
]

"""Storage models, split by aggregate; each module holds the queries that read its tables."""

from .audit import AuditEvent
from .base import Base
from .instances import HumanTask, ProcessInstance
from .people import Child, User, UserRole
from .processes import ProcessVersion

__all__ = [
    "AuditEvent",
    "Base",
    "Child",
    "HumanTask",
    "ProcessInstance",
    "ProcessVersion",
    "User",
    "UserRole",
]

"""Errors the engine raises for callers to turn into clear messages (never a crash page)."""

from __future__ import annotations


class EngineError(Exception):
    """Base class: the message is fit to show to the person who caused it."""


class NotFound(EngineError):
    pass


class TaskNotFound(NotFound):
    """No task has the id asked for (a page may say more than the API does)."""


class NotAllowed(EngineError):
    pass


class Problem(str):
    """One validation problem: its message, and the diagram element at fault when known.

    A `str`, so messages read and compare as before; the editor puts `element` on the canvas.
    """

    element: str | None

    def __new__(cls, message: str, element: str | None = None):
        problem = super().__new__(cls, message)
        problem.element = element
        return problem


class InvalidDiagram(EngineError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("The diagram cannot be deployed: " + "; ".join(problems))


class TaskAlreadyCompleted(EngineError):
    def __init__(self, title: str, by: str | None, at=None):
        self.by, self.at = by, at
        who = f" by {by}" if by else ""
        super().__init__(f"“{title}” has already been completed{who}.")


class InstanceNotActive(EngineError):
    pass


class ConcurrentUpdate(EngineError):
    """Someone else changed the same instance first; nothing of this attempt was saved."""


class StepFailed(EngineError):
    """The diagram raised while running; nothing of this attempt was saved."""


class InvalidValue(EngineError):
    """Values that cannot be stored as given, a message per field; nothing was saved."""

    def __init__(self, fields: dict[str, str]):
        self.fields = dict(fields)
        super().__init__("; ".join(self.fields.values()))

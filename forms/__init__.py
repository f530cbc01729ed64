"""Form definitions, one per user task, and their server-side validation (no web code)."""

from .definitions import Field, FormDefinition, exists, keys, load, parse
from .validation import FormErrors, validate

__all__ = ["Field", "FormDefinition", "FormErrors", "exists", "keys", "load", "parse", "validate"]

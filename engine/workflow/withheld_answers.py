"""A task form opened on earlier answers that hold text withheld from the person doing it.

A form starts from what earlier steps recorded, and an earlier answer may quote an address or
a passage withheld from this person. They are shown the answer with that text taken out
(`as_read`); sending the form back unchanged must not write the shortened answer over the
record, and changing it would overwrite words they cannot read. So an answer that holds
withheld text is kept as recorded when it comes back as it was shown, and a changed one is
refused with the reason (`keep`): someone the text is not withheld from changes it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.access import withheld_text, withholding
from engine.platform.errors import InvalidValue

CANNOT_CHANGE = (
    "This answer holds information withheld from you, so it cannot be changed here. Leave it "
    "as it is, or ask the child's social worker or the conference chair to change it"
)


def as_read(session: Session, reader, child_id: int | None, data: dict) -> tuple[dict, set[str]]:
    """The data as this reader may read it, and the names of the answers that held withheld
    text (the form says they are kept as recorded)."""
    values = withholding.values_hidden_from(session, reader, child_id) if data else []
    if not values:
        return data, set()
    shown = {name: withheld_text.redact_all(value, values) for name, value in data.items()}
    return shown, {name for name, value in data.items() if shown[name] != value}


def keep(session: Session, actor, child_id: int | None, recorded: dict, answers: dict) -> dict:
    """The answers to store: where a recorded answer holds text withheld from the actor, the
    recorded text, when it came back as it was shown; InvalidValue when it was changed.
    Inside a list (a request or plan action a row) only that row's text is held: the rest of
    the row, and rows added, are answered as usual. Answers to anything not recorded before
    need nothing read."""
    earlier = [name for name in answers if recorded.get(name) not in (None, "", [], {})]
    if not earlier or child_id is None:
        return answers
    values = withholding.values_hidden_from(session, actor, child_id)
    if not values:
        return answers
    kept, refused = dict(answers), {}
    for name in earlier:
        shown = withheld_text.redact_all(recorded[name], values)
        try:
            kept[name] = _kept(recorded[name], shown, answers[name])
        except _Changed:
            refused[name] = CANNOT_CHANGE
    if refused:
        raise InvalidValue(refused)
    return kept


class _Changed(Exception):
    """An answer holding withheld text came back different from how it was shown."""


def _kept(recorded, shown, answer):
    if shown == recorded:
        return answer  # nothing withheld in it: answered like any other
    if isinstance(recorded, dict) and isinstance(answer, dict):
        held = {k: recorded[k] for k in recorded if k not in answer and recorded[k] != shown[k]}
        inner = {k: _kept(recorded[k], shown[k], answer[k]) for k in recorded if k in answer}
        return {**answer, **inner, **held}  # text the form does not ask for stays too
    if isinstance(recorded, list) and isinstance(answer, list):
        if len(answer) < len(recorded) and any(
            r != s for r, s in zip(recorded[len(answer) :], shown[len(answer) :], strict=True)
        ):
            raise _Changed  # a row holding withheld text was taken out
        rows = [_kept(r, s, a) for r, s, a in zip(recorded, shown, answer, strict=False)]
        return rows + answer[len(rows) :]
    if _folded(answer) == _folded(shown):
        return recorded
    raise _Changed


def _folded(value):
    """Equal but for spacing and line endings (a browser sends a text area's lines with
    carriage returns)."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        return {key: _folded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_folded(item) for item in value]
    return value

"""A document's record is inserted without the flush, so its text is checked as a flush would."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from engine.documents import dispatch
from engine.platform.errors import InvalidValue


def test_a_record_with_text_longer_than_its_column_is_refused_before_any_sql(db, db_engine):
    sent = []
    event.listen(db_engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    with pytest.raises(InvalidValue) as refused:
        dispatch.insert_record(db, kind="k" * 31, generated_by_name="A name", purpose="sent")
    assert refused.value.fields == {"kind": "Kind must be 30 characters or fewer"}
    assert sent == []

"""Whether a process is retired: read as one column, or from the entry the session holds."""

from datetime import UTC, datetime

from engine.models import catalogue
from engine.models.catalogue import CatalogueEntry
from engine.platform.db import transaction

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_retired_whether_the_session_holds_the_entry_or_not(db):
    assert not catalogue.is_retired(db, "icpc")  # a shipped process: no entry at all
    with transaction(db):
        db.add(CatalogueEntry(process_id="icpc", made_at=NOW, retired_at=NOW, retired_by="po"))
        db.add(CatalogueEntry(process_id="meeting", made_at=NOW, from_child_page=True))
    assert catalogue.is_retired(db, "icpc") and not catalogue.is_retired(db, "meeting")
    db.expunge_all()  # read from the table, not the session
    assert catalogue.is_retired(db, "icpc") and not catalogue.is_retired(db, "meeting")
    held = catalogue.entry(db, "icpc")
    held.retired_at = None  # brought back, not flushed yet: the session's entry answers
    assert not catalogue.is_retired(db, "icpc")

"""Email through a real SMTP server on loopback (aiosmtpd), and the development folder."""

from __future__ import annotations

import email
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from engine.models import OutboxMessage
from engine.models.outbox import SENT, attempts_for
from tests.engine.workflow.test_timers import END_OF_4_MARCH, start_deadline
from tests.factories import make_staff
from webui import scheduling


class Inbox:
    """An SMTP handler that keeps every message it accepts."""

    def __init__(self):
        self.received: list[tuple[list[str], email.message.Message]] = []

    async def handle_DATA(self, _server, _session, envelope):
        self.received.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self._controller = None

    def start(self):
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        self._controller.stop()
        self._controller = None

    @property
    def subjects(self) -> list[str]:
        return [message["Subject"] for _to, message in self.inbox.received]


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    if server._controller is not None:
        server.stop()


def test_escalation_mail_reaches_the_smtp_server_and_waits_while_it_is_down(
    db, make_app, clock, smtp
):
    app = make_app(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        BASE_URL="https://cpc.example.invalid",
    )
    engine = app.extensions["cpc"].workflow
    staff = make_staff(db)
    first = start_deadline(db, engine, staff, due_date="2026-03-04")
    clock.set(END_OF_4_MARCH + timedelta(hours=9))
    tick = scheduling.build(app, "test")
    assert tick.run_once()["mail_sent"] == 1
    [(recipients, message)] = smtp.inbox.received
    assert recipients == ["tm@example.invalid"]
    assert message["Subject"] == f"Overdue: The step ({first.reference})"
    assert message["From"] == "cpc-noreply@example.invalid"
    assert (
        message["Message-ID"]
        == f"<outbox-escalation.{first.id}.step.1.2026-03-04.{staff['tm'].id}@cpc.invalid>"
    )
    assert f"https://cpc.example.invalid/instances/{first.id}" in message.get_payload()

    smtp.stop()  # the council's mail server goes down
    second = start_deadline(db, engine, staff, due_date="2026-03-05")
    clock.set(END_OF_4_MARCH + timedelta(days=1, hours=9))
    summary = tick.run_once()
    assert (summary["timers"], summary["mail_sent"], summary["mail_deferred"]) == (1, 0, 1)
    waiting = db.scalars(select(OutboxMessage).where(OutboxMessage.instance_id == second.id)).one()
    assert waiting.status == "pending" and "Connection refused" in waiting.last_error

    smtp.start()  # back up, on the same address
    assert tick.run_once()["mail_sent"] == 0  # still backing off
    clock.advance(minutes=1, seconds=1)
    assert tick.run_once()["mail_sent"] == 1
    assert tick.run_once()["mail_sent"] == 0
    # Each message arrived exactly once: the first before the outage, the second after it.
    assert smtp.subjects == [
        f"Overdue: The step ({first.reference})",
        f"Overdue: The step ({second.reference})",
    ]
    db.expire_all()
    assert db.get(OutboxMessage, waiting.id).status == SENT
    assert [a.ok for a in attempts_for(db, waiting.id)] == [False, True]


def test_in_development_each_email_is_a_file_named_by_its_message_id(db, make_app, clock, tmp_path):
    app = make_app(MAIL_BACKEND="folder", MAIL_FOLDER=tmp_path / "mail")
    engine = app.extensions["cpc"].workflow
    staff = make_staff(db)
    start_deadline(db, engine, staff)
    clock.set(END_OF_4_MARCH + timedelta(hours=9))
    scheduling.build(app, "test").run_once()
    [path] = (tmp_path / "mail").iterdir()
    message = email.message_from_bytes(path.read_bytes())
    assert message["To"] == "tm@example.invalid"
    assert message["Subject"].startswith("Overdue: The step")


def test_an_unknown_mail_backend_stops_the_app_at_start(make_app):
    with pytest.raises(RuntimeError, match="CPC_MAIL_BACKEND"):
        make_app(MAIL_BACKEND="pigeon")

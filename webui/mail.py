"""How the outbox reaches people: SMTP through Flask-Mail, or a folder or the console.

`MAIL_BACKEND` chooses: `smtp` in production, `folder` in development (each email an `.eml`
file under `MAIL_FOLDER`, named by its Message-ID, so a resend overwrites rather than
duplicates), `console` to log them. The engine's sender calls the transport; nothing here
decides what is sent or when.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from pathlib import Path

from flask import Flask
from flask_mail import Connection, Mail, Message

from engine.messaging.outbox import Email, Transport

log = logging.getLogger(__name__)
mail = Mail()


class _TimedConnection(Connection):
    """Flask-Mail's connection with a socket timeout: a hung server must not outlast a lease."""

    def __init__(self, state, timeout: float):
        super().__init__(state)
        self.timeout = timeout

    def configure_host(self):
        state = self.mail
        smtp = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = smtp(state.server, state.port, timeout=self.timeout)
        host.set_debuglevel(int(state.debug))
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host


class SmtpTransport:
    def __init__(self, app: Flask):
        self.app = app

    def __call__(self, email: Email) -> None:
        with self.app.app_context():
            message = Message(subject=email.subject, recipients=[email.to], body=email.body)
            message.msgId = email.message_id
            state = self.app.extensions["mail"]
            with _TimedConnection(state, self.app.config["MAIL_TIMEOUT"]) as connection:
                connection.send(message)


class FolderTransport:
    def __init__(self, folder: Path, sender: str):
        self.folder, self.sender = Path(folder), sender

    def __call__(self, email: Email) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        message = EmailMessage()
        message["From"], message["To"] = self.sender, email.to
        message["Subject"], message["Message-ID"] = email.subject, email.message_id
        message.set_content(email.body)
        name = email.message_id.strip("<>").replace("@", "_").replace("/", "_")
        (self.folder / f"{name}.eml").write_bytes(bytes(message))


class ConsoleTransport:
    def __call__(self, email: Email) -> None:
        log.info("email to %s: %s\n%s", email.to, email.subject, email.body)


def transport_for(app: Flask) -> Transport:
    backend = app.config["MAIL_BACKEND"]
    if backend == "smtp":
        return SmtpTransport(app)
    if backend == "folder":
        return FolderTransport(app.config["MAIL_FOLDER"], app.config["MAIL_DEFAULT_SENDER"])
    if backend == "console":
        return ConsoleTransport()
    raise RuntimeError(f"CPC_MAIL_BACKEND must be smtp, folder or console, not {backend!r}")


def init_app(app: Flask) -> None:
    mail.init_app(app)
    transport_for(app)  # refuse an unknown backend at start, not at the first email

"""The outbox: queue email with the step that causes it, deliver it at least once.

Queueing happens inside a workflow step's transaction, so an email exists exactly when the
step that caused it committed. Delivery is a separate job: a worker leases pending messages
(as the timer sweep leases instances), hands each to a transport (SMTP through Flask-Mail in
the app, a folder or the console in development), records the attempt, and marks the message
sent only while its lease is still its own. A server that is down costs a back-off, not a
message: the message waits and goes once the server is back.

Delivery is at least once, not exactly once. The relay's "250 accepted" and the row marked
sent cannot be one transaction: a worker killed after the relay took the message and before
the commit (a relay slow to answer 250 widens that moment) leaves it pending, and when the
lease runs out another worker sends it again. Every attempt carries the same Message-ID, so
a duplicate can be recognised downstream (mail clients and many relays drop a repeated one).
Queueing is where "once" holds: an idempotency key stops one step queueing a message twice.

Messages for people who chose a daily digest are held and folded into one email a day.
Escalations are never held.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from engine.access import access
from engine.models import audit, pending_rows, session_memo
from engine.models.base import fetch
from engine.models.instances import ProcessInstance
from engine.models.outbox import (
    DIGESTED,
    FAILED,
    HELD,
    PENDING,
    SENT,
    OutboxAttempt,
    OutboxMessage,
    held_for_digest,
)
from engine.models.outbox import exists as message_exists
from engine.models.people import DAILY_DIGEST, Recipient, User
from engine.platform import leases
from engine.platform.db import transaction
from engine.platform.errors import EngineError, NotAllowed

log = logging.getLogger(__name__)

DIGESTIBLE = frozenset({"new_task", "reminder"})
LEASE_SECONDS = 120  # longer than the SMTP timeout, so a slow send keeps its lease
BATCH = 50
MAX_ATTEMPTS = 10
FIRST_BACKOFF_SECONDS = 60
MAX_BACKOFF_SECONDS = 3600
_OUTBOX = OutboxMessage.__table__


@dataclass(frozen=True)
class Email:
    """What a transport sends: addresses and plain text, nothing from the case but its ref."""

    to: str
    subject: str
    body: str
    message_id: str


Transport = Callable[[Email], None]  # raises when the message was not accepted


def queue(
    session: Session,
    *,
    kind: str,
    key: str,
    user: User | Recipient,
    subject: str,
    body: str,
    link: str | None,
    instance_id: int | None,
    now: datetime,
    new_key: bool = False,
) -> bool:
    """Queue one email unless the same key was queued before; True if queued now.

    `new_key` says the key names something created in this very transaction (a new task),
    so no earlier message can carry it and the outbox need not be asked.
    """
    if not user.email or not user.active:
        return False
    seen = _queued_keys(session)
    if key in seen or (not new_key and message_exists(session, key)):
        return False
    seen.add(key)
    held = kind in DIGESTIBLE and user.notify == DAILY_DIGEST
    _add(session, key, kind, user.id, user.email, subject, body, link, instance_id, now, held)
    return True


def _queued_keys(session: Session) -> set[str]:
    """The keys this transaction queued: kept for the transaction only, since a key whose
    transaction rolled back queued nothing and must not stop the message being queued later
    in the same session (a batch job's)."""
    return session_memo.remembered(session, frozenset(), ("outbox_keys",), set)


def queue_to_address(
    session: Session,
    *,
    kind: str,
    key: str,
    address: str,
    subject: str,
    body: str,
    link: str | None,
    instance_id: int | None,
    now: datetime,
) -> None:
    """Queue one email to someone without an account (a parent given a secure link)."""
    _add(session, key, kind, None, address, subject, body, link, instance_id, now, False)


def _add(session, key, kind, user_id, address, subject, body, link, instance_id, now, held):
    """The message's row, written with the step's other rows (`pending_rows`): nothing reads
    a message back in the transaction that queues it."""
    pending_rows.add(
        session,
        OutboxMessage,
        {
            "idempotency_key": key,
            "kind": kind,
            "to_user_id": user_id,
            "to_address": address,
            "subject": subject[:200],
            "body": body,
            "link_path": link,
            "instance_id": instance_id,
            "status": HELD if held else PENDING,
            "next_attempt_at": None if held else now,
            "created_at": now,
            "attempts": 0,
        },
    )


def compose(message: OutboxMessage, base_url: str) -> Email:
    body = message.body
    if message.link_path:
        body += f"\n\nOpen it here: {base_url.rstrip('/')}{message.link_path}"
    if message.to_user_id is None:
        body += "\n\nThe link is for you only: please do not forward this email."
    else:
        body += (
            "\n\nThis email gives a case reference only. Sign in to see the case; "
            "do not forward this email."
        )
    return Email(message.to_address, message.subject, body, message.message_id)


# ---- delivery ------------------------------------------------------------------------------


def claim(session: Session, owner: str, now: datetime, lease_seconds: int, limit: int):
    """Lease up to `limit` messages due to be sent, oldest first; their ids."""
    with transaction(session):
        return leases.claim(
            session,
            _OUTBOX,
            due=(_OUTBOX.c.status == PENDING, _OUTBOX.c.next_attempt_at <= now),
            order_by=(_OUTBOX.c.next_attempt_at, _OUTBOX.c.id),
            owner=owner,
            now=now,
            lease_seconds=lease_seconds,
            limit=limit,
        )


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes between tries, at most an hour."""
    seconds = FIRST_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, MAX_BACKOFF_SECONDS))


@dataclass
class DeliveryResult:
    sent: int = 0
    deferred: int = 0
    failed: int = 0


def deliver(
    sessions: sessionmaker,
    transport: Transport,
    owner: str,
    clock,
    base_url: str,
    lease_seconds: int = LEASE_SECONDS,
    batch: int = BATCH,
) -> DeliveryResult:
    """Send everything pending that is due, until nothing is left or the server refuses.

    When a message cannot be sent the round stops: the rest would meet the same closed door.
    """
    result = DeliveryResult()
    while True:
        with sessions() as session:
            claimed = claim(session, owner, clock.now(), lease_seconds, batch)
        if not claimed:
            return result
        for position, message_id in enumerate(claimed):
            outcome = send_one(sessions, transport, message_id, owner, clock, base_url)
            if outcome == SENT:
                result.sent += 1
                continue
            result.failed += outcome == FAILED
            result.deferred += outcome == PENDING
            _let_go(sessions, claimed[position + 1 :], owner)
            return result


def send_one(sessions, transport: Transport, message_id: int, owner: str, clock, base_url):
    """Try one leased message; the status it is left in (sent, pending again, or failed)."""
    with sessions() as session:
        message = _fresh(session, message_id)
        if message is None or message.status != PENDING or message.lease_owner != owner:
            return None
        email = compose(message, base_url)
    error = None
    try:
        transport(email)
    except Exception as exc:  # noqa: BLE001 - any refusal is recorded and retried
        error = f"{type(exc).__name__}: {exc}".strip()[:2000]
        log.warning("mail %s not sent: %s", message_id, error)
    return _record_attempt(sessions, message_id, owner, clock.now(), error)


# Emails carrying a secure link's token: once sent or failed for good, the token is erased.
SINGLE_USE_LINKS = frozenset({"family_link", "professional_link"})


def _record_attempt(sessions, message_id: int, owner: str, now: datetime, error: str | None):
    with sessions() as session, transaction(session):
        message = _fresh(session, message_id)
        session.add(OutboxAttempt(message_id=message_id, at=now, worker=owner, ok=not error))
        if message.lease_owner != owner:
            return None  # another worker holds it now; the attempt is on record all the same
        message.lease_owner = message.lease_until = None
        message.attempts += 1
        if error is None:
            message.status, message.sent_at, message.last_error = SENT, now, None
        else:
            message.last_error = error
            if message.attempts >= MAX_ATTEMPTS:
                message.status = FAILED
            else:
                message.next_attempt_at = now + backoff(message.attempts)
        if message.status in (SENT, FAILED) and carries_a_secret(message):
            message.link_path = None  # the token is in clear only until the email has gone
        return message.status


def carries_a_secret(message: OutboxMessage) -> bool:
    """A link for someone without an account (a family member) holds its token: whoever has
    the link opens the form. Staff links name a page they still have to sign in to."""
    return message.to_user_id is None and message.link_path is not None


def _fresh(session: Session, message_id: int) -> OutboxMessage | None:
    """The message as the database holds it now: its lease was written by a Core UPDATE
    that a copy already in the session would not show."""
    return session.get(OutboxMessage, message_id, populate_existing=True)


def _let_go(sessions, message_ids: list[int], owner: str) -> None:
    if not message_ids:
        return
    with sessions() as session, transaction(session):
        leases.let_go(session, _OUTBOX, message_ids, owner)


def retry(session: Session, message_id: int, actor: User, now: datetime) -> OutboxMessage:
    """A manager sends a failed (or waiting) message again now."""
    from engine.workflow.permissions import can_manage_instances

    if not can_manage_instances(actor):
        raise NotAllowed("Only managers can retry an email.")
    message = fetch(session, OutboxMessage, message_id, "There is no such email.")
    if message.instance_id is not None:
        access.require_instance(session, actor, session.get(ProcessInstance, message.instance_id))
    elif not access.sees_every_child(actor) and message.to_user_id != actor.id:
        raise NotAllowed("Only service managers can retry an email that belongs to no case.")
    if message.status not in (FAILED, PENDING):
        raise EngineError(f"That email is {message.status}: there is nothing to retry.")
    if message.kind in SINGLE_USE_LINKS and message.link_path is None:
        raise EngineError(
            "The secure link in that email was erased when it failed: send a new link."
        )
    with transaction(session):
        if message.status == FAILED:
            message.attempts = 0  # a fresh round of retries
        message.status, message.next_attempt_at = PENDING, now
        message.lease_owner = message.lease_until = None
        audit.record(
            session, actor, "mail.retry", now, instance_id=message.instance_id, message=message.id
        )
    return message


# ---- the daily digest ----------------------------------------------------------------------


def send_digests(session: Session, now: datetime, today, base_url: str) -> int:
    """One email per person with held messages, listing each; how many digests were queued."""
    queued = 0
    with transaction(session):
        for user_id, messages in held_for_digest(session).items():
            user = session.get(User, user_id)
            root = base_url.rstrip("/")
            lines = [f"- {m.subject}\n  {root}{m.link_path or '/inbox'}" for m in messages]
            count = len(messages)
            queued += queue(
                session,
                kind="digest",
                key=f"digest:{user_id}:{today.isoformat()}",
                user=user,
                subject=f"Your daily summary: {count} update{'s' if count != 1 else ''}",
                body="Since your last summary:\n\n" + "\n".join(lines),
                link="/inbox",
                instance_id=None,
                now=now,
            )
            for message in messages:
                message.status = DIGESTED
    return queued

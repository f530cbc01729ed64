from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.messaging import outbox
from engine.models import OutboxMessage
from engine.models.outbox import DIGESTED, FAILED, HELD, PENDING, SENT, attempts_for
from engine.models.people import DAILY_DIGEST, User
from engine.platform.db import reusing, transaction
from engine.platform.errors import EngineError, NotAllowed
from tests.factories import make_staff

BASE = "https://cpc.example.invalid"


class Recorder:
    """A transport that keeps what it was given, or refuses while `down`."""

    def __init__(self):
        self.sent: list[outbox.Email] = []
        self.down = False

    def __call__(self, email: outbox.Email) -> None:
        if self.down:
            raise ConnectionRefusedError("mail server unreachable")
        self.sent.append(email)


@pytest.fixture
def staff(db):
    return make_staff(db)


def put(db, clock, user, key="k1", kind="reminder", **extra) -> bool:
    with transaction(db):
        return outbox.queue(
            db,
            kind=kind,
            key=key,
            user=user,
            subject=extra.get("subject", f"Due soon ({key})"),
            body="“Book the conference” for case ICPC-000001 is due by 4 March 2026.",
            link="/tasks/abc",
            instance_id=None,
            now=clock.now(),
        )


def message(db, key="k1") -> OutboxMessage:
    db.expire_all()
    return db.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).one()


def deliver(sessions, transport, clock, owner="mailer-a"):
    return outbox.deliver(sessions, transport, owner, clock, BASE)


def test_a_message_is_queued_once_per_key(db, clock, staff):
    assert put(db, clock, staff["bs"]) is True
    assert put(db, clock, staff["bs"]) is False
    row = message(db)
    assert (row.status, row.next_attempt_at, row.to_address) == (
        PENDING,
        clock.now(),
        "bs@example.invalid",
    )


def test_a_key_queued_by_another_session_is_not_queued_again(db, sessions, clock, staff):
    assert put(db, clock, staff["bs"], subject="the first") is True
    with sessions() as other:  # it has not seen the key: the INSERT itself must skip it
        assert put(other, clock, other.get(User, staff["bs"].id), subject="again") is False
        assert put(other, clock, other.get(User, staff["bs"].id), key="k2") is True
    assert message(db).subject == "the first"
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_nobody_without_an_address_or_an_active_account_is_written_to(db, clock, staff):
    staff["bs"].active = False
    staff["sw"].email = ""
    db.commit()
    assert put(db, clock, staff["bs"], key="a") is False
    assert put(db, clock, staff["sw"], key="b") is False


def test_delivery_sends_each_pending_message_once_with_a_link(db, sessions, clock, staff):
    put(db, clock, staff["bs"])
    transport = Recorder()
    assert deliver(sessions, transport, clock).sent == 1
    assert deliver(sessions, transport, clock).sent == 0
    [email] = transport.sent
    assert email.to == "bs@example.invalid"
    assert f"{BASE}/tasks/abc" in email.body
    assert email.message_id == "<outbox-k1@cpc.invalid>"
    row = message(db)
    assert (row.status, row.sent_at, row.attempts) == (SENT, clock.now(), 1)
    assert [a.ok for a in attempts_for(db, row.id)] == [True]


def test_a_secure_links_token_is_not_kept_once_the_email_is_sent(db, sessions, clock):
    with transaction(db):
        outbox.queue_to_address(
            db,
            kind="professional_link",
            key="p1",
            address="gp@example.invalid",
            subject="Invitation and report request",
            body="Please send your report.",
            link="/professional/secret-token",
            instance_id=None,
            now=clock.now(),
        )
    transport = Recorder()
    assert deliver(sessions, transport, clock).sent == 1
    assert f"{BASE}/professional/secret-token" in transport.sent[0].body
    row = message(db, "p1")
    assert (row.status, row.link_path) == (SENT, None)


def test_with_the_server_down_mail_waits_then_goes_once(db, sessions, clock, staff):
    put(db, clock, staff["bs"], key="one")
    put(db, clock, staff["tm"], key="two")
    transport = Recorder()
    transport.down = True
    result = deliver(sessions, transport, clock)
    assert (result.sent, result.deferred) == (0, 1)  # the round stops at the closed door
    first = message(db, "one")
    assert (first.status, first.attempts, first.next_attempt_at) == (
        PENDING,
        1,
        clock.now() + timedelta(minutes=1),
    )
    assert "unreachable" in first.last_error
    assert message(db, "two").lease_owner is None  # not tried, not held either
    transport.down = False
    clock.advance(seconds=30)
    assert deliver(sessions, transport, clock).sent == 1  # "two" was never tried: due now
    clock.advance(seconds=31)
    assert deliver(sessions, transport, clock).sent == 1
    assert deliver(sessions, transport, clock).sent == 0
    assert sorted(e.to for e in transport.sent) == ["bs@example.invalid", "tm@example.invalid"]
    assert [a.ok for a in attempts_for(db, first.id)] == [False, True]


def test_after_every_retry_fails_a_manager_can_send_it_again(db, sessions, clock, staff):
    put(db, clock, staff["bs"])
    transport = Recorder()
    transport.down = True
    for _ in range(outbox.MAX_ATTEMPTS):
        deliver(sessions, transport, clock)
        clock.advance(hours=1)
    row = message(db)
    assert (row.status, row.attempts) == (FAILED, outbox.MAX_ATTEMPTS)
    assert deliver(sessions, transport, clock).deferred == 0  # failed: left alone
    with pytest.raises(NotAllowed):
        outbox.retry(db, row.id, staff["sw"], clock.now())
    with pytest.raises(NotAllowed, match="no case"):
        outbox.retry(db, row.id, staff["tm"], clock.now())  # bs's email, about no case
    outbox.retry(db, row.id, staff["sm"], clock.now())
    transport.down = False
    assert deliver(sessions, transport, clock).sent == 1
    assert message(db).status == SENT
    with pytest.raises(EngineError, match="sent"):
        outbox.retry(db, row.id, staff["sm"], clock.now())


def test_a_sender_whose_lease_expired_does_not_mark_the_message(db, sessions, clock, staff):
    put(db, clock, staff["bs"])
    row = message(db)
    outbox.claim(sessions(), "slow", clock.now(), 120, 10)
    clock.advance(seconds=121)
    assert outbox.claim(sessions(), "fast", clock.now(), 120, 10) == [row.id]
    transport = Recorder()
    assert outbox.send_one(sessions, transport, row.id, "slow", clock, BASE) is None
    assert transport.sent == []  # "slow" saw the lease was gone before sending
    assert outbox.send_one(sessions, transport, row.id, "fast", clock, BASE) == SENT
    assert len(transport.sent) == 1


def test_digest_readers_get_one_email_a_day_listing_what_was_held(db, clock, staff):
    staff["bs"].notify = DAILY_DIGEST
    db.commit()
    put(db, clock, staff["bs"], key="r1", subject="Due 4 March 2026: Book (ICPC-000001)")
    put(db, clock, staff["bs"], key="n1", kind="new_task", subject="New task: Invite (ICPC-2)")
    put(db, clock, staff["bs"], key="e1", kind="escalation", subject="Overdue: The conference")
    assert [message(db, k).status for k in ("r1", "n1", "e1")] == [HELD, HELD, PENDING]
    today = clock.today()
    assert outbox.send_digests(db, clock.now(), today, BASE) == 1
    assert outbox.send_digests(db, clock.now(), today, BASE) == 0
    digest = message(db, f"digest:{staff['bs'].id}:{today.isoformat()}")
    assert digest.subject == "Your daily summary: 2 updates"
    assert "Due 4 March 2026: Book (ICPC-000001)" in digest.body
    assert f"{BASE}/tasks/abc" in digest.body
    assert [message(db, k).status for k in ("r1", "n1")] == [DIGESTED, DIGESTED]


def test_backoff_doubles_from_a_minute_up_to_an_hour():
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 7, 12)] == [
        60,
        120,
        240,
        3600,
        3600,
    ]


def test_delivery_inside_a_session_that_holds_the_message_sees_its_own_lease(db, clock, staff):
    """The claim leases with a Core UPDATE; the copy the session already holds is read afresh."""
    put(db, clock, staff["bs"])
    held = message(db)
    assert held.lease_owner is None
    transport = Recorder()
    assert deliver(reusing(db), transport, clock).sent == 1
    assert message(db).status == SENT and len(transport.sent) == 1


def family_link_email(db, clock, key="family_link:1"):
    with transaction(db):
        outbox.queue_to_address(
            db,
            kind="family_link",
            key=key,
            address="grace@example.com",
            subject="A form for you",
            body="Fill in the form.",
            link="/family/s3cret-token",
            instance_id=None,
            now=clock.now(),
        )


def test_a_family_links_token_is_erased_once_the_email_has_gone(db, sessions, clock, staff):
    family_link_email(db, clock)
    transport = Recorder()
    assert deliver(sessions, transport, clock).sent == 1
    assert f"{BASE}/family/s3cret-token" in transport.sent[0].body
    assert message(db, "family_link:1").link_path is None


def test_a_failed_family_link_is_erased_and_cannot_be_retried(db, sessions, clock, staff):
    family_link_email(db, clock)
    transport = Recorder()
    transport.down = True
    for _ in range(outbox.MAX_ATTEMPTS):
        deliver(sessions, transport, clock)
        clock.advance(hours=1)
    row = message(db, "family_link:1")
    assert (row.status, row.link_path) == (FAILED, None)
    with pytest.raises(EngineError, match="send a new link"):
        outbox.retry(db, row.id, staff["sm"], clock.now())


def test_a_staff_members_link_is_kept_after_sending(db, sessions, clock, staff):
    put(db, clock, staff["bs"])
    deliver(sessions, Recorder(), clock)
    assert message(db).link_path == "/tasks/abc"


def test_a_key_from_a_rolled_back_transaction_does_not_stop_it_later(db, clock, staff):
    """The keys a session has queued last one transaction: a batch job's session that rolled
    back a message must still queue it in its next transaction."""

    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction(db):
        assert put_in(db, clock, staff["bs"]) is True
        raise Undone
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert put(db, clock, staff["bs"]) is True
    assert message(db).status == PENDING


def put_in(db, clock, user, key="k1") -> bool:
    """`put` without its own transaction: inside the caller's."""
    return outbox.queue(
        db,
        kind="reminder",
        key=key,
        user=user,
        subject="Due soon",
        body="Due soon.",
        link=None,
        instance_id=None,
        now=clock.now(),
    )

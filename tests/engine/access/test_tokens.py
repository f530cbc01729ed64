from datetime import timedelta

import pytest
from sqlalchemy import event, update

from engine.access import tokens
from engine.models.people import User, UserRole
from engine.models.tokens import ApiToken, tokens_of
from engine.platform.db import transaction
from engine.platform.errors import EngineError, NotFound
from tests.conftest import START
from tests.factories import make_service_account, make_user


def test_a_token_is_kept_only_as_a_digest_and_acts_as_its_account(db):
    account = make_service_account(db, "cms", "social_worker")
    made, secret = tokens.create(db, "cms", "Case management system", "admin", START)
    assert secret.startswith("cpc_") and len(secret) > 40
    assert made.digest == tokens.digest(secret) and secret not in (made.digest, made.prefix)
    assert tokens.authenticate(db, secret, START) is account
    assert tokens.authenticate(db, secret + "x", START) is None
    assert tokens.authenticate(db, "not-ours", START) is None


def test_use_is_recorded_at_most_every_few_minutes(db):
    make_service_account(db, "cms", "social_worker")
    made, secret = tokens.create(db, "cms", "CMS", "admin", START)
    tokens.authenticate(db, secret, START)
    tokens.authenticate(db, secret, START + timedelta(minutes=1))
    db.expire_all()
    assert tokens_of(db)[0].last_used_at == START
    tokens.authenticate(db, secret, START + timedelta(minutes=6))
    db.expire_all()
    assert tokens_of(db)[0].last_used_at == START + timedelta(minutes=6)


def test_revoked_tokens_and_deactivated_accounts_are_refused(db):
    account = make_service_account(db, "cms", "social_worker")
    first, first_secret = tokens.create(db, "cms", "old", "admin", START)
    _second, second_secret = tokens.create(db, "cms", "new", "admin", START)
    tokens.revoke(db, first.id, "admin", START)
    assert tokens.authenticate(db, first_secret, START) is None
    assert tokens.authenticate(db, second_secret, START) is account
    with pytest.raises(EngineError, match="already revoked"):
        tokens.revoke(db, first.id, "admin", START)
    account.active = False
    db.commit()
    assert tokens.authenticate(db, second_secret, START) is None


def test_tokens_are_for_service_accounts_only(db):
    make_user(db, "sw", "social_worker")
    with pytest.raises(EngineError, match="person's account"):
        tokens.create(db, "sw", "mine", "admin", START)
    with pytest.raises(NotFound):
        tokens.create(db, "nobody", "x", "admin", START)
    make_service_account(db, "cms", "social_worker")
    with pytest.raises(EngineError, match="name"):
        tokens.create(db, "cms", "  ", "admin", START)


def test_each_check_reads_the_token_and_its_account_afresh(db, sessions):
    """Nothing of a token is kept, not even by a session that checked it before: a token
    revoked, or an account changed, elsewhere tells on the very next check, as does expiry."""
    account = make_service_account(db, "cms", "social_worker")
    expires = START + timedelta(hours=1)
    made, secret = tokens.create(db, "cms", "CMS", "admin", START, expires_at=expires)
    assert tokens.authenticate(db, secret, START) is account
    assert account.roles == {"social_worker"}
    with sessions() as elsewhere, transaction(elsewhere):
        elsewhere.add(UserRole(user_id=account.id, role="team_manager"))
    assert tokens.authenticate(db, secret, START).roles == {"social_worker", "team_manager"}
    assert tokens.authenticate(db, secret, expires - timedelta(seconds=1)) is account
    assert tokens.authenticate(db, secret, expires) is None  # expired at once

    _other, other_secret = tokens.create(db, "cms", "other", "admin", START)
    assert tokens.authenticate(db, other_secret, START) is account
    with sessions() as elsewhere, transaction(elsewhere):
        elsewhere.execute(update(ApiToken).values(revoked_at=START))
    assert tokens.authenticate(db, other_secret, START) is None  # revoked at once
    with sessions() as elsewhere, transaction(elsewhere):
        elsewhere.execute(update(ApiToken).values(revoked_at=None))
        elsewhere.execute(update(User).where(User.id == account.id).values(active=False))
    assert tokens.authenticate(db, other_secret, START) is None  # deactivated at once


def test_a_check_is_one_statement_and_needs_no_role_read_after(db):
    """The token, its account and the account's roles come in one read; asking for the
    roles afterwards (every request does) reads nothing more."""
    make_service_account(db, "cms", "social_worker", "team_manager")
    _made, secret = tokens.create(db, "cms", "CMS", "admin", START)
    tokens.authenticate(db, secret, START)  # records the first use
    db.expunge_all()
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.get_bind(), "before_cursor_execute", listener)
    try:
        user = tokens.authenticate(db, secret, START + timedelta(minutes=1))
        roles = user.roles
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", listener)
    assert roles == {"social_worker", "team_manager"}
    assert len(seen) == 1 and "api_tokens" in seen[0]

from datetime import timedelta

import pytest

from engine.access import tokens
from engine.models.tokens import tokens_of
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

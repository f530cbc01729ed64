"""Fixtures the workflow tests share: the staff accounts, and the two-step test diagram."""

from __future__ import annotations

import pytest

from tests.factories import deploy_test_diagram, make_staff


@pytest.fixture
def staff(db):
    return make_staff(db)


@pytest.fixture
def two_steps(db, staff):
    return deploy_test_diagram(db, "two_steps")

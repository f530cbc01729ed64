"""The inbox query: pages chosen by id first still come in the order asked for."""

import pytest

from engine.access import access
from engine.casework import cases
from engine.models.inbox import SORTS, InboxFilter, inbox_page
from engine.models.instances import ProcessInstance
from tests.conftest import START
from tests.factories import make_child, start_icpc


@pytest.mark.parametrize("sort", SORTS)
def test_pages_one_at_a_time_make_up_the_whole_list_in_order(db, engine, clock, sort):
    staff, _, _ = start_icpc(db, engine)
    for given, family in (("Noah", "Bell"), ("Ivy", "Zane"), ("Bo", "Adams")):
        clock.advance(minutes=5)  # a distinct created_at for "newest"
        child = make_child(db, engine, staff["sw"], given=given, family=family)
        cases.start_conference(db, engine, staff["sw"], child.id)
    sw = staff["sw"]
    condition = access.child_filter(sw, ProcessInstance.child_id)

    def listed(page, per_page):
        wanted = InboxFilter(sort=sort, page=page)
        found = inbox_page(db, sw, wanted, START.date(), condition, per_page=per_page)
        return [(t.instance.child.family_name, t.id) for t in found.tasks]

    whole = listed(1, 10)
    assert len(whole) == 4
    assert listed(1, 3) + listed(2, 3) == whole
    if sort == "child":
        assert [name for name, _ in whole] == ["Adams", "Bell", "Okoye", "Zane"]

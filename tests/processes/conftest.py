import pytest

from tests.processes.driver import Case


@pytest.fixture(params=["in-memory", "reload-every-step"])
def case(request, db, engine, clock):
    """A child's case, driven step by step; the reload variant reloads every instance."""
    return Case(db, engine, clock, reload=request.param == "reload-every-step")

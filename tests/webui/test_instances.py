from tests.factories import make_child, start_icpc
from tests.webui.conftest import page, post_form, sign_in


def started(db, web_engine):
    return start_icpc(db, web_engine)[2]


def test_managers_see_every_instance(client, db, web_engine):
    instance = started(db, web_engine)
    sign_in(client, "tm")
    html = page(client.get("/instances"))
    assert html.h1.text.strip() == "Process instances"
    assert instance.reference in html.select_one("#instances").text


def test_social_workers_cannot_list_every_instance(client, db, web_engine):
    started(db, web_engine)
    sign_in(client, "sw")
    assert client.get("/instances").status_code == 403


def test_a_manager_suspends_resumes_and_ends_a_workflow(client, db, web_engine):
    instance = started(db, web_engine)
    sign_in(client, "tm")
    path = f"/instances/{instance.id}"
    html = page(client.get(path))
    assert [r.select("td")[0].text for r in html.select("#steps tbody tr")] == [
        "Record the strategy discussion"
    ]
    assert (
        post_form(client, f"{path}/suspend", {"reason": "checking"}, token_from=path).status_code
        == 302
    )
    assert "Suspended" in page(client.get(path)).text
    # Ending without a reason comes back to the instance page with the reason asked for.
    response = post_form(client, f"{path}/terminate", {"reason": ""}, token_from=path, follow=True)
    assert response.status_code == 200 and response.request.path == path
    summary = page(response).select_one(".govuk-error-summary")
    assert summary is not None and "reason" in summary.text.lower()
    assert "Suspended" in page(response).text
    post_form(client, f"{path}/resume", {}, token_from=path)
    post_form(client, f"{path}/terminate", {"reason": "opened in error"}, token_from=path)
    html = page(client.get(path))
    history = html.select_one("#history").text
    for action in (
        "instance.started",
        "instance.suspended",
        "instance.resumed",
        "instance.terminated",
    ):
        assert action in history


def test_an_unknown_instance_is_a_404(client, db, web_engine):
    started(db, web_engine)
    sign_in(client, "tm")
    assert client.get("/instances/999999").status_code == 404


def test_past_the_counted_matches_the_list_says_more_and_pages_the_newest(
    client, db, web_engine, monkeypatch
):
    from engine.casework import cases
    from engine.models import instance_search

    staff, _child, first = start_icpc(db, web_engine)
    made = []
    for given in ("Bo", "Cai"):
        child = make_child(db, web_engine, staff["sw"], given=given, family="Lee")
        made.append(cases.start_conference(db, web_engine, staff["sw"], child.id))
    sign_in(client, "tm")
    monkeypatch.setattr(instance_search, "COUNTED", 2)
    monkeypatch.setattr(instance_search, "PER_PAGE", 1)
    html = page(client.get("/instances?page=9"))
    assert " ".join(html.select_one("#instance-count").text.split()) == (
        "More than 2 instances, page 2 of 2. The newest 2 are listed: filter by child, "
        "process, status or team to find older ones."
    )
    listed = html.select_one("#instances").text
    assert made[0].reference in listed and first.reference not in listed
    html = page(client.get("/instances?child=lee"))  # narrowed: counted exactly
    assert html.select_one("#instance-count").text.strip() == "2 instances, page 1 of 2."

"""Never a server error: every page a demo user can reach, and every task form given a wrong
value in any one field. The demo data holds cases at every stage, so the crawl meets each
kind of page with real content; the forms are those of the steps open in it."""

from __future__ import annotations

import re
import threading
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from engine.models import HumanTask
from tests import demo_copy
from tests.factories import make_service_account, make_token
from tests.webui.conftest import page, post_form
from tests.webui.test_gunicorn_logs import post_raw
from webui import demo

NOT_FOLLOWED = ("/sign-out", "/assets", "/static")
PAGES_PER_USER = 150
WRONG = ["x" * 5000, "\x00", "²", "-1", "99999999999999999999999", "2027-02-31", "🙂" * 300]


@pytest.fixture
def demo_app(app, db, web_engine):
    demo_copy.load(db, web_engine)
    return app


def signed_in(app, username):
    client = app.test_client()
    response = post_form(client, "/sign-in", {"username": username, "password": demo.PASSWORD})
    assert response.status_code == 302
    return client


def crawl(client, start="/inbox") -> tuple[set[str], list[tuple[str, int]]]:
    """Follow same-site links breadth first; the pages seen and those that failed."""
    seen, queue, failed = set(), deque([start]), []
    while queue and len(seen) < PAGES_PER_USER:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code >= 500:
            failed.append((path, response.status_code))
        if response.mimetype == "text/html":
            for link in page(response).select("a[href]"):
                parts = urlsplit(urljoin(path, link["href"]))
                if parts.scheme or parts.netloc or parts.path.startswith(NOT_FOLLOWED):
                    continue
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        response.close()
    return seen, failed


@pytest.mark.parametrize("username", [user[0] for user in demo.USERS])
def test_every_page_a_demo_user_reaches_answers_without_a_server_error(demo_app, username):
    seen, failed = crawl(signed_in(demo_app, username))
    assert failed == []
    assert len(seen) > 5  # the crawl got past the inbox


def _task_form(html):
    """The task's own form (the page also holds the sign-out form) and its fields as shown."""
    form = max(html.select("form"), key=lambda f: len(f.select("input, select, textarea")))
    values = {}
    for field in form.select("input[name], select[name], textarea[name]"):
        name = field["name"]
        if name in values:
            continue
        if field.name == "textarea":
            values[name] = field.text
        elif field.name == "select":
            option = field.select_one("option[selected]") or field.select_one("option")
            values[name] = option.get("value", "") if option else ""
        elif field.get("type") in ("checkbox", "radio"):
            values[name] = ""
        else:
            values[name] = field.get("value", "")
    return form, values


def _distinct_fields(names):
    """The fields, a list's rows once: row 2's "actions-1-what" is checked as row 1's is."""
    seen = set()
    for name in names:
        shape = re.sub(r"-\d+-", "-0-", name)
        if name != "csrf_token" and shape not in seen:
            seen.add(shape)
            yield name


def test_a_wrong_value_in_any_task_form_field_is_refused_and_saves_nothing(demo_app, db):
    """Each form once, as its step's owner: each field in turn given each wrong value, the
    others as the page shows them (a list's fields in its first row: the rows after it are
    the same fields). The answer is the form again with its errors."""
    tried = set()
    for username in ("sw1", "bs1", "chair1", "tm1", "police1"):
        client = signed_in(demo_app, username)
        db.expire_all()
        for task in db.scalars(select(HumanTask).where(HumanTask.state == "ready")):
            if task.form_key in tried:
                continue
            response = client.get(f"/tasks/{task.id}")
            if response.status_code != 200:
                continue  # not this person's
            tried.add(task.form_key)
            form, shown = _task_form(page(response))
            assert form.get("action", f"/tasks/{task.id}") == f"/tasks/{task.id}"
            for name in _distinct_fields(shown):
                for value in WRONG:
                    answer = client.post(f"/tasks/{task.id}", data={**shown, name: value})
                    assert answer.status_code == 400, (task.form_key, name, value[:10])
                    assert page(answer).select_one(".govuk-error-summary") is not None
            db.expire_all()
            assert db.get(HumanTask, task.id).state == "ready"
    assert len(tried) >= 8, tried  # the demo's open steps cover most forms


def test_hostile_report_uploads_are_refused_clearly_and_save_nothing(demo_app, db):
    """Issue 26 item 5's files and other wrong uploads, as the police officer uploading their
    own report: each is a 4xx with the reason on the page, never a server error."""
    import io

    from werkzeug.test import encode_multipart

    from engine.access import access
    from engine.models import Report, ReportFile, User
    from engine.platform.errors import EngineError
    from tests.engine.documents import hostile_files as files
    from tests.webui.conftest import csrf

    client = signed_in(demo_app, "police1")
    officer = db.scalars(select(User).where(User.username == "police1")).one()
    agency = db.scalars(select(Report).where(Report.kind == "agency").order_by(Report.id))

    def may_upload(report) -> bool:  # the page's own rule: a report the officer may open
        try:
            access.require_report(db, officer, report.id)
        except EngineError:
            return False
        return True

    target = next(r for r in agency if may_upload(r))
    path = f"/conferences/{target.conference_id}"
    before = db.scalars(select(ReportFile)).all()
    uploads = [
        ("report.html", files.pdf_html_polyglot()),
        ("report.docm", files.docx_with_macros()),
        ("report.docx", files.docx_with_remote_template()),
        ("report.pdf", files.pdf_with_javascript_open_action()),
        ("report.docx", files.docx_zip_bomb()),
        ("report.pdf", files.pdf_with_javascript_in_a_compressed_object_stream()),
        ("report.docx", files.docx_with_dde_field()),
        ("report.odt", files.odt()),
        ("report.doc", files.OLD_DOC),
        ("report.pdf", b"%PDF-1.7\n" + b"\xff" * 5000),
        ("report.docx", b"PK\x03\x04" + b"\x00" * 100),
        ("report\u202e.pdf", files.clean_pdf()[:-20]),
        ("x" * 5000 + ".exe", files.clean_pdf()),
        ("report.pdf", b""),
    ]
    for name, content in uploads:
        data = {"csrf_token": csrf(client, path), "report_file": (io.BytesIO(content), name)}
        answer = client.post(
            f"/reports/{target.id}/files", data=data, content_type="multipart/form-data"
        )
        assert answer.status_code == 400, (name[:20], answer.status_code)
        assert page(answer).select_one(".govuk-error-summary") is not None, name[:20]
    nul = client.post(
        f"/reports/{target.id}/files",
        data={
            "csrf_token": csrf(client, path),
            "report_file": (io.BytesIO(files.clean_pdf()), "\x00.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert nul.status_code == 400  # webui.input_text refuses a NUL anywhere in the request
    no_file = client.post(f"/reports/{target.id}/files", data={"csrf_token": csrf(client, path)})
    assert no_file.status_code == 400
    boundary, body = encode_multipart(  # in memory: the test client would spool it to a file
        {
            "csrf_token": csrf(client, path),
            "report_file": (io.BytesIO(b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024)), "big.pdf"),
        }
    )
    too_big = client.post(
        f"/reports/{target.id}/files",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert 400 <= too_big.status_code < 500  # today the form says: Select a file to upload
    db.expire_all()
    assert db.scalars(select(ReportFile)).all() == before


HUGE = str(10**25)
DEEP_JSON = "[" * 1000 + "]" * 1000  # 2 KB: once enough for a RecursionError


@pytest.mark.parametrize("depth", [1000, 100_000])
@pytest.mark.parametrize(
    "path", ["/api/v1/instances", "/api/v1/tasks/x/complete", "/api/v1/nowhere", "/sign-in"]
)
def test_json_nested_a_thousand_deep_is_refused_not_a_server_error(client, path, depth):
    """No token or session needed: the body is read before anyone is known."""
    response = client.post(path, data="[" * depth + "]" * depth, content_type="application/json")
    assert 400 <= response.status_code < 500, response.status_code


def test_json_nested_too_deep_is_refused_with_a_token(client, db):
    token = make_token(db, make_service_account(db, "robot", "social_worker").username)
    for body in (DEEP_JSON, '{"a": ' * 40 + "1" + "}" * 40):
        response = client.post(
            "/api/v1/instances",
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 422, response.status_code
        assert "nested at most 32 deep" in response.json["fields"]["body"]


def test_a_body_over_the_limit_gets_a_413_the_client_can_read(app):
    """Over a real socket (the test client has none): the development server, as gunicorn
    in tests/webui/test_gunicorn_logs.py."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for size in (3 * 2**20, 20 * 2**20):
            assert post_raw(server.server_port, size).startswith(b"HTTP/1.1 413"), size
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "username, path",
    [
        ("admin", f"/audit?page={HUGE}"),
        ("admin", "/audit?page=²"),
        ("admin", "/audit?page=999999999999999999"),
        ("sm1", f"/inbox?page={HUGE}"),
        ("sm1", "/inbox?page=999999999999999999"),
        ("sm1", f"/instances?page={HUGE}&version={HUGE}"),
        ("sm1", "/instances?page=999999999999999999"),
        ("sm1", f"/dashboard/figure?key=open_9&page={HUGE}"),
        ("sm1", f"/census?year={HUGE}"),
        ("po1", f"/diagrams/icpc/edit?version={HUGE}"),
        ("po1", "/diagrams/icpc/edit?version=999999999999999999"),
        ("po1", f"/diagrams/icpc/diff?from={HUGE}&to={HUGE}"),
        ("po1", "/diagrams/icpc/diff?from=999999999999999999&to=999999999999999999"),
        ("po1", f"/diagrams/icpc/migrate?to={HUGE}&from={HUGE}&check=1"),
    ],
)
def test_a_huge_number_in_a_query_string_is_a_clear_client_error(demo_app, username, path):
    response = signed_in(demo_app, username).get(path)
    assert response.status_code < 500, (path, response.status_code)
    response.close()


@pytest.mark.parametrize("wanted", [HUGE, "999999999999999999", "²", "x"])
def test_a_number_no_record_can_have_is_not_found(demo_app, wanted):
    client = signed_in(demo_app, "po1")
    for path in ("/diagrams/icpc/edit?version=", "/diagrams/icpc/diff?to="):
        assert client.get(path + wanted).status_code == 404, path


def test_opening_a_cancelled_task_of_mine_says_it_was_cancelled(demo_app, db):
    mine = HumanTask.state == "ready", HumanTask.assignee_id.is_not(None)
    task = db.scalars(select(HumanTask).where(*mine)).first()
    task.state = "cancelled"
    db.commit()
    client = signed_in(demo_app, task.assignee.username)
    shown = client.get(f"/tasks/{task.id}")
    sent = post_form(client, f"/tasks/{task.id}", {"action": "draft"}, token_from="/inbox")
    for response in (shown, sent):
        assert response.status_code == 404
        assert "was cancelled" in response.get_data(as_text=True)

"""The managers' dashboard and census pages: figures, drill-down, CSV, access, bad input."""

import csv
import io
from datetime import date

import pytest

from engine.reporting import census_export
from tests.factories import add_plan, make_child, make_staff
from tests.processes.driver import Case, on_a_plan
from tests.webui.conftest import page, sign_in


@pytest.fixture
def planned(db, web_engine, clock):
    case = Case(db, web_engine, clock, reload=False)
    on_a_plan(case)
    return case


def figure_row(html, key):
    return html.select_one(f"#figure-{key}")


def test_the_dashboard_counts_the_held_conference(client, planned):
    sign_in(client, "tm")
    response = client.get("/dashboard")
    assert response.status_code == 200
    html = page(response)
    assert html.h1.text.strip() == "Dashboard"
    row = figure_row(html, "icpc_str_child")
    assert "1 of 1 children" in row.text and "100.0%" in row.text
    assert "0 of 1 children" in figure_row(html, "repeat_ever").text  # a first plan
    # Each figure says what it counts, beside it: pre-birth conferences are initial ones.
    assert "pre-birth conferences included" in row.select_one(".app-figure__definition").text
    assert "None held" in figure_row(html, "transfer_in_child").text  # shown apart
    assert html.select_one("#chart-icpc svg[role=img] title") is not None
    link = row.a["href"]
    drill = page(client.get(link))
    assert drill.h1.text.strip().startswith("ICPCs within 15 working days")
    assert "strategy discussion" in drill.select_one("#figure-definition").text
    child_links = [a.text for a in drill.select("#figure-rows a")]
    assert child_links == [planned.child.full_name]


def test_an_empty_dashboard_says_none_held(client, db):
    make_staff(db)
    sign_in(client, "sm")
    html = page(client.get("/dashboard"))
    assert "None held" in figure_row(html, "icpc_str_child").text
    assert html.select_one("#overdue-by-team").text.strip() == "No step is overdue."
    drill = page(client.get("/dashboard/figure?key=reviews_on_time"))
    assert "No children are counted" in drill.select_one("#figure-rows").text


def test_bad_dates_show_an_error_and_the_last_12_months(client, db):
    make_staff(db)
    sign_in(client, "tm")
    for query in ("from=31-02-2026", "from=2026-05-01&to=2026-01-01"):
        response = client.get(f"/dashboard?{query}")
        assert response.status_code == 200
        html = page(response)
        assert html.title.string.startswith("Error:")
        assert html.select_one(".govuk-error-summary") is not None
    assert client.get("/dashboard/figure?key=nothing").status_code == 404


def test_the_figures_and_a_figure_download_as_csv(client, planned):
    sign_in(client, "sm")
    response = client.get("/dashboard.csv?from=2026-01-01&to=2027-12-31")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    response.close()
    by_key = {r["figure"]: r for r in rows}
    assert (
        by_key["icpc_str_child"]["count"] == "1" and by_key["icpc_str_child"]["percent"] == "100.0"
    )
    assert "held or not" in by_key["reviews_on_time"]["definition"]
    children = client.get("/dashboard/figure.csv?key=icpc_str_child&from=2026-01-01&to=2027-12-31")
    lines = list(csv.reader(io.StringIO(children.get_data(as_text=True))))
    children.close()
    assert lines[0] == ["child_reference", "child", "detail", "counted"]
    assert lines[1][:2] == [planned.child.reference, planned.child.full_name]


def test_a_csv_cell_never_starts_a_formula(client, planned, db):
    planned.child.given_name = "=HYPERLINK(1)"
    db.commit()
    sign_in(client, "sm")
    response = client.get("/dashboard/figure.csv?key=icpc_str_child")
    assert "'=HYPERLINK(1) Okoye" in response.get_data(as_text=True)
    response.close()


def test_the_census_extract(client, planned):
    sign_in(client, "sm")
    html = page(client.get("/census?year=2027"))
    count = html.select_one("#census-count").text
    assert "1 child: 1 section 47 enquiry, 1 plan." in count
    assert planned.child.reference in html.select_one("#census-rows").text
    assert "CPPstartDate (N00105)" in html.select_one("#census-rows thead").text
    response = client.get("/census.csv?year=2027")
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    response.close()
    assert lines[0][:4] == ["LAchildID", "PersonBirthDate", "ExpectedPersonBirthDate",
                            "S47ActualStartDate"]  # fmt: skip
    enquiry, plan = lines[1:]
    assert enquiry[0] == planned.child.reference and enquiry[3] == "2026-12-18"
    assert plan[7] == "2027-01-11" and plan[11] == "0"
    xml = client.get(html.select_one("#census-xml")["href"])
    assert xml.mimetype == "application/xml" and "attachment" in xml.headers["Content-Disposition"]
    assert census_export.problems(xml.get_data()) == []
    assert b"<CPPstartDate>2027-01-11</CPPstartDate>" in xml.get_data()
    xml.close()
    assert "0 children" in page(client.get("/census?year=2020")).select_one("#census-count").text
    assert client.get("/census?year=junk").status_code == 200
    assert client.get("/census?year=²").status_code == 200


@pytest.mark.parametrize("who", ["sw", "bs", "chair", "police"])
def test_staff_who_are_not_managers_cannot_see_the_figures(client, db, who):
    make_staff(db)
    sign_in(client, who)
    for path in (
        "/dashboard",
        "/dashboard.csv",
        "/dashboard/figure?key=unborn",
        "/census",
        "/census.csv",
        "/census.xml",
        "/dashboard/overdue",
        "/dashboard/late-reasons",
        "/dashboard/escalations",
        "/dashboard/team-tasks",
        "/dashboard/coming",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        response.close()
    assert "Dashboard" not in page(client.get("/inbox")).select_one("nav").text


def test_a_long_figure_shows_a_hundred_children_a_page_and_the_csv_has_all(client, db, engine):
    staff = make_staff(db)
    for n in range(130):
        child = make_child(db, engine, staff["sw"], given=f"Child{n:03d}")
        add_plan(db, child, date(2024, 1, 1))
    sign_in(client, "sm")
    first = page(client.get("/dashboard/figure?key=open_9"))
    assert first.h1.text.strip() == "Plans open 9 months or more"
    assert len(first.select("#figure-rows tbody tr")) == 100
    assert first.select_one("#figure-showing").text == "Showing 1 to 100 of 130"
    assert first.select_one("nav.govuk-pagination a[rel=next]")["href"].count("page=2") == 1
    for asked in ("2", "99"):  # the last page, also for a page past the end
        last = page(client.get(f"/dashboard/figure?key=open_9&page={asked}"))
        assert len(last.select("#figure-rows tbody tr")) == 30
        assert last.select_one("#figure-showing").text == "Showing 101 to 130 of 130"
    assert len(page(client.get("/dashboard/figure?key=open_9&page=x")).select("tbody tr")) == 100
    response = client.get("/dashboard/figure.csv?key=open_9")
    assert len(list(csv.reader(io.StringIO(response.get_data(as_text=True))))) == 131
    response.close()


def test_each_chart_has_a_text_alternative_beside_its_table(client, planned, db):
    sign_in(client, "tm")
    html = page(client.get("/dashboard"))
    svg = html.select_one("#chart-icpc svg[role=img]")
    summary = html.select_one(f"#{svg['aria-describedby']}").text
    assert "1 of 1 on time (100%)" in summary
    assert "Highest January 2027 (100%)" in summary and "latest January 2027" in summary
    reviews = html.select_one("#chart-reviews-summary").text
    assert reviews.strip() == "None held in these months."


def test_each_work_view_is_one_click_from_the_dashboard(client, planned, clock):
    from datetime import datetime

    from engine.platform.clock import LONDON

    clock.set(datetime(2027, 2, 1, 10, 0, tzinfo=LONDON))  # the first core group is a week late
    sign_in(client, "tm")
    links = {a.text: a["href"] for a in page(client.get("/dashboard")).select("#work-views a")}
    assert list(links) == [
        "Overdue now",
        "Escalated to you",
        "Your team's waiting steps",
        "Due in the next four weeks",
        "Why steps were late",
        "Find a child's workflows",
        "Feedback on conferences",
    ]
    for href in links.values():
        response = client.get(href)
        assert response.status_code == 200, href
        response.close()
    overdue = page(client.get(links["Overdue now"])).select_one("#overdue-rows")
    cells = [td.text.strip() for td in overdue.select("tbody tr")[0].select("td")]
    assert cells[0] == f"Amara Okoye {planned.child.reference}"
    assert cells[1:6] == [
        "Record the core group meeting",
        "Sw",
        "North",
        "25 January 2027",
        "7 days",
    ]
    assert cells[7] == "None given"
    tag = overdue.select("tbody tr")[0].select_one("td strong.govuk-tag.govuk-tag--red")
    assert tag.text.strip() == "7 days"  # govukTag's markup, written out
    team = page(client.get(links["Your team's waiting steps"])).select_one("#team-rows")
    assert "Record the core group meeting" in team.text and "Book the conference" in team.text
    coming = page(client.get(links["Due in the next four weeks"])).select_one("#coming-rows")
    lines = [r.get_text(" ", strip=True) for r in coming.select("tbody tr")]
    # 1 February to 1 March 2027: the review's booking; the core group is already late.
    assert lines == [f"24 February 2027 Book the conference Amara Okoye {planned.child.reference}"]
    escalated = page(client.get(links["Escalated to you"]))
    assert "Nothing escalated to you is open." in escalated.select_one("#escalations-open").text
    found = page(client.get("/instances?child=okoye"))
    rows = found.select("#instances tbody tr")
    assert len(rows) == 3 and all("Amara Okoye" in r.text for r in rows)
    assert "Sw" in found.select_one("#instances").text  # the holder column
    assert (
        page(client.get("/instances?child=nobody")).select("#instances tbody tr td")[0]["colspan"]
        == "8"
    )
    nav = page(client.get("/dashboard")).select_one("nav").text
    assert "Feedback" in nav  # in the managers' menu, not only the administrator's


def test_a_team_on_the_overdue_page_is_the_dashboards_team(client, planned, clock):
    from datetime import datetime

    from engine.platform.clock import LONDON

    clock.set(datetime(2027, 2, 1, 10, 0, tzinfo=LONDON))
    sign_in(client, "tm")
    team = page(client.get("/dashboard")).select_one("#overdue-by-team a")
    assert team.text == "North"
    html = page(client.get(team["href"]))
    assert html.h1.text.strip() == "Overdue now: North"
    assert "from" not in team["href"]  # "overdue now" has no period
    assert "No step is overdue." in page(client.get("/dashboard/overdue?team=South")).text

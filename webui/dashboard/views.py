from __future__ import annotations

from datetime import date

from flask import Response, abort, g, render_template, request

from engine.access import access
from engine.models.people import Child
from engine.platform.errors import EngineError
from engine.platform.workdays import add_months
from engine.reporting import census, census_export, dashboard, dashboard_summary

from ..auth.guard import login_required
from ..converters import whole_number
from ..extensions import db, workflow
from . import bp
from .csv_export import download

# A figure can count thousands of children: the page shows them a hundred at a time (the
# CSV has them all).
ROWS_PER_PAGE = 100


def _period(args, today: date) -> tuple[date, date, str | None]:
    """The period asked for, or the last 12 months; with a message if the dates were bad."""
    default = (add_months(today, -12), today)
    try:
        start = date.fromisoformat(args["from"]) if args.get("from") else default[0]
        end = date.fromisoformat(args["to"]) if args.get("to") else default[1]
    except ValueError:
        return *default, "Enter dates like 2026-04-01. The last 12 months are shown."
    if start > end:
        return *default, "The start date must be before the end date. The last 12 months are shown."
    return start, end, None


def _scope():
    """Today, the period asked for (with a message if its dates were bad), and which
    children this manager's figures count."""
    today = workflow().clock.today()
    start, end, problem = _period(request.args, today)
    return today, start, end, problem, access.child_filter(g.user, Child.id)


def _build():
    """The figures for the period asked for, counted in SQL (no rows are shown)."""
    today, start, end, problem, condition = _scope()
    return dashboard_summary.build(db(), start, end, today, condition), problem


@bp.route("/dashboard")
@login_required
def index():
    board, problem = _build()
    return render_template(
        "dashboard/index.html",
        title="Dashboard",
        board=board,
        error=problem,
        period={"from": board.start.isoformat(), "to": board.end.isoformat()},
    )


@bp.route("/dashboard.csv")
@login_required
def figures_csv():
    board, _ = _build()
    rows = [
        (
            f.key,
            f.label,
            f.met,
            f.total if f.percent_of else "",
            f.percent if f.percent_of else "",
            f.definition,
        )
        for f in board.figures()
    ]
    name = f"dashboard-{board.start.isoformat()}-to-{board.end.isoformat()}.csv"
    header = ("figure", "label", "count", "out_of", "percent", "definition")
    return download(name, header, rows)


def _figure():
    """The figure asked for with the children behind it, and the period as (start, end)."""
    today, start, end, problem, condition = _scope()
    key = request.args.get("key", "")
    found = dashboard.figure(db(), key, start, end, today, condition)
    if found is None:
        abort(404, "There is no such figure on the dashboard.")
    return (start, end), found, problem


@bp.route("/dashboard/figure")
@login_required
def figure():
    (start, end), figure, problem = _figure()
    pages = max(1, -(-len(figure.rows) // ROWS_PER_PAGE))
    page = min(whole_number(request.args.get("page")) or 1, pages)
    first = (page - 1) * ROWS_PER_PAGE
    period = {"from": start.isoformat(), "to": end.isoformat()}
    return render_template(
        "dashboard/figure.html",
        title=figure.label,
        start=start,
        end=end,
        figure=figure,
        rows=figure.rows[first : first + ROWS_PER_PAGE],
        first=first,
        page=page,
        pages=pages,
        query={"key": figure.key, **period},
        error=problem,
        period=period,
    )


@bp.route("/dashboard/figure.csv")
@login_required
def figure_csv():
    (start, end), figure, _ = _figure()
    rows = [
        (
            r.child.reference if r.child else "",
            r.child.full_name if r.child else "",
            r.detail,
            "" if r.met is None else ("yes" if r.met else "no"),
        )
        for r in figure.rows
    ]
    name = f"{figure.key.replace(':', '-')}-{start.isoformat()}-to-{end.isoformat()}.csv"
    return download(name, ("child_reference", "child", "detail", "counted"), rows)


def _census_year(today: date) -> census.CensusYear:
    """The year asked for if the census rule allows it, else the current one."""
    year = request.args.get("year", "")
    try:
        return census.census_year(whole_number(year), today)
    except EngineError:
        return census.CensusYear.containing(today)


def _census(year: census.CensusYear) -> list[census.ChildItems]:
    return census.collect(db(), year, access.child_filter(g.user, Child.id))


@bp.route("/census")
@login_required
def census_page():
    today = workflow().clock.today()
    year = _census_year(today)
    children = _census(year)
    current = census.CensusYear.containing(today).end.year
    enquiries = sum(len(c.enquiries) for c in children)
    plans = sum(len(c.plans) for c in children)
    # A council's year is thousands of rows: a page at a time, only its rows written out.
    pages = max(1, -(-(enquiries + plans) // ROWS_PER_PAGE))
    page = min(whole_number(request.args.get("page")) or 1, pages)
    rows = census_export.csv_rows(children, (page - 1) * ROWS_PER_PAGE, ROWS_PER_PAGE)
    return render_template(
        "dashboard/census.html",
        title="Children in Need census: child protection",
        year=year,
        children=len(children),
        enquiries=enquiries,
        plans=plans,
        rows=rows,
        page=page,
        pages=pages,
        query={"year": year.end.year},
        header=census_export.CSV_HEADER,
        codes=census.ITEMS,
        years=list(range(current, current - 6, -1)),
    )


@bp.route("/census.csv")
@login_required
def census_csv():
    year = _census_year(workflow().clock.today())
    rows = census_export.csv_rows(_census(year))
    return download(f"cin-census-cp-{year.end.year}.csv", census_export.CSV_HEADER, rows)


@bp.route("/census.xml")
@login_required
def census_xml():
    year = _census_year(workflow().clock.today())
    document = census_export.to_xml(_census(year), year, workflow().clock.now())
    return Response(
        document,
        mimetype="application/xml",
        headers={
            "Content-Disposition": f'attachment; filename="cin-census-cp-{year.end.year}.xml"'
        },
    )

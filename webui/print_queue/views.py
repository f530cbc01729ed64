"""The print queue page, a letter's PDF and "mark as posted".

Who may use it and which letters they see are decided in `engine.documents.print_queue`
(business support, through their access to each child); a refused date comes back to the
queue with an error summary, nothing recorded.
"""

from __future__ import annotations

import io

from flask import flash, g, redirect, render_template, request, send_file, url_for

from engine.documents import print_queue

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp


def _page(errors=None, values=None, status=200):
    clock = workflow().clock
    return render_template(
        "print_queue/index.html",
        title="Print queue",
        letters=print_queue.queue(db(), g.user, clock.today()),
        today=clock.today(),
        errors=errors or {},
        values=values or {},
    ), status


@bp.route("/print-queue")
@login_required
def index():
    return _page()


@bp.route("/print-queue/<id:letter_id>.pdf")
@login_required
def letter(letter_id):
    produced = print_queue.letter_pdf(db(), g.user, letter_id, workflow().clock.now())
    return send_file(
        io.BytesIO(produced.content),
        mimetype=produced.mimetype,
        as_attachment=True,
        download_name=produced.filename,
    )


@bp.route("/print-queue/<id:letter_id>/posted", methods=["POST"])
@login_required
def posted(letter_id):
    parts = [request.form.get(f"posted_on-{p}", "").strip() for p in ("year", "month", "day")]
    day = "-".join(part.zfill(2) for part in parts) if all(p.isdigit() for p in parts) else ""
    try:
        print_queue.posted(db(), g.user, letter_id, day, workflow().clock.now())
    except print_queue.NotPosted as problem:
        typed = dict(zip(("year", "month", "day"), parts, strict=True))
        return _page({f"posted_on_{letter_id}": str(problem)}, {letter_id: typed}, status=400)
    flash("The letter is marked as posted.", "success")
    return redirect(url_for("print_queue.index"))

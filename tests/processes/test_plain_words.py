"""People's names and agencies in plain words in documents; Word documents on A4 (issue 22)."""

import io

import docx
from sqlalchemy import select

from engine.documents import document_data, document_render
from engine.models import Conference
from tests.processes.driver import held


def test_documents_name_people_and_agencies_in_words_and_word_is_a4(case):
    held(case)
    conference = case.db.scalars(select(Conference).where(Conference.kind == "icpc")).one()
    doc = document_data.gather(case.db, conference.id, "minutes", case.clock.today())
    reports = {(r["label"], r["agency"], r["author"]) for r in doc["reports"]}
    assert ("Social worker's report", None, "Sw") in reports  # the display name, not "sw"
    assert ("Agency report", "Police", "Robin Hall") in reports
    roles = {i["name"]: i["relationship"] for i in doc["invitations"]}
    assert roles["Dr Asha Patel"] == "GP" and roles["Grace Okoye"] == "Mother"
    html = document_render.render_html(doc)
    assert "(police)" not in html and "health_visitor" not in html and ": sw<" not in html
    word = docx.Document(io.BytesIO(document_render.render(doc, document_render.DOCX)))
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)

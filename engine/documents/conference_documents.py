"""What a conference's page shows a person: documents, reports, files, links, by access level.

Staff with full access see every report, the history of each document (generated, sent, to
whom) and the family's secure links. An agency professional invited to the conference sees
its documents and only the report asked of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.access import withheld_text, withholding
from engine.access.access import Level
from engine.documents import document_data
from engine.models import audit
from engine.models.case_access import is_report_author
from engine.models.child_conferences import people_for_child
from engine.models.conferences import (
    CasePerson,
    Conference,
    ConferenceRequest,
    ReportShare,
    invitations_for,
    reports_for,
    requests_for,
)
from engine.models.documents import (
    DocumentRecord,
    FamilyLink,
    ReportFile,
    family_records_for,
    links_for,
)
from engine.models.documents import records_for as document_records
from engine.models.people import Child, User
from engine.models.professional_links import ProfessionalLink
from engine.models.professional_links import links_for as professional_links_for
from engine.models.withholding import keys_hidden_from_user, shares_for


@dataclass
class Overview:
    conference: Conference
    child: Child
    level: Level
    documents: list[tuple[str, str]]  # (kind, title)
    reports: list
    files: dict[int, list[ReportFile]]
    records: list[DocumentRecord]
    family: list[CasePerson]
    links: list[FamilyLink]
    posted: list[CasePerson]  # invited people sent their copy by post
    shares: dict[int, list[ReportShare]]  # which parent had each report, and when
    requests: list[ConferenceRequest]  # to exclude or withhold, decided or not
    request_texts: dict[int, withholding.RequestText]  # their free text, less what is withheld
    summaries: dict[int, str | None]  # each report's text, less what is withheld from them
    file_names: dict[int, str]  # each file's name by its id, less what is withheld from them
    professional_links: list[ProfessionalLink]
    raised_by_link: dict[int, str]  # request id: the professional who raised it by link
    family_documents: list[DocumentRecord]  # a family conference's, sent once for the group

    @property
    def full(self) -> bool:
        return self.level is Level.FULL


def overview(session: Session, user: User, conference: Conference, level: Level) -> Overview:
    full = level is Level.FULL
    invitations = invitations_for(session, conference.id)
    invited = bool(invitations)
    hidden = keys_hidden_from_user(session, user, conference.child_id)
    values = withholding.values_of(session, hidden)
    reports = [
        r
        for r in reports_for(session, conference.id)
        if ("report", r.id, "summary") not in hidden  # withheld from this person
    ]
    if not full:
        reports = [r for r in reports if is_report_author(session, user, r)]
    requests = requests_for(session, conference.id) if full else []
    kinds = document_data.available(conference, invited)
    family = [p for p in people_for_child(session, conference.child_id) if p.kind == "family"]
    files = withholding.files_for_reader(
        session, user, conference.child_id, [r.id for r in reports]
    )
    return Overview(
        conference=conference,
        child=session.get(Child, conference.child_id),
        level=level,
        documents=[(k, document_data.TITLES[k]) for k in kinds],
        reports=reports,
        files=files,
        file_names={
            f.id: withheld_text.redact(f.filename, values)
            for found in files.values()
            for f in found
        },
        records=document_records(session, conference.id) if full else [],
        family=family if full else [],
        links=links_for(session, conference.id) if full else [],
        shares=shares_for(session, [r.id for r in reports]),
        requests=requests,
        request_texts=withholding.request_texts(requests, values),
        summaries={r.id: withheld_text.redact(r.summary, values) for r in reports},
        posted=[i.person for i in invitations if i.person.user_id is None] if full else [],
        professional_links=professional_links_for(session, conference.id) if full else [],
        raised_by_link=audit.raised_by_link(session, conference.child_id) if full else {},
        family_documents=_family_documents(session, user, conference),
    )


def _family_documents(session: Session, user: User, conference: Conference):
    """The family documents sent for this conference's group that cover this child, by
    whichever child's step sent them; each reader downloads only their own copy of one."""
    return [
        record
        for record in family_records_for(session, conference.group_id)
        if conference.child_id in {part["child_id"] for part in record.data["children"]}
    ]

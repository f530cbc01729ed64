"""Users (staff accounts with roles) and children (the subjects of cases)."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    bindparam,
    event,
    func,
    literal_column,
    select,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import (
    Mapped,
    Session,
    joinedload,
    mapped_column,
    object_session,
    relationship,
)
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.elements import True_

from engine.models import session_memo
from engine.models.base import Base, UTCDateTime, utcnow

IMMEDIATE, DAILY_DIGEST = "immediate", "daily"
NOTIFY_CHOICES = {
    IMMEDIATE: "An email for each new task and reminder",
    DAILY_DIGEST: "One email a day listing them",
}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    team: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A system that calls the API (a case management system, a reporting script): signs in
    # only with an API token, never a password, and holds roles like a person.
    service_account: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # How task and reminder emails reach this person: one each, or one digest a day.
    # Escalations always go at once.
    notify: Mapped[str] = mapped_column(String(16), default=IMMEDIATE, server_default=IMMEDIATE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A temporary password an administrator set: the next sign-in must choose a new one.
    # (No Python default: a Core insert written for an older schema must not name it.)
    must_change_password: Mapped[bool] = mapped_column(Boolean, server_default=sa_false())
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The subject claim of the council's identity provider (OpenID Connect), once linked.
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", back_populates="user"
    )

    @property
    def roles(self) -> frozenset[str]:
        """The role keys, built once per loaded `role_rows` (a request asks many times).
        Kept beside the list it was built from: a reload or assignment gives a new list,
        and a change in place (append, remove, a role renamed) drops it (`_drop_roles`)."""
        rows = self.__dict__.get("role_rows")
        if rows is None:
            rows = self.role_rows
        kept = self.__dict__.get(_ROLES)
        if kept is not None and kept[0] is rows:
            return kept[1]
        roles = frozenset(r.role for r in rows)
        self.__dict__[_ROLES] = (rows, roles)
        return roles

    def has_role(self, role: str) -> bool:
        return role in self.roles


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    user: Mapped[User] = relationship(back_populates="role_rows")


_ROLES = "_cpc_roles"  # (role_rows list, its roles) in the User's __dict__, beside its columns


def _drop_roles(user: User, *_event, **_keys) -> None:
    user.__dict__.pop(_ROLES, None)


def _role_renamed(row: UserRole, *_event) -> None:
    """A row's role changed in place: the roles of the account holding it are stale."""
    user = row.__dict__.get("user")
    session = object_session(row)
    if user is None and session is not None and row.user_id is not None:
        user = session.identity_map.get(identity_key(User, row.user_id))
    if user is not None:
        _drop_roles(user)


for _change in ("append", "remove", "bulk_replace"):
    event.listen(User.role_rows, _change, _drop_roles)
event.listen(UserRole.role, "set", _role_renamed)


class Child(Base):
    __tablename__ = "children"
    # A social worker's children (and a team manager's: their teams' workers' children) are
    # read as ids from this index alone, never the table's rows (migration 0036).
    __table_args__ = (Index(None, "social_worker_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    given_name: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    expected_date_of_birth: Mapped[date | None] = mapped_column(Date)
    social_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Brothers and sisters share a family (`engine.models.families`): set, never guessed.
    family_id: Mapped[int | None] = mapped_column(ForeignKey("families.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    social_worker: Mapped[User | None] = relationship()

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


# What a search for a child by part of a name or reference compares (the instance list's
# filter): the full name contains the given and the family name, so two tests cover all
# three. The ' ' is written into the SQL, not bound, so PostgreSQL matches the expression
# to its trigram index (migration 0032) whatever the plan; SQLite has no such index.
SEARCHED_NAMES = (
    func.lower(Child.reference),
    func.lower(Child.given_name + literal_column("' '") + Child.family_name),
)
# The same two as PostgreSQL gives them back (grouped), so Alembic's comparison sees no change.
TRIGRAM_INDEXES = {
    "ix_children_reference_trgm": "lower(reference)",
    "ix_children_full_name_trgm": "lower((given_name || ' ') || family_name)",
}
for _name, _expression in TRIGRAM_INDEXES.items():
    Index(
        _name,
        literal_column(_expression).label("searched"),
        postgresql_using="gin",
        postgresql_ops={"searched": "gin_trgm_ops"},
        _table=Child.__table__,
    ).ddl_if(dialect="postgresql")


class ChildName(NamedTuple):
    """What a long list shows of a child (a link, a name, a reference), without the row."""

    id: int
    reference: str
    full_name: str


NAME_COLUMNS = (Child.reference, Child.given_name, Child.family_name)


def of_children(query, child_id, condition):
    """`query` of rows that each name their child by `child_id` (never null), kept to the
    children an access condition on `Child.id` lets through. A condition that lets every
    child through needs no join: counting a decade's rows skips reading every child."""
    if condition is None or isinstance(condition, True_):
        return query
    return query.join(Child, Child.id == child_id).where(condition)


def child_name(child_id: int, reference: str, given_name: str, family_name: str) -> ChildName:
    return ChildName(child_id, reference, f"{given_name} {family_name}")


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def user_ids_by_username(session: Session, usernames: set[str]) -> dict[str, int]:
    """The ids of these usernames: those this session already holds without asking the
    database (usernames never change), the rest in one query. Unknown names are left out."""
    found = {
        row.username: row.id
        for row in list(session.identity_map.values())
        if isinstance(row, User) and row.username in usernames
    }
    missing = usernames - found.keys()
    if missing:
        query = select(User.username, User.id).where(User.username.in_(sorted(missing)))
        found.update((name, user_id) for name, user_id in session.execute(query))
    return found


def users_by_id(session: Session, ids: list[int]) -> list[User]:
    """These accounts, in one statement (built once: a document's send reads its staff)."""
    return list(session.scalars(_BY_IDS, {"ids": ids}))


_BY_IDS = select(User).where(User.id.in_(bindparam("ids", expanding=True)))


def users_with_role(session: Session, role: str) -> list[User]:
    """The active accounts holding `role`, by name: read once in a transaction until it
    writes to users or roles (a booking's form, its new task's notice and the reminder due
    with it each ask who does business support)."""
    return list(
        session_memo.remembered(
            session,
            _ACCOUNTS,
            ("with_role", role),
            lambda: session.scalars(_WITH_ROLE, {"role": role}).all(),
        )
    )


_ACCOUNTS = frozenset({"users", "user_roles"})


class Recipient(NamedTuple):
    """What a message needs of an account, read as columns rather than as its row."""

    id: int
    email: str
    active: bool
    notify: str


def recipients_with_role(session: Session, role: str) -> list[User | Recipient]:
    """`users_with_role` as a message needs them (every step that makes a pool task tells
    them): the columns alone, read once in a transaction like it. An account the session
    holds is given as itself, its changes not flushed included, as the query of rows would."""
    rows = session_memo.remembered(
        session,
        _ACCOUNTS,
        ("recipients", role),
        lambda: session.execute(_RECIPIENTS, {"role": role}).all(),
    )
    found: list[User | Recipient] = []
    for row in rows:
        kept = session.identity_map.get(identity_key(User, row[0]))
        held = kept is not None and kept.__dict__.keys() >= _NEEDED
        found.append(kept if held else Recipient(*row))
    return found


_RECIPIENTS = (
    select(User.id, User.email, User.active, User.notify)
    .join(UserRole)
    .where(UserRole.role == bindparam("role"), User.active.is_(True))
    .order_by(User.display_name)
)
_NEEDED = frozenset(Recipient._fields)


# Built once (every step that makes a pool task asks): see `engine.models.tokens._BY_DIGEST`.
_WITH_ROLE = (
    select(User)
    .join(UserRole)
    .where(UserRole.role == bindparam("role"), User.active.is_(True))
    .order_by(User.display_name)
)


def active_users(session: Session) -> list[User]:
    query = select(User).where(User.active.is_(True)).order_by(User.display_name)
    return list(session.scalars(query))


def all_children(
    session: Session, condition=None, limit: int | None = None, offset: int = 0
) -> list[Child]:
    """Every child, or those matching `condition` (the caller's access filter); a page of them
    with `limit` and `offset`."""
    query = select(Child).options(joinedload(Child.social_worker))
    if condition is not None:
        query = query.where(condition)
    query = query.order_by(Child.family_name, Child.given_name, Child.id)
    return list(session.scalars(query.limit(limit).offset(offset)))


def child_by_reference(session: Session, reference: str) -> Child | None:
    return session.scalar(select(Child).where(Child.reference == reference.strip().upper()))


def next_child_reference(session: Session) -> str:
    count = session.scalar(select(Child.id).order_by(Child.id.desc()).limit(1)) or 0
    return f"C{count + 1:06d}"


def team_manager_for(session: Session, user: User | None) -> User | None:
    """The first team manager of the user's team: where their late steps escalate first."""
    if user is None or not user.team:
        return None
    from engine.models.teams import managers_of  # teams' rows name users: imported late

    managers = managers_of(session, user.team)
    return managers[0] if managers else None


def team_manager_name(session: Session, user: User | None) -> str | None:
    """`team_manager_for`'s username, read as one column (a workflow's start data)."""
    if user is None or not user.team:
        return None
    from engine.models.teams import first_manager_name  # teams' rows name users

    return first_manager_name(session, user.team)


def every_user(session: Session) -> list[User]:
    """Everyone, active or not, people first then service accounts (the administrators' list)."""
    query = select(User).options(joinedload(User.role_rows))
    query = query.order_by(User.service_account, User.active.desc(), User.username)
    return list(session.scalars(query).unique())

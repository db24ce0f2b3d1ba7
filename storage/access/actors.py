"""Who is acting: the actor, signing in (a database login or `--as`), and the
actor cache of a transaction (storage/access/__init__.py says the rules)."""

from __future__ import annotations

from dataclasses import dataclass

from planner.errors import CaseloadError
from storage.reader import reader_of


LEAD_ROLE = "team_lead"
ADMIN_ROLE = "administrator"
_CACHE = "caseload.actors"  # info key: (transaction, {actor string: Actor})
_LOGIN = "caseload.login"  # info key: the connection's Login


@dataclass(frozen=True, slots=True)
class Actor:
    """The person acting: a practitioner of a team, or the administrator
    (practitioner_id None)."""

    practitioner_id: str | None
    team_id: str | None
    role: str

    @property
    def is_admin(self) -> bool:
        return self.practitioner_id is None

    @property
    def is_lead(self) -> bool:
        return self.role == LEAD_ROLE

    def describe(self) -> str:
        return self.practitioner_id or "the administrator"


ADMIN = Actor(practitioner_id=None, team_id=None, role=ADMIN_ROLE)


# --------------------------------------------------------------------------- signing in


@dataclass(frozen=True, slots=True)
class Login:
    """The database connection's own identity."""

    name: str | None  # PostgreSQL's session_user; None on SQLite
    practitioner_id: str | None  # the practitioner the login is mapped to (PostgreSQL)
    owner: bool  # it administers: owns the tables (or is a superuser); the file's owner on SQLite


@dataclass(frozen=True, slots=True)
class SignIn:
    """Who acts, as signed in (`sign_in`)."""

    practitioner_id: str | None  # None: the administrator
    login: str | None  # the database login (PostgreSQL)
    fixed: bool  # the identity comes from signing in: the app does not switch it


def _info(source) -> dict:
    info = getattr(source, "info", None)
    return info if isinstance(info, dict) else {}


def _actors(source) -> dict:
    """The actors resolved in the current transaction of `source`: a Core
    Connection's `info` outlives its transactions (it is the pooled DB-API
    connection's), and a role may change between two writes."""
    info = _info(source)
    transaction = source.get_transaction() if hasattr(source, "get_transaction") else None
    stored = info.get(_CACHE)
    if stored is None or stored[0] is not transaction:
        stored = info[_CACHE] = (transaction, {})
    return stored[1]


def database_login(source) -> Login:
    """The login of the connection behind `source` (a session or a Reader),
    asked once per session. SQLite has none: the file's owner."""
    info = _info(source)
    found = info.get(_LOGIN)
    if found is not None:
        return found
    reader = reader_of(source)
    if reader.dialect != "postgresql":
        found = Login(None, None, True)
    else:
        name, pid, owner = reader.first(
            "SELECT session_user::text, caseload_my_practitioner_id(),"
            " coalesce(pg_has_role(session_user, (SELECT t.tableowner FROM pg_tables t"
            " WHERE t.schemaname = current_schema() AND t.tablename = 'case'), 'USAGE'), false)"
        )
        found = Login(name, pid, bool(owner) and pid is None)
    info[_LOGIN] = found
    return found


def sign_in(source, as_id: str | None) -> SignIn:
    """Who acts for `--as as_id` on this connection (see the module
    docstring); CaseloadError (exit 2) for an `--as` the login may not use,
    a login that may not use caseload, or an unknown practitioner."""
    login = database_login(source)
    if login.practitioner_id is not None:
        if as_id and as_id != login.practitioner_id:
            raise CaseloadError(
                f"--as {as_id}: the database login {login.name} is {login.practitioner_id}'s and acts only as "
                f"{login.practitioner_id}; leave out --as (or use the login of {as_id})"
            )
        return SignIn(login.practitioner_id, login.name, True)
    if not login.owner:
        raise CaseloadError(
            f"the database login {login.name} is not a practitioner's (caseload server add-login) "
            "and does not own the caseload tables; ask the administrator for a login"
        )
    if as_id and lookup_actor(source, as_id) is None:
        raise CaseloadError(f"--as {as_id}: no such practitioner")
    return SignIn(as_id or None, login.name, bool(as_id))


def lookup_actor(session, practitioner_id: str) -> Actor | None:
    row = reader_of(session).first(
        "SELECT p.role, t.team_id FROM practitioner p JOIN team t ON t.id = p.team_pk"
        " WHERE p.practitioner_id = ?",
        (practitioner_id,),
    )
    if row is None:
        return None
    return Actor(practitioner_id=practitioner_id, team_id=row[1], role=row[0])


def resolve_actor(session, actor_id: str | None) -> Actor:
    """The Actor for `--as` (None: the administrator, or on PostgreSQL the
    practitioner of a mapped login). CaseloadError for an id that names no
    practitioner or that the login may not act as (`sign_in`)."""
    who = sign_in(session, actor_id).practitioner_id
    if not who:
        return ADMIN
    actor = lookup_actor(session, who)
    if actor is None:
        raise CaseloadError(f"--as {who}: no such practitioner")
    return actor


def actor_for(session, actor: str | Actor | None) -> Actor:
    """Lenient: the Actor behind an audit actor string. A known practitioner
    id gives that practitioner; anything else is the administrator; on a
    practitioner's own PostgreSQL login, always that practitioner (another
    practitioner's id is refused). Cached for the transaction of `session`
    (a Session, a Core Connection or a Reader)."""
    if isinstance(actor, Actor):
        return actor
    cache = _actors(session)
    key = actor or ""
    if key not in cache:
        login = database_login(session)
        named = lookup_actor(session, actor) if actor else None
        if login.practitioner_id is not None:
            if named is not None and named.practitioner_id != login.practitioner_id:
                sign_in(session, actor)  # refuses, naming the login
            named = lookup_actor(session, login.practitioner_id)
            if named is None:
                raise CaseloadError(f"the practitioner of login {login.name} is not readable")
        elif not login.owner:
            sign_in(session, None)  # refuses: neither a practitioner's login nor the owner's
        cache[key] = named or ADMIN
    return cache[key]


def require_admin(actor: Actor, what: str) -> None:
    """Whole-database operations (import, backup, restore, copy, logins) are
    the administrator's."""
    if not actor.is_admin:
        raise CaseloadError(
            f"only the administrator may {what}, not {actor.practitioner_id} (run it without --as, "
            "as the file's owner or with the database owner's login)"
        )

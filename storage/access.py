"""Who may see and change what: the one place that decides (README, Team server).

Every command, every screen and every write in `storage` asks the check
functions below; PostgreSQL's row-level security and column rules (schemas
0004 and 0007, storage/migrations/versions/) enforce the same rules for
a practitioner's own login, whatever client it uses. README "Team server"
says what is guaranteed and how it is tested.

Who is acting (`sign_in`): identity comes from how someone signed in,
never from a key press.

- On PostgreSQL a login mapped to a practitioner (`caseload server
  add-login`) acts only as that practitioner: `--as` may be left out and
  any other `--as` is refused. Only a login that owns the caseload tables
  (or a superuser) administers: without `--as` it is the administrator,
  with `--as` it acts as that practitioner. Any other login is refused.
- On SQLite `--as PRACTITIONER_ID` names the practitioner; without it the
  OS user, who owns the file, is the administrator (they could open it
  with any tool anyway), and the app lets them switch to anyone.

What an `Actor` may do:

| action                                   | who                                                    | check here                       |
|------------------------------------------|--------------------------------------------------------|----------------------------------|
| see or change a case and what hangs off it | its team; while a handover is open, the outgoing and the incoming practitioner's teams too | `check_case_access`, `guard_case`, `visible_case_refs` |
| see a restricted case (§11)              | only its current practitioner, the receiver of its open handover and its team's leads | `restricted_filter` (in all of the above, and in every caseload read) |
| restrict a case or lift it               | a lead of the case's team                              | `check_restrict`                 |
| allocate a case to someone of another team | a team lead, or completing the handover to them        | `check_allocate`                 |
| record a contact/appointment by someone, name a second practitioner at a contact | a practitioner of one of the case's teams | `check_case_practitioner` |
| cancel or move an appointment (one occurrence or a series), record what happened at it | as for the case (its team; the contact recorded by its practitioner) | `guard_case` |
| book or move onto a bank holiday or an absence day | the case's team lead, with an override reason (audited) | `require_lead` |
| write a case note                        | in one's own name                                      | `note_author`                    |
| complete a handover with an override     | the case's team lead                                   | `check_override`                 |
| see a team as a whole, a colleague's week| the team                                               | `check_team_visible`, `check_practitioner_visible` |
| apply a rebalance, plan a leaver's cases | the team's lead                                        | `require_lead`                   |
| read supervision records                 | the practitioner, and their team's lead                | `check_supervision_access`       |
| run a session, write its notes, reviews  | the practitioner's team lead, on the team's cases      | `check_supervision_lead`, `check_supervision_case` |
| agree an action                          | the owner (their own), or the owner's team lead        | `check_action_add`               |
| tick an action                           | its owner, or the owner's team lead                    | `check_action_tick`              |
| import, backup, restore, copy, logins    | the administrator only                                 | `require_admin`                  |
| export, the audit trail, the palette     | everyone, limited to what they see                     | `visible_case_refs`, `visible_practitioner_ids`, `audit_scope` |

The administrator (no `--as` on their own file, or the owner's login) may
do everything. The write functions in `storage.repo` call
`guard_case(session, actor, case_ref)` with the audit actor string they
were given (`actor_for`): a string naming a practitioner is that
practitioner; anything else is the administrator, except on a
practitioner's own PostgreSQL login, where it is always that practitioner.

A case belongs to the team in `case.team_pk`; a case with no team belongs
to the team of the practitioner it is allocated to (if any).
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.errors import CaseloadError
from planner.model import OPEN_HANDOVER_STATUSES
from storage.reader import reader_of
from storage.column_rules import COLUMN_RULES, changeable_columns

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
    if as_id and _lookup(source, as_id) is None:
        raise CaseloadError(f"--as {as_id}: no such practitioner")
    return SignIn(as_id or None, login.name, bool(as_id))


def _lookup(session, practitioner_id: str) -> Actor | None:
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
    actor = _lookup(session, who)
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
        named = _lookup(session, actor) if actor else None
        if login.practitioner_id is not None:
            if named is not None and named.practitioner_id != login.practitioner_id:
                sign_in(session, actor)  # refuses, naming the login
            named = _lookup(session, login.practitioner_id)
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


# --------------------------------------------------------------------------- cases


def visible_team(actor: Actor) -> str | None:
    """The team whose cases the actor sees; None = every team (administrator)."""
    return None if actor.is_admin else actor.team_id


def case_team_id(session, case_ref: str) -> str | None:
    """The team a case belongs to (see the module docstring); CaseloadError
    for an unknown case."""
    reader = reader_of(session)
    row = reader.first(
        'SELECT c.id, t.team_id FROM "case" c LEFT OUTER JOIN team t ON t.id = c.team_pk WHERE c.case_ref = ?',
        (case_ref,),
    )
    if row is None:
        raise CaseloadError(f"unknown case {case_ref}")
    case_id, team_id = row
    if team_id is not None:
        return team_id
    return reader.scalar(
        "SELECT t.team_id FROM team t JOIN practitioner p ON p.team_pk = t.id"
        " JOIN allocation a ON a.practitioner_pk = p.id"
        " WHERE a.case_id = ? AND a.end_date IS NULL ORDER BY a.start_date DESC, a.id DESC",
        (case_id,),
    )


def handover_teams(session, case_ref: str, *, outgoing_only: bool = False) -> set[str]:
    """The teams of the outgoing and incoming practitioners of the case's
    open handover: both see the case until it completes (README, Team server)."""
    reader = reader_of(session)
    sides = "h.from_practitioner_pk" if outgoing_only else "h.from_practitioner_pk, h.to_practitioner_pk"
    return {team for (team,) in reader.rows(
        'SELECT t.team_id FROM handover h JOIN "case" c ON c.id = h.case_id'
        f" JOIN practitioner p ON p.id IN ({sides})"
        " JOIN team t ON t.id = p.team_pk"
        f" WHERE c.case_ref = ? AND h.status IN ({reader.placeholders(len(OPEN_HANDOVER_STATUSES))})",
        (case_ref, *OPEN_HANDOVER_STATUSES),
    )}


def restricted_filter(actor: Actor, alias: str = "c", placeholder: str = "?") -> tuple[str, tuple]:
    """A restricted case (§11) is seen only by its current practitioner, the
    receiver of its open handover and the leads of its team: the condition on
    `"case" <alias>` that keeps the cases the actor may see of those (every
    other case passes), with its parameters. Mirrored by
    `caseload_visible_cases()` (schema 0010)."""
    if actor.is_admin:
        return "1 = 1", ()
    q = placeholder
    opened = ", ".join(q for _ in OPEN_HANDOVER_STATUSES)
    sql = (f"(NOT {alias}.restricted"
           f" OR {alias}.id IN (SELECT ra.case_id FROM allocation ra JOIN practitioner rp ON rp.id = ra.practitioner_pk"
           f" WHERE ra.end_date IS NULL AND rp.practitioner_id = {q})"
           f" OR {alias}.id IN (SELECT rh.case_id FROM handover rh JOIN practitioner rp ON rp.id = rh.to_practitioner_pk"
           f" WHERE rh.status IN ({opened}) AND rp.practitioner_id = {q})")
    params: tuple = (actor.practitioner_id, *OPEN_HANDOVER_STATUSES, actor.practitioner_id)
    if actor.is_lead:
        sql += (f" OR coalesce({alias}.team_pk, (SELECT rp.team_pk FROM allocation ra"
                f" JOIN practitioner rp ON rp.id = ra.practitioner_pk WHERE ra.case_id = {alias}.id"
                f" AND ra.end_date IS NULL ORDER BY ra.start_date DESC, ra.id DESC LIMIT 1))"
                f" = (SELECT rt.id FROM team rt WHERE rt.team_id = {q})")
        params += (actor.team_id,)
    return sql + ")", params


def _restricted_from(session, actor: Actor, case_ref: str) -> bool:
    """Is the case restricted and out of the actor's sight (`restricted_filter`)?"""
    where, params = restricted_filter(actor)
    return reader_of(session).first(
        f'SELECT 1 FROM "case" c WHERE c.case_ref = ? AND NOT {where}', (case_ref, *params)) is not None


def can_see_case(session, actor: Actor, case_ref: str) -> bool:
    """Does the actor see (and so may change) the case? Its team does, and
    while a handover is open the outgoing and incoming teams do; a
    restricted case only its practitioner, its receiver and its team's
    leads (`restricted_filter`). CaseloadError for an unknown case."""
    team = case_team_id(session, case_ref)
    if actor.is_admin:
        return True
    if team != actor.team_id and actor.team_id not in handover_teams(session, case_ref):
        return False
    return not _restricted_from(session, actor, case_ref)


def check_case_access(session, actor: Actor, case_ref: str) -> None:
    """Refuse (CaseloadError) a case the actor does not see (`can_see_case`)."""
    if can_see_case(session, actor, case_ref):
        return
    team = case_team_id(session, case_ref)
    if team == actor.team_id or actor.team_id in handover_teams(session, case_ref):
        raise CaseloadError(f"case {case_ref} is restricted: {actor.practitioner_id} is not its practitioner, "
                            "its planned receiver nor a lead of its team")
    raise CaseloadError(
        f"{actor.practitioner_id} is in team {actor.team_id} and cannot see case {case_ref}"
        + (f" of team {team}" if team else " (it has no team)")
    )


def guard_case(session, actor: str | Actor | None, case_ref: str) -> None:
    """`check_case_access` for the audit actor string a write was given (see
    `actor_for`): what `storage.repo`'s writes call."""
    check_case_access(session, actor_for(session, actor), case_ref)


_VISIBLE_CASES = (
    'SELECT c.id, c.case_ref FROM "case" c JOIN team t ON t.id = c.team_pk WHERE t.team_id = ?'
    ' UNION SELECT c.id, c.case_ref FROM "case" c JOIN allocation a ON a.case_id = c.id AND a.end_date IS NULL'
    " JOIN practitioner p ON p.id = a.practitioner_pk JOIN team t ON t.id = p.team_pk"
    " WHERE c.team_pk IS NULL AND t.team_id = ?"
    ' UNION SELECT c.id, c.case_ref FROM handover h JOIN "case" c ON c.id = h.case_id'
    " JOIN practitioner p ON p.id IN (h.from_practitioner_pk, h.to_practitioner_pk)"
    " JOIN team t ON t.id = p.team_pk WHERE h.status IN ({open}) AND t.team_id = ?"
)


def _visible_cases(reader, actor: Actor) -> tuple[str, tuple]:
    """`_VISIBLE_CASES` less the restricted cases the actor may not see: (sql, params)."""
    team = actor.team_id
    where, params = restricted_filter(actor)
    sql = (f"SELECT v.id, v.case_ref FROM ({_VISIBLE_CASES.format(open=reader.placeholders(len(OPEN_HANDOVER_STATUSES)))}) v"
           f' JOIN "case" c ON c.id = v.id WHERE {where}')
    return sql, (team, team, *OPEN_HANDOVER_STATUSES, team, *params)


def visible_case_refs(session, actor: Actor) -> set[str] | None:
    """Every case the actor sees (`can_see_case` for all of them, in one
    query); None for the administrator (every case). The database's
    `caseload_visible_cases()` is the same rule."""
    if actor.is_admin:
        return None
    reader = reader_of(session)
    return {ref for _id, ref in reader.rows(*_visible_cases(reader, actor))}


def visible_practitioner_ids(session, actor: Actor) -> set[str] | None:
    """The practitioners the actor sees: their team, and everyone named on a
    case they see (its allocations, handovers, contacts and their second
    practitioner, appointments).
    None for the administrator. Mirrors `caseload_visible_practitioners()`."""
    if actor.is_admin:
        return None
    reader = reader_of(session)
    cases, case_params = _visible_cases(reader, actor)
    team = actor.team_id
    named_by = (("allocation", "practitioner_pk"), ("handover", "from_practitioner_pk"),
                ("handover", "to_practitioner_pk"), ("contact", "practitioner_pk"),
                ("contact", "with_practitioner_pk"), ("appointment", "practitioner_pk"))
    named = " UNION ".join(
        f"SELECT k.{col} FROM {table} k WHERE k.case_id IN (SELECT v.id FROM ({cases}) v)"
        for table, col in named_by
    )
    params = case_params * len(named_by)
    sql = ("SELECT p.practitioner_id FROM practitioner p JOIN team t ON t.id = p.team_pk WHERE t.team_id = ?"
           f" UNION SELECT p.practitioner_id FROM practitioner p WHERE p.id IN ({named})")
    return {pid for (pid,) in reader.rows(sql, (team, *params))}


def check_case_practitioner(session, actor: str | Actor | None, case_ref: str, practitioner_id: str) -> None:
    """A contact or appointment on a case is held by a practitioner of one
    of the case's teams (its own, or either side of its open handover)."""
    me = actor_for(session, actor)
    if me.is_admin:
        return
    teams = {case_team_id(session, case_ref)} | handover_teams(session, case_ref)
    team = practitioner_team_id(session, practitioner_id)
    if team not in teams:
        raise CaseloadError(
            f"{practitioner_id} is in team {team}, not a team of case {case_ref}: "
            "record it with a practitioner of the case's team"
        )


def check_checkin(session, actor: str | Actor | None, case_ref: str, practitioner_id: str | None) -> None:
    """A check-in (docs/voice.md) or the case's language and interpreter:
    written by whoever sees the case, a check-in held by a practitioner of
    one of the case's teams (as a contact is). The database's policies on
    `checkin` (schema 0009) are the same rule."""
    guard_case(session, actor, case_ref)
    if practitioner_id is not None:
        check_case_practitioner(session, actor, case_ref, practitioner_id)


def check_not_with(session, actor: str | Actor | None, case_ref: str, practitioner_id: str) -> None:
    """The person's `not_with` list (docs/voice.md) is kept by whoever sees
    the case, and names a practitioner they see (their own team's, or one
    named on the case). The database's policies on `not_with` (schema 0009)
    are the same rule."""
    guard_case(session, actor, case_ref)
    me = actor_for(session, actor)
    if me.is_admin:
        return
    seen = visible_practitioner_ids(session, me)
    if seen is not None and practitioner_id not in seen:
        raise CaseloadError(f"{me.practitioner_id} cannot see practitioner {practitioner_id}")


def check_allocate(session, actor: str | Actor | None, case_ref: str, practitioner_id: str) -> None:
    """Allocating a case to a practitioner of another team moves the case:
    a team lead's call, or the completion of its handover to them."""
    me = actor_for(session, actor)
    if me.is_admin or me.is_lead:
        return
    if practitioner_team_id(session, practitioner_id) == case_team_id(session, case_ref):
        return
    reader = reader_of(session)
    receiving = reader.first(
        'SELECT h.id FROM handover h JOIN "case" c ON c.id = h.case_id JOIN practitioner p'
        " ON p.id = h.to_practitioner_pk WHERE c.case_ref = ? AND p.practitioner_id = ?"
        f" AND h.status IN ({reader.placeholders(len(OPEN_HANDOVER_STATUSES))})",
        (case_ref, practitioner_id, *OPEN_HANDOVER_STATUSES),
    )
    if receiving is None:
        raise CaseloadError(
            f"{me.practitioner_id} is not a team lead: only a team lead may allocate case {case_ref} to "
            f"{practitioner_id} of another team (plan a handover instead)"
        )


def note_author(session, actor: str | Actor | None, author_id: str | None) -> str | None:
    """The author of a case note: a practitioner writes in their own name
    (none given: theirs); the administrator names anyone, or no one."""
    me = actor_for(session, actor)
    if me.is_admin:
        return author_id
    if author_id not in (None, me.practitioner_id):
        raise CaseloadError(f"{me.practitioner_id} may write case notes only in their own name, not {author_id}'s")
    return me.practitioner_id


# --------------------------------------------------------------------------- teams and leads


def require_lead(actor: Actor, team_id: str | None, what: str) -> None:
    """Refuse (CaseloadError) unless the actor leads `team_id` (or is the
    administrator). `what` completes "only a team lead may ...", e.g.
    "apply a rebalance"."""
    if actor.is_admin:
        return
    if not actor.is_lead:
        raise CaseloadError(f"{actor.practitioner_id} is not a team lead: only a team lead may {what}")
    if team_id is not None and actor.team_id != team_id:
        raise CaseloadError(
            f"{actor.practitioner_id} leads team {actor.team_id}, not {team_id}: only its lead may {what}"
        )


def check_restrict(session, actor: str | Actor | None, case_ref: str) -> None:
    """Only a lead of the case's team restricts a case or lifts the restriction (§11)."""
    require_lead(actor_for(session, actor), case_team_id(session, case_ref), "restrict a case or lift the restriction")


def check_team_visible(actor: Actor, team_id: str) -> None:
    """Refuse a practitioner a view of another team as a whole (`warnings
    --team`, `handover list --team`, a rebalance plan)."""
    if actor.is_admin or actor.team_id == team_id:
        return
    raise CaseloadError(f"{actor.practitioner_id} is in team {actor.team_id} and cannot see team {team_id}")


def practitioner_team_id(session, practitioner_id: str) -> str:
    team = reader_of(session).scalar(
        "SELECT t.team_id FROM team t JOIN practitioner p ON p.team_pk = t.id WHERE p.practitioner_id = ?",
        (practitioner_id,),
    )
    if team is None:
        raise CaseloadError(f"unknown practitioner {practitioner_id}")
    return team


def check_practitioner_visible(session, actor: Actor, practitioner_id: str) -> None:
    """Refuse when the practitioner is in another team than the actor's
    (their week, their caseload, their actions)."""
    team = practitioner_team_id(session, practitioner_id)
    if actor.is_admin or team == actor.team_id:
        return
    raise CaseloadError(
        f"{actor.practitioner_id} is in team {actor.team_id} and cannot see {practitioner_id} of team {team}"
    )


def check_override(session, actor: Actor, case_ref: str) -> None:
    """Completing a handover with an override reason is for the case's team
    lead (or the outgoing practitioner's, should the case have moved)."""
    team = case_team_id(session, case_ref)
    if actor.is_lead and actor.team_id in handover_teams(session, case_ref, outgoing_only=True):
        return
    require_lead(actor, team, f"complete the handover of case {case_ref} with an override")


# --------------------------------------------------------------------------- supervision


def check_supervision_access(session, actor: Actor, practitioner_id: str) -> None:
    """A practitioner reads their own supervision records; another
    practitioner's are read only by the lead of that practitioner's team."""
    if actor.is_admin or actor.practitioner_id == practitioner_id:
        return
    require_lead(actor, practitioner_team_id(session, practitioner_id),
                 f"read the supervision records of {practitioner_id}")


def check_supervision_lead(session, actor: str | Actor | None, practitioner_id: str, what: str) -> None:
    """Running a practitioner's supervision (starting or ending a session,
    its notes, flags, reviews) is for their team's lead, never themselves."""
    me = actor_for(session, actor)
    if me.is_admin:
        return
    if me.practitioner_id == practitioner_id:
        raise CaseloadError(f"{practitioner_id} cannot {what} in their own supervision; their team lead does")
    require_lead(me, practitioner_team_id(session, practitioner_id), what)


def check_supervision_case(session, actor: str | Actor | None, practitioner_id: str, case_ref: str) -> None:
    """A session's notes and reviews are about cases of the practitioner's
    team (those the practitioner sees), and the actor must see the case."""
    me = actor_for(session, actor)
    subject = _lookup(session, practitioner_id)
    if subject is None:
        raise CaseloadError(f"unknown practitioner {practitioner_id}")
    if not can_see_case(session, subject, case_ref):
        raise CaseloadError(
            f"case {case_ref} is not a case of team {subject.team_id}: a supervision session of "
            f"{practitioner_id} covers their team's cases only"
        )
    check_case_access(session, me, case_ref)


def check_action_add(session, actor: str | Actor | None, owner_id: str, case_ref: str | None,
                     session_practitioner_id: str | None) -> None:
    """An action is agreed by its owner for themselves (outside a session),
    or by the owner's team lead (in a session of their team, or outside one)."""
    me = actor_for(session, actor)
    if case_ref:
        check_case_access(session, me, case_ref)
    if me.is_admin:
        return
    if session_practitioner_id is None and owner_id == me.practitioner_id:
        return
    require_lead(me, practitioner_team_id(session, owner_id), f"agree an action for {owner_id}")
    if session_practitioner_id is not None:
        check_supervision_lead(session, me, session_practitioner_id, "agree actions")


def check_action_tick(session, actor: str | Actor | None, owner_id: str, action_id: int) -> None:
    """An action is ticked off (or reopened) by its owner or their team's lead."""
    me = actor_for(session, actor)
    if me.is_admin or me.practitioner_id == owner_id:
        return
    require_lead(me, practitioner_team_id(session, owner_id), f"tick off action {action_id} of {owner_id}")


# --------------------------------------------------------------------------- the audit trail


def audit_scope(session, actor: Actor) -> tuple[set[str], set[str], str | None] | None:
    """What of the audit trail the actor reads: (case refs they see,
    practitioner ids of their team, their database login). An event of a
    case is read by whoever sees the case; an event of no case only by the
    actor's team (or the login that made it). None: all of it (the
    administrator). Mirrors the `audit_event` policy of schema 0004."""
    if actor.is_admin:
        return None
    team = {pid for (pid,) in reader_of(session).rows(
        "SELECT p.practitioner_id FROM practitioner p JOIN team t ON t.id = p.team_pk WHERE t.team_id = ?",
        (actor.team_id,))}
    return visible_case_refs(session, actor) or set(), team, database_login(session).name


__all__ = [
    "ADMIN",
    "Actor",
    "COLUMN_RULES",
    "Login",
    "SignIn",
    "actor_for",
    "audit_scope",
    "can_see_case",
    "case_team_id",
    "changeable_columns",
    "check_action_add",
    "check_action_tick",
    "check_allocate",
    "check_case_access",
    "check_case_practitioner",
    "check_checkin",
    "check_not_with",
    "check_override",
    "check_restrict",
    "check_practitioner_visible",
    "check_supervision_access",
    "check_supervision_case",
    "check_supervision_lead",
    "check_team_visible",
    "database_login",
    "guard_case",
    "handover_teams",
    "note_author",
    "practitioner_team_id",
    "require_admin",
    "require_lead",
    "resolve_actor",
    "restricted_filter",
    "sign_in",
    "visible_case_refs",
    "visible_practitioner_ids",
    "visible_team",
]

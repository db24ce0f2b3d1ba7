"""Cases: who sees and changes a case and what hangs off it, restricted cases
(§11), receivers of a handover (storage/access/__init__.py says the rules)."""

from __future__ import annotations

from planner.errors import CaseloadError
from planner.model import OPEN_HANDOVER_STATUSES
from storage.access.actors import LEAD_ROLE, Actor, actor_for
from storage.reader import reader_of


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
    """The practitioners the actor sees: their team, everyone named on a
    case they see (its allocations, handovers, contacts and their second
    practitioner, appointments), and the cover named for an absence of
    their team. None for the administrator. Mirrors
    `caseload_visible_practitioners()` (schemas 0004 and 0007), which
    tests/storage/test_pg_transition.py holds it to on real logins."""
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
    covers = ("SELECT b.cover_practitioner_pk FROM absence b JOIN practitioner a ON a.id = b.practitioner_pk"
              " JOIN team ct ON ct.id = a.team_pk WHERE ct.team_id = ?")
    sql = ("SELECT p.practitioner_id FROM practitioner p JOIN team t ON t.id = p.team_pk WHERE t.team_id = ?"
           f" UNION SELECT p.practitioner_id FROM practitioner p WHERE p.id IN ({named})"
           f" UNION SELECT p.practitioner_id FROM practitioner p WHERE p.id IN ({covers})")
    return {pid for (pid,) in reader.rows(sql, (team, *params, team))}


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


def check_case_edit(session, actor: str | Actor | None, case_ref: str) -> None:
    """Editing a case's own row (its fields, sentence and risk, language):
    whoever sees the case (`check_case_access`) and, unless a team lead or
    the administrator, a practitioner of the case's own team. The receiving
    side of an open handover sees the case but edits it once the handover
    completes and the case is theirs. The `case` table's update policy
    (schema 0004, `p_update`: the case's team the login's, or the login a
    lead) is the same rule."""
    me = actor_for(session, actor)
    check_case_access(session, me, case_ref)
    if me.is_admin or me.is_lead:
        return
    # case.team_pk itself, not case_team_id's fallback to the holder's team:
    # the policy compares team_pk, so a case in no team is a lead's to edit
    team = reader_of(session).scalar(
        'SELECT t.team_id FROM "case" c JOIN team t ON t.id = c.team_pk WHERE c.case_ref = ?', (case_ref,))
    if team != me.team_id:
        held = f"team {team}'s" if team else "in no team"
        raise CaseloadError(
            f"{me.practitioner_id} cannot edit case {case_ref}: it is {held} until its handover completes"
            " (ask its practitioner or a team lead)")


def check_checkin(session, actor: str | Actor | None, case_ref: str, practitioner_id: str | None) -> None:
    """A check-in (docs/voice.md):
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
    """Allocating a case names a practitioner the actor sees
    (`visible_practitioner_ids`). To one of another team it moves the case:
    a team lead's call, or the completion of its handover to them. Either
    way the actor must still see the case once its open allocation has ended
    and it has moved (`_sees_after_move`). The database's `case` and
    `allocation` policies (schemas 0004 and 0010) hold every practitioner's
    login, a lead's too, to the same: the app allows a lead no allocation the
    server refuses, nor the reverse, and a practitioner none it refuses
    (tests/storage/test_pg_transition.py). The administrator allocates to
    anyone."""
    me = actor_for(session, actor)
    if me.is_admin:
        return
    to_team = practitioner_team_id(session, practitioner_id)
    if practitioner_id not in (visible_practitioner_ids(session, me) or set()):
        raise CaseloadError(
            f"{me.practitioner_id} cannot allocate case {case_ref} to {practitioner_id}: team {me.team_id} does not "
            f"see them (plan a handover to someone it sees, or ask the administrator)")
    moves = to_team != case_team_id(session, case_ref)
    if moves and not me.is_lead and not _receives(session, case_ref, practitioner_id):
        raise CaseloadError(
            f"{me.practitioner_id} is not a team lead: only a team lead may allocate case {case_ref} to "
            f"{practitioner_id} of another team (plan a handover instead)"
        )
    restricted = _restricted(session, case_ref)
    if _sees_after_move(session, me, case_ref, to_team, restricted=restricted):
        return
    if restricted:
        raise CaseloadError(
            f"case {case_ref} is restricted: {me.practitioner_id} would no longer see it once allocated to "
            f"{practitioner_id} (a handover to {practitioner_id}, who completes it, or the administrator moves it)")
    raise CaseloadError(
        f"{me.practitioner_id} cannot allocate case {case_ref} to {practitioner_id} of team {to_team}: team "
        f"{me.team_id} would no longer see the case (plan a handover to {practitioner_id} instead: both teams "
        "see the case until it completes)")


def _sees_after_move(session, actor: Actor, case_ref: str, to_team: str, *, restricted: bool) -> bool:
    """Would the actor still see the case once its open allocation has ended
    and it belongs to `to_team` (its own team, or another: the case moves),
    as the database checks the new allocation (`can_see_case` then): their
    team's, or with their team on a side of its open handover; a restricted
    case only as a lead of `to_team` or its open handover's receiver, no
    longer as its practitioner (`restricted_filter`)."""
    if to_team != actor.team_id and actor.team_id not in handover_teams(session, case_ref):
        return False
    if not restricted or (actor.is_lead and to_team == actor.team_id):
        return True
    return _receives(session, case_ref, actor.practitioner_id)


def _restricted(session, case_ref: str) -> bool:
    return bool(reader_of(session).scalar('SELECT c.restricted FROM "case" c WHERE c.case_ref = ?', (case_ref,)))


def _receives(session, case_ref: str, practitioner_id: str) -> bool:
    """Is the practitioner the receiver of the case's open handover?"""
    reader = reader_of(session)
    return reader.first(
        'SELECT h.id FROM handover h JOIN "case" c ON c.id = h.case_id JOIN practitioner p'
        " ON p.id = h.to_practitioner_pk WHERE c.case_ref = ? AND p.practitioner_id = ?"
        f" AND h.status IN ({reader.placeholders(len(OPEN_HANDOVER_STATUSES))})",
        (case_ref, practitioner_id, *OPEN_HANDOVER_STATUSES),
    ) is not None


def transition_receiver_ids(session, actor: Actor, case_ref: str | None = None) -> set[str] | None:
    """The practitioners of another team the actor may name as the receiver
    of a child's handover (the transition at 18, SPEC §11): the non-leads of
    their team's transition team (`team.transition_team_pk`, set by the
    administrator with `caseload team link`). Their practitioner rows are
    read, never their cases. Empty for an adult's case
    (`case_ref` not a child's) or a team with no link; None for the
    administrator (anyone). Mirrored by `caseload_transition_practitioners()`
    and the `handover` and `practitioner` policies (schema 0011)."""
    if actor.is_admin:
        return None
    reader = reader_of(session)
    if case_ref is not None and not reader.scalar('SELECT c.youth FROM "case" c WHERE c.case_ref = ?', (case_ref,)):
        return set()
    return {pid for (pid,) in reader.rows(
        "SELECT p.practitioner_id FROM practitioner p JOIN team t ON t.transition_team_pk = p.team_pk"
        " WHERE t.team_id = ? AND p.role <> ?", (actor.team_id, LEAD_ROLE))}


def check_receiver(session, actor: str | Actor | None, case_ref: str, practitioner_id: str) -> None:
    """A handover names as its receiver a practitioner the actor sees
    (`visible_practitioner_ids`) or, for a child's case, one of their team's
    transition team (`transition_receiver_ids`); refused otherwise, naming
    both. A team lead is held to the same rule (their team, the people named
    on the cases they see, the transition team), as the database's `handover`
    policies (schemas 0007 and 0011) hold every practitioner's login, a
    lead's too: the app allows no receiver the server refuses, nor the
    reverse (tests/storage/test_pg_transition.py). The administrator names
    anyone."""
    me = actor_for(session, actor)
    if me.is_admin:
        return
    seen = visible_practitioner_ids(session, me) or set()
    if practitioner_id in seen or practitioner_id in (transition_receiver_ids(session, me, case_ref) or set()):
        return
    raise CaseloadError(
        f"{me.practitioner_id} cannot name {practitioner_id} as the receiver of case {case_ref}: a handover goes to "
        f"a practitioner of team {me.team_id}, or for a child's transition at 18 to one of its transition team "
        "(caseload team link)")


def note_author(session, actor: str | Actor | None, author_id: str | None) -> str | None:
    """The author of a case note: a practitioner writes in their own name
    (none given: theirs); the administrator names anyone, or no one."""
    me = actor_for(session, actor)
    if me.is_admin:
        return author_id
    if author_id not in (None, me.practitioner_id):
        raise CaseloadError(f"{me.practitioner_id} may write case notes only in their own name, not {author_id}'s")
    return me.practitioner_id

def practitioner_team_id(session, practitioner_id: str) -> str:
    team = reader_of(session).scalar(
        "SELECT t.team_id FROM team t JOIN practitioner p ON p.team_pk = t.id WHERE p.practitioner_id = ?",
        (practitioner_id,),
    )
    if team is None:
        raise CaseloadError(f"unknown practitioner {practitioner_id}")
    return team

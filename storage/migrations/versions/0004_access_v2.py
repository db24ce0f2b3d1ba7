"""access v2: identity from the login, role rules in the database, audited direct writes

Both databases:
- `audit_event.login`: the database login behind the event (PostgreSQL's
  `session_user`; on SQLite the OS user who ran the app or command), and
  `audit_event.xact`: the PostgreSQL transaction that wrote it (empty on
  SQLite), so the rows of one change can be told apart and put together.

PostgreSQL only (README "Team server"; the app's own rules are
storage/access/, and these mirror them):
- the one SECURITY DEFINER function of 0003 took a login name and used a
  search_path with pg_temp first, so a login could shadow `db_login` with a
  temporary table and read another team; it is dropped. Every definer
  function here takes no login (it reads `session_user`, so it can only
  ever tell a login about itself), names every table with its schema, and
  pins `search_path = pg_catalog, <schema>, pg_temp` (temp last);
- who sees a case: its team, and both sides of its open handover (the
  outgoing and the incoming practitioner's teams) until it completes;
  practitioners: the own team and everyone named on a case the login sees
  (no "practitioner row vanished" for a receiver in another team);
- role rules: supervision sessions and notes are read by their
  practitioner and by the team's lead, written only by the lead; actions
  are ticked by their owner or the lead; allocations only to a
  practitioner of the case's team (or the receiver of its open handover);
  case notes only in one's own name; an override or a review of a handover
  only by a lead; no new cases, no audit rows written by hand;
- every row a practitioner's login writes is audited by triggers
  (`db_write`: table, key, columns; never values), and audit rows are
  written only by those triggers and by `caseload_audit()`, which stamps
  the login and refuses an actor other than the login's practitioner.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-14
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations import support

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "caseload_practitioner"
OPEN = "('planned', 'in_progress')"  # planner.model.OPEN_HANDOVER_STATUSES

# Tables whose rows a practitioner's login may write (each audited by trigger).
AUDITED = ("case", "allocation", "contact", "appointment", "absence", "handover", "handover_item",
           "supervision_session", "supervision_note", "action", "case_note")
RLS_TABLES = ("case", "allocation", "contact", "appointment", "handover", "supervision_note", "case_note",
              "handover_item", "action", "practitioner", "absence", "supervision_session", "audit_event")
POLICIES = ("p_read", "p_insert", "p_update", "p_delete")

# (name, signature, returns, body): SECURITY DEFINER functions, in SQL
# (plpgsql when the body starts with DECLARE), STABLE but for `_SETS`.
# `{s}` is the schema. None of them takes a login: each answers for
# session_user only.
_FUNCTIONS = (
    ("caseload_me", "", "integer",
     "SELECT l.practitioner_pk FROM {s}.db_login l WHERE l.login_name = session_user"),
    ("caseload_my_practitioner_id", "", "text",
     "SELECT p.practitioner_id::text FROM {s}.db_login l JOIN {s}.practitioner p ON p.id = l.practitioner_pk"
     " WHERE l.login_name = session_user"),
    ("caseload_my_team", "", "integer",
     "SELECT p.team_pk FROM {s}.db_login l JOIN {s}.practitioner p ON p.id = l.practitioner_pk"
     " WHERE l.login_name = session_user"),
    ("caseload_i_lead", "", "boolean",
     "SELECT coalesce((SELECT p.role = 'team_lead' FROM {s}.db_login l"
     " JOIN {s}.practitioner p ON p.id = l.practitioner_pk WHERE l.login_name = session_user), false)"),
    ("caseload_team_practitioners", "", "integer[]",
     "SELECT coalesce(array_agg(p.id), '{{}}') FROM {s}.practitioner p WHERE p.team_pk = {s}.caseload_my_team()"),
    ("caseload_team_practitioner_ids", "", "text[]",
     "SELECT coalesce(array_agg(p.practitioner_id::text), '{{}}') FROM {s}.practitioner p"
     " WHERE p.team_pk = {s}.caseload_my_team()"),
    # The cases the login sees (storage.access.visible_case_refs): its team's,
    # those of no team held in its team, and both sides of an open handover.
    # plpgsql, so the team is looked up once and the arrays reach the
    # planner as parameters (index scans, not a function call per row).
    ("caseload_visible_cases", "", "integer[]",
     "DECLARE team integer := {s}.caseload_my_team(); found integer[];"
     " BEGIN"
     " IF team IS NULL THEN RETURN '{{}}'; END IF;"
     " SELECT coalesce(array_agg(DISTINCT v.id), '{{}}') INTO found FROM ("
     " SELECT c.id FROM {s}.\"case\" c WHERE c.team_pk = team"
     " UNION ALL SELECT c.id FROM {s}.\"case\" c WHERE c.team_pk IS NULL AND EXISTS ("
     " SELECT 1 FROM {s}.allocation a JOIN {s}.practitioner p ON p.id = a.practitioner_pk"
     " WHERE a.case_id = c.id AND a.end_date IS NULL AND p.team_pk = team)"
     " UNION ALL SELECT h.case_id FROM {s}.handover h JOIN {s}.practitioner p"
     " ON p.id IN (h.from_practitioner_pk, h.to_practitioner_pk)"
     f" WHERE h.status IN {OPEN} AND p.team_pk = team) v;"
     " RETURN found;"
     " END"),
    # The practitioners the login sees: the own team, and everyone named on a
    # case it sees, so no row it reads points at a practitioner it cannot read.
    ("caseload_visible_practitioners", "", "integer[]",
     "DECLARE team integer := {s}.caseload_my_team(); cases integer[]; found integer[];"
     " BEGIN"
     " IF team IS NULL THEN RETURN '{{}}'; END IF;"
     " cases := {s}.caseload_visible_cases();"
     " SELECT coalesce(array_agg(DISTINCT v.pk), '{{}}') INTO found FROM ("
     " SELECT p.id AS pk FROM {s}.practitioner p WHERE p.team_pk = team"
     " UNION ALL SELECT a.practitioner_pk FROM {s}.allocation a WHERE a.case_id = ANY (cases)"
     " UNION ALL SELECT h.from_practitioner_pk FROM {s}.handover h WHERE h.case_id = ANY (cases)"
     " UNION ALL SELECT h.to_practitioner_pk FROM {s}.handover h WHERE h.case_id = ANY (cases)"
     " UNION ALL SELECT DISTINCT k.practitioner_pk FROM {s}.contact k WHERE k.case_id = ANY (cases)"
     " UNION ALL SELECT k.practitioner_pk FROM {s}.appointment k WHERE k.case_id = ANY (cases)"
     " UNION ALL SELECT b.cover_practitioner_pk FROM {s}.absence b JOIN {s}.practitioner p"
     " ON p.id = b.practitioner_pk WHERE p.team_pk = team AND b.cover_practitioner_pk IS NOT NULL) v;"
     " RETURN found;"
     " END"),
    # The three below answer only about a practitioner or a case the login
    # sees (NULL or nothing otherwise): no login learns another's team.
    ("caseload_practitioner_team", "pk integer", "integer",
     "SELECT p.team_pk FROM {s}.practitioner p WHERE p.id = pk"
     " AND pk = ANY ({s}.caseload_visible_practitioners())"),
    # A case's team: its own, else its current practitioner's (storage.access.case_team_id).
    ("caseload_case_team", "case_pk integer", "integer",
     "SELECT coalesce(c.team_pk, (SELECT p.team_pk FROM {s}.allocation a"
     " JOIN {s}.practitioner p ON p.id = a.practitioner_pk WHERE a.case_id = c.id AND a.end_date IS NULL"
     " ORDER BY a.start_date DESC, a.id DESC LIMIT 1)) FROM {s}.\"case\" c WHERE c.id = case_pk"
     " AND case_pk = ANY ({s}.caseload_visible_cases())"),
    # The teams of the incoming practitioners of the case's open handovers.
    ("caseload_receiving_teams", "case_pk integer", "integer[]",
     "SELECT coalesce(array_agg(p.team_pk), '{{}}') FROM {s}.handover h"
     " JOIN {s}.practitioner p ON p.id = h.to_practitioner_pk"
     f" WHERE h.case_id = case_pk AND h.status IN {OPEN}"
     " AND case_pk = ANY ({s}.caseload_visible_cases())"),
)
# Callable by any login (each answers only about the caller).
_PUBLIC_FUNCTIONS = ("caseload_my_practitioner_id",)
# The sets the policies look rows up in: VOLATILE, so the planner does not
# run them once more to estimate (they are computed once per statement
# anyway, by the policies' uncorrelated `IN (SELECT unnest(...))`).
_SETS = ("caseload_visible_cases", "caseload_visible_practitioners", "caseload_team_practitioners",
         "caseload_team_practitioner_ids")


def _policies(s: str) -> dict[str, dict[str, str]]:
    """table -> {command: expression}. `read` is USING for SELECT (and for
    UPDATE/DELETE), `insert` and `update` are WITH CHECK."""
    # `x IN (SELECT unnest(f()))`: computed once per statement and looked up
    # in a hash (a hashed SubPlan), not a call, nor a scan of an array, per row.
    cases = f"(SELECT unnest({s}.caseload_visible_cases()))"
    people = f"(SELECT unnest({s}.caseload_visible_practitioners()))"
    team = f"(SELECT unnest({s}.caseload_team_practitioners()))"
    me, lead, my_team = f"{s}.caseload_me()", f"{s}.caseload_i_lead()", f"{s}.caseload_my_team()"
    seen = f"case_id IN {cases}"
    child = {"read": seen, "insert": f"{seen} AND practitioner_pk IN {people}",
             "update": f"{seen} AND practitioner_pk IN {people}"}
    # A session the login leads: a lead's, of a practitioner of the team (not their own).
    led = f"{lead} AND practitioner_pk IN {team} AND practitioner_pk <> {me}"
    led_sessions = (f"(SELECT ss.id FROM {s}.supervision_session ss WHERE ss.practitioner_pk IN {team}"
                    f" AND ss.practitioner_pk <> {me})")
    return {
        "case": {
            "read": f"id IN {cases}",
            # A case leaves the team only with a lead, or into the team of
            # its open handover's receiver (completing the handover).
            "update": f"id IN {cases} AND (team_pk = {my_team} OR {lead}"
                      f" OR team_pk = ANY ({s}.caseload_receiving_teams(id)))",
        },
        "allocation": {
            "read": seen,
            "insert": f"{seen} AND ({s}.caseload_practitioner_team(practitioner_pk)"
                      f" = {s}.caseload_case_team(case_id))",
            "update": seen,
        },
        "contact": child,
        "appointment": {**child, "delete": seen},
        "handover": {"read": seen, "insert": seen, "update": seen},
        "handover_item": {"read": f"handover_id IN (SELECT h.id FROM {s}.handover h)",
                          "insert": f"handover_id IN (SELECT h.id FROM {s}.handover h)",
                          "update": f"handover_id IN (SELECT h.id FROM {s}.handover h)"},
        "case_note": {"read": seen, "insert": f"{seen} AND author_pk = {me}"},
        "supervision_session": {
            "read": f"practitioner_pk = {me} OR ({lead} AND practitioner_pk IN {team})",
            "insert": led, "update": led,
        },
        "supervision_note": {
            "read": f"{seen} AND session_id IN (SELECT ss.id FROM {s}.supervision_session ss)",
            "insert": f"{lead} AND {seen} AND session_id IN {led_sessions}",
            "update": f"{lead} AND {seen} AND session_id IN {led_sessions}",
        },
        "action": {
            # Seen by the owner's team (their week shows them); written by the
            # owner (their own, outside a session) or the team's lead.
            "read": f"owner_pk IN {team} AND (case_id IS NULL OR case_id IN {cases})",
            "insert": f"(case_id IS NULL OR case_id IN {cases}) AND ((owner_pk = {me} AND session_id IS NULL)"
                      f" OR ({lead} AND owner_pk IN {team}"
                      f" AND (session_id IS NULL OR session_id IN {led_sessions})))",
            "update": f"owner_pk = {me} OR ({lead} AND owner_pk IN {team})",
        },
        "absence": {
            "read": f"practitioner_pk IN {team}",
            "insert": f"(practitioner_pk = {me} OR ({lead} AND practitioner_pk IN {team}))"
                      f" AND (cover_practitioner_pk IS NULL OR cover_practitioner_pk IN {people})",
            "update": f"(practitioner_pk = {me} OR ({lead} AND practitioner_pk IN {team}))"
                      f" AND (cover_practitioner_pk IS NULL OR cover_practitioner_pk IN {people})",
        },
        "practitioner": {"read": f"id IN {people}"},
        # Events of the cases it sees; events of no case only when made by
        # its own team (or by itself).
        "audit_event": {
            "read": f"(case_ref IS NOT NULL AND case_ref IN (SELECT c.case_ref FROM {s}.\"case\" c))"
                    f" OR (case_ref IS NULL AND (actor IN (SELECT unnest({s}.caseload_team_practitioner_ids()))"
                    " OR login = session_user))",
        },
    }


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('login', sa.String(length=63), nullable=True))
        batch_op.add_column(sa.Column('xact', sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()


def _pg_upgrade() -> None:
    s = support.schema()
    pin = support.pin(s)
    # 0003's policies and its login-taking function go.
    for table in ("case", "allocation", "contact", "appointment", "handover", "supervision_note", "case_note",
                  "handover_item", "action", "practitioner", "absence", "supervision_session"):
        op.execute(f'DROP POLICY IF EXISTS team_rows ON {s}."{table}"')
    op.execute(f"DROP POLICY IF EXISTS team_read ON {s}.audit_event")
    op.execute(f"DROP POLICY IF EXISTS append ON {s}.audit_event")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.caseload_login_team(name)")
    # 0003's trigger function had no search_path of its own.
    op.execute(f"ALTER FUNCTION {s}.caseload_audit_append_only() {pin}")

    for name, args, returns, body in _FUNCTIONS:
        language = "plpgsql" if body.startswith("DECLARE") else "sql"
        volatility = "VOLATILE" if name in _SETS else "STABLE"
        op.execute(f"CREATE FUNCTION {s}.{name}({args}) RETURNS {returns} LANGUAGE {language} {volatility}"
                   f" SECURITY DEFINER {pin} AS $fn$ {body.format(s=s)} $fn$")
        sig = ", ".join(a.split()[1] for a in args.split(",")) if args else ""
        op.execute(f"REVOKE ALL ON FUNCTION {s}.{name}({sig}) FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {s}.{name}({sig}) TO {'PUBLIC' if name in _PUBLIC_FUNCTIONS else ROLE}")

    # Audit: the login and the transaction are stamped on every row a login
    # other than the owner inserts (through the functions below: nobody else
    # inserts). The owner's rows keep what it gives: `caseload_audit()` and
    # the import give its login, `caseload copy` the rows' own.
    op.execute(f"""
        CREATE FUNCTION {s}.caseload_audit_stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        {pin} AS $fn$
        BEGIN
            IF NOT pg_has_role(session_user, current_user, 'USAGE') THEN
                NEW.login := session_user;
                NEW.xact := txid_current();
            END IF;
            RETURN NEW;
        END $fn$""")
    op.execute(f"REVOKE ALL ON FUNCTION {s}.caseload_audit_stamp() FROM PUBLIC")
    op.execute(f"""CREATE TRIGGER audit_event_stamp BEFORE INSERT ON {s}.audit_event
                   FOR EACH ROW EXECUTE FUNCTION {s}.caseload_audit_stamp()""")
    # The application's events (storage.audit.record). A practitioner's login
    # may only name its own practitioner, and only cases it sees (or wrote in
    # this transaction: a case handed to another team on completion).
    op.execute(f"""
        CREATE FUNCTION {s}.caseload_audit(p_actor text, p_action text, p_entity text, p_key text,
                                           p_case_ref text, p_detail text)
        RETURNS integer LANGUAGE plpgsql VOLATILE SECURITY DEFINER {pin} AS $fn$
        DECLARE
            mine text := {s}.caseload_my_practitioner_id();
            new_id integer;
        BEGIN
            IF session_user <> current_user AND mine IS NULL
               AND NOT pg_has_role(session_user, current_user, 'USAGE') THEN
                RAISE EXCEPTION 'audit: login % is not mapped to a practitioner', session_user
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF mine IS NOT NULL THEN
                IF p_actor IS DISTINCT FROM mine THEN
                    RAISE EXCEPTION 'audit: login % acts as %, not as %', session_user, mine, p_actor
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF p_action = 'db_write' THEN
                    RAISE EXCEPTION 'audit: db_write events are written by the database only'
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF p_case_ref IS NOT NULL AND NOT EXISTS (
                        SELECT 1 FROM {s}."case" c WHERE c.case_ref = p_case_ref
                        AND c.id = ANY ({s}.caseload_visible_cases()))
                   AND NOT EXISTS (
                        SELECT 1 FROM {s}.audit_event e WHERE e.xact = txid_current()
                        AND e.action = 'db_write' AND e.case_ref = p_case_ref) THEN
                    RAISE EXCEPTION 'audit: login % cannot see case %', session_user, p_case_ref
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
            END IF;
            INSERT INTO {s}.audit_event (at, actor, action, entity, entity_key, case_ref, detail, login, xact)
            VALUES (clock_timestamp(), p_actor, p_action, p_entity, p_key, p_case_ref, p_detail, session_user,
                    txid_current())
            RETURNING id INTO new_id;
            RETURN new_id;
        END $fn$""")
    op.execute(f"REVOKE ALL ON FUNCTION {s}.caseload_audit(text, text, text, text, text, text) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {s}.caseload_audit(text, text, text, text, text, text) TO {ROLE}")

    # Direct writes: one `db_write` event per row a practitioner's login writes
    # (table, key, operation, the names of the columns set or changed).
    op.execute(f"""
        CREATE FUNCTION {s}.caseload_audit_write() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {pin} AS $fn$
        DECLARE
            mine text;
            rec jsonb;
            was jsonb;
            cols text[];
            ref text;
        BEGIN
            IF session_user = current_user THEN  -- the owner (the administrator): not a practitioner
                RETURN NULL;
            END IF;
            mine := {s}.caseload_my_practitioner_id();
            IF mine IS NULL THEN
                RETURN NULL;
            END IF;
            IF TG_OP = 'DELETE' THEN
                rec := to_jsonb(OLD);
                cols := ARRAY[]::text[];
            ELSIF TG_OP = 'INSERT' THEN
                rec := to_jsonb(NEW);
                cols := ARRAY(SELECT k FROM jsonb_each(rec) AS e(k, v)
                              WHERE v <> 'null'::jsonb AND k NOT IN ('id', 'version') ORDER BY k);
            ELSE
                rec := to_jsonb(NEW);
                was := to_jsonb(OLD);
                cols := ARRAY(SELECT k FROM jsonb_each(rec) AS e(k, v)
                              WHERE v IS DISTINCT FROM was -> k AND k <> 'version' ORDER BY k);
            END IF;
            IF TG_TABLE_NAME = 'case' THEN
                ref := rec ->> 'case_ref';
            ELSIF TG_TABLE_NAME = 'handover_item' THEN
                SELECT c.case_ref INTO ref FROM {s}.handover h JOIN {s}."case" c ON c.id = h.case_id
                WHERE h.id = (rec ->> 'handover_id')::integer;
            ELSIF rec ? 'case_id' AND rec ->> 'case_id' IS NOT NULL THEN
                SELECT c.case_ref INTO ref FROM {s}."case" c WHERE c.id = (rec ->> 'case_id')::integer;
            END IF;
            INSERT INTO {s}.audit_event (at, actor, action, entity, entity_key, case_ref, detail, login, xact)
            VALUES (clock_timestamp(), mine, 'db_write', TG_TABLE_NAME, rec ->> 'id', ref,
                    jsonb_build_object('op', lower(TG_OP), 'columns', to_jsonb(cols))::text, session_user,
                    txid_current());
            RETURN NULL;
        END $fn$""")
    op.execute(f"REVOKE ALL ON FUNCTION {s}.caseload_audit_write() FROM PUBLIC")
    for table in AUDITED:
        op.execute(f"""CREATE TRIGGER audit_db_write AFTER INSERT OR UPDATE OR DELETE ON {s}."{table}"
                       FOR EACH ROW EXECUTE FUNCTION {s}.caseload_audit_write()""")

    # A handover's override and review are a team lead's (of the case's team,
    # or of the outgoing practitioner's: the case has moved by the time a
    # completion writes its override).
    op.execute(f"""
        CREATE FUNCTION {s}.caseload_guard_handover() RETURNS trigger LANGUAGE plpgsql {pin} AS $fn$
        BEGIN
            IF {s}.caseload_me() IS NULL THEN
                RETURN NEW;
            END IF;
            IF (NEW.override_reason IS DISTINCT FROM OLD.override_reason
                OR NEW.reviewed IS DISTINCT FROM OLD.reviewed)
               AND NOT ({s}.caseload_i_lead() AND {s}.caseload_my_team() IN (
                    {s}.caseload_case_team(NEW.case_id),
                    {s}.caseload_practitioner_team(NEW.from_practitioner_pk))) THEN
                RAISE EXCEPTION 'only a team lead of the case may override or review its handover'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $fn$""")
    op.execute(f"""CREATE TRIGGER handover_lead_only BEFORE UPDATE ON {s}.handover
                   FOR EACH ROW EXECUTE FUNCTION {s}.caseload_guard_handover()""")

    # Grants: no hand-written audit rows, no new cases; allocations and
    # actions only have the columns the application changes updated; case
    # notes are not edited.
    op.execute(f"REVOKE INSERT ON {s}.audit_event FROM {ROLE}")
    op.execute(f'REVOKE INSERT ON {s}."case" FROM {ROLE}')
    op.execute(f"REVOKE UPDATE ON {s}.allocation, {s}.action, {s}.case_note FROM {ROLE}")
    op.execute(f"GRANT UPDATE (end_date, reason, version) ON {s}.allocation TO {ROLE}")
    op.execute(f"GRANT UPDATE (done, done_on, version) ON {s}.action TO {ROLE}")

    commands = {"read": "SELECT", "insert": "INSERT", "update": "UPDATE", "delete": "DELETE"}
    for table, rules in _policies(s).items():
        for kind, rule in rules.items():
            name, command = f"p_{kind}", commands[kind]
            if kind in ("read", "delete"):
                clause = f"USING ({rule})"
            elif kind == "insert":
                clause = f"WITH CHECK ({rule})"
            else:  # an update changes only rows it may read, into rows it may write
                clause = f"USING ({rules['read']}) WITH CHECK ({rule})"
            op.execute(f'CREATE POLICY {name} ON {s}."{table}" FOR {command} TO {ROLE} {clause}')


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _pg_downgrade()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('xact')
        batch_op.drop_column('login')
    if dialect == "sqlite":  # the table was rebuilt: its append-only triggers went with it
        from storage.audit_guard import SQLITE_TRIGGERS

        present = {name for (name,) in op.get_bind().execute(sa.text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"))}
        for name, ddl in SQLITE_TRIGGERS.items():
            if name not in present:
                op.execute(ddl)


def _pg_downgrade() -> None:
    s = support.schema()
    for table in RLS_TABLES:
        for name in POLICIES:
            op.execute(f'DROP POLICY IF EXISTS {name} ON {s}."{table}"')
    for table in AUDITED:
        op.execute(f'DROP TRIGGER IF EXISTS audit_db_write ON {s}."{table}"')
    op.execute(f"DROP TRIGGER IF EXISTS handover_lead_only ON {s}.handover")
    op.execute(f"DROP TRIGGER IF EXISTS audit_event_stamp ON {s}.audit_event")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.caseload_guard_handover()")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.caseload_audit_write()")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.caseload_audit(text, text, text, text, text, text)")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.caseload_audit_stamp()")
    for name, args, _returns, _body in reversed(_FUNCTIONS):
        sig = ", ".join(a.split()[1] for a in args.split(",")) if args else ""
        op.execute(f"DROP FUNCTION IF EXISTS {s}.{name}({sig})")
    op.execute(f"ALTER FUNCTION {s}.caseload_audit_append_only() RESET search_path")
    # 0003's grants, function and policies, as they were.
    exists = op.get_bind().execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": ROLE}).first()
    if exists:
        op.execute(f"GRANT INSERT ON {s}.audit_event TO {ROLE}")
        op.execute(f'GRANT INSERT ON {s}."case" TO {ROLE}')
        op.execute(f"GRANT UPDATE ON {s}.allocation, {s}.action, {s}.case_note TO {ROLE}")
    name = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one()
    op.execute(f"""
        CREATE FUNCTION {s}.caseload_login_team(login name) RETURNS integer
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "{name}", pg_catalog AS $$
            SELECT p.team_pk FROM db_login l JOIN practitioner p ON p.id = l.practitioner_pk
            WHERE l.login_name = login
        $$""")
    op.execute(f"REVOKE ALL ON FUNCTION {s}.caseload_login_team(name) FROM PUBLIC")
    if exists:
        op.execute(f"GRANT EXECUTE ON FUNCTION {s}.caseload_login_team(name) TO {ROLE}")
    team = "caseload_login_team(current_user)"
    in_team_cases = f'(SELECT c.id FROM "case" c WHERE c.team_pk = {team})'
    old = {
        "case": f"team_pk = {team}",
        **{t: f"case_id IN {in_team_cases}"
           for t in ("allocation", "contact", "appointment", "handover", "supervision_note", "case_note")},
        "handover_item": "handover_id IN (SELECT h.id FROM handover h)",
        "action": (f"(case_id IS NULL AND owner_pk IN (SELECT p.id FROM practitioner p)) "
                   f"OR case_id IN {in_team_cases}"),
        "practitioner": f"team_pk = {team}",
        "absence": "practitioner_pk IN (SELECT p.id FROM practitioner p)",
        "supervision_session": "practitioner_pk IN (SELECT p.id FROM practitioner p)",
    }
    for table, rule in old.items():
        op.execute(f'CREATE POLICY team_rows ON {s}."{table}" TO {ROLE} USING ({rule}) WITH CHECK ({rule})')
    op.execute(f"""CREATE POLICY team_read ON {s}.audit_event FOR SELECT TO {ROLE}
                   USING (case_ref IS NULL OR case_ref IN (SELECT c.case_ref FROM "case" c))""")
    op.execute(f"CREATE POLICY append ON {s}.audit_event FOR INSERT TO {ROLE} WITH CHECK (true)")

"""access v2, completed: a rule for every column a practitioner's login writes

Schema 0004's guards were written before the columns of 0005 (a handover's
review and planning override, the person's view on a checklist item) and
0006 (who cancelled a contact, a second practitioner present), and a
practitioner's login could write those freely in psql. PostgreSQL only
(README "Team server"; the app's own rules are storage/access/, and
`storage.access.COLUMN_RULES` lists the rule of every column, checked
against the database by tests/storage/test_pg_attacks.py):

- what an UPDATE may change: a trigger on each table a practitioner's login
  writes refuses a change to any column not named for it here (`_CHANGES`),
  so the keys (which case, which session, which handover, which checklist
  item and what it asks) stay as written, and a column added later is fixed
  until a migration names it;
- a handover's override, review and planning override (all six columns,
  on INSERT as well as UPDATE) are a team lead's of the case, and the
  review is in the lead's own name;
- a handover is inserted planned, and completes as the app completes it:
  warm only with the checklist items it needs done, cold only with a
  lead's override (a practitioner in psql could mark it warm with its
  checklist open, which the rules would read as a warm handover);
- names written by hand are one's own: a checklist item's `done_by` (or
  the app's `auto`), a supervision session's `lead_pk`;
- a handover names only practitioners the login already sees (no handing a
  case to, nor learning of, a practitioner of a team it knows nothing of);
  a contact's second practitioner is of one of the case's teams (its own,
  or either side of its open handover), as the app has it
  (storage.access.check_case_practitioner). Naming them shows the contact
  to nobody new: a case is seen by its teams (README, Team server), not by everyone a
  contact names;
- the login sees the second practitioner named on a contact of a case it
  sees (no row it reads points at a practitioner it cannot read);
- CHECK constraints: a contact's `cancelled_by` only on a cancelled
  contact, its second practitioner not its first; an appointment's
  `rrule` of the form the app books (`caseload_rrule_ok`, the grammar of
  planner.recurrence.parse). They are added NOT VALID: rows written before
  are not checked (so they cannot stop the upgrade; `caseload check` lists
  them), every new or changed row is. The app's further checks of a rule
  (that dateutil reads it, that it has a date at least once a year) need a
  calendar the database does not have; a rule the app cannot read counts
  as one appointment on its date (planner/recurrence.py).

SQLite: nothing but the revision (the file's owner is trusted there).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations import support

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "caseload_practitioner"
OPEN = "('planned', 'in_progress')"  # planner.model.OPEN_HANDOVER_STATUSES

# What a practitioner's login may change with UPDATE, table by table (every
# other column is fixed once written). Frozen here: storage.access.COLUMN_RULES
# is the app's copy, and a test compares the two with the database.
_CHANGES = {
    "case": ("version", "display_name", "tier", "contact_level", "youth", "date_of_birth", "flags", "status",
             "paused_until", "team_pk"),
    "allocation": ("version", "end_date", "reason"),
    "contact": ("version", "contact_date", "practitioner_pk", "kind", "outcome", "notes", "cancelled_by",
                "with_practitioner_pk"),
    "appointment": ("version", "appointment_date", "practitioner_pk", "time", "kind", "rrule"),
    "absence": ("version", "practitioner_pk", "start_date", "end_date", "kind", "cover_practitioner_pk"),
    "handover": ("version", "to_practitioner_pk", "planned_on", "status", "reason", "summary", "completed_on",
                 "override_reason", "reviewed", "reviewed_by", "reviewed_on", "review_note", "plan_override_reason"),
    "handover_item": ("version", "due", "done", "done_on", "done_by", "auto", "note", "view", "view_words"),
    "supervision_session": ("version", "ended_at"),
    "supervision_note": ("version", "note", "reviewed", "flagged", "warnings_json"),
    "action": ("version", "done", "done_on"),
    "case_note": ("version",),
}
# The tables a practitioner's login inserts rows into (their ids' sequences).
_INSERTS = ("allocation", "contact", "appointment", "absence", "handover", "handover_item", "supervision_session",
            "supervision_note", "action", "case_note")
_COMPLETED = "('completed_warm', 'completed_cold')"  # planner.model.COMPLETED_HANDOVER_STATUSES
_ALWAYS_REQUIRED = "('told', 'summary', 'read', 'three_way')"  # planner.handover.ALWAYS_REQUIRED
# A handover's columns that are a team lead's (of the case).
_LEAD = ("override_reason", "reviewed", "reviewed_by", "reviewed_on", "review_note", "plan_override_reason")
# (table, column, compared with, other values allowed): a name a login writes is its own.
_SELF = (("handover", "reviewed_by", "id", ""), ("handover_item", "done_by", "id", "auto"),
         ("supervision_session", "lead_pk", "pk", ""))
_CHECKS = (
    ("contact", "ck_contact_cancelled_by",
     "cancelled_by IS NULL OR (cancelled_by IN ('person', 'practitioner') AND outcome = 'cancelled')"),
    ("contact", "ck_contact_with_second_practitioner", "with_practitioner_pk IS DISTINCT FROM practitioner_pk"),
    ("appointment", "ck_appointment_rrule", "rrule IS NULL OR {s}.caseload_rrule_ok(rrule)"),
)

# planner.recurrence.parse, in PL/pgSQL: one RRULE of the parts the app books.
_RRULE_OK = r"""
DECLARE
    body text := btrim(rule);
    parts jsonb := '{{}}';
    piece text;
    name text;
    val text;
    item text;
    freq text;
    m text[];
    n integer;
    most integer;
BEGIN
    IF upper(left(body, 6)) = 'RRULE:' THEN
        body := substr(body, 7);
    END IF;
    IF body = '' OR body ~ '[\r\n]' OR upper(body) LIKE '%DTSTART%' THEN
        RETURN false;
    END IF;
    FOREACH piece IN ARRAY string_to_array(body, ';') LOOP
        IF position('=' IN piece) = 0 THEN
            RETURN false;
        END IF;
        name := upper(btrim(split_part(piece, '=', 1)));
        val := upper(btrim(substr(piece, position('=' IN piece) + 1)));
        IF name = '' OR val = '' OR parts ? name OR name NOT IN ('FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYDAY',
                'BYMONTHDAY', 'BYMONTH', 'BYSETPOS', 'WKST') THEN
            RETURN false;
        END IF;
        parts := parts || jsonb_build_object(name, val);
    END LOOP;
    freq := parts ->> 'FREQ';
    IF freq IS NULL OR freq NOT IN ('DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY') THEN
        RETURN false;
    END IF;
    IF parts ? 'COUNT' AND parts ? 'UNTIL' THEN
        RETURN false;
    END IF;
    IF NOT ({s}.caseload_rrule_ints(parts ->> 'INTERVAL', 1, 400) AND {s}.caseload_rrule_ints(parts ->> 'COUNT', 1, 1000)
            AND {s}.caseload_rrule_ints(parts ->> 'BYMONTH', 1, 12)
            AND {s}.caseload_rrule_ints(parts ->> 'BYMONTHDAY', -31, 31)
            AND {s}.caseload_rrule_ints(parts ->> 'BYSETPOS', -366, 366)) THEN
        RETURN false;
    END IF;
    IF position(',' IN coalesce(parts ->> 'INTERVAL', '') || coalesce(parts ->> 'COUNT', '')) > 0 THEN
        RETURN false;  -- one number each (dateutil reads no list there)
    END IF;
    IF parts ? 'WKST' AND parts ->> 'WKST' NOT IN ('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU') THEN
        RETURN false;
    END IF;
    IF parts ? 'UNTIL' THEN
        m := regexp_match(parts ->> 'UNTIL', '^(\d{{4}})(\d{{2}})(\d{{2}})(T(\d{{2}})(\d{{2}})(\d{{2}}))?$');
        IF m IS NULL THEN
            RETURN false;
        END IF;
        BEGIN
            PERFORM make_date(m[1]::integer, m[2]::integer, m[3]::integer);
        EXCEPTION WHEN others THEN
            RETURN false;
        END;
        IF m[1]::integer < 1 OR (m[4] IS NOT NULL AND (m[5]::integer > 23 OR m[6]::integer > 59
                OR m[7]::integer > 59)) THEN
            RETURN false;
        END IF;
    END IF;
    IF parts ? 'BYDAY' THEN
        FOREACH item IN ARRAY string_to_array(parts ->> 'BYDAY', ',') LOOP
            m := regexp_match(btrim(item), '^([+-]?\d{{1,2}})?(MO|TU|WE|TH|FR|SA|SU)$');
            IF m IS NULL THEN
                RETURN false;
            END IF;
            IF m[1] IS NOT NULL THEN
                n := m[1]::integer;
                most := CASE freq WHEN 'MONTHLY' THEN 5 ELSE 53 END;
                IF freq NOT IN ('MONTHLY', 'YEARLY') OR n = 0 OR abs(n) > most THEN
                    RETURN false;
                END IF;
            END IF;
        END LOOP;
    END IF;
    RETURN true;
END"""

# planner.recurrence._ints: NULL (the part is not given) or whole numbers,
# comma-separated, each from low to high and not 0.
_RRULE_INTS = r"""
DECLARE
    item text;
    n numeric;
BEGIN
    IF val IS NULL THEN
        RETURN true;
    END IF;
    FOREACH item IN ARRAY string_to_array(val, ',') LOOP
        IF btrim(item) !~ '^[+-]?\d+$' THEN
            RETURN false;
        END IF;
        n := btrim(item)::numeric;
        IF n < low OR n > high OR n = 0 THEN
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END"""


def _visible_practitioners(s: str, *, with_second: bool) -> str:
    """caseload_visible_practitioners() as 0004 wrote it, and with the second
    practitioner of contacts."""
    body = support.definer_body("caseload_visible_practitioners")
    if with_second:
        own = " UNION ALL SELECT DISTINCT k.practitioner_pk FROM {s}.contact k WHERE k.case_id = ANY (cases)"
        assert own in body
        # one pass over the contacts for both (a second would cost a quarter more)
        body = body.replace(own, " UNION ALL SELECT n.pk FROM (SELECT DISTINCT unnest(ARRAY[k.practitioner_pk,"
                                 " k.with_practitioner_pk]) AS pk FROM {s}.contact k WHERE k.case_id = ANY (cases)) n"
                                 " WHERE n.pk IS NOT NULL")
    return (f"CREATE OR REPLACE FUNCTION {s}.caseload_visible_practitioners() RETURNS integer[] LANGUAGE plpgsql"
            f" VOLATILE SECURITY DEFINER {support.pin(s)} AS $fn$ {body.format(s=s)} $fn$")


def _policy_rules(s: str) -> dict[str, dict[str, str]]:
    """The policies this revision changes: {table: {kind: WITH CHECK}}."""
    people = f"(SELECT unnest({s}.caseload_visible_practitioners()))"
    cases = f"(SELECT unnest({s}.caseload_visible_cases()))"
    seen = f"case_id IN {cases}"
    second = (f"(with_practitioner_pk IS NULL OR {s}.caseload_practitioner_team(with_practitioner_pk)"
              f" = ANY ({s}.caseload_case_teams(case_id)))")
    contact = f"{seen} AND practitioner_pk IN {people} AND {second}"
    handover = f"{seen} AND from_practitioner_pk IN {people} AND to_practitioner_pk IN {people}"
    return {"contact": {"insert": contact, "update": contact}, "handover": {"insert": handover, "update": handover}}


def _create_policies(s: str, rules: dict[str, dict[str, str]], reads: dict[str, dict[str, str]]) -> None:
    for table, kinds in rules.items():
        for kind, rule in kinds.items():
            op.execute(f'DROP POLICY IF EXISTS p_{kind} ON {s}."{table}"')
            if kind == "insert":
                clause = f"WITH CHECK ({rule})"
            else:
                clause = f"USING ({reads[table]['read']}) WITH CHECK ({rule})"
            op.execute(f'CREATE POLICY p_{kind} ON {s}."{table}" FOR {kind.upper()} TO {ROLE} {clause}')


def _handover_guard(s: str, changed: str, refusal: str) -> None:
    """caseload_guard_handover(): when `changed`, only a lead of the case's
    team (or of the outgoing practitioner's: the case has moved by the time a
    completion writes its override)."""
    op.execute(f"""
        CREATE OR REPLACE FUNCTION {s}.caseload_guard_handover() RETURNS trigger LANGUAGE plpgsql {support.pin(s)} AS $fn$
        BEGIN
            IF {s}.caseload_me() IS NULL THEN
                RETURN NEW;
            END IF;
            IF ({changed})
               AND NOT ({s}.caseload_i_lead() AND {s}.caseload_my_team() IN (
                    {s}.caseload_case_team(NEW.case_id),
                    {s}.caseload_practitioner_team(NEW.from_practitioner_pk))) THEN
                RAISE EXCEPTION '{refusal}' USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $fn$""")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()


def _pg_upgrade() -> None:
    s = support.schema()
    pin = support.pin(s)
    old = support.access_v2()

    # The teams of a case (storage.access: case_team_id and handover_teams),
    # for a case the login sees; empty otherwise.
    op.execute(f"""
        CREATE FUNCTION {s}.caseload_case_teams(case_pk integer) RETURNS integer[] LANGUAGE sql STABLE
        SECURITY DEFINER {pin} AS $fn$
            SELECT array_remove({s}.caseload_case_team(case_pk) || coalesce((SELECT array_agg(p.team_pk)
                FROM {s}.handover h JOIN {s}.practitioner p ON p.id IN (h.from_practitioner_pk, h.to_practitioner_pk)
                WHERE h.case_id = case_pk AND h.status IN {OPEN}
                AND case_pk = ANY ({s}.caseload_visible_cases())), '{{}}'), NULL)
        $fn$""")
    op.execute(f"REVOKE ALL ON FUNCTION {s}.caseload_case_teams(integer) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {s}.caseload_case_teams(integer) TO {ROLE}")
    op.execute(_visible_practitioners(s, with_second=True))

    # Column rules: what an UPDATE may change.
    op.execute(f"""
        CREATE FUNCTION {s}.caseload_guard_columns() RETURNS trigger LANGUAGE plpgsql {pin} AS $fn$
        DECLARE
            fixed text[];
        BEGIN
            IF {s}.caseload_me() IS NULL THEN  -- the owner, the administrator
                RETURN NEW;
            END IF;
            fixed := ARRAY(SELECT n.key FROM jsonb_each(to_jsonb(NEW)) AS n(key, value)
                           WHERE n.value IS DISTINCT FROM to_jsonb(OLD) -> n.key AND n.key <> ALL (TG_ARGV)
                           ORDER BY n.key);
            IF cardinality(fixed) > 0 THEN
                RAISE EXCEPTION '%: a practitioner''s login may not change %', TG_TABLE_NAME,
                    array_to_string(fixed, ', ') USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $fn$""")
    op.execute(f"REVOKE ALL ON FUNCTION {s}.caseload_guard_columns() FROM PUBLIC")
    for table, columns in _CHANGES.items():
        args = ", ".join(f"'{c}'" for c in columns)
        op.execute(f"""CREATE TRIGGER guard_columns BEFORE UPDATE ON {s}."{table}"
                       FOR EACH ROW EXECUTE FUNCTION {s}.caseload_guard_columns({args})""")

    # A name written by hand is the login's own.
    op.execute(f"""
        CREATE FUNCTION {s}.caseload_guard_self() RETURNS trigger LANGUAGE plpgsql {pin} AS $fn$
        DECLARE
            val text := to_jsonb(NEW) ->> TG_ARGV[0];
            mine text;
        BEGIN
            IF {s}.caseload_me() IS NULL OR val IS NULL THEN
                RETURN NEW;
            END IF;
            IF TG_OP = 'UPDATE' AND val IS NOT DISTINCT FROM to_jsonb(OLD) ->> TG_ARGV[0] THEN
                RETURN NEW;
            END IF;
            mine := CASE TG_ARGV[1] WHEN 'pk' THEN {s}.caseload_me()::text ELSE {s}.caseload_my_practitioner_id() END;
            IF val = mine OR val = ANY (string_to_array(TG_ARGV[2], ',')) THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION '%.%: a practitioner''s login writes only its own name there', TG_TABLE_NAME, TG_ARGV[0]
                USING ERRCODE = 'insufficient_privilege';
        END $fn$""")
    op.execute(f"REVOKE ALL ON FUNCTION {s}.caseload_guard_self() FROM PUBLIC")
    for table, column, kind, extra in _SELF:
        op.execute(f"""CREATE TRIGGER guard_self_{column} BEFORE INSERT OR UPDATE ON {s}."{table}"
                       FOR EACH ROW EXECUTE FUNCTION {s}.caseload_guard_self('{column}', '{kind}', '{extra}')""")

    # A handover's lead-only columns, all six, on INSERT as well as UPDATE.
    differ = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _LEAD)
    given = " OR ".join("NEW.reviewed IS TRUE" if c == "reviewed" else f"NEW.{c} IS NOT NULL" for c in _LEAD)
    _handover_guard(s, f"CASE WHEN TG_OP = 'INSERT' THEN {given} ELSE {differ} END",
                    "only a team lead of the case may override, plan with an override or review its handover")
    op.execute(f"DROP TRIGGER handover_lead_only ON {s}.handover")
    op.execute(f"""CREATE TRIGGER handover_lead_only BEFORE INSERT OR UPDATE ON {s}.handover
                   FOR EACH ROW EXECUTE FUNCTION {s}.caseload_guard_handover()""")
    # A handover is planned before it is anything else, and completes as the
    # app completes it (planner.handover.complete): warm only with every item
    # it needs done (the required ones due by the day, and ALWAYS_REQUIRED),
    # cold only with an override (a lead's, above).
    op.execute(f"""
        CREATE FUNCTION {s}.caseload_guard_completion() RETURNS trigger LANGUAGE plpgsql {pin} AS $fn$
        BEGIN
            IF {s}.caseload_me() IS NULL THEN
                RETURN NEW;
            END IF;
            IF TG_OP = 'INSERT' THEN
                IF NEW.status <> 'planned' OR NEW.completed_on IS NOT NULL THEN
                    RAISE EXCEPTION 'a handover is planned first (status planned)'
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END IF;
            IF NEW.status IS NOT DISTINCT FROM OLD.status OR NEW.status NOT IN {_COMPLETED} THEN
                RETURN NEW;
            END IF;
            IF NEW.completed_on IS NULL THEN
                RAISE EXCEPTION 'a completed handover has a completion date' USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF NEW.status = 'completed_cold' AND NEW.override_reason IS NULL THEN
                RAISE EXCEPTION 'a handover completes cold only with an override reason'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF NEW.status = 'completed_warm' AND EXISTS (
                    SELECT 1 FROM {s}.handover_item i WHERE i.handover_id = NEW.id AND i.required AND NOT i.done
                    AND (i.due <= NEW.completed_on OR i.item_id IN {_ALWAYS_REQUIRED})) THEN
                RAISE EXCEPTION 'a handover completes warm only with the checklist items it needs done'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $fn$""")
    op.execute(f"REVOKE ALL ON FUNCTION {s}.caseload_guard_completion() FROM PUBLIC")
    op.execute(f"""CREATE TRIGGER handover_completion BEFORE INSERT OR UPDATE ON {s}.handover
                   FOR EACH ROW EXECUTE FUNCTION {s}.caseload_guard_completion()""")

    _create_policies(s, _policy_rules(s), old._policies(s))

    # Sequences: schema 0003 let the role read and draw from every one, so a
    # login could read how many events, cases and contacts every team has
    # written (`last_value`) and burn ids of the audit trail (gaps that look
    # like deleted events). Now: no reading, and drawing only the ids of the
    # rows it inserts.
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {ROLE}")
    for table in _INSERTS:
        op.execute(f"GRANT USAGE ON SEQUENCE {support.serial_sequence(s, table)} TO {ROLE}")
    # Functions: none callable by everyone (PostgreSQL's default for a new
    # function) but the one that answers only about the caller.
    for signature in ("caseload_audit_append_only()", "caseload_guard_handover()"):
        op.execute(f"REVOKE ALL ON FUNCTION {s}.{signature} FROM PUBLIC")

    # Checks on the rows themselves (the owner's too), NOT VALID: new and
    # changed rows only, so rows from before cannot stop the upgrade.
    op.execute(f"""CREATE FUNCTION {s}.caseload_rrule_ints(val text, low integer, high integer) RETURNS boolean
                   LANGUAGE plpgsql IMMUTABLE {pin} AS $fn$ {_RRULE_INTS} $fn$""")
    op.execute(f"""CREATE FUNCTION {s}.caseload_rrule_ok(rule text) RETURNS boolean
                   LANGUAGE plpgsql IMMUTABLE {pin} AS $fn$ {_RRULE_OK.format(s=s)} $fn$""")
    for signature in ("caseload_rrule_ints(text, integer, integer)", "caseload_rrule_ok(text)"):
        op.execute(f"REVOKE ALL ON FUNCTION {s}.{signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {s}.{signature} TO {ROLE}")  # the CHECK runs as the writer
    for table, name, rule in _CHECKS:
        op.execute(f'ALTER TABLE {s}."{table}" ADD CONSTRAINT {name} CHECK ({rule.format(s=s)}) NOT VALID')


def _pg_downgrade() -> None:
    s = support.schema()
    old = support.access_v2()
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {ROLE}")
    for signature in ("caseload_audit_append_only()", "caseload_guard_handover()"):
        op.execute(f"GRANT EXECUTE ON FUNCTION {s}.{signature} TO PUBLIC")
    for table, name, _rule in reversed(_CHECKS):
        op.execute(f'ALTER TABLE {s}."{table}" DROP CONSTRAINT IF EXISTS {name}')
    op.execute(f"DROP FUNCTION IF EXISTS {s}.caseload_rrule_ok(text)")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.caseload_rrule_ints(text, integer, integer)")
    reads = old._policies(s)
    _create_policies(s, {t: {k: reads[t][k] for k in kinds} for t, kinds in _policy_rules(s).items()}, reads)
    op.execute(f"DROP TRIGGER IF EXISTS handover_completion ON {s}.handover")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.caseload_guard_completion()")
    op.execute(f"DROP TRIGGER handover_lead_only ON {s}.handover")
    _handover_guard(s, "NEW.override_reason IS DISTINCT FROM OLD.override_reason"
                       " OR NEW.reviewed IS DISTINCT FROM OLD.reviewed",
                    "only a team lead of the case may override or review its handover")
    op.execute(f"""CREATE TRIGGER handover_lead_only BEFORE UPDATE ON {s}.handover
                   FOR EACH ROW EXECUTE FUNCTION {s}.caseload_guard_handover()""")
    for table, column, _kind, _extra in _SELF:
        op.execute(f'DROP TRIGGER IF EXISTS guard_self_{column} ON {s}."{table}"')
    op.execute(f"DROP FUNCTION IF EXISTS {s}.caseload_guard_self()")
    for table in _CHANGES:
        op.execute(f'DROP TRIGGER IF EXISTS guard_columns ON {s}."{table}"')
    op.execute(f"DROP FUNCTION IF EXISTS {s}.caseload_guard_columns()")
    op.execute(_visible_practitioners(s, with_second=False))
    op.execute(f"DROP FUNCTION IF EXISTS {s}.caseload_case_teams(integer)")

"""team access and append-only audit

Both databases:
- `audit_event` is append-only: triggers refuse UPDATE and DELETE (and, on
  PostgreSQL, TRUNCATE). On SQLite the file's owner can still drop the
  triggers; they stop the application and mistakes, not the owner.
- `db_login`: which PostgreSQL login is which practitioner (empty and unused
  on SQLite; kept on both so the schema matches storage/models.py).

PostgreSQL only (the database enforces access by team itself):
- role `caseload_practitioner` (NOLOGIN; created once per server, shared by
  every caseload database on it) with SELECT/INSERT/UPDATE on the case
  tables, DELETE on `appointment` only (cancelling one), SELECT only on
  `team`, `practitioner` and `meta` (people and roles are the
  administrator's), SELECT/INSERT on `audit_event`, nothing on `db_login`.
  Later migrations that add tables grant on them too;
- `caseload_login_team(login)`: the team of the practitioner mapped to a
  login (SECURITY DEFINER, so it reads db_login and practitioner without
  their policies); the policies call it with `current_user`;
- ROW LEVEL SECURITY on `case`, every case-child table, `practitioner`,
  `absence`, `supervision_session` and `audit_event`, keyed on that team. The tables'
  owner (the login that ran `caseload init`) and superusers bypass it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "caseload_practitioner"
TEAM_FN = "caseload_login_team"

# Tables whose rows belong to a case (column case_id, NOT NULL).
CASE_CHILDREN = ("allocation", "contact", "appointment", "handover", "supervision_note", "case_note")
# Tables the practitioner role may read and write (rows limited by the policies).
WRITE_TABLES = (
    "case", "allocation", "contact", "appointment", "absence", "handover", "handover_item",
    "supervision_session", "supervision_note", "action", "case_note",
)
# Read only: people, teams and roles are the administrator's (import), so a
# login cannot make itself a team lead or move into another team.
READ_TABLES = ("team", "practitioner", "meta", "alembic_version")
RLS_TABLES = ("case", *CASE_CHILDREN, "handover_item", "action", "practitioner", "absence",
              "supervision_session", "audit_event")

SQLITE_TRIGGERS = (
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: DELETE refused'); END""",
)


def upgrade() -> None:
    op.create_table('db_login',
    sa.Column('login_name', sa.String(length=63), nullable=False),
    sa.Column('practitioner_pk', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['practitioner_pk'], ['practitioner.id'], ),
    sa.PrimaryKeyConstraint('login_name')
    )
    with op.batch_alter_table('db_login', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_db_login_practitioner_pk'), ['practitioner_pk'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for ddl in SQLITE_TRIGGERS:
            op.execute(ddl)
    elif dialect == "postgresql":
        _pg_upgrade()


def _pg_upgrade() -> None:
    schema = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one()
    path = f'"{schema}", pg_catalog'

    # Audit: append-only.
    op.execute("""
        CREATE FUNCTION caseload_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$""")
    op.execute("""CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_event
                  FOR EACH ROW EXECUTE FUNCTION caseload_audit_append_only()""")
    op.execute("""CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
                  FOR EACH STATEMENT EXECUTE FUNCTION caseload_audit_append_only()""")

    # The role every practitioner login is a member of (one per server).
    op.execute(f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN
                CREATE ROLE {ROLE} NOLOGIN;
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;  -- created meanwhile
        END $$""")
    op.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO {ROLE}')
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON {', '.join(_q(t) for t in WRITE_TABLES)} TO {ROLE}")
    op.execute(f"GRANT DELETE ON appointment TO {ROLE}")
    op.execute(f"GRANT SELECT, INSERT ON audit_event TO {ROLE}")
    op.execute(f"GRANT SELECT ON {', '.join(_q(t) for t in READ_TABLES)} TO {ROLE}")
    op.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO {ROLE}')

    # The login's team.
    op.execute(f"""
        CREATE FUNCTION {TEAM_FN}(login name) RETURNS integer
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {path} AS $$
            SELECT p.team_pk FROM db_login l JOIN practitioner p ON p.id = l.practitioner_pk
            WHERE l.login_name = login
        $$""")
    op.execute(f"REVOKE ALL ON FUNCTION {TEAM_FN}(name) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {TEAM_FN}(name) TO {ROLE}")

    # current_user is read here, in the caller's context (inside a SECURITY
    # DEFINER function it would be the function's owner).
    team = f"{TEAM_FN}(current_user)"
    in_team_cases = f'(SELECT c.id FROM "case" c WHERE c.team_pk = {team})'
    policies = {
        "case": f"team_pk = {team}",
        **{t: f"case_id IN {in_team_cases}" for t in CASE_CHILDREN},
        "handover_item": "handover_id IN (SELECT h.id FROM handover h)",  # handover's own policy applies
        "action": (f"(case_id IS NULL AND owner_pk IN (SELECT p.id FROM practitioner p)) "
                   f"OR case_id IN {in_team_cases}"),
        "practitioner": f"team_pk = {team}",
        "absence": "practitioner_pk IN (SELECT p.id FROM practitioner p)",
        "supervision_session": "practitioner_pk IN (SELECT p.id FROM practitioner p)",
    }
    for table in RLS_TABLES:
        op.execute(f"ALTER TABLE {_q(table)} ENABLE ROW LEVEL SECURITY")
    for table, rule in policies.items():
        op.execute(f"CREATE POLICY team_rows ON {_q(table)} TO {ROLE} USING ({rule}) WITH CHECK ({rule})")
    # Audit: read the events of visible cases (and those of no case); insert any.
    op.execute(f"""CREATE POLICY team_read ON audit_event FOR SELECT TO {ROLE}
                   USING (case_ref IS NULL OR case_ref IN (SELECT c.case_ref FROM "case" c))""")
    op.execute(f"CREATE POLICY append ON audit_event FOR INSERT TO {ROLE} WITH CHECK (true)")


def _q(table: str) -> str:
    return f'"{table}"'


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    elif dialect == "postgresql":
        for table in RLS_TABLES:
            op.execute(f"DROP POLICY IF EXISTS team_rows ON {_q(table)}")
            op.execute(f"ALTER TABLE {_q(table)} DISABLE ROW LEVEL SECURITY")
        op.execute("DROP POLICY IF EXISTS team_read ON audit_event")
        op.execute("DROP POLICY IF EXISTS append ON audit_event")
        op.execute(f"DROP FUNCTION IF EXISTS {TEAM_FN}(name)")
        schema = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one()
        exists = op.get_bind().execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": ROLE}
        ).first()
        if exists:  # the role stays: other caseload databases on the server may use it
            op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA \"{schema}\" FROM {ROLE}")
            op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA \"{schema}\" FROM {ROLE}")
            op.execute(f'REVOKE USAGE ON SCHEMA "{schema}" FROM {ROLE}')
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update_delete ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS caseload_audit_append_only()")

    with op.batch_alter_table('db_login', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_db_login_practitioner_pk'))
    op.drop_table('db_login')

"""the person's voice: check-ins, not_with, the case's language and interpreter

docs/voice.md (SPEC §10):

- `checkin`: the person's answers at a contact (`listened`, `goals`,
  `trust`, each 1 to 5) and their own words, per case, date and practitioner
  (one a day per practitioner: the CSV kind's natural key);
- `not_with`: a practitioner the person must not be allocated to, with a
  reason code (no free text about staff), one row per case and practitioner;
- `case.language` (the person's first language) and `case.interpreter`.

PostgreSQL (README "Team server"; the app's rules are storage/access/ and
storage.column_rules.COLUMN_RULES, held to the database by
tests/storage/test_pg_attacks.py): both tables have row-level security like
a contact (read and written on the cases the login sees, naming only
practitioners it sees), every direct write audited, the column guard of
schema 0007 (a check-in's case, date and practitioner, and a not_with row's
case and practitioner, fixed once written), a not_with row may be deleted on
a case the login sees; the case's guard is remade with the two new columns;
CHECK constraints keep answers to 1 to 5 and reasons to the codes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate renders sqlmodel.sql.sqltypes.AutoString
from alembic import op

from storage.migrations import support

revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "caseload_practitioner"
TABLES = ("checkin", "not_with")
# What an UPDATE by a practitioner's login may change (schema 0007's guard;
# storage.column_rules.COLUMN_RULES is the app's copy).
_CHANGES = {
    "checkin": ("version", "listened", "goals", "trust", "words"),
    "not_with": ("version", "reason"),
}
_CASE_BEFORE = ("version", "display_name", "tier", "contact_level", "youth", "date_of_birth", "flags", "status",
                "paused_until", "team_pk")
_CASE_AFTER = (*_CASE_BEFORE, "language", "interpreter")
# The rows themselves (the owner's too): answers 1 to 5, reason codes only
# (planner.model CHECKIN_LOW/HIGH and NOT_WITH_REASONS; no free text about staff).
_CHECKS = (
    ("checkin", "ck_checkin_answers",
     "listened BETWEEN 1 AND 5 AND goals BETWEEN 1 AND 5 AND trust BETWEEN 1 AND 5"),
    ("not_with", "ck_not_with_reason", "reason IN ('complaint', 'boundary', 'risk_to_staff', 'person_request')"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # ADD COLUMN in place (no copy of the cases)
        op.execute('ALTER TABLE "case" ADD COLUMN language VARCHAR(64)')
        op.execute('ALTER TABLE "case" ADD COLUMN interpreter BOOLEAN NOT NULL DEFAULT 0')
    else:
        op.add_column('case', sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        op.add_column('case', sa.Column('interpreter', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'checkin',
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('checkin_date', sa.Date(), nullable=False),
        sa.Column('practitioner_pk', sa.Integer(), nullable=False),
        sa.Column('listened', sa.Integer(), nullable=False),
        sa.Column('goals', sa.Integer(), nullable=False),
        sa.Column('trust', sa.Integer(), nullable=False),
        sa.Column('words', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['case.id']),
        sa.ForeignKeyConstraint(['practitioner_pk'], ['practitioner.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id', 'checkin_date', 'practitioner_pk', name='uq_checkin_natural'),
    )
    op.create_table(
        'not_with',
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('practitioner_pk', sa.Integer(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id']),
        sa.ForeignKeyConstraint(['practitioner_pk'], ['practitioner.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id', 'practitioner_pk', name='uq_not_with_natural'),
    )
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
    op.drop_table('not_with')
    op.drop_table('checkin')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('interpreter')
        batch_op.drop_column('language')


def _policies(s: str) -> dict[str, dict[str, str]]:
    cases = f"(SELECT unnest({s}.caseload_visible_cases()))"
    people = f"(SELECT unnest({s}.caseload_visible_practitioners()))"
    seen = f"case_id IN {cases}"
    write = f"{seen} AND practitioner_pk IN {people}"
    return {
        "checkin": {"read": seen, "insert": write, "update": write},
        "not_with": {"read": seen, "insert": write, "update": write, "delete": seen},
    }


def _pg_upgrade() -> None:
    s = support.schema()
    commands = {"read": "SELECT", "insert": "INSERT", "update": "UPDATE", "delete": "DELETE"}
    for table in TABLES:
        op.execute(f'GRANT SELECT, INSERT, UPDATE ON {s}."{table}" TO {ROLE}')
        op.execute(f"GRANT USAGE ON SEQUENCE {support.serial_sequence(s, table)} TO {ROLE}")
        op.execute(f'ALTER TABLE {s}."{table}" ENABLE ROW LEVEL SECURITY')
        op.execute(f"""CREATE TRIGGER audit_db_write AFTER INSERT OR UPDATE OR DELETE ON {s}."{table}"
                       FOR EACH ROW EXECUTE FUNCTION {s}.caseload_audit_write()""")
        args = ", ".join(f"'{c}'" for c in _CHANGES[table])
        op.execute(f"""CREATE TRIGGER guard_columns BEFORE UPDATE ON {s}."{table}"
                       FOR EACH ROW EXECUTE FUNCTION {s}.caseload_guard_columns({args})""")
    op.execute(f"GRANT DELETE ON {s}.not_with TO {ROLE}")
    rules = _policies(s)
    for table, kinds in rules.items():
        for kind, rule in kinds.items():
            if kind in ("read", "delete"):
                clause = f"USING ({rule})"
            elif kind == "insert":
                clause = f"WITH CHECK ({rule})"
            else:
                clause = f"USING ({kinds['read']}) WITH CHECK ({rule})"
            op.execute(f'CREATE POLICY p_{kind} ON {s}."{table}" FOR {commands[kind]} TO {ROLE} {clause}')
    support.guard_columns(s, "case", _CASE_AFTER)
    for table, name, rule in _CHECKS:
        op.execute(f'ALTER TABLE {s}."{table}" ADD CONSTRAINT {name} CHECK ({rule})')


def _pg_downgrade() -> None:
    s = support.schema()
    support.guard_columns(s, "case", _CASE_BEFORE)
    for table in TABLES:
        op.execute(f'REVOKE ALL ON {s}."{table}" FROM {ROLE}')

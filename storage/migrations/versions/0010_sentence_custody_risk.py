"""cases: sentence, custody and risk context; restricted cases (SPEC §11)

Both databases: six columns on `case` (docs/words.md, "Sentences and
custody"): `sentence`, `sentence_end`, `release_on` (custody cases),
`rosh`, `mappa_level` (1 to 3, NULL for none) and `restricted`.

PostgreSQL only (README "Team server"; the app's own rule is
storage/access/, which this mirrors):

- a restricted case is seen only by its current practitioner, the receiver
  of its open handover and the leads of its team: `caseload_visible_cases()`
  leaves the others out, so every policy built on it (the case, its
  allocations, contacts, appointments, handovers and their items, case
  notes, supervision notes, actions, the audit trail) hides them too;
- `restricted` is a team lead's to change (storage.column_rules
  COLUMN_RULES: "lead"), the other five are free; the column guard of
  schema 0007 on `case` names them;
- CHECK constraints hold the values to the app's lists (planner/model.py
  SENTENCES, ROSH_LEVELS, MAPPA_LEVELS).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations import support

revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "caseload_practitioner"
OPEN = "('planned', 'in_progress')"  # planner.model.OPEN_HANDOVER_STATUSES

# (name, SQLite type, PostgreSQL column)
_COLUMNS = (
    ("sentence", "VARCHAR(32)", sa.String(length=32)),
    ("sentence_end", "DATE", sa.Date()),
    ("release_on", "DATE", sa.Date()),
    ("rosh", "VARCHAR(16)", sa.String(length=16)),
    ("mappa_level", "INTEGER", sa.Integer()),
)
# planner/model.py SENTENCES, ROSH_LEVELS, MAPPA_LEVELS (frozen here)
_SENTENCES = ("community_order", "suspended_sentence", "licence", "post_sentence_supervision", "custody",
              "referral_order", "youth_rehabilitation_order", "out_of_court", "other")
_ROSH = ("low", "medium", "high", "very_high")
_CHECKS = (
    ("ck_case_sentence", "sentence IS NULL OR sentence IN ({})".format(", ".join(f"'{v}'" for v in _SENTENCES))),
    ("ck_case_rosh", "rosh IS NULL OR rosh IN ({})".format(", ".join(f"'{v}'" for v in _ROSH))),
    ("ck_case_mappa_level", "mappa_level IS NULL OR mappa_level BETWEEN 1 AND 3"),
)
# What a practitioner's login may change on `case`: schema 0009's (0007's
# `_CHANGES` with the person's language and interpreter) plus these;
# `restricted` only as a lead of the case's team, below.
_CASE_BEFORE = ("version", "display_name", "tier", "contact_level", "youth", "date_of_birth", "flags", "status",
                "paused_until", "team_pk", "language", "interpreter")
_CASE_CHANGES = (*_CASE_BEFORE, "sentence", "sentence_end", "release_on", "rosh", "mappa_level", "restricted")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # ADD COLUMN in place (no copy of the table; the file rebuilds byte for byte)
        for name, sqlite_type, _pg in _COLUMNS:
            op.execute(f'ALTER TABLE "case" ADD COLUMN {name} {sqlite_type}')
        op.execute('ALTER TABLE "case" ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT 0')
        return
    for name, _sqlite, pg_type in _COLUMNS:
        op.add_column('case', sa.Column(name, pg_type, nullable=True))
    op.add_column('case', sa.Column('restricted', sa.Boolean(), nullable=False, server_default=sa.false()))
    _pg_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
        for name in ("restricted", *(c[0] for c in reversed(_COLUMNS))):
            op.drop_column('case', name)
        return
    with op.batch_alter_table('case', schema=None) as batch_op:
        for name in ("restricted", *(c[0] for c in reversed(_COLUMNS))):
            batch_op.drop_column(name)


def _visible_cases_body() -> str:
    """caseload_visible_cases() of schema 0004, less the restricted cases the
    login may not see (storage.access.restricted_filter is the app's copy)."""
    body = support.definer_body("caseload_visible_cases")
    head = "DECLARE team integer := {s}.caseload_my_team(); found integer[];"
    tail = f" WHERE h.status IN {OPEN} AND p.team_pk = team) v;"
    assert head in body and tail in body
    body = body.replace(head, "DECLARE team integer := {s}.caseload_my_team(); me integer := {s}.caseload_me();"
                              " lead boolean := {s}.caseload_i_lead(); found integer[];")
    return body.replace(tail, (
        f" WHERE h.status IN {OPEN} AND p.team_pk = team) v"
        " JOIN {s}.\"case\" r ON r.id = v.id"
        " WHERE NOT r.restricted"
        " OR EXISTS (SELECT 1 FROM {s}.allocation a WHERE a.case_id = r.id AND a.end_date IS NULL"
        " AND a.practitioner_pk = me)"
        " OR EXISTS (SELECT 1 FROM {s}.handover h WHERE h.case_id = r.id"
        f" AND h.status IN {OPEN} AND h.to_practitioner_pk = me)"
        " OR (lead AND coalesce(r.team_pk, (SELECT p.team_pk FROM {s}.allocation a"
        " JOIN {s}.practitioner p ON p.id = a.practitioner_pk WHERE a.case_id = r.id AND a.end_date IS NULL"
        " ORDER BY a.start_date DESC, a.id DESC LIMIT 1)) = team);"
    ))


def _create_visible_cases(s: str, body: str) -> None:
    op.execute(f"CREATE OR REPLACE FUNCTION {s}.caseload_visible_cases() RETURNS integer[] LANGUAGE plpgsql"
               f" VOLATILE SECURITY DEFINER {support.pin(s)} AS $fn$ {body.format(s=s)} $fn$")


def _pg_upgrade() -> None:
    s = support.schema()
    pin = support.pin(s)
    _create_visible_cases(s, _visible_cases_body())
    support.guard_columns(s, "case", _CASE_CHANGES)
    # `restricted` is a lead's of the case's team to change.
    op.execute(f"""
        CREATE FUNCTION {s}.caseload_guard_restricted() RETURNS trigger LANGUAGE plpgsql {pin} AS $fn$
        BEGIN
            IF {s}.caseload_me() IS NULL OR NEW.restricted IS NOT DISTINCT FROM OLD.restricted THEN
                RETURN NEW;
            END IF;
            IF NOT ({s}.caseload_i_lead() AND {s}.caseload_my_team() = {s}.caseload_case_team(NEW.id)) THEN
                RAISE EXCEPTION 'only a team lead of the case may restrict it or lift the restriction'
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $fn$""")
    op.execute(f"REVOKE ALL ON FUNCTION {s}.caseload_guard_restricted() FROM PUBLIC")
    op.execute(f"""CREATE TRIGGER case_restricted_lead_only BEFORE UPDATE ON {s}."case"
                   FOR EACH ROW EXECUTE FUNCTION {s}.caseload_guard_restricted()""")
    for name, rule in _CHECKS:
        op.execute(f'ALTER TABLE {s}."case" ADD CONSTRAINT {name} CHECK ({rule})')


def _pg_downgrade() -> None:
    s = support.schema()
    for name, _rule in _CHECKS:
        op.execute(f'ALTER TABLE {s}."case" DROP CONSTRAINT IF EXISTS {name}')
    op.execute(f'DROP TRIGGER IF EXISTS case_restricted_lead_only ON {s}."case"')
    op.execute(f"DROP FUNCTION IF EXISTS {s}.caseload_guard_restricted()")
    support.guard_columns(s, "case", _CASE_BEFORE)
    _create_visible_cases(s, support.definer_body("caseload_visible_cases"))

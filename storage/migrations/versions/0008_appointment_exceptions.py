"""appointments: RFC 5545 exceptions (cancelled and moved occurrences), cancellation

A series' occurrence can be cancelled or moved on its own, and any
appointment cancelled with who cancelled it (docs/ARCHITECTURE.md,
"Appointments"; planner.model.Appointment):

- `appointment.exdates`: a series' cancelled occurrences, ISO dates
  comma-separated (EXDATE);
- `appointment.series_id`, `appointment.recurrence_date`: this row replaces
  the occurrence of that date of that series (RECURRENCE-ID), on its own
  date and time;
- `appointment.cancelled_by`: `person` or `practitioner` when cancelled.

PostgreSQL: a practitioner's login may change `exdates` and `cancelled_by`
(the column guard of schema 0007 is given them; `series_id` and
`recurrence_date` stay as written); CHECKs hold the values to what the app
writes, and a trigger holds an override to a series of the same case that
the login sees.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.migrations import support

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = ("version", "appointment_date", "practitioner_pk", "time", "kind", "rrule")
_CHANGES = (*_BEFORE, "exdates", "cancelled_by")
_CHECKS = (
    ("ck_appointment_cancelled_by", "cancelled_by IS NULL OR cancelled_by IN ('person', 'practitioner')"),
    ("ck_appointment_override", "(series_id IS NULL) = (recurrence_date IS NULL) AND series_id IS DISTINCT FROM id"),
    ("ck_appointment_exdates", "exdates IS NULL OR exdates ~ '^\\d{4}-\\d{2}-\\d{2}(,\\d{4}-\\d{2}-\\d{2})*$'"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE appointment ADD COLUMN exdates VARCHAR(4000)")
        op.execute("ALTER TABLE appointment ADD COLUMN series_id INTEGER REFERENCES appointment (id)")
        op.execute("ALTER TABLE appointment ADD COLUMN recurrence_date DATE")
        op.execute("ALTER TABLE appointment ADD COLUMN cancelled_by VARCHAR(16)")
        op.execute("CREATE INDEX ix_appointment_series_id ON appointment (series_id)")
        return
    op.add_column('appointment', sa.Column('exdates', sa.String(length=4000), nullable=True))
    op.add_column('appointment', sa.Column('series_id', sa.Integer(), nullable=True))
    op.add_column('appointment', sa.Column('recurrence_date', sa.Date(), nullable=True))
    op.add_column('appointment', sa.Column('cancelled_by', sa.String(length=16), nullable=True))
    op.create_foreign_key('fk_appointment_series_id_appointment', 'appointment', 'appointment',
                          ['series_id'], ['id'])
    op.create_index('ix_appointment_series_id', 'appointment', ['series_id'])
    s = support.schema()
    pin = support.pin(s)
    support.guard_columns(s, "appointment", _CHANGES)
    for name, rule in _CHECKS:
        op.execute(f'ALTER TABLE {s}."appointment" ADD CONSTRAINT {name} CHECK ({rule})')
    # An override replaces an occurrence of a series of the same case, one
    # the writer sees (run as the writer: row-level security applies).
    op.execute(f"""
        CREATE FUNCTION {s}.caseload_guard_override() RETURNS trigger LANGUAGE plpgsql {pin} AS $fn$
        BEGIN
            IF NEW.series_id IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM {s}.appointment a WHERE a.id = NEW.series_id AND a.case_id = NEW.case_id
                    AND a.rrule IS NOT NULL AND a.series_id IS NULL) THEN
                RAISE EXCEPTION 'appointment: an override replaces an occurrence of a series of the same case'
                    USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $fn$""")
    op.execute(f"REVOKE ALL ON FUNCTION {s}.caseload_guard_override() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {s}.caseload_guard_override() TO {support.access_v2().ROLE}")
    op.execute(f"""CREATE TRIGGER guard_override BEFORE INSERT ON {s}."appointment"
                   FOR EACH ROW EXECUTE FUNCTION {s}.caseload_guard_override()""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM appointment WHERE series_id IS NOT NULL OR cancelled_by IS NOT NULL")
        op.execute("DROP INDEX IF EXISTS ix_appointment_series_id")
        with op.batch_alter_table('appointment', schema=None) as batch_op:
            for column in ("cancelled_by", "recurrence_date", "series_id", "exdates"):
                batch_op.drop_column(column)
        return
    s = support.schema()
    op.execute(f'DROP TRIGGER IF EXISTS guard_override ON {s}."appointment"')
    op.execute(f"DROP FUNCTION IF EXISTS {s}.caseload_guard_override()")
    support.guard_columns(s, "appointment", _BEFORE)
    op.execute("DELETE FROM appointment WHERE series_id IS NOT NULL OR cancelled_by IS NOT NULL")
    for name, _rule in _CHECKS:
        op.execute(f'ALTER TABLE {s}."appointment" DROP CONSTRAINT IF EXISTS {name}')
    op.drop_index('ix_appointment_series_id', 'appointment')
    op.drop_constraint('fk_appointment_series_id_appointment', 'appointment', type_='foreignkey')
    for column in ("cancelled_by", "recurrence_date", "series_id", "exdates"):
        op.drop_column('appointment', column)

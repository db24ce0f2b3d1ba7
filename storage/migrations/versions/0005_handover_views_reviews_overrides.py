"""handover v2: the person's view, the review of a cold handover, planning overrides

docs/handovers.md (checklist v2):

- `handover_item.view` and `handover_item.view_words`: the person's view
  recorded on `told` and `review` (`agrees`, `concerns`, `asks_for_other`)
  and their own words;
- `handover.reviewed_by`, `handover.reviewed_on`, `handover.review_note`:
  who reviewed a cold handover, on which day, and why (`reviewed` stays the
  flag the rules read);
- `handover.plan_override_reason`: a team lead's reason for planning a
  handover that the planning guards refuse (a PSO and a tier A or B case,
  the person's `not_with` list).

Only columns on existing tables: their grants and row-level security
(schema 0003) cover them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate renders sqlmodel.sql.sqltypes.AutoString
from alembic import op

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('handover_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('view', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
        batch_op.add_column(sa.Column('view_words', sa.Text(), nullable=True))

    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reviewed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('reviewed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('review_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('plan_override_reason', sqlmodel.sql.sqltypes.AutoString(length=1000),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.drop_column('plan_override_reason')
        batch_op.drop_column('review_note')
        batch_op.drop_column('reviewed_on')
        batch_op.drop_column('reviewed_by')

    with op.batch_alter_table('handover_item', schema=None) as batch_op:
        batch_op.drop_column('view_words')
        batch_op.drop_column('view')

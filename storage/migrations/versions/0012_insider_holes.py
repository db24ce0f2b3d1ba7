"""insider holes: allocations, checklist ticks, completions, check-ins, actions

PostgreSQL only (README "Team server"; the app's own rules are
storage/access/ and storage/handovers/, and storage.column_rules.COLUMN_RULES
names each column's rule, held to the database by
tests/storage/test_pg_attacks.py). A practitioner's own login in psql could
do five things the app never does; for such a login (the owner, the
administrator, is not held):

- allocations (storage/repo/allocation.py ends one only when it opens the
  next, in one transaction): an open allocation may be ended only if, at
  commit, the case has an open allocation again (a deferred constraint
  trigger, `caseload_check_allocation_open`); an end date once set is never
  changed, and a new allocation is open (no rewriting who held a case
  when). A closed case keeps its last allocation open (storage/lookups.py
  leaves closed cases out of caseloads by their status, and the app
  allocates no closed case), so it needs no exception;
- checklist items (storage/handovers/items.py): one ticked done carries its
  date and a name (`done_by`: the login's own, or `auto`, schema 0007);
  `told` and `review` carry the person's view, one of
  planner.checklist.VIEWS, and their words, no other item carries a view;
  `summary` is ticked only once the handover's summary is written
  (planner.checklist.check_tick); on a completed handover only the
  follow-up items (planner.handover.is_follow_up_of) change;
- handovers (storage/handovers/completion.py): a completion date only on a
  completed handover; once completed, its status, completion date,
  receiver and planned day are history; and by commit the case's open
  allocation is the receiver's, from the completion date (a deferred
  constraint trigger, `caseload_check_completion`), as `complete_handover`
  leaves it, warm or cold;
- check-ins (docs/voice.md): fixed once written (the column guard of
  schema 0007 names only `version`);
- supervision actions: read by their owner, the practitioner of the session
  they were agreed in, and the leads of the owner's team
  (storage.access.check_supervision_access is the app's copy), no longer by the
  whole team.

SQLite: nothing but the revision (the file's owner is trusted there).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from storage.migrations import support

revision: str = '0012'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = "caseload_practitioner"
_COMPLETED = "('completed_warm', 'completed_cold')"  # planner.model.COMPLETED_HANDOVER_STATUSES
_ALWAYS_REQUIRED = "('told', 'summary', 'read', 'three_way')"  # planner.handover.ALWAYS_REQUIRED
_VIEW_ITEMS = "('told', 'review')"  # planner.checklist.VIEW_ITEMS
_VIEWS = "('agrees', 'concerns', 'asks_for_other')"  # planner.checklist.VIEWS
# schema 0009's column guard on checkin, and this one's
_CHECKIN_BEFORE = ("version", "listened", "goals", "trust", "words")
_CHECKIN_AFTER = ("version",)
# (function, trigger, table, definition): created in this order, dropped in reverse
_FUNCTIONS = ("caseload_guard_allocation()", "caseload_check_allocation_open()", "caseload_guard_item()",
              "caseload_guard_settled()", "caseload_check_completion()")
_TRIGGERS = (("allocation_history", "allocation"), ("allocation_stays_open", "allocation"),
             ("handover_item_tick", "handover_item"), ("handover_settled", "handover"),
             ("handover_completion_moves", "handover"))

_GUARD_ALLOCATION = """
BEGIN
    IF {s}.caseload_me() IS NULL THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.end_date IS NOT NULL THEN
        RAISE EXCEPTION 'allocation: a new allocation is open (no end date)' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.end_date IS NOT NULL AND NEW.end_date IS DISTINCT FROM OLD.end_date THEN
        RAISE EXCEPTION 'allocation: an end date once set is not changed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.end_date < NEW.start_date THEN
        RAISE EXCEPTION 'allocation: it cannot end before it starts' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END"""

# SECURITY DEFINER: at commit the login may no longer see the case (moved to another team).
_CHECK_ALLOCATION_OPEN = """
BEGIN
    IF {s}.caseload_me() IS NULL THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM {s}.allocation a WHERE a.case_id = NEW.case_id AND a.end_date IS NULL) THEN
        RAISE EXCEPTION 'allocation: a practitioner''s login ends an allocation only by opening the next one'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END"""

_GUARD_ITEM = f"""
DECLARE
    h record;
BEGIN
    IF {{s}}.caseload_me() IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT x.status, x.completed_on, x.summary INTO h FROM {{s}}.handover x WHERE x.id = NEW.handover_id;
    IF TG_OP = 'UPDATE' AND h.status IN {_COMPLETED}
       AND (h.completed_on IS NULL OR OLD.due <= h.completed_on OR OLD.item_id IN {_ALWAYS_REQUIRED})
       AND (to_jsonb(NEW) - 'version') IS DISTINCT FROM (to_jsonb(OLD) - 'version') THEN
        RAISE EXCEPTION 'handover_item: on a completed handover only the follow-up items change'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.done IS NOT DISTINCT FROM OLD.done AND NEW.done_on IS NOT DISTINCT FROM OLD.done_on
       AND NEW.done_by IS NOT DISTINCT FROM OLD.done_by AND NEW.view IS NOT DISTINCT FROM OLD.view
       AND NEW.view_words IS NOT DISTINCT FROM OLD.view_words THEN
        RETURN NEW;
    END IF;
    IF NEW.done AND (NEW.done_on IS NULL OR NEW.done_by IS NULL) THEN
        RAISE EXCEPTION 'handover_item: a ticked item carries the day and who ticked it'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.item_id IN {_VIEW_ITEMS} THEN
        IF NEW.done AND (NEW.view IS NULL OR NEW.view NOT IN {_VIEWS} OR btrim(coalesce(NEW.view_words, '')) = '') THEN
            RAISE EXCEPTION 'handover_item: % is ticked with the person''s view and their words', NEW.item_id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF NEW.view IS NOT NULL OR NEW.view_words IS NOT NULL THEN
        RAISE EXCEPTION 'handover_item: only told and review record the person''s view'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.done AND NEW.item_id = 'summary' AND btrim(coalesce(h.summary, '')) = '' THEN
        RAISE EXCEPTION 'handover_item: summary is ticked once the handover''s summary is written'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END"""

_GUARD_SETTLED = f"""
BEGIN
    IF {{s}}.caseload_me() IS NULL THEN
        RETURN NEW;
    END IF;
    IF OLD.status IN {_COMPLETED} AND (NEW.status IS DISTINCT FROM OLD.status
            OR NEW.completed_on IS DISTINCT FROM OLD.completed_on
            OR NEW.to_practitioner_pk IS DISTINCT FROM OLD.to_practitioner_pk
            OR NEW.planned_on IS DISTINCT FROM OLD.planned_on) THEN
        RAISE EXCEPTION 'handover: a completed handover''s status, dates and receiver are not changed'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.completed_on IS NOT NULL AND NEW.status NOT IN {_COMPLETED} THEN
        RAISE EXCEPTION 'handover: only a completed handover has a completion date'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END"""

# SECURITY DEFINER: a completion into another team hides the case from the login by commit.
_CHECK_COMPLETION = """
BEGIN
    IF {s}.caseload_me() IS NULL THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM (SELECT a.practitioner_pk, a.start_date FROM {s}.allocation a
                   WHERE a.case_id = NEW.case_id AND a.end_date IS NULL
                   ORDER BY a.start_date DESC, a.id DESC LIMIT 1) o
                   WHERE o.practitioner_pk = NEW.to_practitioner_pk AND o.start_date = NEW.completed_on) THEN
        RAISE EXCEPTION 'handover: a completed handover moves the case to its receiver on the completion date'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END"""


def _action_read(s: str, *, narrow: bool) -> str:
    """The action's read rule: schema 0004's (the owner's team), or the
    owner, the session's practitioner and the owner's team's leads."""
    cases = f"(SELECT unnest({s}.caseload_visible_cases()))"
    team = f"(SELECT unnest({s}.caseload_team_practitioners()))"
    me, lead = f"{s}.caseload_me()", f"{s}.caseload_i_lead()"
    if not narrow:
        return support.access_v2()._policies(s)["action"]["read"]
    return (f"(owner_pk = {me} OR session_id IN (SELECT ss.id FROM {s}.supervision_session ss"
            f" WHERE ss.practitioner_pk = {me}) OR ({lead} AND owner_pk IN {team}))"
            f" AND (case_id IS NULL OR case_id IN {cases})")


def _action_policies(s: str, *, narrow: bool) -> None:
    """The action's read and update policies (the update's USING is the read rule)."""
    read = _action_read(s, narrow=narrow)
    update = support.access_v2()._policies(s)["action"]["update"]
    for name in ("p_read", "p_update"):
        op.execute(f"DROP POLICY IF EXISTS {name} ON {s}.action")
    op.execute(f"CREATE POLICY p_read ON {s}.action FOR SELECT TO {ROLE} USING ({read})")
    op.execute(f"CREATE POLICY p_update ON {s}.action FOR UPDATE TO {ROLE} USING ({read}) WITH CHECK ({update})")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()


def _pg_upgrade() -> None:
    s = support.schema()
    pin = support.pin(s)
    bodies = (_GUARD_ALLOCATION, _CHECK_ALLOCATION_OPEN, _GUARD_ITEM, _GUARD_SETTLED, _CHECK_COMPLETION)
    for signature, body in zip(_FUNCTIONS, bodies):
        definer = " SECURITY DEFINER" if signature.startswith("caseload_check_") else ""
        op.execute(f"CREATE FUNCTION {s}.{signature} RETURNS trigger LANGUAGE plpgsql{definer} {pin}"
                   f" AS $fn$ {body.format(s=s)} $fn$")
        op.execute(f"REVOKE ALL ON FUNCTION {s}.{signature} FROM PUBLIC")
    op.execute(f"""CREATE TRIGGER allocation_history BEFORE INSERT OR UPDATE ON {s}.allocation
                   FOR EACH ROW EXECUTE FUNCTION {s}.caseload_guard_allocation()""")
    op.execute(f"""CREATE CONSTRAINT TRIGGER allocation_stays_open AFTER UPDATE OF end_date ON {s}.allocation
                   DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                   WHEN (OLD.end_date IS NULL AND NEW.end_date IS NOT NULL)
                   EXECUTE FUNCTION {s}.caseload_check_allocation_open()""")
    op.execute(f"""CREATE TRIGGER handover_item_tick BEFORE INSERT OR UPDATE ON {s}.handover_item
                   FOR EACH ROW EXECUTE FUNCTION {s}.caseload_guard_item()""")
    op.execute(f"""CREATE TRIGGER handover_settled BEFORE UPDATE ON {s}.handover
                   FOR EACH ROW EXECUTE FUNCTION {s}.caseload_guard_settled()""")
    op.execute(f"""CREATE CONSTRAINT TRIGGER handover_completion_moves AFTER UPDATE OF status ON {s}.handover
                   DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                   WHEN (NEW.status IN {_COMPLETED} AND OLD.status IS DISTINCT FROM NEW.status)
                   EXECUTE FUNCTION {s}.caseload_check_completion()""")
    support.guard_columns(s, "checkin", _CHECKIN_AFTER)
    _action_policies(s, narrow=True)


def _pg_downgrade() -> None:
    s = support.schema()
    _action_policies(s, narrow=False)
    support.guard_columns(s, "checkin", _CHECKIN_BEFORE)
    for name, table in reversed(_TRIGGERS):
        op.execute(f'DROP TRIGGER IF EXISTS {name} ON {s}."{table}"')
    for signature in reversed(_FUNCTIONS):
        op.execute(f"DROP FUNCTION IF EXISTS {s}.{signature}")

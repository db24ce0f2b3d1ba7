"""The data layer of a case's sentence, custody and risk (§11): the case
screen's form (`s`) and the transition at 18 planned from `turning_18`'s
warning (`t`). Each opens one session through the Gateway, checks access
(storage.access) before anything is read, and returns frozen views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.errors import CaseloadError

from planner.rules.turning_18 import YOUTH_GRADE


@dataclass(frozen=True)
class SentenceValues:
    """A case's §11 fields as read (`values`: field -> value, the six of
    `FIELDS`), with the case's version (a stale save is refused)."""

    case_ref: str
    version: int
    values: dict
    may_restrict: bool = False  # the signed-in user leads the case's team (or administers)

    def __getattr__(self, name: str):
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


FIELDS = ("sentence", "sentence_end", "release_on", "rosh", "mappa_level", "restricted")


def sentence_values(gateway, case_ref: str) -> SentenceValues:
    from storage.access import case_team_id, check_case_access
    from storage.queries import case_versions, load_case

    with gateway.session() as s:
        me = gateway.me(s)
        check_case_access(s, me, case_ref)
        case = load_case(s, case_ref)
        may = me.is_admin or (me.is_lead and me.team_id == case_team_id(s, case_ref))
        return SentenceValues(case_ref, case_versions(s, case_ref), {f: getattr(case, f) for f in FIELDS},
                              may_restrict=may)


def save_sentence(gateway, *, case_ref: str, version: int, values: dict, actor: str) -> tuple[int, int]:
    """Save the §11 fields that changed (storage.repo.update_case checks each, and who may restrict)."""
    from storage.repo import update_case

    unknown = set(values) - set(FIELDS)
    if unknown:
        raise CaseloadError(f"not a sentence field: {', '.join(sorted(unknown))}")
    return gateway.write(update_case, case_ref=case_ref, expected_version=version, actor=actor, **values)


def transition_receivers(gateway, case_ref: str, on: date | None = None) -> tuple[tuple[str, str], ...]:
    """Who may take a child's case at 18 (planner/rules/turning_18.py): the
    practitioners, not leads, of another team than the case's holder or of a
    grade other than YJW, whom the user may name as the receiver
    (storage.access.check_receiver: those they see, and their team's
    transition team): (label, practitioner_id), the transition team first;
    given `on`, the handover's date, nobody who has left by then or is away
    that day (`planner.exclusions.away_on`: the planning guards would refuse
    them, docs/handovers.md)."""
    from planner.exclusions import away_on
    from storage.access import check_case_access, transition_receiver_ids, visible_practitioner_ids
    from storage.queries import load_case, load_world

    with gateway.session() as s:
        me = gateway.me(s)
        check_case_access(s, me, case_ref)
        case = load_case(s, case_ref)
        world = load_world(s)
        seen = visible_practitioner_ids(s, me)  # None: the administrator
        linked = transition_receiver_ids(s, me, case_ref)
    may = None if seen is None or linked is None else seen | linked
    holder = world.practitioners.get(case.practitioner_id or "")
    return tuple(
        (f"{p.practitioner_id} · {p.name} ({p.grade}, {p.team_id})", p.practitioner_id)
        for p in sorted(world.practitioners.values(),
                        key=lambda p: (p.practitioner_id not in (linked or ()), p.team_id, p.practitioner_id))
        if not p.is_lead and p.practitioner_id != case.practitioner_id
        and (on is None or away_on(p, world, on) is None)
        and (may is None or p.practitioner_id in may)
        and (holder is None or p.team_id != holder.team_id or p.grade != YOUTH_GRADE)
    )

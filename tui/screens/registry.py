"""Every screen and modal of the app by name, loaded when first asked for.

Screens open each other by name (`open_screen(app, "handover", case_ref)`),
never by importing one another: a screen module imports only the widgets,
the data layer and the bases it builds on (`FormScreen`, `ViewLoader`), so
each screen loads on its own and the start-up path does not pull in the
screens it may never show. `tests/tui/test_screen_registry.py` checks that
every name loads and that every screen under `tui/screens/` has a name.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Callable

# name -> "module:Class"
SCREENS: dict[str, str] = {
    # full screens
    "caseload": "tui.screens.caseload:CaseloadScreen",
    "case": "tui.screens.case:CaseScreen",
    "week": "tui.screens.week:WeekScreen",
    "team": "tui.screens.team:TeamScreen",
    "continuity": "tui.screens.continuity:ContinuityScreen",
    "rebalance": "tui.screens.rebalance.screen:RebalanceScreen",
    "handovers": "tui.screens.handovers:HandoversScreen",
    "departures": "tui.screens.departures.screen:DeparturesScreen",
    "handover": "tui.screens.handover.screen:HandoverScreen",
    "supervision": "tui.screens.supervision.screen:SupervisionScreen",
    "help": "tui.screens.help:HelpScreen",
    # modals
    "confirm": "tui.screens.confirm:ConfirmScreen",
    "picker": "tui.screens.picker.screen:PickerScreen",
    "practitioner-picker": "tui.screens.picker.practitioner_picker:PractitionerPicker",
    "rule-picker": "tui.screens.picker.rule_picker:RulePicker",
    "case-picker": "tui.screens.picker.case_picker:CasePicker",
    "contact-form": "tui.screens.forms.contact_form:ContactForm",
    "appointment-form": "tui.screens.forms.appointment_form:AppointmentForm",
    "move-form": "tui.screens.forms.move_form:MoveForm",
    "cancel-form": "tui.screens.forms.cancel_form:CancelForm",
    "outcome-form": "tui.screens.forms.outcome_form:OutcomeForm",
    "plan-week": "tui.screens.plan:PlanScreen",
    "handover-form": "tui.screens.forms.handover_form:HandoverForm",
    "note-form": "tui.screens.forms.note_form:NoteForm",
    "checkin-form": "tui.screens.forms.checkin_form:CheckinForm",
    "preferences-form": "tui.screens.forms.preferences_form:PreferencesForm",
    "sentence-form": "tui.screens.forms.sentence_form:SentenceForm",
    "export-form": "tui.screens.forms.export_form:ExportForm",
    "rebalance-options": "tui.screens.rebalance.options_form:RebalanceOptions",
    "rebalance-apply": "tui.screens.rebalance.apply_form:ApplyConfirm",
    "departure-date": "tui.screens.departures.date_form:DateForm",
    "handover-item-note": "tui.screens.handover.item_note_form:ItemNoteForm",
    "handover-view": "tui.screens.handover.view_form:ViewForm",
    "handover-review": "tui.screens.handover.review_form:ReviewForm",
    "handover-three-way": "tui.screens.handover.three_way_form:ThreeWayForm",
    "handover-complete": "tui.screens.handover.complete_form:CompleteForm",
    "supervision-action": "tui.screens.supervision.action_form:ActionForm",
    "supervision-export": "tui.screens.supervision.record_path_form:RecordPathForm",
    "supervision-record": "tui.screens.supervision.record:RecordScreen",
}


def screen_class(name: str) -> type:
    """The class registered as `name`, its module imported on first use."""
    try:
        target = SCREENS[name]
    except KeyError:
        raise KeyError(f"no screen is registered as {name!r} (tui/screens/registry.py)") from None
    module, _, attr = target.partition(":")
    return getattr(import_module(module), attr)


def open_screen(app, name: str, *args: Any, callback: Callable[[Any], None] | None = None, **kwargs: Any):
    """Push a new `name` screen built from `args` and `kwargs`; `callback`
    gets what a modal dismisses with. Returns what `app.push_screen` does."""
    return app.push_screen(screen_class(name)(*args, **kwargs), callback)


def is_showing(screen, name: str) -> bool:
    """Whether `screen` is a `name` screen (without loading it if it is not loaded yet)."""
    module, _, attr = SCREENS[name].partition(":")
    cls = type(screen)
    return any(c.__module__ == module and c.__name__ == attr for c in cls.__mro__)

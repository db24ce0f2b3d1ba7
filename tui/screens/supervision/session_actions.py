"""The supervision screen's keys that change the session or open a modal:
prompts, flags and reviewed marks, agreed actions, the cold handover's
review, export, ending, the full case and earlier sessions' records. Modals
open by name (tui/screens/registry.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from planner.errors import CaseloadError
from planner.words import plural
from tui import handover_data as hd
from tui import supervision_data as data
from tui.data import initials
from tui.screens.registry import open_screen
from tui.screens.supervision.jobs import Job

if TYPE_CHECKING:
    from tui.screens.supervision.action_form import ActionInput


class SessionActions:
    """Mix into the supervision screen, before `Screen`; the screen routes `Read` to `_read_done`."""

    class Read(Message):
        """A read for a modal finished: `then(result)` runs on the UI thread."""

        def __init__(self, then, result) -> None:
            self.then = then
            self.result = result
            super().__init__()

    def cold_handover_of(self, item):
        """The case's latest completed handover when it is cold and not yet reviewed."""
        from planner.handover import is_cold

        done = [h for h in item.case.handovers if h.is_completed] if item is not None else []
        last = done[-1] if done else None
        return last if last is not None and is_cold(last) and not last.reviewed else None

    def action_review_handover(self) -> None:
        """V: the lead reviews the case's cold handover (docs/handovers.md); the
        `cold_handover` warning then ends and the case moves in the queue
        at the next session."""
        if not self._ready() or self.current is None:
            return
        item = self.current
        last = self.cold_handover_of(item)
        if last is None:
            self.notify("This case has no cold handover waiting for review.", timeout=3)
            return
        app, ref = self.app, item.case_ref
        name = initials(item.case.display_name) if app.privacy else item.case.display_name

        def save(note: str):
            return hd.review(app.gateway, case_ref=ref, note=note, on=app.as_of, actor=app.actor,
                             handover_id=last.id)

        def done(result) -> None:
            if result is not None:
                self.notify(f"{ref}: the cold handover is reviewed; it leaves the warnings.", timeout=5)
                self.load()

        self._save_draft(ref)
        open_screen(app, "handover-review", save, handover=last, who=f"{ref} {name}", privacy=app.privacy,
                    callback=done)

    def action_open_case(self) -> None:
        item = self.current
        if item is None:
            return
        self._save_draft(item.case_ref)
        self._reload_on_resume = True
        open_screen(self.app, "case", item.case_ref)

    # ---------------------------------------------------------------- actions: prompts, marks, actions

    def _writable(self, *, needs_case: bool = True) -> bool:
        if not self._ready():
            return False
        if self.ended:
            self.notify(f"Session {self.view.session_id} has ended: its notes and marks are fixed. "
                        "e exports the record.", severity="warning", timeout=5)
            return False
        if needs_case and self.current is None:
            self.notify("Choose a case first (n).", timeout=3)
            return False
        return True

    def action_next_prompt(self) -> None:
        if not self._ready():
            return
        self.prompt_index += 1
        self._render_prompt()

    def action_pin_prompt(self) -> None:
        if not self._writable():
            return
        prompt = self.current_prompt()
        if prompt is None:
            return
        ref = self.current_ref
        note = self.notes.get(ref)
        if note and " ".join(prompt.pin_text.split()) in note.pinned:
            self.notify("That prompt is already pinned to this note.", timeout=3)
            return
        self._save_draft(ref)
        self._enqueue(Job("pin", ref, {"prompt_text": prompt.pin_text}))

    def action_toggle_flag(self) -> None:
        if not self._writable():
            return
        ref = self.current_ref
        value = not self.is_flagged(ref)
        self.intent[("flag", ref)] = value
        self._save_draft(ref)
        self._enqueue(Job("flag", ref, {"value": value}))
        self.notify(f"{ref} flagged for discussion." if value else f"{ref}: flag cleared.", timeout=2)
        self.render_all()

    def action_toggle_reviewed(self) -> None:
        if not self._writable():
            return
        ref = self.current_ref
        value = not self.is_reviewed(ref)
        self.intent[("review", ref)] = value
        self._save_draft(ref)
        self._enqueue(Job("review", ref, {"value": value}))
        if not value:
            self.notify(f"{ref}: reviewed mark taken back.", timeout=2)
        self.render_all()

    def action_add_action(self) -> None:
        if not self._writable(needs_case=False):
            return
        view, app = self.view, self.app
        item = self.current
        people = [view.practitioner, view.lead]
        owners = [(f"{p.practitioner_id} · {self.shown(p.name)}", p.practitioner_id) for p in people]
        sid, ref = view.session_id, item.case_ref if item is not None else None
        who = f"{ref} {self.shown(item.display_name)}" if item is not None else "the session"

        def save(value: ActionInput):
            return data.add_action(app.gateway, sid, case_ref=value.case_ref, owner_id=value.owner_id,
                                   text=value.text, due=value.due, actor=app.actor)

        def done(actions) -> None:
            if actions is None:
                return
            self.actions = actions
            newest = max(actions, key=lambda a: a.id)
            self.notify(f"Action agreed: {newest.owner.id}, due {newest.due:%a %d %b}. "
                        "It shows in their week plan.", timeout=4)
            self.render_all()

        open_screen(app, "supervision-action", save, as_of=view.as_of, owners=owners,
                    owner=view.practitioner.practitioner_id, case_ref=ref, who=who, callback=done)

    def action_export(self) -> None:
        if not self._ready():
            return
        view = self.view
        privacy = bool(self.app.privacy)
        default = self.exported or data.default_export_path(view.practitioner.practitioner_id, view.session_date,
                                                            view.session_id)
        self._save_draft(self.current_ref)

        def chosen(path) -> None:
            if path is not None:
                self._enqueue(Job("export", None, {"path": path, "privacy": privacy}))

        open_screen(self.app, "supervision-export", lambda path: path, default=default, privacy=privacy,
                    callback=chosen)

    def action_end_session(self) -> None:
        if not self._writable(needs_case=False):
            return
        prog = self.progress()

        def answered(yes: bool | None) -> None:
            if yes:
                self._save_draft(self.current_ref)
                self._enqueue(Job("end"))

        open_screen(
            self.app, "confirm", f"End supervision session {self.view.session_id}?",
            f"{prog.text}. Notes, flags and reviewed marks are then fixed; actions stay open until ticked off.",
            callback=answered)


    # ---------------------------------------------------------------- earlier sessions

    @work(thread=True, group="supervision-read", exit_on_error=False)
    def _read(self, fn, then) -> None:
        try:
            result = fn()
        except CaseloadError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=8)
        except Exception as exc:  # noqa: BLE001 - a notice, not a traceback
            self.app.call_from_thread(self.notify, f"Could not read ({type(exc).__name__}).", severity="error")
        else:
            self.post_message(self.Read(then, result))

    def action_earlier_sessions(self) -> None:
        if not self._ready():
            return
        gateway, privacy = self.app.gateway, bool(self.app.privacy)

        def listed(sessions) -> None:
            earlier = [s for s in sessions if s.id != self.view.session_id]
            if not earlier:
                self.notify(f"No earlier sessions for {self.practitioner_id}.", timeout=3)
                return
            options = [(f"Session {s.id} · {s.session_date:%a %d %b %Y} · lead {s.lead_id or '—'} · "
                        f"{s.reviewed} reviewed · {plural(s.actions, 'action')} "
                        f"({s.open_actions} open)" + ("" if s.ended_at else " · not ended"), str(s.id))
                       for s in earlier]
            open_screen(self.app, "picker", f"Earlier sessions of {self.practitioner_id}", options,
                        callback=chosen)

        def chosen(value: str | None) -> None:
            if value:
                self._read(lambda: data.record_markdown(gateway, int(value), privacy=privacy),
                           lambda text: open_screen(self.app, "supervision-record", text))

        self._read(lambda: data.earlier_sessions(gateway, self.practitioner_id), listed)

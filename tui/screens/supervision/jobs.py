"""The supervision screen's write queue: every write in order, one at a
time, in a thread worker (tui/screens/supervision/__init__.py). The screen
routes `JobDone` and `JobFailed` to `_job_done` and `_job_failed`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual import work
from textual.message import Message
from textual.widgets import TextArea

from planner.errors import CaseloadError
from tui import supervision_data as data


@dataclass
class Job:
    """One write, run in order after the ones before it."""

    kind: str  # save | pin | flag | review | end | export | back | quit
    ref: str | None = None
    args: dict = field(default_factory=dict)
    announce: bool = False  # say "saved" when done (ctrl+s), quiet otherwise


class WriteQueue:
    """Mix into the supervision screen, before `Screen`."""

    class JobDone(Message):
        def __init__(self, job: Job, result: Any) -> None:
            self.job = job
            self.result = result
            super().__init__()

    class JobFailed(Message):
        def __init__(self, job: Job, error: BaseException, message: str) -> None:
            self.job = job
            self.error = error
            self.message = message
            super().__init__()

    def _enqueue(self, job: Job) -> None:
        self._jobs.append(job)
        self._run_next()

    def _save_draft(self, ref: str | None, *, announce: bool = False) -> bool:
        """Queue a save of the typed text of `ref`; False when there is none."""
        if ref is None or self.ended:
            return False
        if ref == self._note_ref:
            self._capture_draft()
        if ref not in self.drafts:
            return False
        self._enqueue(Job("save", ref, {"text": self.drafts[ref]}, announce=announce))
        return True

    def _run_next(self) -> None:
        while self._job_running is None and self._jobs:
            job = self._jobs.popleft()
            if job.kind == "back":
                self.app.pop_screen()
                return
            if job.kind == "quit":
                self.app.exit()
                return
            self._job_running = job
            args = dict(job.args)
            if job.kind == "save":
                state = self.notes.get(job.ref)
                args["expected_version"] = state.version if state else 0
                args["pins"] = state.pinned if state else ()
            self._run_job(job, args)

    @work(thread=True, group="supervision-write", exit_on_error=False)
    def _run_job(self, job: Job, args: dict) -> None:
        app, gateway = self.app, self.app.gateway
        sid, actor = self.view.session_id, app.actor
        try:
            if job.kind == "save":
                result = data.save_note(gateway, sid, job.ref, args["text"], pins=args["pins"],
                                        expected_version=args["expected_version"], actor=actor)
            elif job.kind == "pin":
                result = data.pin(gateway, sid, job.ref, args["prompt_text"], actor=actor)
            elif job.kind == "flag":
                result = data.flag(gateway, sid, job.ref, args["value"], actor=actor)
            elif job.kind == "review":
                result = data.review(gateway, sid, job.ref, args["value"], as_of=app.as_of, actor=actor)
            elif job.kind == "end":
                result = data.end(gateway, sid, actor=actor)
            elif job.kind == "export":
                result = data.export(gateway, sid, args["path"], privacy=args["privacy"])
            else:  # pragma: no cover - every kind is above
                raise CaseloadError(f"unknown job {job.kind}")
        except CaseloadError as exc:
            self.post_message(self.JobFailed(job, exc, str(exc)))
        except OSError as exc:
            self.post_message(self.JobFailed(job, exc, f"Could not write the file: {exc.strerror or exc}."))
        except Exception as exc:  # noqa: BLE001 - a notice, never a traceback
            self.post_message(self.JobFailed(job, exc, f"Not saved ({type(exc).__name__}); try again."))
        else:
            self.post_message(self.JobDone(job, result))


    def _job_done(self, message: WriteQueue.JobDone) -> None:
        job, result = message.job, message.result
        self._job_running = None
        if job.kind in ("save", "pin", "flag", "review"):
            self.notes[job.ref] = result
            if job.kind == "save" and self.drafts.get(job.ref) == job.args["text"]:
                self.drafts.pop(job.ref, None)
            if job.kind in ("flag", "review") and self.intent.get((job.kind, job.ref)) == job.args["value"]:
                self.intent.pop((job.kind, job.ref), None)
            if job.announce:
                self.notify(f"Note on {job.ref} saved.", timeout=2)
            if job.kind == "pin":
                self.notify(f"Prompt pinned to the note on {job.ref}.", timeout=2)
        elif job.kind == "end":
            self.ended = True
            self.refresh_bindings()
            self.query_one("#note", TextArea).read_only = True
            self._stop_writing()
            self.notify(f"Session {self.view.session_id} ended: {self.progress().text}. e exports the record.",
                        timeout=6)
        elif job.kind == "export":
            self.exported = result
            self.notify(f"Record written to {result} (readable by you only).", title="Exported", timeout=12)
        self.render_all()
        self._run_next()

    def _job_failed(self, message: WriteQueue.JobFailed) -> None:
        job, error = message.job, message.error
        self._job_running = None
        # What was to happen after this (leaving, ending) waits for the user.
        dropped = [j for j in self._jobs if j.kind in ("back", "quit", "end", "export")]
        for j in dropped:
            self._jobs.remove(j)
        if job.kind in ("flag", "review"):
            self.intent.pop((job.kind, job.ref), None)
        if isinstance(error, data.NoteConflict):
            if error.latest is not None:
                self.notes[job.ref] = error.latest
            where = "" if job.ref == self.current_ref else " (go back to it to see your text)"
            self.notify(f"The note on {job.ref} was changed elsewhere since you opened it, so yours was not "
                        f"saved. Your text is kept{where}; ctrl+s saves it over the other.",
                        title="Not saved: changed elsewhere", severity="warning", timeout=12)
        else:
            self.notify(message.message, title="Not saved", severity="error", timeout=10)
        self.render_all()
        self._run_next()

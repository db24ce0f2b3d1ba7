"""A case's sentence, custody and risk (§11): `s` on the case screen."""

from __future__ import annotations

from textual.widgets import Checkbox, Input, Select

from planner.model import MAPPA_LEVELS, ROSH_LEVELS, SENTENCES
from planner.validate import sentence_dates
from tui.screens.forms.base import Field, FormScreen, parse_date

_NONE = ""


def _options(values) -> list[tuple[str, str]]:
    return [("—", _NONE)] + [(str(v).replace("_", " "), str(v)) for v in values]


class SentenceForm(FormScreen):
    """The six fields; `restricted` only for a lead of the case's team.
    Saves only what changed (`current`: tui.sentence_data.SentenceValues)."""

    title_text = "Sentence and risk"

    def __init__(self, save, *, who: str, current) -> None:
        super().__init__(save)
        self.current = current
        self.title_text = f"Sentence and risk · {who}"

    def fields(self):
        c = self.current
        yield Field("Sentence", Select(_options(SENTENCES), id="sentence", compact=True, allow_blank=False,
                                       value=c.sentence or _NONE), name="sentence")
        yield Field("Ends", Input(c.sentence_end.isoformat() if c.sentence_end else "", placeholder="YYYY-MM-DD",
                                  id="sentence_end", compact=True), name="sentence_end")
        yield Field("Release", Input(c.release_on.isoformat() if c.release_on else "", placeholder="YYYY-MM-DD",
                                     id="release_on", compact=True), name="release_on",
                    hint="Custody: first contact by the release day (or the next working day).")
        yield Field("RoSH", Select(_options(ROSH_LEVELS), id="rosh", compact=True, allow_blank=False,
                                   value=c.rosh or _NONE), name="rosh")
        yield Field("MAPPA", Select(_options(MAPPA_LEVELS), id="mappa_level", compact=True, allow_blank=False,
                                    value=str(c.mappa_level) if c.mappa_level else _NONE), name="mappa_level")
        if c.may_restrict:
            yield Field("Access", Checkbox("restricted", c.restricted, id="restricted", compact=True),
                        name="restricted", hint="Seen only by the practitioner, a planned receiver and the leads.")

    def _date(self, name: str):
        raw = self.query_one(f"#{name}", Input).value.strip()
        if not raw:
            return True, None
        day = parse_date(raw)
        if day is None:
            self.bad_date(name)
            return False, None
        return True, day

    def collect(self) -> dict | None:
        c = self.current
        sentence = self.query_one("#sentence", Select).value or None
        ok_end, ends = self._date("sentence_end")
        ok_release, release = self._date("release_on")
        if not (ok_end and ok_release):
            return None
        wrong = sentence_dates(sentence, ends, release)
        if wrong and self.field_refused(*wrong):
            return None
        mappa = self.query_one("#mappa_level", Select).value
        values = {
            "sentence": sentence,
            "sentence_end": ends,
            "release_on": release,
            "rosh": self.query_one("#rosh", Select).value or None,
            "mappa_level": int(mappa) if mappa else None,
        }
        if c.may_restrict:
            values["restricted"] = self.query_one("#restricted", Checkbox).value
        changed = {k: v for k, v in values.items() if getattr(c, k) != v}
        if not changed:
            self.error("sentence", "Nothing changed (esc to close).")
            return None
        return changed

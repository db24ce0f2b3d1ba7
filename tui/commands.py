"""Command palette (ctrl+p): jump to any case the actor sees by ref or name,
open a practitioner's caseload (switching to them only for a file's owner
who did not sign in), open the week. The index is read once per palette
opening, in a thread, with light queries, and holds only what the actor may
see (storage.access.visible_case_refs).

Two more providers, for team work: `TeamCommands` ("Team workload") and
`HandoverCommands` ("Open handovers", "Plan departures: …" for a lead);
each opens its screen by name (tui/screens/registry.py)."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.data import SearchEntry, initials
from tui.text import content, highlight


class CaseloadCommands(Provider):
    async def startup(self) -> None:
        app = self.app
        try:
            self._entries: list[SearchEntry] = await asyncio.to_thread(app.gateway.search_index)
        except Exception:  # noqa: BLE001 - the palette just offers less
            self._entries = []

    def _label(self, entry: SearchEntry) -> str:
        name = initials(entry.name) if getattr(self.app, "privacy", False) else entry.name
        if entry.kind == "case":
            return f"Case {entry.key} · {name}"
        return f"Caseload of {entry.key} · {name}" + (" (team lead)" if entry.extra == "team_lead" else "")

    def _command(self, entry: SearchEntry):
        if entry.kind == "case":
            return partial(self.app.open_case, entry.key)
        return partial(self.app.view_caseload, entry.key)

    def _help(self, entry: SearchEntry) -> str:
        if entry.kind == "case":
            return "open the case"
        if getattr(self.app, "signed_in", False):
            return "view this practitioner's caseload (you stay signed in as yourself)"
        return "switch to this practitioner's caseload"

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        privacy = getattr(self.app, "privacy", False)
        for entry in getattr(self, "_entries", []):
            # In privacy mode match on refs only, so typing a name never reveals one.
            haystack = f"{entry.kind} {entry.key}" if privacy else f"{entry.kind} {entry.key} {entry.name}"
            score = matcher.match(haystack)
            if score > 0:
                label = self._label(entry)
                yield Hit(score, highlight(matcher, label), self._command(entry), text=label,
                          help=self._help(entry))
        async for hit in self._supervision_hits(matcher, privacy):
            yield hit
        week = "week plan"
        score = matcher.match(week)
        if score > 0:
            yield Hit(score, highlight(matcher, "Week plan"), self.app.open_week, text="Week plan",
                      help="this practitioner's week")

    async def _supervision_hits(self, matcher, privacy: bool) -> Hits:
        """`Supervision: N1-05 · name` for each practitioner, when a team lead is signed in."""
        entries = getattr(self, "_entries", [])
        me = next((e for e in entries if e.kind == "practitioner" and e.key == self.app.practitioner_id), None)
        if me is None or me.extra != "team_lead":
            return
        for entry in entries:
            if entry.kind != "practitioner" or entry.extra == "team_lead":
                continue
            name = initials(entry.name) if privacy else entry.name
            label = f"Supervision: {entry.key} · {name}"
            haystack = f"supervision {entry.key}" if privacy else f"supervision {entry.key} {entry.name}"
            score = matcher.match(haystack)
            if score > 0:
                yield Hit(score, highlight(matcher, label), partial(self.app.action_supervision, entry.key),
                          text=label, help="start or pick up a supervision session for this caseload")

    async def discover(self) -> Hits:
        yield DiscoveryHit("Week plan", self.app.open_week, help="this practitioner's week")
        for entry in getattr(self, "_entries", []):
            if entry.kind == "practitioner":
                yield DiscoveryHit(content(self._label(entry)), self._command(entry), help=self._help(entry))


class TeamCommands(Provider):
    """Command palette: "Team workload" (the board; team leads)."""

    LABEL = "Team workload"
    HELP = "every practitioner's capacity, warnings and absences; rebalance (team leads)"

    def _open(self) -> None:
        from tui.screens.registry import screen_class

        screen_class("team").open_for(self.app)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        score = matcher.match("team workload capacity rebalance")
        if score > 0:
            yield Hit(score, highlight(matcher, self.LABEL), self._open, text=self.LABEL, help=self.HELP)

    async def discover(self) -> Hits:
        yield DiscoveryHit(self.LABEL, self._open, help=self.HELP)


class HandoverCommands(Provider):
    """Command palette entries: "Open handovers", and for a team lead "Plan
    departures: N1-03 · name" for each practitioner of the team who leaves or
    goes on a long absence within the horizon (read in a thread on opening)."""

    async def startup(self) -> None:
        self._departures = await asyncio.to_thread(palette_departures, self.app)

    def _hits(self, privacy: bool):
        from tui.screens.registry import open_screen

        app = self.app
        yield ("open handovers team", "Open handovers", app.action_handovers,
               "every open handover of the team, with progress")
        for pid, name, what in getattr(self, "_departures", []):
            shown = initials(name) if privacy else name
            haystack = f"plan departures {pid}" if privacy else f"plan departures {pid} {name}"
            yield haystack, f"Plan departures: {pid} · {shown}", partial(open_screen, app, "departures", pid), what

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for haystack, label, command, help_text in self._hits(getattr(self.app, "privacy", False)):
            score = matcher.match(haystack)
            if score > 0:
                yield Hit(score, highlight(matcher, label), command, text=label, help=help_text)

    async def discover(self) -> Hits:
        for _haystack, label, command, help_text in self._hits(getattr(self.app, "privacy", False)):
            yield DiscoveryHit(content(label), command, help=help_text)


def palette_departures(app) -> list[tuple[str, str, str]]:
    """(practitioner_id, name, what) of the departures a signed-in team lead
    can plan; read in a thread when the palette opens."""
    from tui.handover_data import team_departures

    try:
        is_lead, departures = team_departures(app.gateway, app.practitioner_id, app.as_of)
    except Exception:  # noqa: BLE001 - the palette just offers less
        return []
    return [(d.practitioner_id, d.name, d.what) for d in departures if d.needs_handover] if is_lead else []

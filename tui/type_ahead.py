"""Keys typed ahead apply, in order, to what the user sees (issue 18, item 1).

Textual hands a key to the widget focused *when the key arrives* and lets it
bubble up from there to the screen's and the app's bindings in each widget's
own queue. A fast typist's next key therefore arrives before the previous one
has done its work: the text after a Tab lands in the field Tab was leaving,
and an Esc after `T` reaches the screen underneath before the new screen is
there. `TypeAhead`, mixed into the app, hands out one key at a time: the next
key waits until the previous one has been through every widget it bubbles
to, and the messages it sent have been handled (a `KeyDone` marker sent
after it reaches the app, `ROUNDS` times) and until the screen
on top is mounted, its first field focused, has shown its first load and
no worker that opens a screen (group `*-open`) is still checking (each
wait at most `LOAD_WAIT_SECONDS`). A key whose marker is lost (its
widget was removed) frees the queue after `STUCK_SECONDS`.
"""

from __future__ import annotations

import time
from collections import deque

from textual import events
from textual.message import Message

# How long a key may hold the queue when its marker never comes back.
STUCK_SECONDS = 0.5
# How often a held key looks again for the screen on top to be mounted.
POLL_SECONDS = 0.01
# Trips the marker makes: a key's own messages (a table's RowSelected that
# opens a case) are queued behind the first one and ahead of the next.
ROUNDS = 3
# How long keys wait for a screen's first load (tui/screens/loading.py)
# before they go to it as it is (esc still leaves a load that takes long).
LOAD_WAIT_SECONDS = 3.0
# Workers in a group ending so open a screen once they have checked something
# (`T` checks that the user leads a team, tui/screens/team.py): keys wait for
# them as for a first load.
OPENING = "-open"


class KeyDone(Message, bubble=True):
    """Sent after a key to the widget that got it: when it reaches the app,
    the key has been handled all the way up."""

    def __init__(self, turn: int, rounds: int) -> None:
        self.turn = turn
        self.rounds = rounds  # more trips to make after this one
        super().__init__()


class TypeAhead:
    """Mix into an `App` before it: `class CaseloadApp(TypeAhead, App)`."""

    _ahead_turn = 0
    _ahead_busy = False
    _ahead_timer = None

    def __init__(self, *args, **kwargs) -> None:
        read_bursts()
        super().__init__(*args, **kwargs)

    @property
    def _ahead_keys(self) -> deque:
        keys = self.__dict__.get("_ahead_queue")
        if keys is None:
            keys = self.__dict__["_ahead_queue"] = deque()
        return keys

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._ahead_keys.append(event)
            await self._ahead_next()
            return
        await super().on_event(event)

    def _ahead_ready(self) -> bool:
        try:
            screen = self.screen
        except Exception:  # noqa: BLE001 - no screen yet: wait for it
            return False
        if not screen.is_mounted:
            return False
        opening = [w for w in self.workers if (w.group or "").endswith(OPENING) and not w.is_finished]
        for waits_for, waiting in ((screen, not getattr(screen, "view_shown", True)), *((w, True) for w in opening)):
            if waiting:
                since = self.__dict__.setdefault("_ahead_waiting", {}).setdefault(id(waits_for), time.monotonic())
                if time.monotonic() - since <= LOAD_WAIT_SECONDS:
                    return False
        return True

    async def _ahead_next(self) -> None:
        """Hand out the next key when none is in flight and the screen is there."""
        while self._ahead_keys and not self._ahead_busy:
            if not self._ahead_ready():
                self.set_timer(POLL_SECONDS, self._ahead_poll)
                return
            event = self._ahead_keys.popleft()
            self._ahead_turn += 1
            self._ahead_busy = True
            target = self.focused or self.screen
            await super().on_event(event)
            self._ahead_target = target
            if not target.post_message(KeyDone(self._ahead_turn, ROUNDS - 1)):  # the widget went with the key
                self._ahead_busy = False
                continue
            turn = self._ahead_turn
            self._ahead_timer = self.set_timer(STUCK_SECONDS, lambda: self._ahead_free(turn))

    async def _ahead_poll(self) -> None:
        await self._ahead_next()

    async def _ahead_free(self, turn: int) -> None:
        if turn != self._ahead_turn or not self._ahead_busy:
            return
        self._ahead_busy = False
        if self._ahead_timer is not None:
            self._ahead_timer.stop()
            self._ahead_timer = None
        await self._ahead_next()

    async def on_key_done(self, message: KeyDone) -> None:
        message.stop()
        if message.rounds > 0 and message.turn == self._ahead_turn:
            if self._ahead_target.post_message(KeyDone(message.turn, message.rounds - 1)):
                return
        await self._ahead_free(message.turn)


# ---------------------------------------------------------------- esc in a burst of keys
#
# A terminal sends Esc as the byte ESC, and Alt+key as ESC followed by the
# key. Textual 8.2.8 (pinned in pyproject.toml) reads ESC and a letter that
# come together as Alt+letter, and ESC, a letter, ESC as "^" and the letter:
# `T Esc H Esc` typed quickly arrives as T, ^, H, Esc and the handovers
# screen stays open. `BurstParser` reads an ESC followed by a key that cannot
# start an escape sequence, with more bytes after it in the same read, as
# Esc and then that key. An ESC and a key alone in one read (a real Alt+key)
# is left to Textual.

from textual._parser import ParseTimeout  # noqa: E402
from textual._xterm_parser import XTermParser  # noqa: E402

ESC = "\x1b"
# What may follow ESC at the start of a sequence: CSI, SS3, OSC, DCS, ST, APC, PM, ESC.
SEQUENCE_STARTS = frozenset("[O]P\\_^" + ESC)


def split_bursts(data: str) -> list[str]:
    """`data` cut after each ESC that is a key of its own (see above)."""
    pieces, start = [], 0
    for i, ch in enumerate(data):
        if ch != ESC or i + 2 >= len(data):
            continue
        nxt = data[i + 1]
        if nxt not in SEQUENCE_STARTS and (nxt.isprintable() or nxt in "\r\t\x7f"):
            pieces.append(data[start:i + 1])
            start = i + 1
    pieces.append(data[start:])
    return pieces


class BurstParser(XTermParser):
    def feed(self, data: str):
        pieces = split_bursts(data) if data else [data]
        for n, piece in enumerate(pieces):
            yield from super().feed(piece)
            if n < len(pieces) - 1:  # the piece ends with a lone ESC: it is the escape key
                self._timeout_time = None
                self._awaiting = self._gen.throw(ParseTimeout())
                while self._tokens:
                    yield self._tokens.popleft()


def read_bursts() -> None:
    """Make the terminal driver read keys with `BurstParser` (the app calls it at start)."""
    from textual.drivers import linux_driver

    linux_driver.XTermParser = BurstParser

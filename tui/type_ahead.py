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
on top is mounted, its first field focused, and has shown its first load
(at most `LOAD_WAIT_SECONDS`). A key whose marker is lost (its
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
        if getattr(screen, "view_shown", True):
            return True
        since = self.__dict__.setdefault("_ahead_waiting", {}).setdefault(id(screen), time.monotonic())
        return time.monotonic() - since > LOAD_WAIT_SECONDS

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

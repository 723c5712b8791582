"""The conversation contract (DESIGN §2): the only shapes that cross between adapters and coach.

Everything here is plain data so that an adapter (Telegram, terminal, scheduler) can build
events and render replies without knowing anything about the flows, and so that a saved
conversation round-trips through JSON unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

# --- events (inbound) -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """Free text the person typed."""

    body: str


@dataclass(frozen=True, slots=True)
class Choice:
    """A button pressed, or a numbered option typed in the terminal.

    `key` is the full option key as it travelled in `callback_data` ("flow.state.value"),
    so the coach can tell a button from an old message from one on the current prompt.
    """

    key: str


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command; `args` is whatever followed it (a deep-link payload, say)."""

    name: str
    args: str = ""


@dataclass(frozen=True, slots=True)
class Tick:
    """Something scheduled happened for this person; carries no words of theirs.

    `kind` "prompt": a reminder with the day's question was just sent (`ref` is its text),
    so that between steps their next words can answer it.
    """

    kind: str
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Unsupported:
    """Anything the person sent that is not text (photo, sticker, voice, an edit …)."""

    what: str = "other"


Event = Text | Choice | Command | Tick | Unsupported

# --- replies (outbound) -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Option:
    """One choice on a reply. `key` must stay short: it travels in 64-byte callback_data."""

    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to send with a reply (a PNG chart, a JSON export)."""

    filename: str
    data: bytes
    kind: Literal["photo", "document", "chart"] = "document"
    # "chart": `data` is a JSON description the adapter draws into a PNG photo.


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    options: tuple[Option, ...] = ()
    attachments: tuple[Attachment, ...] = ()


# --- what a person is, and where they are ----------------------------------------------------

Role = Literal["hurt", "broke", "both"]
ROLES: tuple[Role, ...] = ("hurt", "broke", "both")
Risk = Literal["self_harm", "abuse", "danger_now"]
RISKS: tuple[Risk, ...] = ("self_harm", "abuse", "danger_now")
Track = Literal["couples", "individual"]


def role_of(value: str | None) -> Role | None:
    """A stored or typed role, if it is one."""
    return _ROLE_OF.get(value or "")


_ROLE_OF: dict[str, Role] = {role: role for role in ROLES}


@dataclass(frozen=True, slots=True)
class Profile:
    """The little the coach needs to know about a person to choose its words.

    `paused` is the crisis that paused relationship coaching (until they choose to resume);
    `track` is "individual" when being with their partner does not feel safe, and then no
    couples exercise is ever offered. `safety_checked_on` is an ISO date.
    """

    consented: bool = False
    role: Role | None = None
    country: str | None = None
    track: Track = "couples"
    paused: Risk | None = None
    discreet: bool = False
    reminders_paused: bool = False
    safety_checked_on: str | None = None
    timezone: str | None = None  # an IANA key, or "UTC+05:30" for a fixed offset
    quiet_from: str | None = None  # local "HH:MM"
    quiet_to: str | None = None
    ready_for_two: bool = False
    # The local date they last answered "I'm safe" to a possible signal: not asked again that day.
    safe_said_on: str | None = None
    # The local date of their last full crisis response: a later signal that day is not doubted.
    crisis_on: str | None = None
    paired: bool = False  # linked with a partner (read from the pairs table, never saved here)


Slots = dict[str, str]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A step back: where the person was before their last accepted answer (for /back)."""

    state: str
    slots: Slots


@dataclass(frozen=True, slots=True)
class Conversation:
    """What is saved per person after every event, so a restart resumes exactly.

    `flow` is empty when the person is between steps. `history` is bounded so the saved
    row stays small however long someone lingers in a step.
    """

    flow: str = ""
    state: str = ""
    slots: Slots = field(default_factory=dict)
    version: int = 0
    history: tuple[Snapshot, ...] = ()

    @property
    def idle(self) -> bool:
        return not self.flow

    def to_json(self) -> dict[str, object]:
        return {
            "flow": self.flow,
            "state": self.state,
            "slots": dict(self.slots),
            "version": self.version,
            "history": [{"state": s.state, "slots": dict(s.slots)} for s in self.history],
        }

    @classmethod
    def from_json(cls, data: object) -> Conversation:
        """Rebuild from storage; anything malformed becomes an idle conversation, never a crash."""
        if not isinstance(data, dict):
            return cls()
        try:
            slots = {str(k): str(v) for k, v in dict(data.get("slots") or {}).items()}
            history = tuple(
                Snapshot(str(h["state"]), {str(k): str(v) for k, v in dict(h["slots"]).items()})
                for h in list(data.get("history") or [])
            )
            return cls(
                flow=str(data.get("flow") or ""),
                state=str(data.get("state") or ""),
                slots=slots,
                version=int(data.get("version") or 0),
                history=history,
            )
        except (KeyError, TypeError, ValueError):
            return cls()


IDLE = Conversation()


# --- records (what an event asks to be stored) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class JournalRecord:
    """A journal entry to save; `parts` keeps the person's words keyed by prompt."""

    kind: str
    parts: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class EraseRecord:
    """Erase everything stored about this person (after they confirmed /delete)."""


@dataclass(frozen=True, slots=True)
class ClearChatRecord:
    """The discreet exit: remove the recent messages of this chat where the channel can."""


@dataclass(frozen=True, slots=True)
class RitualRecord:
    """Add a daily ritual (`days`: weekday digits, Monday = 0), or remove one by id."""

    kind: str = ""
    label: str | None = None
    local_time: str = ""
    days: str = "0123456"
    remove_id: int | None = None
    ours: bool = False  # a ritual for both partners (each at their own local time)


@dataclass(frozen=True, slots=True)
class RitualChangeRecord:
    """A new time or new days for one of the person's own rituals (None: as it was)."""

    ritual_id: int
    local_time: str | None = None
    days: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """What the person did with a reminder: done, not today, or later ("hour", "evening")."""

    delivery_id: int
    status: str
    later: str | None = None


@dataclass(frozen=True, slots=True)
class RitualItem:
    """A ritual as the coach lists it."""

    id: int
    kind: str
    label: str | None
    local_time: str
    days: str


@dataclass(frozen=True, slots=True)
class DeliveryItem:
    """A reminder this person received (looked up only among their own)."""

    id: int
    prompt_id: str | None
    status: str


@dataclass(frozen=True, slots=True)
class CheckinRecord:
    """Today's check-in (the person's local date); a second one the same day replaces it."""

    local_date: str
    score: int
    words: str | None = None
    shared: bool = False  # the score only, never the words


@dataclass(frozen=True, slots=True)
class Progress:
    """What /progress shows: dates are ISO local dates, oldest first.

    `kinds` are the journal kinds saved so far (first saved first); which steps they mean is
    the steps' own declaration, read by flows.
    """

    checkins: tuple[tuple[str, int], ...] = ()
    wins: tuple[str, ...] = ()
    rituals_kept: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PartnerRecord:
    """Partner mode: make an invite, join with a code, unlink, share, or answer a share."""

    action: Literal["invite", "join", "unlink", "share", "answer", "pause"]
    code: str = ""
    kind: str = ""  # what is shared: "statement", "reflection"
    text: str = ""
    share_id: int | None = None  # the share being answered or reflected on


@dataclass(frozen=True, slots=True)
class SharedItem:
    """Something the partner shared with this person (looked up only among their own)."""

    id: int
    kind: str
    text: str


Record = (
    JournalRecord
    | EraseRecord
    | ClearChatRecord
    | RitualRecord
    | RitualChangeRecord
    | DeliveryRecord
    | CheckinRecord
    | PartnerRecord
)


@dataclass(frozen=True, slots=True)
class JournalItem:
    """A saved journal entry as the coach sees it when showing /journal."""

    kind: str
    parts: tuple[tuple[str, str], ...]
    created_on: str  # the date, already formatted for the person


@dataclass(frozen=True, slots=True)
class Together:
    """The latest day (since the link began) on which both partners shared their score.

    A fact, not a decision: whether it may be shown is `flows.core.policy`'s to say.
    """

    day: str
    mine: int
    theirs: int
    partner_safe: bool  # the partner is neither paused nor on the individual track


class Memory(Protocol):
    """What the coach and its steps may read back about this one person (never anyone else).

    The adapter decides how (storage's `PersonMemory`); flows only ever see this port.
    """

    def journal(self, limit: int) -> Sequence[JournalItem]: ...

    def safety_plan(self) -> JournalItem | None: ...

    def export(self) -> dict[str, Any]: ...

    def rituals(self) -> Sequence[RitualItem]: ...

    def delivery(self, delivery_id: int) -> DeliveryItem | None: ...

    def checkin_on(self, local_date: str) -> int | None: ...

    def progress(self) -> Progress: ...

    def shared(self, share_id: int) -> SharedItem | None: ...

    def together(self, local_date: str) -> Together | None: ...

    def partner_ready(self) -> bool | None: ...


class _NoMemory:
    """Someone with nothing stored (and tests that need no storage)."""

    def journal(self, limit: int) -> Sequence[JournalItem]:
        return ()

    def safety_plan(self) -> JournalItem | None:
        return None

    def export(self) -> dict[str, Any]:
        return {}

    def rituals(self) -> Sequence[RitualItem]:
        return ()

    def delivery(self, delivery_id: int) -> DeliveryItem | None:
        return None

    def checkin_on(self, local_date: str) -> int | None:
        return None

    def progress(self) -> Progress:
        return Progress()

    def shared(self, share_id: int) -> SharedItem | None:
        return None

    def together(self, local_date: str) -> Together | None:
        return None

    def partner_ready(self) -> bool | None:
        return None


NO_MEMORY: Memory = _NoMemory()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the coach returns for one event; the adapter persists and sends it."""

    profile: Profile
    conversation: Conversation
    replies: tuple[Reply, ...]
    records: tuple[Record, ...] = ()


__all__ = [
    "IDLE",
    "NO_MEMORY",
    "RISKS",
    "ROLES",
    "Attachment",
    "CheckinRecord",
    "Choice",
    "ClearChatRecord",
    "Command",
    "Conversation",
    "DeliveryItem",
    "DeliveryRecord",
    "EraseRecord",
    "Event",
    "JournalItem",
    "JournalRecord",
    "Memory",
    "Option",
    "Outcome",
    "PartnerRecord",
    "Profile",
    "Progress",
    "Record",
    "Reply",
    "Risk",
    "RitualChangeRecord",
    "RitualItem",
    "RitualRecord",
    "Role",
    "SharedItem",
    "Slots",
    "Snapshot",
    "Text",
    "Tick",
    "Together",
    "Track",
    "Unsupported",
    "role_of",
]

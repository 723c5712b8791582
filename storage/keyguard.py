"""Start only with a key that can read what is stored.

The database records the fingerprint of every key that has sealed words in it. At start-up,
a configuration holding none of them stops with one line (the words would read as nothing,
and the next save would mix two keys). A database from before fingerprints were kept is
checked against a value it holds. Rotation stays as it was: the first key seals, every
configured key opens, and a new sealing key is recorded once it is first used.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from storage.crypto import BadKey, TextCipher, Unreadable
from storage.models import ConversationRow, JournalEntry, KeyFingerprint, Person

_fingerprints = KeyFingerprint.__table__  # type: ignore[attr-defined]
_people = Person.__table__  # type: ignore[attr-defined]
_journal = JournalEntry.__table__  # type: ignore[attr-defined]
_conversations = ConversationRow.__table__  # type: ignore[attr-defined]
SEALED = "g1:%"


def holds_data(engine: Engine) -> bool:
    """Whether anyone is stored (then no new local key may be made)."""
    with engine.connect() as conn:
        return conn.execute(select(_people.c.id).limit(1)).first() is not None


def check(engine: Engine, cipher: TextCipher, now: datetime | None = None) -> None:
    """Raise BadKey (one line for the operator) unless the keys can read the stored words;
    then record the sealing key, so the next start knows it."""
    with engine.begin() as conn:
        known = {row[0] for row in conn.execute(select(_fingerprints.c.fingerprint))}
        anyone = conn.execute(select(_people.c.id).limit(1)).first() is not None
        if known and anyone and not known & cipher.fingerprints:
            raise BadKey(
                "cannot read the words already stored (they were sealed with key "
                f"{', '.join(sorted(known))}; the configured keys are "
                f"{', '.join(sorted(cipher.fingerprints))}): set the key that wrote them, "
                "or list it after a new one"
            )
        if not known:
            sample = conn.execute(
                select(_journal.c.body).where(_journal.c.body.like(SEALED)).limit(1)
            ).scalar() or conn.execute(
                select(_conversations.c.slots).where(_conversations.c.slots.like(SEALED)).limit(1)
            ).scalar()
            if sample:
                try:
                    cipher.decrypt(str(sample))
                except Unreadable:
                    raise BadKey(
                        "cannot read the words already stored: set the key that wrote them"
                    ) from None
        if cipher.sealing not in known:
            make = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
            conn.execute(
                make(_fingerprints)
                .values(fingerprint=cipher.sealing, first_used_at=now or datetime.now(UTC))
                .on_conflict_do_nothing(index_elements=["fingerprint"])
            )

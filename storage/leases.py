"""Fenced claims: one rule for every scheduled send (a ritual's reminder, a "later" sent
again, an agreement's review or end prompt).

A sweep claims rows by writing a fresh owner token beside a lease expiry. From then on only
that token may renew, mark or release them (`UPDATE … WHERE claim_token = :token`). When a
lease runs out and another sweep claims the row, the row gets that sweep's token: the first
one's late mark changes nothing, and its renewal tells it to send nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import ColumnElement, Connection, Table, update


def new_token() -> str:
    """A claim's owner: new for every claim, so a reclaim after a lapsed lease is another."""
    return uuid4().hex


def renew(
    conn: Connection,
    table: Table,
    lease: Any,
    token: str,
    ids: Sequence[int],
    until: datetime,
    *also: ColumnElement[bool],
) -> set[int]:
    """Move the lease of the rows among `ids` that `token` still owns to `until`; returns
    their ids. A row already marked (its lease cleared) is not renewed: it is no longer held.
    A lapsed lease nobody took over is renewed: the token still names its only owner."""
    if not ids:
        return set()
    found = conn.execute(
        update(table)
        .where(table.c.id.in_(list(ids)), table.c.claim_token == token, lease.is_not(None), *also)
        .values({lease: until})
        .returning(table.c.id)
    )
    return set(found.scalars())

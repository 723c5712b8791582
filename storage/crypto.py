"""Encryption at rest for the words people write.

AES-256-GCM from `cryptography` (authenticated, and fast enough for every message: about a
microsecond, where Fernet cost a quarter of the per-message budget). Keys are 32 random
bytes in url-safe base64, the same format as Fernet keys. Several keys rotate: the first
encrypts, every one decrypts, and each value names the key that sealed it. Values carry a
prefix, so the few rows written before encryption existed still read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "g1:"
KEY_FILE = "secret.key"
KEY_BYTES = 32
NONCE_BYTES = 12
log = logging.getLogger("mend.storage")


class BadKey(ValueError):
    """A configured key is not 32 url-safe base64 bytes."""


class Unreadable(ValueError):
    """A stored value none of the configured keys can open (never shown as empty text)."""


def _decode(key: bytes) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(key)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise BadKey("must be 32 url-safe base64 bytes; make one with `mend secret`")
    return raw


def parse_keys(value: str) -> list[bytes]:
    """Comma-separated keys, newest first; raises BadKey with a usable message."""
    keys = [part.strip().encode() for part in value.split(",") if part.strip()]
    if not keys:
        raise BadKey("is empty")
    for key in keys:
        _decode(key)
    return keys


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def local_key(data_dir: Path, may_create: bool = True) -> bytes:
    """For local use without MEND_SECRET_KEY: one key, made once, readable by the owner only.

    Made only for an empty database (`may_create`): a fresh key over existing data would
    read nothing and then write under a second key.
    """
    path = data_dir / KEY_FILE
    if path.exists():
        return path.read_bytes().strip()
    if not may_create:
        raise BadKey(
            f"is not set and there is no key file at {path}, but the database already holds "
            "data: set MEND_SECRET_KEY to the key that wrote it"
        )
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = new_key().encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    log.warning(
        "MEND_SECRET_KEY is not set: generated a key at %s (owner-only). Back it up; "
        "without it the stored words cannot be read.",
        path,
    )
    return key


def _key_id(raw: bytes) -> str:
    """A key's fingerprint: short, and no help in finding the key."""
    return hashlib.sha256(raw).hexdigest()[:8]


class TextCipher:
    def __init__(self, keys: Sequence[bytes]) -> None:
        raws = [_decode(k) for k in keys]
        if not raws:
            raise BadKey("at least one key is needed")
        self._sealing_id = _key_id(raws[0])
        self._sealing = AESGCM(raws[0])
        self._opening = {_key_id(raw): AESGCM(raw) for raw in raws}

    @property
    def sealing(self) -> str:
        """The fingerprint of the key that seals new values."""
        return self._sealing_id

    @property
    def fingerprints(self) -> frozenset[str]:
        """Every configured key's fingerprint (each can open what it sealed)."""
        return frozenset(self._opening)

    def encrypt(self, text: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._sealing.encrypt(nonce, text.encode("utf-8"), None)
        return f"{PREFIX}{self._sealing_id}:" + base64.b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """Plain legacy rows pass through; a row no key can open raises `Unreadable`, never
        becomes empty text (which the next save would make permanent)."""
        if not stored.startswith(PREFIX):
            return stored
        key_id, _, body = stored[len(PREFIX) :].partition(":")
        opener = self._opening.get(key_id)
        try:
            if opener is None:
                raise InvalidTag
            blob = base64.b64decode(body)
            return opener.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], None).decode("utf-8")
        except (InvalidTag, ValueError, binascii.Error):
            raise Unreadable(f"a stored value (key {key_id}) cannot be opened") from None

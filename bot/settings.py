"""Settings from the environment and `.env`, checked once at start-up.

A wrong value should stop the bot with one line a person can act on, not a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from bot.logs import LogFormat
from storage.crypto import BadKey, local_key, parse_keys
from storage.engine import sqlite_url

TELEGRAM_API = "https://api.telegram.org"
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram's setWebhook accepts

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = Field(default=None)
    telegram_api_url: str = Field(default=TELEGRAM_API)
    database_url: str | None = Field(default=None)
    mend_data_dir: Path = Field(default=Path("data"))
    log_level: LogLevel = Field(default="INFO")
    mend_log_format: LogFormat = Field(default="text")
    mend_secret_key: SecretStr | None = Field(default=None)
    reminder_rate: float = Field(default=25.0, gt=0, le=30)
    reminder_sweep_seconds: float = Field(default=20.0, gt=0, le=30)
    reminder_lease_seconds: float = Field(default=300.0, ge=1, le=3600)
    mend_language_model: bool = Field(default=True)
    # `mend serve`: where Telegram posts updates (the public https URL of the proxy in front),
    # the secret it sends back with each, and where this replica listens.
    mend_webhook_url: str | None = Field(default=None)
    mend_webhook_secret: SecretStr | None = Field(default=None)
    mend_webhook_path: str = Field(default="/telegram")
    mend_webhook_max_connections: int = Field(default=40, ge=1, le=100)
    mend_listen: str = Field(default="127.0.0.1:8080")

    @field_validator("mend_secret_key", mode="before")
    @classmethod
    def _secret(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise ValueError("must be text")
        try:
            parse_keys(value)
        except BadKey as problem:
            raise ValueError(str(problem)) from None  # never echo the value itself
        return value

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _token(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not _TOKEN.match(value.strip()):
            # Never echo the value: it may be a real token with a typo.
            raise ValueError("does not look like a BotFather token (digits:letters)")
        return value.strip()

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not re.match(r"^https?://[^\s/]+(:\d+)?(/[^\s]*)?$", value):
            raise ValueError("must be an http(s) URL such as http://127.0.0.1:8081")
        return value

    @field_validator("mend_webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not _WEBHOOK_SECRET.match(value.strip()):
            # Never echo the value.
            raise ValueError("must be 1-256 letters, digits, _ or - (Telegram's rule)")
        return value.strip()

    @field_validator("mend_webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not re.match(r"^https?://[^\s/]+(:\d+)?(/[^\s]*)?$", value):
            raise ValueError(
                "must be the public URL Telegram calls, e.g. https://example.org/telegram"
            )
        return value

    @field_validator("mend_webhook_path")
    @classmethod
    def _webhook_path(cls, value: str) -> str:
        value = value.strip()
        if not re.match(r"^/[A-Za-z0-9._~/-]*$", value):
            raise ValueError("must be a path such as /telegram")
        return value

    @field_validator("mend_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        host, sep, port = value.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be host:port, e.g. 127.0.0.1:8080 or 0.0.0.0:8080")
        return f"{host}:{port}"

    @field_validator("log_level", mode="before")
    @classmethod
    def _level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("mend_log_format", mode="before")
    @classmethod
    def _log_format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _db(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if "://" not in value:
            raise ValueError("must be a SQLAlchemy URL such as sqlite:///data/mend.db")
        return value.strip()

    @property
    def database(self) -> str:
        return self.database_url or sqlite_url(self.mend_data_dir)

    @property
    def local_database(self) -> bool:
        """SQLite: a file in the data folder, read by this machine alone."""
        return make_url(self.database).get_backend_name() == "sqlite"

    def secret_keys(self, may_create: bool = True) -> list[bytes]:
        """The configured keys, or for local use the data folder's own (made only for an
        empty database). A shared database needs MEND_SECRET_KEY: a key made per machine
        would let each replica read the others' words as empty, and later overwrite them."""
        if self.mend_secret_key is not None:
            return parse_keys(self.mend_secret_key.get_secret_value())
        if not self.local_database:
            raise BadKey(
                "is not set: a database other than SQLite is shared, and every process "
                "needs the same key (`mend secret` makes one; keep it safe)"
            )
        return [local_key(self.mend_data_dir, may_create)]

    @property
    def listen(self) -> tuple[str, int]:
        """MEND_LISTEN as (host, port); an IPv6 host may be written in brackets."""
        host, _, port = self.mend_listen.rpartition(":")
        return host.strip("[]"), int(port)

    @property
    def base_url(self) -> str:
        return f"{self.telegram_api_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.telegram_api_url}/file/bot"


class SettingsError(Exception):
    """A configuration problem, already phrased for the person running the bot."""


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{name} {message}") from None

"""An in-process fake of the Telegram Bot API for end-to-end tests and benchmarks.

The real bot process talks HTTP to this server exactly as it would to api.telegram.org, so
the tests exercise PTB's request encoding, update parsing and error mapping rather than a
mocked ``Bot``.  Where it is cheap, the fake reproduces Telegram's own refusals (empty or
over-long text, unparsable HTML/MarkdownV2, over-long callback data, "message is not
modified", edits of unknown messages, invalid bot commands) because those are the failures
that otherwise only show up in production.  It deliberately stays lenient about chats: any
integer chat id is accepted, so tests can seed a database and let the bot message users who
never pushed an update.

Only the standard library is used so that the fake cannot drift with the dependencies of the
code under test.
"""

from __future__ import annotations

import contextlib
import copy
import http.client
import itertools
import json
import math
import re
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Final
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

__all__ = ["ApiError", "Call", "FakeBotAPI", "WebhookAttempt"]

JSON = dict[str, Any]

MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64

# Parameters that PTB sends verbatim as strings.  Everything else is JSON-encoded by
# ``RequestParameter.json_value`` and gets decoded; these must not be, or a text of "42"
# would come back as an int.
_RAW_STRING_PARAMS: Final = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "file_id",
        "url", "secret_token", "ip_address", "description", "short_description", "name", "title",
        "language_code", "emoji", "action", "message_effect_id", "business_connection_id", "photo",
        "document", "voice", "sticker", "audio", "video", "animation", "thumbnail"
    }
)

# Update types Telegram withholds unless explicitly requested via ``allowed_updates``.
_OPT_IN_UPDATE_TYPES: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)

_DEFAULT_FIRST_NAME: Final = "Alex"

_SECRET_TOKEN_RE: Final = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
_LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})
_WEBHOOK_RETRY_CAP: Final = 2.0  # seconds; Telegram waits longer, tests should not

_BOT_COMMAND_RE: Final = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")
_COMMAND_NAME_RE: Final = re.compile(r"^[a-z0-9_]{1,32}$")

_HTML_TAGS: Final = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
        "tg-emoji", "tg-time", "code", "pre", "blockquote"
    }
)
# Characters MarkdownV2 rejects unless escaped, wherever they appear outside code/links.
_MDV2_ALWAYS_RESERVED: Final = frozenset("#+-={}.!()")
_MDV2_PAIRED: Final = ("*", "_", "~", "|")


class ApiError(Exception):
    """A Bot API refusal, raised inside method handlers and turned into Telegram's error JSON."""

    def __init__(
        self, error_code: int, description: str, *, retry_after: int | None = None
    ) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(frozen=True)
class Call:
    """One Bot API request as the bot made it, kept so tests can assert on behaviour.

    ``params`` has PTB's JSON-encoded values decoded (``reply_markup`` is a dict, ``chat_id``
    an int).  ``files`` maps multipart part names to ``(filename, content)``.  Failed calls
    (injected errors, 429s, validation errors) are recorded too, with ``ok=False``.
    """

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    ok: bool = True
    error_code: int | None = None
    description: str | None = None
    result: Any = None

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def text(self) -> str | None:
        value = self.params.get("text")
        return value if isinstance(value, str) else None

    def describe(self) -> str:
        parts = [self.method]
        if "chat_id" in self.params:
            parts.append(f"chat_id={self.params['chat_id']!r}")
        if "message_id" in self.params:
            parts.append(f"message_id={self.params['message_id']!r}")
        for key in ("text", "caption", "data"):
            if isinstance(self.params.get(key), str):
                snippet = self.params[key]
                snippet = snippet if len(snippet) <= 60 else snippet[:57] + "..."
                parts.append(f"{key}={snippet!r}")
        if self.files:
            parts.append(f"files={sorted(self.files)}")
        parts.append("ok" if self.ok else f"FAILED {self.error_code} {self.description!r}")
        return " ".join(parts)


@dataclass(frozen=True)
class WebhookAttempt:
    """One POST of an update to the webhook: ``status`` is the HTTP answer, or None when the
    connection failed (``error`` then says how)."""

    update_id: int
    url: str
    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _chat_of(update: JSON) -> int | None:
    """The chat an update belongs to, for keeping one chat's deliveries in order."""
    for value in update.values():
        if not isinstance(value, dict):
            continue
        chat = value.get("chat")
        if chat is None and isinstance(value.get("message"), dict):
            chat = value["message"].get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        sender = value.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return None


@dataclass(frozen=True)
class _Upload:
    filename: str
    content: bytes
    mime_type: str


@dataclass
class _Failure:
    error_code: int
    description: str
    retry_after: int | None
    remaining: int


@dataclass(frozen=True)
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes


Params = dict[str, Any]
Uploads = dict[str, _Upload]
_MethodHandler = Callable[[Params, Uploads], Any]


def _now() -> int:
    return int(time.time())


def _json_response(status: int, payload: Any) -> tuple[int, bytes, str]:
    return status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json"


def _error_response(status: int, description: str) -> tuple[int, bytes, str]:
    return _json_response(status, {"ok": False, "error_code": status, "description": description})


def _decode_value(key: str, value: str) -> Any:
    if key in _RAW_STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _decode_params(pairs: dict[str, Any]) -> Params:
    return {k: _decode_value(k, v) if isinstance(v, str) else v for k, v in pairs.items()}


def _unescape_form_param(value: str) -> str:
    # httpx escapes '"', '\\' and control characters in multipart header params (HTML5 rules).
    value = re.sub(r"%(0[0-9A-F]|1[0-9A-F]|22)", lambda m: chr(int(m.group(1), 16)), value)
    return value.replace("\\\\", "\\")


def _disposition_param(header: str, name: str) -> str | None:
    quoted = re.search(rf';\s*{name}="((?:[^"\\]|\\.)*)"', header)
    if quoted:
        return _unescape_form_param(quoted.group(1))
    bare = re.search(rf";\s*{name}=([^;\s]+)", header)
    return unquote(bare.group(1)) if bare else None


def _parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], Uploads]:
    """Byte-exact multipart parsing; ``email`` would be shorter but may rewrite line endings."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        raise ApiError(400, "Bad Request: multipart boundary missing")
    delimiter = b"--" + match.group(1).encode("latin-1")
    fields: dict[str, str] = {}
    uploads: Uploads = {}
    for section in body.split(delimiter)[1:]:
        if section.startswith(b"--"):
            break
        if section.startswith(b"\r\n"):
            section = section[2:]
        if section.endswith(b"\r\n"):
            section = section[:-2]
        head, _, content = section.partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, sep, value = line.partition(":")
            if sep:
                headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        part_name = _disposition_param(disposition, "name")
        if part_name is None:
            continue
        filename = _disposition_param(disposition, "filename")
        if filename is None:
            fields[part_name] = content.decode("utf-8")
        else:
            mime = headers.get("content-type", "application/octet-stream")
            uploads[part_name] = _Upload(filename, content, mime)
    return fields, uploads


class _TelegramHTML(HTMLParser):
    """Applies Telegram's HTML rules so markup bugs fail in tests as they would in prod."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.rendered: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.error:
            return
        if tag not in _HTML_TAGS:
            self.error = f'Unsupported start tag "{tag}"'
            return
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.error:
            self.error = f'Unsupported start tag "{tag}"'

    def handle_endtag(self, tag: str) -> None:
        if self.error:
            return
        if not self.stack:
            self.error = f'Unexpected end tag "{tag}"'
        elif self.stack[-1] != tag:
            self.error = f'Unmatched end tag, expected "</{self.stack[-1]}>", found "</{tag}>"'
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.rendered.append(data)


def _render_html(text: str) -> str:
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.error is None and parser.stack:
        parser.error = f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"'
    if parser.error:
        raise ApiError(400, f"Bad Request: can't parse entities: {parser.error}")
    return "".join(parser.rendered)


def _render_markdown_v2(text: str) -> str:
    """Approximates Telegram's MarkdownV2 parser closely enough to catch unescaped characters,
    the most common way a bot breaks in production when user input reaches a template."""
    out: list[str] = []
    counts = dict.fromkeys(_MDV2_PAIRED, 0)
    i, n = 0, len(text)
    in_code = in_pre = False
    while i < n:
        ch = text[i]
        if ch == "\\":
            if i + 1 < n:
                out.append(text[i + 1])
            i += 2
            continue
        if in_pre:
            if text.startswith("```", i):
                in_pre = False
                i += 3
            else:
                out.append(ch)
                i += 1
            continue
        if in_code:
            if ch == "`":
                in_code = False
            else:
                out.append(ch)
            i += 1
            continue
        if text.startswith("```", i):
            in_pre = True
            i += 3
            newline = text.find("\n", i)  # optional language tag
            if newline != -1 and re.fullmatch(r"[A-Za-z0-9_+-]*", text[i:newline]):
                i = newline + 1
            continue
        if ch == "`":
            in_code = True
            i += 1
            continue
        if text.startswith("](", i):
            end = i + 2
            while end < n and text[end] != ")":
                end += 2 if text[end] == "\\" else 1
            if end >= n:
                raise ApiError(400, "Bad Request: can't parse entities: Can't find end of a URL")
            i = end + 1
            continue
        if ch in "[]" or text.startswith("![", i):  # "![..](tg://emoji?id=..)" custom emoji
            i += 1
            continue
        if ch == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1
            continue
        if ch in _MDV2_ALWAYS_RESERVED or ch == ">":
            raise ApiError(
                400,
                f"Bad Request: can't parse entities: Character '{ch}' is reserved and must be "
                "escaped with the preceding '\\'",
            )
        if ch in counts:
            counts[ch] += 1
            i += 1
            continue
        out.append(ch)
        i += 1
    if in_code or in_pre:
        raise ApiError(400, "Bad Request: can't parse entities: Can't find end of Code entity")
    for ch, count in counts.items():
        if count % 2:
            raise ApiError(
                400, f"Bad Request: can't parse entities: Can't find end of the entity for '{ch}'"
            )
    return "".join(out)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The default backlog of 5 makes bursts of new connections (PTB's pool opens up to 256)
    # stall on SYN retransmits, which would show up as phantom latency in benchmarks.
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], api: FakeBotAPI) -> None:
        self.api = api
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self._halted = False
        self._wake_r, self._wake_w = socket.socketpair()
        super().__init__(address, _Handler)

    def serve(self) -> None:
        """Like ``serve_forever`` but woken by :meth:`halt` instead of polling, so stopping
        costs no ``poll_interval`` delay on every test teardown."""
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._halted:
                for key, _ in selector.select():
                    if key.fileobj is self and not self._halted:
                        self.handle_request()

    def halt(self) -> None:
        self._halted = True
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")

    def server_close(self) -> None:
        super().server_close()
        self._wake_r.close()
        self._wake_w.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Dropped client connections are routine (PTB cancels long polls); stay quiet."""

    def close_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects; matters for benchmarks
    # Headers and body go out in separate writes; with Nagle on, the body then waits for the
    # client's delayed ACK (~40 ms per request), which would dominate every benchmark.
    disable_nagle_algorithm = True

    def _fake_server(self) -> _Server:
        assert isinstance(self.server, _Server)
        return self.server

    def setup(self) -> None:
        super().setup()
        server = self._fake_server()
        with server.connections_lock:
            server.connections.add(self.connection)

    def finish(self) -> None:
        server = self._fake_server()
        with server.connections_lock:
            server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: request logs would drown pytest output."""

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        api = self._fake_server().api
        try:
            body = self._read_body()
            status, payload, content_type = api._handle_http(
                urlsplit(self.path), self.headers.get("Content-Type", ""), body
            )
        except OSError:
            self.close_connection = True
            return
        except Exception as exc:  # a bug in the fake: report it instead of dropping the socket
            detail = f"{self.path}: {type(exc).__name__}: {exc}"
            api.internal_errors.append(detail)
            status, payload, content_type = _error_response(500, detail)
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            if api.stopping:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True


class FakeBotAPI:
    """A thread-safe fake Telegram Bot API server plus helpers to drive and observe a bot.

    Every piece of mutable state is guarded by one ``threading.Condition`` so that tests can
    block on "the bot did X" instead of sleeping, and long polling wakes the moment an update
    is pushed.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        username: str = "mend_test_bot",
        first_name: str = "Mend",
        validate_markup: bool = True,
        webhook_retry_seconds: float = 0.05,
        webhook_timeout: float = 10.0,
    ) -> None:
        self.token = token
        self.host = host
        self.username = username
        self.first_name = first_name
        self.validate_markup = validate_markup
        try:
            self.bot_id = int(token.split(":", 1)[0])
        except ValueError:
            self.bot_id = 123456
        self._requested_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()
        self._stopping = False

        self._calls: list[Call] = []
        self._mark = 0
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._allowed_updates: list[str] | None = None
        self._users: dict[int, JSON] = {}
        self._chats: dict[int, JSON] = {}
        self._messages: dict[tuple[int, int], JSON] = {}
        self._last_message_id: dict[int, int] = {}
        self._last_bot_message: dict[int, int] = {}
        self._last_user_message: dict[int, int] = {}
        self._callback_ids = itertools.count(4_000_000_000_000_000_001)
        self._callback_query_ids: set[str] = set()
        self._failures: dict[str, deque[_Failure]] = {}
        self._fail_every: dict[str, tuple[int, int, str]] = {}  # method -> (n, code, text)
        self._calls_of: dict[str, int] = {}
        self._blocked: set[int] = set()
        self._rate: float | None = None
        self._tokens = 0.0
        self._tokens_at = 0.0
        self._file_ids = itertools.count(1)
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._webhook_url: str | None = None
        self._webhook_secret: str | None = None
        self._webhook_max_connections = 40
        self._webhook_routes: list[str] | None = None
        self._webhook_workers: list[threading.Thread] = []
        self._webhook_attempts: list[WebhookAttempt] = []
        self._webhook_last_error: tuple[int, str] | None = None
        self._in_flight: set[int] = set()
        self._retry_at: dict[int, float] = {}
        self._failed_tries: dict[int, int] = {}
        self._delivered: dict[int, JSON] = {}
        self._route_turn = itertools.count()
        self.webhook_retry_seconds = webhook_retry_seconds
        """The first pause before a failed delivery is tried again (doubled, up to 2 s)."""
        self.webhook_timeout = webhook_timeout
        self._poll_generation = 0
        self._polls_started = 0
        self._polls_waiting = 0

        self.http_429 = 0
        """How many 429 answers were given (rate limit and injected)."""
        self.internal_errors: list[str] = []
        """Exceptions raised by the fake itself; a non-empty list means the fake has a bug."""

        self._methods: dict[str, _MethodHandler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "sendMessage": self._send_message,
            "sendPhoto": lambda p, u: self._send_media("photo", p, u),
            "sendDocument": lambda p, u: self._send_media("document", p, u),
            "sendVoice": lambda p, u: self._send_media("voice", p, u),
            "sendSticker": lambda p, u: self._send_media("sticker", p, u),
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "getFile": self._get_file,
            "close": self._true,
            "logOut": self._true,
            "setMyDescription": self._true,
            "setMyShortDescription": self._true,
            "setMyName": self._true,
            "setChatMenuButton": self._true,
            "setMyDefaultAdministratorRights": self._true,
        }
        # Telegram matches method names case-insensitively.
        self._canonical = {name.lower(): name for name in self._methods}

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeBotAPI:
        if self._server is not None:
            return self
        self._server = _Server((self.host, self._requested_port), self)
        self._thread = threading.Thread(
            target=self._server.serve,
            name=f"FakeBotAPI:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            if self._stopping:
                return
            self._stopping = True
            self._cond.notify_all()
        server, self._server = self._server, None
        if server is not None:
            server.halt()
            if self._thread is not None:
                self._thread.join(timeout=5)
            server.server_close()
            server.close_connections()

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def stopping(self) -> bool:
        return self._stopping

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeBotAPI is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What PTB wants as ``base_url`` (it appends the token itself)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # ------------------------------------------------------------------ observation

    @property
    def calls(self) -> list[Call]:
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str, *, chat_id: int | None = None) -> list[Call]:
        """All successful calls of ``method`` (optionally to one chat), ignoring the mark."""
        with self._cond:
            return [c for c in self._calls if self._matches(c, method, chat_id, False)]

    def mark(self) -> None:
        """Start a new "since" window for :meth:`wait_for_calls` and :meth:`wait_for_text`."""
        with self._cond:
            self._mark = len(self._calls)

    def texts(self, chat_id: int) -> list[str]:
        """Texts of every successful sendMessage to ``chat_id`` (not captions, not edits)."""
        with self._cond:
            return [
                c.params["text"]
                for c in self._calls
                if self._matches(c, "sendMessage", chat_id, False) and "text" in c.params
            ]

    def wait_for_calls(
        self,
        method: str = "sendMessage",
        *,
        chat_id: int | None = None,
        count: int = 1,
        timeout: float = 10.0,
        include_failed: bool = False,
    ) -> list[Call]:
        """Block until ``count`` matching calls happened since the last :meth:`mark`.

        Failed calls are skipped by default so a 429-then-retry counts once, as the user
        would see it.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [
                    c
                    for c in self._calls[self._mark :]
                    if self._matches(c, method, chat_id, include_failed)
                ]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stopping:
                    target = f"{method}" + (f" to chat {chat_id}" if chat_id is not None else "")
                    raise AssertionError(
                        f"expected {count} {target} call(s) within {timeout}s since mark, "
                        f"saw {len(found)}.\n{self._describe_since_mark()}"
                    )
                self._cond.wait(remaining)

    def wait_for_text(self, chat_id: int, contains: str, *, timeout: float = 10.0) -> Call:
        """Block until a sendMessage to ``chat_id`` containing ``contains`` since the mark."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for c in self._calls[self._mark :]:
                    if self._matches(c, "sendMessage", chat_id, False) and contains in (
                        c.text or ""
                    ):
                        return c
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stopping:
                    raise AssertionError(
                        f"no sendMessage to chat {chat_id} containing {contains!r} within "
                        f"{timeout}s since mark.\n{self._describe_since_mark()}"
                    )
                self._cond.wait(remaining)

    def wait_until_polled(self, timeout: float = 10.0) -> None:
        """Return once the bot has started at least one getUpdates, i.e. it is up."""
        self._wait_for(lambda: self._polls_started > 0, timeout, "the bot to call getUpdates")

    def wait_until_polling_blocked(self, timeout: float = 10.0) -> None:
        """Return once a getUpdates request is parked waiting for updates.

        Handy to provoke the "update arrives mid long-poll" path deterministically.  It does
        not mean earlier updates were handled: PTB polls and processes concurrently.
        """
        self._wait_for(
            lambda: self._polls_waiting > 0, timeout, "a getUpdates long poll to block"
        )

    @property
    def webhook_url(self) -> str | None:
        with self._cond:
            return self._webhook_url

    @property
    def webhook_attempts(self) -> list[WebhookAttempt]:
        """Every POST to the webhook so far, failed ones included, in the order they ended."""
        with self._cond:
            return list(self._webhook_attempts)

    def wait_until_delivered(self, update_id: int, timeout: float = 10.0) -> None:
        """Return once the webhook has answered 2xx for this update."""
        self._wait_for(
            lambda: update_id in self._delivered, timeout, f"update {update_id} to be delivered"
        )

    def commands(self, *, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands last registered with setMyCommands for this scope/language."""
        with self._cond:
            return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """Current state (after edits) of a message, or None if unknown or deleted."""
        with self._cond:
            msg = self._messages.get((chat_id, message_id))
            return copy.deepcopy(msg) if msg is not None else None

    def last_bot_message(self, chat_id: int) -> JSON | None:
        with self._cond:
            mid = self._last_bot_message.get(chat_id)
            msg = self._messages.get((chat_id, mid)) if mid is not None else None
            return copy.deepcopy(msg) if msg is not None else None

    @property
    def pending_updates(self) -> int:
        """Updates pushed but not yet confirmed by a getUpdates offset."""
        with self._cond:
            return len(self._updates)

    # ------------------------------------------------------------------ behaviour control

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with this Telegram error."""
        with self._cond:
            queue = self._failures.setdefault(method.lower(), deque())
            queue.append(_Failure(error_code, description, retry_after, times))

    def fail_every(self, method: str, n: int, error_code: int, description: str) -> None:
        """From now on every ``n``-th call of ``method`` fails (a flaky server); n=0 stops."""
        with self._cond:
            if n:
                self._fail_every[method.lower()] = (n, error_code, description)
            else:
                self._fail_every.pop(method.lower(), None)

    def enforce_rate(self, per_second: float | None) -> None:
        """Answer 429 to send* methods beyond ``per_second`` (token bucket); None disables."""
        with self._cond:
            self._rate = per_second
            self._tokens = max(1.0, per_second or 0.0)
            self._tokens_at = time.monotonic()

    def route_webhook(self, urls: list[str] | None) -> None:
        """A load balancer in front: deliveries go to these URLs in turn (a failed one is
        tried again on the next) instead of the registered URL; None routes to it again.

        The registered URL stays what ``getWebhookInfo`` reports, as with a real proxy."""
        with self._cond:
            self._webhook_routes = list(urls) if urls else None
            self._cond.notify_all()

    def redeliver(self, update_id: int) -> None:
        """Deliver an update that was already accepted once more, as Telegram does when our
        answer was lost (webhook delivery is at least once)."""
        with self._cond:
            update = self._delivered.get(update_id)
            if update is None:
                raise AssertionError(f"update {update_id} was not delivered yet")
            del self._delivered[update_id]
            self._updates.append(copy.deepcopy(update))
            self._updates.sort(key=lambda u: int(u["update_id"]))
            self._cond.notify_all()

    def block_chat(self, chat_id: int) -> None:
        """Simulate the user blocking the bot: sends answer 403 from now on."""
        with self._cond:
            self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        with self._cond:
            self._blocked.discard(chat_id)

    # ------------------------------------------------------------------ pushing updates

    def push_text(
        self, user_id: int, text: str, *, first_name: str = "Alex", language_code: str = "en"
    ) -> int:
        with self._cond:
            user = self._user(user_id, first_name, language_code)
            chat = self._private_chat(user)
            msg = self._user_message(chat, user, text=text)
            return self._enqueue({"message": msg})

    def push_group_text(
        self,
        user_id: int,
        group_chat_id: int,
        text: str,
        *,
        first_name: str = "Alex",
        language_code: str = "en",
        title: str = "Test Group",
    ) -> int:
        with self._cond:
            user = self._user(user_id, first_name, language_code)
            chat = self._chats.setdefault(
                group_chat_id, {"id": group_chat_id, "type": "group", "title": title}
            )
            msg = self._user_message(chat, user, text=text)
            return self._enqueue({"message": msg})

    def push_edited_text(
        self,
        user_id: int,
        text: str,
        *,
        message_id: int | None = None,
        first_name: str = "Alex",
        language_code: str = "en",
    ) -> int:
        """Edit of the user's last message (or ``message_id``), as an ``edited_message``."""
        with self._cond:
            user = self._user(user_id, first_name, language_code)
            chat = self._private_chat(user)
            mid = message_id if message_id is not None else self._last_user_message.get(user_id)
            stored = self._messages.get((user_id, mid)) if mid is not None else None
            if stored is None:
                stored = self._user_message(chat, user, text=text)
            stored["text"] = text
            stored["edit_date"] = _now()
            stored.pop("entities", None)
            entities = self._command_entities(text)
            if entities:
                stored["entities"] = entities
            return self._enqueue({"edited_message": copy.deepcopy(stored)})

    def push_photo(
        self,
        user_id: int,
        *,
        caption: str | None = None,
        content: bytes = b"\xff\xd8\xff\xe0fake-jpeg",
        first_name: str = "Alex",
    ) -> int:
        with self._cond:
            user = self._user(user_id, first_name, None)
            stored = self._store_file("photo", content, "jpg")
            extra: JSON = {"photo": self._photo_sizes(stored)}
            if caption is not None:
                extra["caption"] = caption
            msg = self._user_message(self._private_chat(user), user, **extra)
            return self._enqueue({"message": msg})

    def push_sticker(self, user_id: int, *, emoji: str = "👍", first_name: str = "Alex") -> int:
        with self._cond:
            user = self._user(user_id, first_name, None)
            stored = self._store_file("sticker", b"RIFF\x00\x00\x00\x00WEBPfake", "webp")
            sticker = self._media_object("sticker", stored, _Upload("s.webp", b"", "image/webp"))
            sticker["emoji"] = emoji
            msg = self._user_message(self._private_chat(user), user, sticker=sticker)
            return self._enqueue({"message": msg})

    def push_voice(self, user_id: int, *, duration: int = 3, first_name: str = "Alex") -> int:
        with self._cond:
            user = self._user(user_id, first_name, None)
            stored = self._store_file("voice", b"OggSfake-voice", "oga")
            voice = self._media_object("voice", stored, _Upload("v.oga", b"", "audio/ogg"))
            voice["duration"] = duration
            msg = self._user_message(self._private_chat(user), user, voice=voice)
            return self._enqueue({"message": msg})

    def push_callback(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int | None = None,
        first_name: str = "Alex",
        language_code: str = "en",
    ) -> int:
        """A button press on ``message_id`` (default: the bot's last message to that chat).

        If that message is unknown a placeholder bot message is created, since a press
        implies the message exists.
        """
        with self._cond:
            user = self._user(user_id, first_name, language_code)
            chat = self._private_chat(user)
            mid = message_id if message_id is not None else self._last_bot_message.get(user_id)
            msg = self._messages.get((user_id, mid)) if mid is not None else None
            if msg is None:
                msg = self._bot_message(chat, {"text": "…"}, message_id=mid)
            query_id = str(next(self._callback_ids))
            self._callback_query_ids.add(query_id)
            query = {
                "id": query_id,
                "from": dict(user),
                "chat_instance": str(-(7_000_000_000_000 + abs(user_id))),
                "data": data,
                "message": copy.deepcopy(msg),
            }
            return self._enqueue({"callback_query": query})

    def click(self, user_id: int, button_text: str, *, message_id: int | None = None) -> int:
        """Press the inline button labelled ``button_text`` on the bot's latest keyboard.

        Lets e2e tests follow the UI by label rather than hard-coding callback data.
        Matches exactly first, then by unique case-insensitive substring.
        """
        with self._cond:
            msg = self._keyboard_message(user_id, message_id)
            buttons = [
                b
                for row in msg["reply_markup"]["inline_keyboard"]
                for b in row
                if "callback_data" in b
            ]
            chosen = [b for b in buttons if b["text"] == button_text] or [
                b for b in buttons if button_text.lower() in b["text"].lower()
            ]
            if len(chosen) != 1:
                labels = [b["text"] for b in buttons]
                raise AssertionError(
                    f"{len(chosen)} buttons match {button_text!r} on message "
                    f"{msg['message_id']}; buttons: {labels}"
                )
            return self.push_callback(
                user_id, chosen[0]["callback_data"], message_id=msg["message_id"]
            )

    def push_my_chat_member(
        self, user_id: int, *, old_status: str = "member", new_status: str = "kicked"
    ) -> int:
        """The user blocking ("kicked") or unblocking ("member") the bot.

        Also flips :meth:`block_chat` so later sends fail the way Telegram's would.
        """
        with self._cond:
            user = self._user(user_id, _DEFAULT_FIRST_NAME, None)
            chat = self._private_chat(user)

            def member(status: str) -> JSON:
                entry: JSON = {"user": self._bot_user(), "status": status}
                if status == "kicked":
                    entry["until_date"] = 0
                return entry

            if new_status == "kicked":
                self._blocked.add(user_id)
            elif new_status == "member":
                self._blocked.discard(user_id)
            return self._enqueue(
                {
                    "my_chat_member": {
                        "chat": dict(chat),
                        "from": dict(user),
                        "date": _now(),
                        "old_chat_member": member(old_status),
                        "new_chat_member": member(new_status),
                    }
                }
            )

    def push_raw(self, update: JSON) -> int:
        """Queue an arbitrary update; ``update_id`` is assigned unless one is given."""
        with self._cond:
            update = copy.deepcopy(update)
            query = update.get("callback_query")
            if isinstance(query, dict) and "id" in query:
                self._callback_query_ids.add(str(query["id"]))
            if "update_id" in update:
                given = int(update["update_id"])
                current = next(self._update_ids)
                self._update_ids = itertools.count(max(given, current - 1) + 1)
                return self._enqueue(update, update_id=given)
            return self._enqueue(update)

    # ------------------------------------------------------------------ internals: state

    def _wait_for(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stopping:
                    raise AssertionError(
                        f"timed out after {timeout}s waiting for {what}.\n"
                        f"{self._describe_since_mark()}"
                    )
                self._cond.wait(remaining)

    @staticmethod
    def _matches(call: Call, method: str, chat_id: int | None, include_failed: bool) -> bool:
        return (
            call.method == method
            and (include_failed or call.ok)
            and (chat_id is None or call.params.get("chat_id") == chat_id)
        )

    def _describe_since_mark(self) -> str:
        recent = self._calls[self._mark :]
        lines = [f"calls since mark ({len(recent)}):"]
        lines += [f"  #{self._mark + i} {c.describe()}" for i, c in enumerate(recent)]
        if self.internal_errors:
            lines.append(f"fake internal errors: {self.internal_errors}")
        return "\n".join(lines)

    def _bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def _user(self, user_id: int, first_name: str, language_code: str | None) -> JSON:
        user = self._users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": first_name}
        )
        # A later push that leaves the default name must not undo a custom one.
        if first_name != _DEFAULT_FIRST_NAME:
            user["first_name"] = first_name
        if language_code is not None:
            user["language_code"] = language_code
        return user

    def _private_chat(self, user: JSON) -> JSON:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        self._chats[user["id"]] = chat
        return chat

    def _chat(self, chat_id: int) -> JSON:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                chat = {"id": chat_id, "type": "private", "first_name": "User"}
            else:
                chat = {"id": chat_id, "type": "group", "title": "Group"}
            self._chats[chat_id] = chat
        return chat

    def _next_message_id(self, chat_id: int, explicit: int | None = None) -> int:
        """Message ids are per chat and shared by user and bot messages, as on Telegram."""
        last = self._last_message_id.get(chat_id, 0)
        mid = explicit if explicit is not None else last + 1
        self._last_message_id[chat_id] = max(last, mid)
        return mid

    def _command_entities(self, text: str) -> list[JSON]:
        match = _BOT_COMMAND_RE.match(text)
        if not match:
            return []
        return [{"type": "bot_command", "offset": 0, "length": len(match.group(0))}]

    def _user_message(self, chat: JSON, user: JSON, **content: Any) -> JSON:
        mid = self._next_message_id(chat["id"])
        msg: JSON = {
            "message_id": mid,
            "from": dict(user),
            "chat": dict(chat),
            "date": _now(),
            **content,
        }
        if isinstance(content.get("text"), str):
            entities = self._command_entities(content["text"])
            if entities:
                msg["entities"] = entities
        self._messages[(chat["id"], mid)] = msg
        self._last_user_message[chat["id"]] = mid
        return copy.deepcopy(msg)

    def _bot_message(self, chat: JSON, content: JSON, *, message_id: int | None = None) -> JSON:
        mid = self._next_message_id(chat["id"], message_id)
        msg: JSON = {
            "message_id": mid,
            "from": self._bot_user(),
            "chat": dict(chat),
            "date": _now(),
            **content,
        }
        self._messages[(chat["id"], mid)] = msg
        if message_id is None or mid >= self._last_bot_message.get(chat["id"], 0):
            self._last_bot_message[chat["id"]] = mid
        return msg

    def _keyboard_message(self, chat_id: int, message_id: int | None) -> JSON:
        if message_id is not None:
            msg = self._messages.get((chat_id, message_id))
            if msg is None or "reply_markup" not in msg:
                raise AssertionError(f"message {message_id} in chat {chat_id} has no keyboard")
            return msg
        candidates = [
            m
            for (cid, _), m in self._messages.items()
            if cid == chat_id and m["from"]["id"] == self.bot_id and "reply_markup" in m
        ]
        if not candidates:
            raise AssertionError(f"the bot has shown no inline keyboard in chat {chat_id}")
        return max(candidates, key=lambda m: int(m["message_id"]))

    def _enqueue(self, update: JSON, *, update_id: int | None = None) -> int:
        uid = update_id if update_id is not None else next(self._update_ids)
        update["update_id"] = uid
        kind = next((k for k in update if k != "update_id"), "")
        allowed = self._allowed_updates
        # Telegram filters at creation time against the setting then in force.
        if (allowed is None and kind not in _OPT_IN_UPDATE_TYPES) or (
            allowed is not None and kind in allowed
        ):
            self._updates.append(update)
            if len(self._updates) > 1 and uid < int(self._updates[-2]["update_id"]):
                self._updates.sort(key=lambda u: int(u["update_id"]))
        self._cond.notify_all()
        return uid

    def _store_file(self, kind: str, content: bytes, ext: str) -> _StoredFile:
        n = next(self._file_ids)
        stored = _StoredFile(
            file_id=f"Fake{kind.capitalize()}FileId{n:06d}",
            file_unique_id=f"FakeUnique{n:06d}",
            file_path=f"{kind}s/file_{n}.{ext}",
            content=content,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def _photo_sizes(stored: _StoredFile) -> list[JSON]:
        return [
            {
                "file_id": stored.file_id + "s",
                "file_unique_id": stored.file_unique_id + "s",
                "width": 90,
                "height": 67,
                "file_size": min(len(stored.content), 1024),
            },
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": 1280,
                "height": 960,
                "file_size": len(stored.content),
            },
        ]

    @staticmethod
    def _media_object(kind: str, stored: _StoredFile, upload: _Upload) -> JSON:
        obj: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        if kind == "document":
            obj["file_name"] = upload.filename
            obj["mime_type"] = upload.mime_type
        elif kind == "voice":
            obj["duration"] = 1
            obj["mime_type"] = upload.mime_type
        elif kind == "sticker":
            obj.update(type="regular", width=512, height=512, is_animated=False, is_video=False)
        return obj

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope_key = json.dumps(scope or {"type": "default"}, sort_keys=True)
        return scope_key, str(language_code or "")

    # ------------------------------------------------------------------ internals: webhook

    def _start_webhook_workers(self) -> None:
        """One delivery thread per allowed connection (Telegram's ``max_connections``)."""
        while len(self._webhook_workers) < self._webhook_max_connections:
            worker = threading.Thread(
                target=self._deliver_forever,
                name=f"FakeBotAPI-webhook-{len(self._webhook_workers)}",
                daemon=True,
            )
            self._webhook_workers.append(worker)
            worker.start()

    def _deliver_forever(self) -> None:
        """Take the next deliverable update, POST it, and keep it until answered 2xx.

        Like Telegram: a non-2xx answer or a failed connection is tried again later (at
        least once delivery); up to ``max_connections`` updates are in flight at once, and
        one chat's updates go one at a time, in order.
        """
        while True:
            with self._cond:
                job, wait = self._next_delivery()
                while job is None:
                    if self._stopping:
                        return
                    self._cond.wait(wait)
                    job, wait = self._next_delivery()
            update, url, secret = job
            status, error = self._post_update(url, update, secret)
            with self._cond:
                self._delivery_done(update, url, status, error)

    def _next_delivery(self) -> tuple[tuple[JSON, str, str | None] | None, float | None]:
        """The next update to POST (and where), or None with how long to wait at most."""
        busy = len(self._in_flight) >= self._webhook_max_connections
        if self._stopping or not self._webhook_url or busy:
            return None, None
        now = time.monotonic()
        held: set[int] = set()  # chats with an earlier update still on its way
        wait: float | None = None
        for update in self._updates:
            uid = int(update["update_id"])
            chat = _chat_of(update)
            if chat is not None and chat in held:
                continue
            due = self._retry_at.get(uid, 0.0)
            if uid in self._in_flight or due > now:
                if uid not in self._in_flight:
                    wait = due - now if wait is None else min(wait, due - now)
                if chat is not None:
                    held.add(chat)
                continue
            self._in_flight.add(uid)
            routes = self._webhook_routes or [self._webhook_url]
            url = routes[next(self._route_turn) % len(routes)]
            return (copy.deepcopy(update), url, self._webhook_secret), None
        return None, wait

    def _post_update(
        self, url: str, update: JSON, secret: str | None
    ) -> tuple[int | None, str | None]:
        parts = urlsplit(url)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        conn = connection_class(parts.hostname or "", parts.port, timeout=self.webhook_timeout)
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[_SECRET_HEADER] = secret
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        try:
            conn.request("POST", target, json.dumps(update).encode("utf-8"), headers)
            response = conn.getresponse()
            response.read()
            return response.status, None
        except (OSError, http.client.HTTPException) as exc:
            return None, type(exc).__name__
        finally:
            conn.close()

    def _delivery_done(
        self, update: JSON, url: str, status: int | None, error: str | None
    ) -> None:
        uid = int(update["update_id"])
        self._in_flight.discard(uid)
        attempt = WebhookAttempt(uid, url, status, error)
        self._webhook_attempts.append(attempt)
        if attempt.ok:
            self._updates = [u for u in self._updates if int(u["update_id"]) != uid]
            self._retry_at.pop(uid, None)
            self._failed_tries.pop(uid, None)
            self._delivered[uid] = update
        else:
            tries = self._failed_tries[uid] = self._failed_tries.get(uid, 0) + 1
            pause = min(self.webhook_retry_seconds * 2 ** (tries - 1), _WEBHOOK_RETRY_CAP)
            self._retry_at[uid] = time.monotonic() + pause
            what = f"Wrong response from the webhook: {status}" if status else error
            self._webhook_last_error = (_now(), what or "Connection failed")
        self._cond.notify_all()

    # ------------------------------------------------------------------ internals: HTTP

    def _handle_http(
        self, url: SplitResult, content_type: str, body: bytes
    ) -> tuple[int, bytes, str]:
        path = unquote(url.path)  # PTB percent-encodes file URLs, including the token's ':'
        if path.startswith("/file/bot"):
            return self._handle_file_download(path[len("/file/bot") :])
        match = re.fullmatch(r"/bot([^/]*)/([A-Za-z0-9_]+)", path)
        if not match:
            return _error_response(404, "Not Found")
        token, method_name = match.groups()
        if token != self.token:
            return _error_response(401, "Unauthorized")
        try:
            raw: dict[str, Any] = dict(parse_qsl(url.query, keep_blank_values=True))
            uploads: Uploads = {}
            ctype = content_type.lower()
            if ctype.startswith("multipart/form-data"):
                fields, uploads = _parse_multipart(body, content_type)
                raw.update(fields)
            elif ctype.startswith("application/json") and body.strip():
                loaded = json.loads(body)
                if not isinstance(loaded, dict):
                    raise ApiError(400, "Bad Request: JSON object expected")
                raw.update(loaded)
            elif body:
                raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            params = _decode_params(raw)
        except ApiError as exc:
            return _json_response(exc.error_code, exc.payload())
        except (ValueError, UnicodeDecodeError) as exc:
            return _error_response(400, f"Bad Request: {exc}")
        return _json_response(*self._call(method_name, params, uploads))

    def _handle_file_download(self, rest: str) -> tuple[int, bytes, str]:
        token, _, file_path = rest.partition("/")
        if token != self.token:
            return _error_response(401, "Unauthorized")
        with self._cond:
            stored = self._files_by_path.get(file_path)
        if stored is None:
            return _error_response(404, "Not Found")
        return 200, stored.content, "application/octet-stream"

    def _call(self, method_name: str, params: Params, uploads: Uploads) -> tuple[int, JSON]:
        files = {name: (u.filename, u.content) for name, u in uploads.items()}
        with self._cond:
            canonical = self._canonical.get(method_name.lower())
            name = canonical or method_name
            try:
                if canonical is None:
                    raise ApiError(404, "Not Found")
                result = self._execute(name, params, uploads)
                # Snapshot now: stored messages keep changing with later edits.
                result = copy.deepcopy(result)
            except ApiError as exc:
                if exc.error_code == 429:
                    self.http_429 += 1
                self._record(
                    Call(name, params, files, False, exc.error_code, exc.description)
                )
                return exc.error_code, exc.payload()
            except Exception as exc:
                detail = f"{name}: {type(exc).__name__}: {exc}"
                self.internal_errors.append(detail)
                self._record(Call(name, params, files, False, 500, detail))
                return 500, {"ok": False, "error_code": 500, "description": detail}
            self._record(Call(name, params, files, True, None, None, result))
            return 200, {"ok": True, "result": result}

    def _record(self, call: Call) -> None:
        self._calls.append(call)
        self._cond.notify_all()

    def _execute(self, name: str, params: Params, uploads: Uploads) -> Any:
        every = self._fail_every.get(name.lower())
        if every is not None:
            count = self._calls_of.get(name.lower(), 0) + 1
            self._calls_of[name.lower()] = count
            if count % every[0] == 0:
                raise ApiError(every[1], every[2])
        queue = self._failures.get(name.lower())
        if queue:
            failure = queue[0]
            failure.remaining -= 1
            if failure.remaining <= 0:
                queue.popleft()
            raise ApiError(
                failure.error_code, failure.description, retry_after=failure.retry_after
            )
        if name.startswith("send"):
            chat_id = params.get("chat_id")
            if isinstance(chat_id, int) and chat_id in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if name != "sendChatAction":
                self._take_rate_token()
        return self._methods[name](params, uploads)

    def _take_rate_token(self) -> None:
        if not self._rate:
            return
        now = time.monotonic()
        capacity = max(1.0, self._rate)
        self._tokens = min(capacity, self._tokens + (now - self._tokens_at) * self._rate)
        self._tokens_at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return
        retry_after = max(1, math.ceil((1.0 - self._tokens) / self._rate))
        raise ApiError(
            429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
        )

    # ------------------------------------------------------------------ internals: validation

    def _chat_from_params(self, params: Params) -> JSON:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        return self._chat(chat_id)

    def _render(self, text: str, parse_mode: Any) -> str:
        if not self.validate_markup or not isinstance(parse_mode, str):
            return text
        mode = parse_mode.lower()
        if mode == "html":
            return _render_html(text)
        if mode == "markdownv2":
            return _render_markdown_v2(text)
        return text

    def _validated_text(self, params: Params) -> str:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        rendered = self._render(text, params.get("parse_mode"))
        if not rendered.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(rendered) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        return rendered

    def _validated_caption(self, params: Params) -> str | None:
        caption = params.get("caption")
        if not isinstance(caption, str) or caption == "":
            return None
        rendered = self._render(caption, params.get("parse_mode"))
        if len(rendered) > MAX_CAPTION_LENGTH:
            raise ApiError(400, "Bad Request: message caption is too long")
        return rendered

    @staticmethod
    def _validated_markup(params: Params) -> JSON | None:
        """Returns the markup Telegram would echo on the message: inline keyboards only."""
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise ApiError(400, "Bad Request: can't parse inline keyboard button")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button")
                if len(button) == 1:
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and (
                    not isinstance(data, str)
                    or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                ):
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _reply_to(self, chat_id: int, params: Params) -> JSON | None:
        reply = params.get("reply_parameters")
        mid = reply.get("message_id") if isinstance(reply, dict) else None
        mid = mid if mid is not None else params.get("reply_to_message_id")
        msg = self._messages.get((chat_id, mid)) if isinstance(mid, int) else None
        if msg is None:
            return None
        quoted = copy.deepcopy(msg)
        quoted.pop("reply_to_message", None)
        return quoted

    def _bot_message_to_edit(self, params: Params, missing: str) -> JSON | None:
        if params.get("inline_message_id"):
            return None
        chat = self._chat_from_params(params)
        mid = params.get("message_id")
        msg = self._messages.get((chat["id"], mid)) if isinstance(mid, int) else None
        if msg is None:
            raise ApiError(400, f"Bad Request: message to {missing} not found")
        if msg["from"]["id"] != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        return msg

    # ------------------------------------------------------------------ Bot API methods

    def _true(self, params: Params, uploads: Uploads) -> bool:
        return True

    def _get_me(self, params: Params, uploads: Uploads) -> JSON:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_updates(self, params: Params, uploads: Uploads) -> list[JSON]:
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(100, max(1, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            self._allowed_updates = list(allowed) if allowed else None
        if offset > 0:
            self._updates = [u for u in self._updates if int(u["update_id"]) >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

        # A newer getUpdates terminates an older one, as on Telegram; this also frees server
        # threads whose client (a cancelled PTB poll) has gone away.
        self._poll_generation += 1
        generation = self._poll_generation
        self._polls_started += 1
        self._cond.notify_all()
        deadline = time.monotonic() + timeout
        while not self._updates and not self._stopping and generation == self._poll_generation:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._polls_waiting += 1
            self._cond.notify_all()
            try:
                self._cond.wait(remaining)
            finally:
                self._polls_waiting -= 1
        if generation != self._poll_generation and not self._stopping:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one "
                "bot instance is running",
            )
        if self._stopping:
            return []
        return self._updates[:limit]

    def _set_webhook(self, params: Params, uploads: Uploads) -> bool:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.match(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        limit = params.get("max_connections", 40)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
            raise ApiError(400, "Bad Request: bad webhook: invalid max_connections")
        if url:
            parts = urlsplit(url)
            # Telegram wants HTTPS; the fake also takes plain HTTP on this machine.
            if parts.scheme != "https" and not (
                parts.scheme == "http" and parts.hostname in _LOOPBACK
            ):
                raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            self._allowed_updates = list(allowed) if allowed else None
        self._webhook_url = url or None
        self._webhook_secret = str(secret) if secret is not None else None
        self._webhook_max_connections = limit
        self._webhook_last_error = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if url:
            self._start_webhook_workers()
        self._cond.notify_all()
        return True

    def _delete_webhook(self, params: Params, uploads: Uploads) -> bool:
        self._webhook_url = None
        self._webhook_secret = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_webhook_info(self, params: Params, uploads: Uploads) -> JSON:
        info: JSON = {
            "url": self._webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook_url:  # never the secret: Telegram does not give it back
            info["max_connections"] = self._webhook_max_connections
            if self._allowed_updates is not None:
                info["allowed_updates"] = list(self._allowed_updates)
            if self._webhook_last_error is not None:
                info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    def _set_my_commands(self, params: Params, uploads: Uploads) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_NAME_RE.match(
                str(command.get("command", ""))
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description is invalid")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = copy.deepcopy(commands)
        return True

    def _get_my_commands(self, params: Params, uploads: Uploads) -> list[JSON]:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        return self._commands.get(key, [])

    def _delete_my_commands(self, params: Params, uploads: Uploads) -> bool:
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        self._commands.pop(key, None)
        return True

    def _send_message(self, params: Params, uploads: Uploads) -> JSON:
        chat = self._chat_from_params(params)
        content: JSON = {"text": self._validated_text(params)}
        markup = self._validated_markup(params)
        if markup is not None:
            content["reply_markup"] = markup
        reply_to = self._reply_to(chat["id"], params)
        if reply_to is not None:
            content["reply_to_message"] = reply_to
        return self._bot_message(chat, content)

    def _send_media(self, kind: str, params: Params, uploads: Uploads) -> JSON:
        chat = self._chat_from_params(params)
        value = params.get(kind)
        upload = uploads.get(kind)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value[len("attach://") :])
        if upload is not None:
            ext = upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else "bin"
            stored = self._store_file(kind, upload.content, ext)
        elif isinstance(value, str) and value in self._files:
            stored = self._files[value]
            upload = _Upload(stored.file_path.rsplit("/", 1)[-1], b"", "application/octet-stream")
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            stored = self._store_file(kind, b"downloaded:" + value.encode(), "bin")
            upload = _Upload(value.rsplit("/", 1)[-1] or "file", b"", "application/octet-stream")
        elif value:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        else:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        content: JSON = {}
        if kind == "photo":
            content["photo"] = self._photo_sizes(stored)
        else:
            content[kind] = self._media_object(kind, stored, upload)
        caption = self._validated_caption(params)
        if caption is not None and kind != "sticker":
            content["caption"] = caption
        markup = self._validated_markup(params)
        if markup is not None:
            content["reply_markup"] = markup
        return self._bot_message(chat, content)

    def _send_chat_action(self, params: Params, uploads: Uploads) -> bool:
        self._chat_from_params(params)
        if not params.get("action"):
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _edit_message_text(self, params: Params, uploads: Uploads) -> JSON | bool:
        msg = self._bot_message_to_edit(params, "edit")
        text = self._validated_text(params)
        markup = self._validated_markup(params)
        if msg is None:
            return True
        if "text" not in msg:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        self._apply_edit(msg, "text", text, markup)
        return msg

    def _edit_message_caption(self, params: Params, uploads: Uploads) -> JSON | bool:
        msg = self._bot_message_to_edit(params, "edit")
        caption = self._validated_caption(params)
        markup = self._validated_markup(params)
        if msg is None:
            return True
        if "text" in msg:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        self._apply_edit(msg, "caption", caption, markup)
        return msg

    def _edit_message_reply_markup(self, params: Params, uploads: Uploads) -> JSON | bool:
        msg = self._bot_message_to_edit(params, "edit")
        markup = self._validated_markup(params)
        if msg is None:
            return True
        if msg.get("reply_markup") == markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        self._set_markup(msg, markup)
        msg["edit_date"] = _now()
        return msg

    def _apply_edit(self, msg: JSON, key: str, value: str | None, markup: JSON | None) -> None:
        # Editing without reply_markup removes the keyboard, as on Telegram.
        if msg.get(key) == value and msg.get("reply_markup") == markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        if value is None:
            msg.pop(key, None)
        else:
            msg[key] = value
        self._set_markup(msg, markup)
        msg["edit_date"] = _now()

    @staticmethod
    def _set_markup(msg: JSON, markup: JSON | None) -> None:
        if markup is None:
            msg.pop("reply_markup", None)
        else:
            msg["reply_markup"] = markup

    def _delete_message(self, params: Params, uploads: Uploads) -> bool:
        chat = self._chat_from_params(params)
        mid = params.get("message_id")
        if not isinstance(mid, int) or self._messages.pop((chat["id"], mid), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _answer_callback_query(self, params: Params, uploads: Uploads) -> bool:
        if str(params.get("callback_query_id", "")) not in self._callback_query_ids:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is "
                "invalid",
            )
        text = params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _get_file(self, params: Params, uploads: Uploads) -> JSON:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

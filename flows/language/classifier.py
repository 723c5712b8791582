"""The small trained model behind the rules: one sentence encoder, two heads, run offline.

Rules recognise the sentences they were written from; people on a phone write "kms", bury
"i wrote the kids letters just in case" in the middle of a message about work, or blame
without a single marker word. The model (all-MiniLM-L6-v2 fine-tuned on Mend's labelled
messages, int8 ONNX, committed under `flows/model/` with a manifest of its data) reads
those. It runs on onnxruntime and tokenizers only: nothing is downloaded, torch is never
needed to run Mend (`make model` rebuilds it; see `bot/train/`).

The rules stay first and stay explainable; this module only reports probabilities, and the
thresholds chosen when the model was built (the manifest) that `flows.language.screen.decide` reads:
*clear* (sure enough for the full crisis response), *possible* (worth a gentle "are you
safe right now?"), and *veto* (so sure a rule misread a harmless message that the rule's
verdict becomes a question instead). Long messages are read in overlapping windows and the
most worrying window counts, so a risk in the middle of a long message is not averaged away.

If the files or onnxruntime are missing, or the operator turned the model off, `active()`
is None and the checks fall back to the rules alone; that is logged once, never per message.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Final, Literal, Protocol

import numpy as np

Level = Literal["clear", "possible", "none"]
FOLDER: Final = Path(__file__).resolve().parents[1] / "model"
WINDOW: Final = 256  # tokens per pass, [CLS] and [SEP] included
STRIDE: Final = 192
MAX_CHARS: Final = 15_000  # as the rules: Telegram's own cap is 4,096
CACHE: Final = 512

_log = logging.getLogger(__name__)


class Classifier:
    """One loaded model. Thread-safe: onnxruntime sessions may be run from several threads."""

    def __init__(self, folder: Path = FOLDER) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        # The build writes the heads' labels and the cut-offs it chose; nothing here copies them.
        manifest: dict[str, Any] = json.loads(
            (folder / "manifest.json").read_text(encoding="utf-8")
        )
        self.manifest = manifest
        self.risk_labels: tuple[str, ...] = tuple(manifest["labels"]["risk"])
        self.statement_labels: tuple[str, ...] = tuple(manifest["labels"]["statement"])
        self._blame = self.statement_labels.index("blame")
        self.thresholds: dict[str, float] = dict(manifest["thresholds"])
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        self._tokenizer = tokenizer
        cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
        if cls is None or sep is None:
            raise ValueError("the tokenizer has no [CLS] or [SEP] token")
        self._cls: int = cls
        self._sep: int = sep
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # one message at a time; leave the rest to the bot
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self._cache: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    # --- raw probabilities ----------------------------------------------------------------------

    def _windows(self, text: str) -> list[list[int]]:
        ids = self._tokenizer.encode(text, add_special_tokens=False).ids
        body = WINDOW - 2
        starts = range(0, max(len(ids) - body, 0) + STRIDE, STRIDE) if len(ids) > body else [0]
        return [[self._cls, *ids[s : s + body], self._sep] for s in starts]

    def _compute(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        windows = self._windows(text)
        width = max(len(w) for w in windows)
        ids = np.zeros((len(windows), width), dtype=np.int64)
        mask = np.zeros((len(windows), width), dtype=np.int64)
        for row, window in enumerate(windows):
            ids[row, : len(window)] = window
            mask[row, : len(window)] = 1
        risk, statement = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
        worst = int(np.argmin(risk[:, 0]))  # the window least likely to be harmless
        sharpest = int(np.argmax(statement[:, self._blame]))  # the window most like blame
        return risk[worst], statement[sharpest]

    def probabilities(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Both heads for one text; the last few hundred texts are remembered (by the process
        only, never stored) because a statement is screened and analysed in the same turn."""
        if len(text) > MAX_CHARS:
            text = text[:12_000] + " " + text[-3_000:]
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        found = self._compute(text)
        with self._lock:
            self._cache[text] = found
            if len(self._cache) > CACHE:
                self._cache.popitem(last=False)
        return found

    def risk(self, text: str) -> dict[str, float]:
        probs = self.probabilities(text)[0]
        return {label: float(p) for label, p in zip(self.risk_labels, probs, strict=True)}

    def statement(self, text: str) -> dict[str, float]:
        probs = self.probabilities(text)[1]
        return {label: float(p) for label, p in zip(self.statement_labels, probs, strict=True)}

    # --- decisions under the manifest's thresholds ----------------------------------------------

    def crisis(self, text: str) -> tuple[float, str]:
        """(how likely this is a crisis of any kind, and which kind is likeliest)."""
        probs = self.risk(text)
        category = max((k for k in probs if k != "none"), key=probs.__getitem__)
        return 1.0 - probs["none"], category

    def statement_kind(self, text: str) -> tuple[str, float]:
        probs = self.statement(text)
        kind = max(probs, key=probs.__getitem__)
        if kind != "blame" and probs["blame"] >= self.thresholds["blame"]:
            kind = "blame"
        return kind, probs[kind]


class Model(Protocol):
    """What the checks ask of a model (a test or a benchmark may install a stand-in)."""

    thresholds: dict[str, float]

    def crisis(self, text: str) -> tuple[float, str]: ...

    def statement_kind(self, text: str) -> tuple[str, float]: ...

    def probabilities(self, text: str) -> tuple[np.ndarray, np.ndarray]: ...


_active: Model | None = None
_loaded = False
_enabled = True
_guard = threading.Lock()


def configure(enabled: bool) -> None:
    """The operator's switch (`MEND_LANGUAGE_MODEL`); off means the rules alone."""
    global _enabled, _loaded, _active
    with _guard:
        _enabled = enabled
        _loaded = False
        _active = None


def install(model: Model | None) -> None:
    """Use this model from now on (None: the rules alone), as if it had been loaded."""
    global _active, _loaded
    with _guard:
        _active, _loaded = model, True


def active() -> Model | None:
    """The shipped model, loaded on first use (about a quarter of a second), or None."""
    global _active, _loaded
    if _loaded:
        return _active
    with _guard:
        if not _loaded:
            if _enabled:
                try:
                    _active = Classifier()
                except Exception as exc:  # a missing file must not take the bot down
                    _log.warning(
                        "language model not loaded (%s): screening with the rules alone",
                        type(exc).__name__,
                    )
                    _active = None
            _loaded = True
    return _active


def prime(text: str) -> None:
    """Compute a text's probabilities now (an adapter may call this in a worker thread so
    the coach, which is synchronous, finds them ready and the event loop never waits)."""
    model = active()
    if model is None or not text:
        return
    try:
        model.probabilities(text)
    except Exception as exc:  # the coach screens again and falls back to the rules
        _log.error("model pass failed: %s", type(exc).__name__)

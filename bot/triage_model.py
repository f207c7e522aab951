"""The learned half of red-flag triage: a small text classifier over caregivers' words.

The lexicon (bot/redflags.py) is exact where words are predictable; caregivers' words are not
("his mouth has gone a greyish colour", "she answered me at lunch and now nothing"). This
classifier covers the rest: a logistic regression over word n-grams (1-2) and character
n-grams (2-5, inside word boundaries, so typos still share most of their features), trained
on the project's own examples:

- bot/content/triage/emergency.yml and nurse.yml: red flags, each labelled with its kind;
- bot/content/triage/none.yml: messages that mention alarming words but are not an alarm
  (history, negation, long-known states, idioms, general questions, prevention) and the
  ordinary traffic of a massage guide;
- every training example of data/nlu/ except the red_flag intent, as "none", when the
  lexicon finds no red flag in it: the classifier must stay quiet on what the bot hears
  all day ("next", "is lotion ok?", "6").

Two models share the features: a gate (red flag or not: the probability `alarm`, compared by
bot/triage.py with a threshold chosen for recall) and a kind model trained on the red flags
only (which sign it is, so the reply names it and says the calls in the right order).
Training is deterministic and takes a few seconds; the models are kept in build/triage/
under a hash of every file they learn from, so a process trains at most once per content
change. The held-out sets in tests/data/triage/ are never read here.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TRIAGE_CONTENT = Path(__file__).resolve().parent / "content" / "triage"
NLU_DATA = ROOT / "data" / "nlu"
BUILD_DIR = ROOT / "build" / "triage"
NONE = "none"
VERSION = "2"  # bump when the features or the estimators change
GATE_C = 8.0
KINDS_C = 8.0

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prediction:
    kind: str  # the most likely red-flag kind, if it is one
    alarm: float  # probability that the message is a red flag of any kind (the gate)
    tiers: dict[str, float]  # if it is one: probability of each tier ("emergency", "nurse")
    kinds: dict[str, float]  # if it is one: probability of each kind

    def strictest(self, share: float) -> str:
        """The kind to answer with: the likeliest emergency kind when emergencies hold at
        least `share` of the probability (emergency beats nurse), else the likeliest kind of
        the other tier."""
        urgent = self.tiers.get("emergency", 0.0) >= share
        chosen = {k: p for k, p in self.kinds.items()
                  if (self.tiers_of.get(k, "emergency") == "emergency") == urgent}
        if chosen:
            return max(chosen, key=lambda k: chosen[k])
        return self.kind

    def likeliest(self, tier: str, exclude: tuple[str, ...] = ()) -> str | None:
        """The likeliest kind of `tier`, leaving out `exclude`."""
        chosen = {k: p for k, p in self.kinds.items()
                  if self.tiers_of.get(k, "emergency") == tier and k not in exclude}
        return max(chosen, key=lambda k: chosen[k]) if chosen else None

    tiers_of: dict[str, str] = field(default_factory=dict)


def _examples(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return list((yaml.safe_load(fh) or {}).get("examples") or [])


def _nlu_examples() -> Iterable[str]:
    """Training examples of data/nlu/ (every intent but red_flag), one per line."""
    for path in sorted(NLU_DATA.glob("*.yml")):
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        for block in data.get("nlu") or []:
            if block.get("intent") in (None, "red_flag"):
                continue
            for line in str(block.get("examples") or "").splitlines():
                text = line.strip().lstrip("-").strip()
                if text:
                    yield text


def training_data(kind_tiers: dict[str, str]) -> tuple[list[str], list[str]]:
    """(texts, labels): the kind of each red-flag example, NONE for the rest."""
    from bot.redflags import detect

    texts: list[str] = []
    labels: list[str] = []
    for name in ("emergency", "nurse"):
        for ex in _examples(TRIAGE_CONTENT / f"{name}.yml"):
            kind = str(ex["kind"])
            if kind_tiers.get(kind) != name:
                raise ValueError(f"triage/{name}.yml: kind {kind!r} is not a {name} kind "
                                 "of bot/content/redflags.yml")
            texts.append(str(ex["text"]))
            labels.append(kind)
    for ex in _examples(TRIAGE_CONTENT / "none.yml"):
        texts.append(str(ex["text"]))
        labels.append(NONE)
    seen = {t.lower() for t in texts}
    for text in _nlu_examples():
        if text.lower() not in seen and detect(text) is None:
            seen.add(text.lower())
            texts.append(text)
            labels.append(NONE)
    return texts, labels


def _sources() -> list[Path]:
    return [*sorted(TRIAGE_CONTENT.glob("*.yml")), *sorted(NLU_DATA.glob("*.yml")),
            Path(__file__).resolve().parent / "content" / "redflags.yml"]


def fingerprint() -> str:
    """A hash of everything the models learn from (and of this module's VERSION)."""
    h = hashlib.sha256(VERSION.encode())
    for path in _sources():
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def _features() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True,
                                  token_pattern=r"(?u)\b\w+\b")),
        # inside word boundaries: a typo ("cheast", "siezure") keeps most of its n-grams
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                  min_df=2, lowercase=True)),
    ])


def _fit(texts: list[str], labels: list[str]) -> tuple[Any, Any]:
    """(gate, kinds): red flag or not over everything; which kind over the red flags."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    gate = Pipeline([("features", _features()),
                     ("clf", LogisticRegression(C=GATE_C, max_iter=3000,
                                                class_weight="balanced"))])
    gate.fit(texts, [label != NONE for label in labels])
    flagged = [(t, k) for t, k in zip(texts, labels, strict=True) if k != NONE]
    kinds = Pipeline([("features", _features()),
                      ("clf", LogisticRegression(C=KINDS_C, max_iter=3000))])
    kinds.fit([t for t, _ in flagged], [k for _, k in flagged])
    return gate, kinds


class TriageModel:
    def __init__(self, models: tuple[Any, Any], kind_tiers: dict[str, str]) -> None:
        self.gate, self.kinds = models
        self.kind_tiers = kind_tiers
        self._alarm_column = list(self.gate.classes_).index(True)

    def predict(self, text: str) -> Prediction:
        alarm = float(self.gate.predict_proba([text])[0][self._alarm_column])
        probs = dict(zip(self.kinds.classes_, self.kinds.predict_proba([text])[0], strict=True))
        tiers: dict[str, float] = {}
        for kind, p in probs.items():
            tier = self.kind_tiers.get(kind, "emergency")
            tiers[tier] = tiers.get(tier, 0.0) + float(p)
        kind = max(probs, key=lambda k: probs[k])
        return Prediction(kind=str(kind), alarm=alarm, tiers=tiers,
                          kinds={str(k): float(p) for k, p in probs.items()},
                          tiers_of=self.kind_tiers)


def train(kind_tiers: dict[str, str], cache: bool = True) -> TriageModel:
    """The classifier for the current content: loaded from build/triage/ or trained."""
    path = BUILD_DIR / f"model-{fingerprint()}.pkl"
    if cache and path.exists():
        try:
            with path.open("rb") as fh:
                return TriageModel(pickle.load(fh), kind_tiers)
        except Exception:  # a damaged or foreign file: train again
            logger.warning("Could not load %s; training the triage model again.", path.name)
    models = _fit(*training_data(kind_tiers))
    if cache:
        BUILD_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(models, fh)
        tmp.replace(path)  # atomic: a reader never sees half a file
    return TriageModel(models, kind_tiers)


@lru_cache(maxsize=1)
def default_model() -> TriageModel:
    from bot.redflags import kind_tiers

    return train(kind_tiers())


if __name__ == "__main__":  # `python -m bot.triage_model`: build (or find) the model, say where
    model_path = BUILD_DIR / f"model-{fingerprint()}.pkl"
    default_model()
    print(model_path)

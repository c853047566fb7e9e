"""Collect what the champion gets wrong on the training split, into a bank kept across loops.

Two kinds of failure, both from the *training* split only (the test split stays unseen):
* evasions: an attack variant of a malicious text the model catches when clean, called benign —
  static variants, and (``attack.adaptive_train_sources``) what the model-guided adaptive attack
  found against this champion;
* clean misses: training texts the model misclassifies as they are (either direction).
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np
import pandas as pd

from adversarial_mlops.attacks.adaptive import ADAPTIVE
from adversarial_mlops.config import AttackSettings
from adversarial_mlops.data import MALICIOUS
from adversarial_mlops.judging.evaluation import adaptive_variants
from adversarial_mlops.loop.attack_runner import TRAINING, VARIANT_COLUMNS, drop_excluded
from adversarial_mlops.models.modeling import tokenizer_reads_case
from adversarial_mlops.storage.atomic_io import atomic_write_bytes

if TYPE_CHECKING:
    from adversarial_mlops.models.modeling import TextClassifier

BANK_COLUMNS = ("text", "label", "kind", "strategy", "source_id", "loop_id")
EVASION = "evasion"
CLEAN_MISS = "clean_miss"


def dedupe_key(text: str, *, case_sensitive: bool = False) -> str:
    """Texts that differ only in spacing (and, for a model that does not read case, in case) are
    the same training example. An uncased tokenizer (MiniLM's) gives "IGNORE" and "ignore" the
    same tokens; a cased one does not, and then a case variant is a different input to learn."""
    key = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    return key if case_sensitive else key.casefold()


@dataclass(frozen=True)
class Mining:
    """The champion's decisions on the training split: clean texts and training-purpose variants."""

    train: pd.DataFrame
    clean_pred: np.ndarray
    variants: pd.DataFrame  # training-purpose variants, with the champion's decision in a "pred" column
    case_sensitive: bool  # whether the champion's tokenizer reads case (deduplication)
    adaptive_summary: dict | None = None  # the adaptive attack on training texts (``attacks.adaptive.summarize``)

    def failures(self, loop_id: str, exclude_families: Sequence[str] = ()) -> pd.DataFrame:
        """What the champion got wrong, without variants of ``exclude_families``."""
        variants = drop_excluded(self.variants, exclude_families).reset_index(drop=True)
        return collect_failures(self.train, self.clean_pred, variants.drop(columns="pred"),
                                variants["pred"].to_numpy(), loop_id=loop_id, case_sensitive=self.case_sensitive)


def mine(classifier: "TextClassifier", train: pd.DataFrame, variants: pd.DataFrame,
         attack: AttackSettings | None = None, *, mining_round: int = 0) -> Mining:
    """The one mining pass of the loop and of the generalisation experiment: the champion decides
    every training text and every training-purpose variant once. With ``attack.adaptive_train_sources``
    the model-guided adaptive attack also runs against the champion on that many malicious training
    texts (seed ``attack.train_seed``); each text it turned benign becomes a training variant of
    strategy "adaptive" — the edits that beat *this* model, which static variants do not teach.

    ``mining_round``: how many challengers this champion has already kept out (``mining_round``
    of the registry history). Each round attacks the next block of training texts, so a loop after
    a refusal mines failures the refused challenger never saw instead of retraining it verbatim."""
    adaptive_summary = None
    if attack is not None and attack.adaptive_train_sources:
        adaptive, adaptive_summary = adaptive_training_variants(classifier, train, attack, block=mining_round)
        variants = pd.concat([variants, adaptive], ignore_index=True) if len(adaptive) else variants
    variants = variants.reset_index(drop=True)
    clean_pred = classifier.predict(train["text"].tolist())
    preds = classifier.predict(variants["text"].tolist())
    return Mining(train, clean_pred, variants.assign(pred=preds), tokenizer_reads_case(classifier.tokenizer),
                  adaptive_summary)


def adaptive_training_variants(classifier: "TextClassifier", train: pd.DataFrame, attack: AttackSettings, *,
                               block: int = 0) -> tuple[pd.DataFrame, dict]:
    """The adaptive attack's successes on the ``block``-th run of malicious training texts, as
    training-purpose variant rows."""
    rows, summary = adaptive_variants(classifier.predict_proba, train, n_sources=attack.adaptive_train_sources,
                                      query_budget=attack.adaptive_query_budget, seed=attack.train_seed,
                                      threshold=classifier.threshold, block=block)
    original = dict(zip(train["id"], train["text"]))
    won = rows[[text != original[source] for source, text in zip(rows["source_id"], rows["text"])]]
    table = pd.DataFrame({"variant_id": [f"{TRAINING}:{ADAPTIVE}:{source}" for source in won["source_id"]],
                          "source_id": won["source_id"].tolist(), "purpose": TRAINING, "strategy": ADAPTIVE,
                          "family": ADAPTIVE, "params": "{}", "seed": attack.train_seed + block, "text": won["text"].tolist(),
                          "label": MALICIOUS}, columns=list(VARIANT_COLUMNS))
    return table, summary


def collect_failures(train: pd.DataFrame, clean_pred: np.ndarray, variants: pd.DataFrame, variant_pred: np.ndarray,
                     *, loop_id: str, case_sensitive: bool = False) -> pd.DataFrame:
    """``train``: id, text, label (training split); ``variants``: training-purpose attack variants.
    ``case_sensitive``: whether the model reads case (``modeling.tokenizer_reads_case``), for deduplication."""
    if len(train) != len(clean_pred) or len(variants) != len(variant_pred):
        raise ValueError("each text needs exactly one prediction")
    caught = {sid for sid, label, pred in zip(train["id"], train["label"], clean_pred) if label == MALICIOUS and pred == 1}
    evaded = variants[(np.asarray(variant_pred) == 0) & variants["source_id"].isin(caught).to_numpy()]
    evasions = pd.DataFrame({"text": evaded["text"], "label": MALICIOUS, "kind": EVASION,
                             "strategy": evaded["strategy"], "source_id": evaded["source_id"]})
    missed = train[train["label"].to_numpy() != np.asarray(clean_pred)]
    misses = pd.DataFrame({"text": missed["text"], "label": missed["label"], "kind": CLEAN_MISS,
                           "strategy": None, "source_id": missed["id"]})
    failures = pd.concat([evasions, misses], ignore_index=True).assign(loop_id=loop_id)
    return _dedupe(failures, case_sensitive)[list(BANK_COLUMNS)]


def merge_into_bank(bank: pd.DataFrame | None, new: pd.DataFrame, *, case_sensitive: bool = False) -> pd.DataFrame:
    """Cumulative bank: earlier entries win, so a failure keeps the loop that first found it."""
    if bank is None or bank.empty:
        return _dedupe(new, case_sensitive)[list(BANK_COLUMNS)].reset_index(drop=True)
    merged = pd.concat([bank[list(BANK_COLUMNS)], new[list(BANK_COLUMNS)]], ignore_index=True)
    return _dedupe(merged, case_sensitive).reset_index(drop=True)


def _dedupe(frame: pd.DataFrame, case_sensitive: bool) -> pd.DataFrame:
    keys = frame["text"].map(lambda text: dedupe_key(text, case_sensitive=case_sensitive))
    return frame.loc[~keys.duplicated()].reset_index(drop=True)


def load_bank(path: Path) -> pd.DataFrame | None:
    """The bank kept across loops, or None before the first failing gate."""
    return pd.read_parquet(io.BytesIO(path.read_bytes())) if path.exists() else None  # a UPath too


def save_bank(path: Path, bank: pd.DataFrame) -> None:
    # Written whole to a temp file and renamed: a crash never leaves half a bank behind.
    buffer = io.BytesIO()
    bank[list(BANK_COLUMNS)].to_parquet(buffer, index=False)
    atomic_write_bytes(path, buffer.getvalue())


def mining_round(history: Sequence[dict], champion: str) -> int:
    """How many challengers the registry ``history`` records as kept out by ``champion``: the
    champion, the data and the seeds being unchanged, a loop that mined the same texts again would
    retrain the refused challenger verbatim (an hour here, and the gate fails again), so each
    refusal moves mining on to the next block of training texts."""
    return sum(1 for entry in history if entry.get("event") == "reject" and entry.get("champion") == champion)

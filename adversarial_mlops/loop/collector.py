"""Collect what the champion gets wrong on the training split, into a bank kept across loops.

Two kinds of failure, both from the *training* split only (the test split stays unseen):
* evasions: an attack variant of a malicious text the model catches when clean, called benign;
* clean misses: training texts the model misclassifies as they are (either direction).
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from adversarial_mlops.storage.atomic_io import atomic_write_bytes
from adversarial_mlops.data import MALICIOUS

BANK_COLUMNS = ["text", "label", "kind", "strategy", "source_id", "loop_id"]
EVASION = "evasion"
CLEAN_MISS = "clean_miss"


def dedupe_key(text: str, *, case_sensitive: bool = False) -> str:
    """Texts that differ only in spacing (and, for a model that does not read case, in case) are
    the same training example. An uncased tokenizer (MiniLM's) gives "IGNORE" and "ignore" the
    same tokens; a cased one does not, and then a case variant is a different input to learn."""
    key = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    return key if case_sensitive else key.casefold()


def collect_failures(train: pd.DataFrame, clean_pred: np.ndarray, variants: pd.DataFrame, variant_pred: np.ndarray,
                     *, loop_id: str, case_sensitive: bool = False) -> pd.DataFrame:
    """``train``: id, text, label (training split); ``variants``: training-purpose attack variants.
    ``case_sensitive``: whether the model reads case (``modeling.reads_case``), for deduplication."""
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
    return _dedupe(failures, case_sensitive)[BANK_COLUMNS]


def merge_into_bank(bank: pd.DataFrame | None, new: pd.DataFrame, *, case_sensitive: bool = False) -> pd.DataFrame:
    """Cumulative bank: earlier entries win, so a failure keeps the loop that first found it."""
    if bank is None or bank.empty:
        return _dedupe(new, case_sensitive)[BANK_COLUMNS].reset_index(drop=True)
    merged = pd.concat([bank[BANK_COLUMNS], new[BANK_COLUMNS]], ignore_index=True)
    return _dedupe(merged, case_sensitive).reset_index(drop=True)


def _dedupe(frame: pd.DataFrame, case_sensitive: bool) -> pd.DataFrame:
    keys = frame["text"].map(lambda text: dedupe_key(text, case_sensitive=case_sensitive))
    return frame.loc[~keys.duplicated()].reset_index(drop=True)


def load_bank(path: Path) -> pd.DataFrame | None:
    """The bank kept across loops, or None before the first failing gate."""
    return pd.read_parquet(path) if path.exists() else None


def save_bank(path: Path, bank: pd.DataFrame) -> None:
    # Written whole to a temp file and renamed: a crash never leaves half a bank behind.
    buffer = io.BytesIO()
    bank[BANK_COLUMNS].to_parquet(buffer, index=False)
    atomic_write_bytes(path, buffer.getvalue())

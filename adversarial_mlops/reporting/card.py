"""A model card per registered version: ``README.md`` with Hugging Face ``model-index`` YAML.

Written into the model's directory before the registry seals it, so the card is hashed with the
weights and can never disagree with them. It holds what is known when the model is registered:
base model, data source and content hash, training settings, the attack families held out of
training, clean test metrics with 95% CIs at the calibrated operating point, and known limitations.
Robustness (evasion) is measured later, by the loop's evaluation and A/B, and lives in the loop's
reports and the registry's history.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Mapping

import pandas as pd
import yaml

from adversarial_mlops.storage.hashing import file_sha256

from .formatting import Table, pct, ratio

CARD_FILE = "README.md"
MINILM_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"  # model.base_model "minilm" (a packaged copy of it)
DATA_COLUMNS = ("id", "text", "label", "split")


def data_facts(splits: pd.DataFrame, source: str) -> dict:
    """Where the data came from and a content hash of what was loaded (id, text, label, split per row,
    sorted by id), plus the source file's own sha256 when it is one file; rows per split."""
    frame = splits[[c for c in DATA_COLUMNS if c in splits]].astype(str).sort_values("id")
    digest = hashlib.sha256()
    for row in frame.itertuples(index=False):
        digest.update("\x1f".join(row).encode("utf-8") + b"\x1e")
    path = Path(source)
    return {"source": source, "content_sha256": digest.hexdigest(),
            "file_sha256": file_sha256(path) if path.is_file() else None,
            "rows_by_split": {str(k): int(v) for k, v in splits["split"].value_counts().sort_index().items()}
            if "split" in splits else {}}



def model_card(version: str, *, metrics: Mapping, info: Mapping) -> str:
    """The card of ``version`` from the metrics and info the registry stores with it
    (``loop.lifecycle.train_and_register``: info carries ``data`` from ``data_facts``)."""
    front = yaml.safe_dump(_front_matter(version, metrics, info), sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n\n" + "\n\n".join(_body(version, metrics, info)) + "\n"


def _metric(kind: str, value, name: str) -> dict:
    return {"type": kind, "value": None if value is None else round(float(value), 4), "name": name}


def _front_matter(version: str, metrics: Mapping, info: Mapping) -> dict:
    clean, point, data = metrics["clean"], metrics.get("operating_point") or {}, info.get("data") or {}
    at = f"at threshold {ratio(point.get('threshold'))}"
    f1_ci, fpr_ci = clean.get("f1_ci") or {}, clean.get("fpr_ci") or {}
    results = [_metric("f1", clean["f1"], f"F1 {at} (95% CI {ratio(f1_ci.get('low'))}–{ratio(f1_ci.get('high'))})"),
               _metric("precision", clean.get("precision"), f"precision {at}"),
               _metric("recall", clean.get("recall"), f"recall {at}"),
               _metric("false_positive_rate", clean.get("fpr"),
                       f"false-positive rate {at} (95% CI {pct(fpr_ci.get('low'))}–{pct(fpr_ci.get('high'))})"),
               _metric("roc_auc", clean.get("roc_auc"), "ROC-AUC")]
    base = info.get("base_model", "?")
    return {"library_name": "transformers", "pipeline_tag": "text-classification",
            "base_model": MINILM_HUB_ID if base == "minilm" else base,
            "tags": ["prompt-injection", "text-classification", "adversarial-training", "lora", "adversarial_mlops"],
            "model-index": [{"name": f"adversarial_mlops-{version}", "results": [{
                "task": {"type": "text-classification", "name": "Prompt-injection detection"},
                "dataset": {"name": Path(data.get("source", "?")).name, "type": data.get("source", "?"),
                            "split": "test", "revision": (data.get("content_sha256") or "?")[:16]},
                "metrics": results}]}]}


def _body(version: str, metrics: Mapping, info: Mapping) -> list[str]:
    config, training = info.get("config") or {}, info.get("training") or {}
    return [f"# adversarial_mlops {version} ({info.get('role', '?')})",
            f"A prompt-injection / jailbreak text classifier (label 1 = malicious) trained by the adversarial_mlops "
            f"hardening loop from `{info.get('base_model', '?')}`"
            + (f", as a challenger to {info['parent']}." if info.get("parent") else ", as the loop's baseline."),
            "## Data\n\n" + _data_table(info.get("data") or {}).markdown(),
            "## Training\n\n" + _training_table(config.get("training") or {}, training, info).markdown(),
            "## Held-out attack families\n\n" + (", ".join(info.get("excluded_families") or []) or
                                                 "none: trained with every attack family the loop mined"),
            "## Metrics at the operating point (clean test split)\n\n" + _metrics_table(metrics).markdown(),
            "## Known limitations\n\n" + "\n".join(f"- {line}" for line in _limitations(metrics, info, config))]


def _data_table(data: Mapping) -> Table:
    rows = [("source", f"`{data.get('source', '?')}`"), ("content sha256 (id, text, label, split)",
                                                         f"`{data.get('content_sha256', '?')}`")]
    if data.get("file_sha256"):
        rows.append(("file sha256", f"`{data['file_sha256']}`"))
    rows += [(f"{split} rows", str(n)) for split, n in (data.get("rows_by_split") or {}).items()]
    return Table.of(["", "value"], rows)


def _training_table(settings: Mapping, result: Mapping, info: Mapping) -> Table:
    rows = [(key.replace("_", " "), str(value)) for key, value in settings.items()]
    rows += [("quantization used", str(result.get("quantization", "?"))),
             ("precision used", str(result.get("precision", "fp32"))), ("device", str(result.get("device", "?"))),
             ("epochs run (best)", f"{result.get('epochs_run', '?')} ({result.get('best_epoch', '?')})"),
             ("best validation F1", ratio(result.get("best_validation_f1"))),
             ("training rows", str(info.get("train_size", "?"))),
             ("training time", f"{result['seconds']:.0f} s" if "seconds" in result else "?")]
    return Table.of(["setting", "value"], rows)


def _metrics_table(metrics: Mapping) -> Table:
    clean, point = metrics["clean"], metrics.get("operating_point") or {}
    f1_ci, fpr_ci = clean.get("f1_ci") or {}, clean.get("fpr_ci") or {}
    target = point.get("target_fpr")
    rows = [("threshold", ratio(point.get("threshold")),
             _calibration_note(point) if target is not None else "fixed default"),
            ("F1", ratio(clean["f1"]), f"95% CI {ratio(f1_ci.get('low'))} to {ratio(f1_ci.get('high'))}"),
            ("false-positive rate", pct(clean.get("fpr")), f"95% CI {pct(fpr_ci.get('low'))} to {pct(fpr_ci.get('high'))}"
             if fpr_ci else ""),
            ("precision", ratio(clean.get("precision")), ""), ("recall", pct(clean.get("recall")), ""),
            ("ROC-AUC", ratio(clean.get("roc_auc")), ""),
            ("test texts", str(clean.get("n", "?")), f"{clean['n_groups']} template groups resampled"
             if clean.get("n_groups") else "texts resampled")]
    return Table.of(["metric", "value", "note"], rows, numeric=["value"])


def _calibration_note(point: Mapping) -> str:
    note = f"calibrated on validation to {pct(point['target_fpr'])} FPR"
    if point.get("confidence") is None:  # the plain validation quantile (or a model calibrated before the bound)
        return note
    return (f"{note}, met in {pct(point['confidence'])} of resamplings of its {point['n_benign_groups']} benign "
            f"template groups (plain quantile {ratio(point['plain_threshold'])})")


def _limitations(metrics: Mapping, info: Mapping, config: Mapping) -> list[str]:
    model, point = config.get("model") or {}, metrics.get("operating_point") or {}
    lines = [f"Decides at threshold {ratio(point.get('threshold'))}: about "
             f"{pct(metrics['clean'].get('fpr'))} of benign test texts are flagged; false alarms come in whole "
             "templates, so the rate moves with which templates a deployment sees.",
             f"Reads texts in windows of {model.get('window_tokens', '?')} tokens and scores a text as its highest "
             "window: one suspicious paragraph flags a whole long document.",
             "Evasion was not measured at registration: see the loop's report (`adversarial-mlops report`) and "
             "the registry history for this version's evaluation and A/B.",
             "Trained and measured on the configured data only; other languages, domains and attack styles "
             "it never saw may evade it or raise false alarms."]
    if info.get("excluded_families"):
        lines.append(f"Never trained on the {', '.join(info['excluded_families'])} attack families: its evasion on "
                     "them measures generalisation and may be higher.")
    return lines

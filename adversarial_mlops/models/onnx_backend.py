"""ONNX Runtime as the CPU inference backend: the same merged model, exported once, run without torch's eager overhead.

A MiniLM forward pass in torch eager mode spends most of a short text's time dispatching ~200
small operators; ONNX Runtime runs the same graph (fused attention and layer norms) in one call.
The model is exported from the registered weights the first time a version is loaded on a host,
to a content-addressed file in this user's cache (the registry's versions stay immutable), and
the scores match torch fp32 to ~1e-6 (``model.inference_backend``, bench/README.md).

Heavy libraries are imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np

from adversarial_mlops.config import INFERENCE_BACKENDS
from adversarial_mlops.errors import InvalidInputError
from adversarial_mlops.storage.locations import user_cache_root

log = logging.getLogger(__name__)

ONNX_OPSET = 17
WEIGHT_FILES = ("config.json", "model.safetensors")  # what decides the exported graph


class OnnxBackendError(InvalidInputError):
    """The ONNX Runtime backend cannot run here or for this model; the message says what to do."""


def onnxruntime_available() -> bool:
    """ONNX Runtime runs the model; the ``onnx`` package is what torch's exporter writes it with."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_backend(requested: str, *, device: str) -> str:
    """``auto`` -> onnxruntime on a CPU where it is installed, else torch. ONNX Runtime runs the fp32
    batches: all of them at precision fp32; at bf16 (AMX / AVX512-BF16 CPUs) the batches of fewer than
    ``modeling.BF16_MIN_WINDOWS_BESIDE_ONNX`` windows, while larger ones keep torch's bf16 autocast,
    faster there from about 8-12 windows on (bench/README.md). CUDA stays with torch (no CUDA
    execution provider is installed)."""
    if requested not in INFERENCE_BACKENDS:
        raise OnnxBackendError(f"model.inference_backend must be one of {INFERENCE_BACKENDS}, got {requested!r}")
    on_cpu = not str(device).startswith("cuda")
    if requested == "auto":
        return "onnxruntime" if on_cpu and onnxruntime_available() else "torch"
    if requested == "onnxruntime":
        if not on_cpu:
            raise OnnxBackendError(f"model.inference_backend onnxruntime runs on a CPU; this run uses {device}. "
                                   f"Fix: set model.inference_backend: torch (or auto)")
        if not onnxruntime_available():
            raise OnnxBackendError("model.inference_backend is onnxruntime but onnxruntime or onnx is not installed. "
                                   "Fix: pip install onnxruntime onnx, or set model.inference_backend: torch (or auto)")
    return requested


@dataclass(frozen=True)
class OnnxClassifier:
    """An exported sequence classifier: ``logits(inputs)`` for the padded batch ``modeling.pad_batch``
    builds (token ids, attention mask and, for BERT-style models, token types).

    ONNX Runtime fixes a session's intra-op threads when it is created, while the server gives a
    batch every core when it runs alone and a share of them when batches run side by side
    (``serving.ThreadPlan``, which sets the calling thread's torch thread count). So each batch runs
    in a session with as many threads as its thread may use now — one session per count in use,
    made on first need (one more copy of the weights each) — instead of every concurrent batch
    starting all-core thread pools that fight over the same cores."""

    session: object  # onnxruntime.InferenceSession with ``threads`` intra-op threads; run() is thread-safe
    input_names: tuple[str, ...]
    path: Path
    threads: int = 0  # the first session's intra-op threads (0: not known, every batch uses it)
    others: dict = field(default_factory=dict, compare=False, repr=False)  # thread count -> session
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def logits(self, inputs: Mapping[str, object]) -> np.ndarray:
        feed = {name: np.ascontiguousarray(np.asarray(inputs[name]), dtype=np.int64) for name in self.input_names}
        return self.session_for(calling_thread_threads()).run(["logits"], feed)[0]

    def session_for(self, threads: int):
        """The session with ``threads`` intra-op threads (made on first need)."""
        if not self.threads or threads == self.threads:
            return self.session
        with self.lock:
            if threads not in self.others:
                self.others[threads] = _session(self.path, threads)
            return self.others[threads]


def calling_thread_threads() -> int:
    """The intra-op threads the calling thread may use: torch's count for it (per thread; what
    ``serving.ThreadPlan`` sets for each batch)."""
    import torch

    return torch.get_num_threads()


def load_onnx_classifier(model_dir: Path, torch_model, tokenizer, *, cache_root: Path | None = None,
                         threads: int | None = None, int8: bool = False) -> OnnxClassifier:
    """``torch_model`` (loaded from ``model_dir``) as an ONNX Runtime session, exported on first use;
    ``int8``: its dynamic int8 quantization (``quantize_classifier``), made from the export on first use."""
    exported = exported_model_path(model_dir, cache_root=cache_root)
    path = quantized_model_path(exported) if int8 else exported

    def make(again: bool) -> None:  # the graph to load when missing (``again``: afresh, from a new export)
        if again or not path.exists():
            if again or not exported.exists():
                export_classifier(torch_model, tokenizer, exported)
            if int8:
                quantize_classifier(exported, path)

    make(again=False)
    try:
        session = _session(path, threads)
    except Exception as error:  # noqa: BLE001 - a torn or stale cache file: export it again, once
        log.warning("the cached ONNX model %s does not load (%s); exporting it again", path, error)
        make(again=True)
        session = _session(path, threads)
    names = tuple(node.name for node in session.get_inputs())
    return OnnxClassifier(session, names, path, threads=_threads(threads))


def quantized_model_path(exported: Path) -> Path:
    """Where the int8 quantization of the export at ``exported`` lives (beside it, named after it)."""
    return exported.with_name(f"{exported.stem}-int8{exported.suffix}")


def quantize_classifier(exported: Path, path: Path) -> None:
    """Dynamic int8 quantization of an exported classifier: int8 weights with one scale per output
    channel, activations quantized per batch. Per channel, because per-tensor scales lose too
    much (bench/onnx_quantization.py: per tensor moves scores by up to 0.70 and costs 0.009
    ROC-AUC; per channel up to 0.33, ROC-AUC unchanged). Temp file, then rename."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    quiet = _DropMessage("Please consider to run pre-processing before quantization")
    logging.getLogger().addFilter(quiet)  # quantize_dynamic logs this on the root logger: not actionable here
    try:
        quantize_dynamic(str(exported), tmp, weight_type=QuantType.QInt8, per_channel=True)
        os.replace(tmp, path)
    except Exception as error:
        Path(tmp).unlink(missing_ok=True)
        raise OnnxBackendError(f"cannot quantize the exported model {exported} to int8 ({error}). Fix: set "
                               f"model.inference_precision to auto or fp32") from error
    finally:
        logging.getLogger().removeFilter(quiet)
    log.info("quantized the classifier to int8 at %s", path)


class _DropMessage(logging.Filter):
    def __init__(self, prefix: str):
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.prefix)


def exported_model_path(model_dir: Path, *, cache_root: Path | None = None) -> Path:
    """Where ``model_dir``'s export lives: named by the weights' content and the exporter's version,
    so a retrained model, or another torch, never reads a stale graph."""
    import torch

    digest = hashlib.sha256(f"opset{ONNX_OPSET}/torch{torch.__version__}".encode())
    for name in WEIGHT_FILES:
        file = Path(model_dir) / name
        if not file.exists():
            raise OnnxBackendError(f"{model_dir} has no {name}: not a merged model this project wrote")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return Path(cache_root or user_cache_root() / "onnx") / f"classifier-{digest.hexdigest()[:24]}.onnx"


def export_classifier(torch_model, tokenizer, path: Path) -> None:
    """Export ``torch_model`` (eval mode) with dynamic batch and sequence axes; written to a temp
    file and renamed, so a reader never sees half a model."""
    import torch

    from adversarial_mlops.models.modeling import pad_batch, uses_token_types

    sample = tokenizer(["an example to export", "a second, longer example text to export"])["input_ids"]
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    inputs = pad_batch(sample, pad_id, uses_token_types(tokenizer))
    names = list(inputs)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
            warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation and tracer notes
            torch_model.eval()
            # dynamo=False: the TorchScript exporter needs neither onnxscript nor a Python-level
            # re-trace of transformers' masking code, and exports BERT-style models as they are.
            torch.onnx.export(torch_model, (), tmp, kwargs=dict(inputs), input_names=names,
                              output_names=["logits"], opset_version=ONNX_OPSET, dynamo=False,
                              dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "logits": {0: "batch"}})
        os.replace(tmp, path)
    except Exception as error:
        Path(tmp).unlink(missing_ok=True)
        raise OnnxBackendError(f"cannot export the model to ONNX ({error}). Fix: set model.inference_backend: "
                               f"torch") from error
    log.info("exported the classifier to %s", path)


def _threads(threads: int | None) -> int:
    """``threads``, or as many as the calling thread's torch may use: one count for both backends in
    a process (ORT's own default counts the host's physical cores, whatever the process was given)."""
    return int(threads or calling_thread_threads())


def _session(path: Path, threads: int | None):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: its notes on unused initializers are not the user's concern
    options.intra_op_num_threads = _threads(threads)
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

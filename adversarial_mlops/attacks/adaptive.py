"""Adaptive attack: a black-box, model-guided search for evasions (TextAttack-style greedy).

Given only ``predict_proba(texts) -> malicious probability per text``, each flagged text is
attacked word by word:

1. **Word importance** — the text is scored with each word deleted (one batched call for many
   texts); words are ranked by how far removing them lowers the malicious log-odds.
2. **Greedy swap** — walking the ranked words, a few one-word character perturbations from the
   existing strategies (homoglyph, leetspeak, zero-width, keyboard typo, diacritics, each seeded
   with ``variant_rng``) are scored in one batch; the one that lowers the score most is kept.
   Stops when the label flips (score < threshold), the query budget is spent, or the share of
   perturbed words reaches ``max_perturbed_words``.

Two additions over a plain greedy search, both switchable:

* **Joint candidate** — when no perturbation of a word moves the score (a second trigger word
  still holds it up: "ignore ... password"), that perturbation is remembered as *neutral*, and
  the next step also scores one candidate that applies it together with the new word's.
* **Memory across texts** (``memory=True``) — texts are attacked in waves; what earlier waves
  learned is reused: words whose removal or perturbation lowered the score are tried first
  *without* spending importance queries, words that did not are neither queried nor tried
  before the others, transformations that never move this model's score
  (zero-width and combining marks vanish in a BERT tokenizer's normalizer) are dropped, and
  only the most effective transformations are tried, one at a time, best first: the next one
  gets a query only when the previous one did not lower the score (most steps cost one query;
  measured on MiniLM, 150 texts, DeepWordBug's constraint: 17.8 → 12.6 queries per success,
  success 22.7 → 20.0 %, i.e. 34 → 30 texts). Results then depend on the other texts in
  the call (still deterministic for the same inputs and seed); ``memory=False`` attacks each
  text on its own, exactly like a per-text greedy search.

Queries are counted as texts scored, including the one that scores the clean text. Queries of
many texts are concatenated into one ``predict_proba`` call per round: a transformer classifier
is far faster per text in batches.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from adversarial_mlops.attacks.base import WORD_RE, AttackConfigError
from adversarial_mlops.attacks.discovery import get_strategy, strategy_families, strategy_names, variant_rng
from adversarial_mlops.judging.decision import DECISION_THRESHOLD

__all__ = ("ADAPTIVE", "AdaptiveAttackSettings", "AdaptiveResult", "adaptive_attack", "adaptive_families", "summarize",
           "sparse_word_edits", "DEFAULT_TRANSFORMATIONS")

ADAPTIVE = "adaptive"  # the strategy name the attack's variants carry in every table and report
DEFAULT_TRANSFORMATIONS = ("homoglyph", "leetspeak", "zero_width", "keyboard_typo", "diacritics")
PredictProba = Callable[[Sequence[str]], np.ndarray]

# Function words: deleting or perturbing them rarely moves a classifier, so they are neither
# scored for importance nor perturbed (when a text has nothing else, all words are used).
STOPWORDS = frozenset(
    "a an and are as at be been but by can could do does for from had has have he her his how i if in "
    "into is it its me my of on or our she so than that the their them then there these they this "
    "to us was we were what when where which who will with would you".split()
)
_EPS = 1e-6  # probabilities are clipped to [eps, 1 - eps] before taking log-odds
_MAX_PAIRS = 4  # joint candidates pairing the current word with one earlier neutral rewrite
_MOVED = 1e-6  # a candidate whose log-odds differ by less than this did not move the model
_DEAD_AFTER = 10  # tries without any score change after which memory drops a transformation
_TRIGGER_DROP = 0.1  # mean log-odds drop (from memory) above which a word counts as a trigger


@dataclass(frozen=True)
class AdaptiveAttackSettings:
    """Search knobs; invalid values raise ``AttackConfigError`` (a ValueError) naming the range."""

    query_budget: int = 200  # texts scored per attacked text, the clean one included
    max_perturbed_words: float = 0.3  # share of a text's words that may change (at least one)
    threshold: float = DECISION_THRESHOLD  # malicious when score >= threshold; success when it drops below
    transformations: tuple[str, ...] = DEFAULT_TRANSFORMATIONS
    seed: int = 0
    candidates_per_transformation: int = 2  # random one-word variants per transformation and step
    memory: bool = True  # reuse word importance and transformation effectiveness across texts
    wave_size: int = 32  # texts per wave when memory is on (the first wave is half that)
    memory_transformations: int = 2  # with memory, after the first wave: the best N transformations,
    memory_candidates: int = 1  # ... with this many candidates each, tried best first, the next only
    #                             when one leaves the score unmoved (mostly single-query steps)

    def __post_init__(self) -> None:
        if isinstance(self.transformations, (list, str)):
            names = [self.transformations] if isinstance(self.transformations, str) else self.transformations
            object.__setattr__(self, "transformations", tuple(names))
        _check_int("query_budget", self.query_budget, 2, "query_budget >= 2 (one query scores the clean text)")
        _check_share("max_perturbed_words", self.max_perturbed_words)
        _check_share("threshold", self.threshold, upper_open=True)
        _check_int("seed", self.seed, None, "seed must be an integer")
        _check_int("candidates_per_transformation", self.candidates_per_transformation, 1,
                   "candidates_per_transformation >= 1")
        _check_int("wave_size", self.wave_size, 1, "wave_size >= 1")
        _check_int("memory_transformations", self.memory_transformations, 1, "memory_transformations >= 1")
        _check_int("memory_candidates", self.memory_candidates, 1, "memory_candidates >= 1")
        if not isinstance(self.memory, bool):
            raise AttackConfigError(f"memory must be True or False, got {self.memory!r}")
        if not self.transformations:
            raise AttackConfigError(f"transformations must name at least one strategy; valid: "
                                    f"{', '.join(strategy_names())}")
        if len(set(self.transformations)) != len(self.transformations):
            raise AttackConfigError(f"transformations must not repeat a name, got {self.transformations!r}")
        for name in self.transformations:
            get_strategy(name)  # raises AttackConfigError listing the valid names


def _check_int(name: str, value: object, minimum: int | None, rule: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or (minimum is not None and value < minimum):
        raise AttackConfigError(f"{name} must be an integer in the range {rule}, got {value!r}")


def _check_share(name: str, value: object, upper_open: bool = False) -> None:
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and not math.isnan(value)
    ok = ok and 0 < value and (value < 1 if upper_open else value <= 1)
    if not ok:
        upper = "< 1" if upper_open else "<= 1"
        raise AttackConfigError(f"{name} must be a number in the range 0 < {name} {upper}, got {value!r}")


@dataclass(frozen=True)
class AdaptiveResult:
    """One attacked text. ``adversarial`` is the evading text on success, else None.

    ``perturbed_words`` and ``perturbed_char_share`` (character edit distance / clean length)
    describe the final attempt, successful or not.
    """

    source_id: str
    original: str
    adversarial: str | None
    success: bool
    queries: int
    perturbed_words: int
    perturbed_char_share: float
    original_score: float
    final_score: float


def adaptive_attack(items: Sequence[tuple[str, str]], predict_proba: PredictProba,
                    settings: AdaptiveAttackSettings = AdaptiveAttackSettings()) -> list[AdaptiveResult]:
    """Attack every flagged ``(source_id, text)``; one result per item, in input order."""
    if not isinstance(settings, AdaptiveAttackSettings):
        raise TypeError(f"settings must be AdaptiveAttackSettings, got {type(settings).__name__}")
    items = list(items)
    for source_id, text in items:
        if not isinstance(source_id, str) or not isinstance(text, str):
            raise TypeError("items must be (source_id: str, text: str) pairs")
    if not items:
        return []
    oracle = _Oracle(predict_proba)
    clean_scores = oracle.score([text for _, text in items])
    states = [_TextState(sid, text, float(score), settings) for (sid, text), score in zip(items, clean_scores)]
    attacked = [s for s in states if s.original_score >= settings.threshold and s.word_slots]
    memory = _Memory(settings)
    for wave in _waves(attacked, settings):
        _run_wave(wave, oracle, memory, settings)
    return [s.result(settings.threshold) for s in states]


def summarize(results: Sequence[AdaptiveResult], threshold: float = DECISION_THRESHOLD) -> dict:
    """Success rate over texts the model caught clean; means over successes (None when none)."""
    attacked = [r for r in results if r.original_score >= threshold]
    wins = [r for r in attacked if r.success]
    return {
        "n_texts": len(results),
        "n_attacked": len(attacked),
        "n_success": len(wins),
        "success_rate": len(wins) / len(attacked) if attacked else 0.0,
        "queries_per_success": float(np.mean([r.queries for r in wins])) if wins else None,
        "queries_per_attacked": float(np.mean([r.queries for r in attacked])) if attacked else None,
        "total_queries": int(sum(r.queries for r in results)),
        "mean_perturbed_char_share": float(np.mean([r.perturbed_char_share for r in wins])) if wins else None,
        "mean_perturbed_words": float(np.mean([r.perturbed_words for r in wins])) if wins else None,
    }


def adaptive_families(transformations: Sequence[str] = DEFAULT_TRANSFORMATIONS) -> frozenset[str]:
    """What holding a family out of training must also hold out of the attack's training variants:
    its own name and the families of the strategies it edits words with (an adaptive variant made
    with homoglyphs teaches homoglyphs)."""
    return frozenset({ADAPTIVE}).union(*(strategy_families(name) for name in transformations))


def sparse_word_edits(items: Sequence[tuple[str, str]], *, seed: int, max_words: int = 3,
                      transformations: Sequence[str] = DEFAULT_TRANSFORMATIONS,
                      max_word_share: float | None = None) -> list[str]:
    """Each ``(source_id, text)`` with 1 to ``max_words`` random content words given one edit each,
    by the attack's own edit operator (one character of one transformation per word): the attack's
    kind of change without its search. Used on benign texts, so a model trained on the attack's
    successes (malicious) does not learn "a typo in a word means an attack", and on both classes in
    training (``training.word_edit_share``). ``max_word_share`` (instead of ``max_words``): up to that
    share of the text's content words (at least one), as the attack may edit up to
    ``max_perturbed_words`` of them. Deterministic per ``(seed, source_id)``."""
    settings = AdaptiveAttackSettings(seed=seed, transformations=tuple(transformations))
    out = []
    for source_id, text in items:
        state = _TextState(source_id, text, 0.0, settings)
        rng = variant_rng(seed, "sparse_word_edits", source_id)
        most = max_words if max_word_share is None else max(1, int(max_word_share * len(state.word_slots)))
        slots = rng.sample(state.word_slots, min(len(state.word_slots), rng.randint(1, most)))
        replacements = {}
        for slot in slots:
            name = rng.choice(list(transformations))
            candidates = _candidate_words(state, slot, [name], 1, seed)
            if candidates:
                replacements[slot] = candidates[0][1]
        out.append(state.text_with(replacements))
    return out


# --------------------------------------------------------------------------------------
# Internals
# --------------------------------------------------------------------------------------
class _Oracle:
    """predict_proba with input/output checks and a count of texts scored."""

    def __init__(self, predict_proba: PredictProba):
        self._predict = predict_proba
        self.calls = 0
        self.texts = 0

    def score(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0)
        scores = np.asarray(self._predict(list(texts)), dtype=np.float64).reshape(-1)
        if scores.shape[0] != len(texts):
            raise ValueError(f"predict_proba returned {scores.shape[0]} scores for {len(texts)} texts")
        self.calls += 1
        self.texts += len(texts)
        return scores


def _logit(p: float) -> float:
    p = min(max(p, _EPS), 1 - _EPS)
    return math.log(p / (1 - p))


@dataclass
class _TextState:
    source_id: str
    original: str
    original_score: float
    settings: AdaptiveAttackSettings
    segments: list[str] = field(init=False)  # alternating non-word / word pieces
    word_slots: list[int] = field(init=False)  # segment index of each candidate word
    score: float = field(init=False)
    queries: int = 1  # the clean text was scored
    order: list[int] = field(default_factory=list)  # segment indices still to visit
    unranked: list[int] = field(default_factory=list)  # words not yet scored for importance
    weak: list[int] = field(default_factory=list)  # words memory knows barely move the score: tried last
    fallback: tuple[int, int] | None = None  # (slot, transformation index) to try next on that word
    perturbed: dict[int, str] = field(default_factory=dict)  # segment index -> original word
    neutral: list[tuple[int, str]] = field(default_factory=list)  # score-neutral word rewrites
    limit: int = 1
    done: bool = False

    def __post_init__(self) -> None:
        self.score = self.original_score
        self.segments, words = [], []
        last = 0
        for match in WORD_RE.finditer(self.original):
            self.segments.append(self.original[last:match.start()])
            words.append(len(self.segments))
            self.segments.append(match.group())
            last = match.end()
        self.segments.append(self.original[last:])
        self.limit = max(1, math.floor(self.settings.max_perturbed_words * len(words)))
        usable = [i for i in words if len(self.segments[i]) >= 2]
        content = [i for i in usable if self.segments[i].lower() not in STOPWORDS]
        self.word_slots = content or usable

    @property
    def remaining(self) -> int:
        return self.settings.query_budget - self.queries

    def text_with(self, replacements: dict[int, str]) -> str:
        return "".join(replacements.get(i, seg) for i, seg in enumerate(self.segments))

    def result(self, threshold: float) -> AdaptiveResult:
        success = self.score < threshold <= self.original_score
        edits = sum(_levenshtein(old, self.segments[i]) for i, old in self.perturbed.items())
        return AdaptiveResult(
            source_id=self.source_id, original=self.original,
            adversarial=self.text_with({}) if success else None, success=success, queries=self.queries,
            perturbed_words=len(self.perturbed), perturbed_char_share=edits / max(1, len(self.original)),
            original_score=self.original_score, final_score=self.score,
        )


class _Memory:
    """What the attack learned about this model from earlier waves."""

    def __init__(self, settings: AdaptiveAttackSettings):
        self.enabled = settings.memory
        self.word_drop: dict[str, list[float]] = {}
        self.tries = {name: 0 for name in settings.transformations}
        self.moved = {name: 0 for name in settings.transformations}
        self.gain = {name: 0.0 for name in settings.transformations}
        self.frozen_transformations: tuple[str, ...] | None = None  # the choice for the current wave
        self.per_transformation = settings.candidates_per_transformation
        self.sequential = False  # try the frozen transformations one at a time, best first

    def note_word(self, word: str, drop: float) -> None:
        self.word_drop.setdefault(word.lower(), []).append(drop)

    def word_prior(self, word: str) -> float | None:
        drops = self.word_drop.get(word.lower())
        return float(np.mean(drops)) if drops else None

    def note_transformation(self, name: str, drop: float) -> None:
        self.tries[name] += 1
        if abs(drop) > _MOVED:
            self.moved[name] += 1
        self.gain[name] += max(drop, 0.0)

    def dead(self, name: str) -> bool:
        """Tried often enough and never moved the score (e.g. removed by the model's normalizer)."""
        return self.tries[name] >= _DEAD_AFTER and self.moved[name] == 0

    def drop_dead(self) -> None:
        # Between rounds, not only between waves: the first wave would otherwise keep paying for
        # transformations this model cannot see until its last step.
        if self.enabled and self.frozen_transformations:
            live = tuple(n for n in self.frozen_transformations if not self.dead(n))
            self.frozen_transformations = live or self.frozen_transformations

    def start_wave(self, settings: AdaptiveAttackSettings, first: bool) -> None:
        names = settings.transformations
        if self.enabled and not first:
            live = [n for n in names if not self.dead(n)] or list(names)
            live.sort(key=lambda n: -(self.gain[n] / self.tries[n]) if self.tries[n] else 0.0)
            names = tuple(live[:settings.memory_transformations])
            self.per_transformation = settings.memory_candidates
            self.sequential = True
        self.frozen_transformations = tuple(names)


def _waves(states: list[_TextState], settings: AdaptiveAttackSettings) -> list[list[_TextState]]:
    if not settings.memory:
        return [states] if states else []
    first = max(1, settings.wave_size // 2)
    waves = [states[:first]]
    waves += [states[i:i + settings.wave_size] for i in range(first, len(states), settings.wave_size)]
    return [w for w in waves if w]


def _run_wave(wave: list[_TextState], oracle: _Oracle, memory: _Memory, settings: AdaptiveAttackSettings) -> None:
    memory.start_wave(settings, first=not any(memory.tries.values()))
    for state in wave:
        _plan(state, memory)
    while True:
        memory.drop_dead()
        requests = [(state, _next_request(state, memory, settings)) for state in wave if not state.done]
        requests = [(state, req) for state, req in requests if req is not None]
        if not requests:
            break
        texts = [text for _, req in requests for text in req.texts]
        scores = oracle.score(texts)
        offset = 0
        for state, req in requests:
            chunk = scores[offset:offset + len(req.texts)]
            offset += len(req.texts)
            state.queries += len(req.texts)
            req.handle(state, req.meta, chunk, memory)


def _plan(state: _TextState, memory: _Memory) -> None:
    """Known trigger words (from memory) go first, free; unknown words wait for importance
    queries; words memory knows to be weak are not queried at all and come last."""
    known, unknown, weak = [], [], []
    for slot in state.word_slots:
        prior = memory.word_prior(state.segments[slot]) if memory.enabled else None
        if prior is None:
            unknown.append(slot)
        else:
            (known if prior > _TRIGGER_DROP else weak).append((-prior, slot))
    state.order = [slot for _, slot in sorted(known)]
    state.unranked = unknown
    state.weak = [slot for _, slot in sorted(weak)]
    if not state.unranked:
        state.order += state.weak


@dataclass
class _Request:
    texts: list[str]
    handle: Callable
    meta: list


def _next_request(state: _TextState, memory: _Memory, settings: AdaptiveAttackSettings) -> _Request | None:
    if state.score < settings.threshold or state.remaining < 1 or len(state.perturbed) >= state.limit:
        state.done = True
        return None
    if state.fallback is not None:
        (slot, start), state.fallback = state.fallback, None
        request = _candidate_request(state, slot, memory, settings, start)
        if request is not None:
            return request
    while state.order:
        request = _candidate_request(state, state.order.pop(0), memory, settings)
        if request is not None:
            return request
    if state.unranked:
        return _importance_request(state)
    state.done = True
    return None


def _importance_request(state: _TextState) -> _Request:
    """Delete each unranked word (or contiguous chunks of them when the budget is short)."""
    slots, state.unranked = state.unranked, []
    # Keep at least half the remaining budget for the swaps themselves.
    n_groups = min(len(slots), max(1, state.remaining // 2))
    groups = [list(g) for g in np.array_split(np.array(slots), n_groups) if len(g)]
    texts = [state.text_with({slot: "" for slot in group}) for group in groups]
    return _Request(texts, _handle_importance, meta=groups)


def _handle_importance(state: _TextState, meta: list, scores: np.ndarray, memory: _Memory) -> None:
    base = _logit(state.score)
    ranked = []
    for group, score in zip(meta, scores):
        drop = base - _logit(float(score))
        for slot in group:
            if len(group) == 1:
                memory.note_word(state.segments[slot], drop)
            # Ties (no signal, e.g. two redundant triggers) go to longer words first.
            ranked.append((-drop, -len(state.segments[slot]), slot))
    state.order += [slot for *_, slot in sorted(ranked)] + state.weak


def _candidate_words(state: _TextState, slot: int, names: Sequence[str], per_transformation: int,
                     seed: int) -> list[tuple[str, str]]:
    word = state.segments[slot]
    intensity = min(1.0, 1.0 / len(word))  # one character (one edit) per candidate
    seen, out = {word}, []
    for name in names:
        strategy = _strategy(name, intensity)
        for j in range(per_transformation):
            # Segment indices are even-spaced and unique per text: (slot, j) never repeats.
            new = strategy.apply(word, variant_rng(seed, f"adaptive:{name}:{j}", state.source_id, slot))
            if new not in seen:
                seen.add(new)
                out.append((name, new))
    return out


@functools.lru_cache(maxsize=1024)
def _strategy(name: str, intensity: float):
    return get_strategy(name, intensity)


def _candidate_request(state: _TextState, slot: int, memory: _Memory, settings, start: int = 0) -> _Request | None:
    """Candidates for the word at ``slot``: every frozen transformation at once or, when memory
    has ranked them (``memory.sequential``), the best one from ``start`` that yields any; the
    next is tried only if this one leaves the score where it was (``state.fallback``)."""
    names = memory.frozen_transformations
    candidates, following = [], None
    for index in range(start, len(names) if memory.sequential else start + 1):
        chosen = names[index:index + 1] if memory.sequential else names
        candidates = _candidate_words(state, slot, chosen, memory.per_transformation, settings.seed)
        if candidates:
            following = index + 1 if memory.sequential and index + 1 < len(names) else None
            break
    if not candidates:
        return None
    texts = [state.text_with({slot: new}) for _, new in candidates]
    meta: list = [(slot, name, new, ()) for name, new in candidates]
    room = state.limit - len(state.perturbed) - 1
    if state.neutral and room > 0:
        # Pairs first (two redundant triggers is the common case), then all that fit together;
        # on equal scores the earlier, smaller change wins.
        joints = [(pair,) for pair in state.neutral[:_MAX_PAIRS]]
        if room > 1 and len(state.neutral) > 1:
            joints.append(tuple(state.neutral[:room]))
        name, new = candidates[0]
        for joint in joints:
            texts.append(state.text_with({**dict(joint), slot: new}))
            meta.append((slot, name, new, joint))
    if len(texts) > state.remaining:
        texts, meta = texts[:state.remaining], meta[:state.remaining]
    return _Request(texts, functools.partial(_handle_candidates, following=following), meta=meta)


def _handle_candidates(state: _TextState, meta: list, scores: np.ndarray, memory: _Memory,
                       following: int | None = None) -> None:
    base = _logit(state.score)
    drops = [base - _logit(float(s)) for s in scores]
    for (slot, name, _, joint), drop in zip(meta, drops):
        if not joint:
            memory.note_transformation(name, drop)
    best = int(np.argmax(drops))
    slot = meta[best][0]
    if drops[best] > _MOVED:
        _apply(state, (drops[best], float(scores[best]), meta[best]), memory)
    elif following is not None:
        state.fallback = (slot, following)  # this transformation did not lower the score: the next one
    elif not any(abs(d) > _MOVED for d in drops):
        # Nothing moved: the word may be held up by another trigger; remember a rewrite of it.
        state.neutral.append((slot, meta[0][2]))


def _apply(state: _TextState, candidate: tuple, memory: _Memory) -> None:
    drop, score, (slot, _, new, joint) = candidate
    memory.note_word(state.segments[slot], drop)
    for neutral_slot, neutral_word in joint:
        state.perturbed[neutral_slot] = state.segments[neutral_slot]
        state.segments[neutral_slot] = neutral_word
        state.neutral.remove((neutral_slot, neutral_word))
    state.perturbed[slot] = state.segments[slot]
    state.segments[slot] = new
    state.score = score


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]

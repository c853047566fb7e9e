"""Vectorised batch generation for the character-level strategies (character, invisible and
case families, odd whitespace).

A ``BatchStrategy`` transforms many texts at once: the texts become one array of code points,
every random number of the batch is drawn in a few numpy calls, and the edits (substitutions,
swaps, deletions, insertions) are applied to the array before it is decoded back into strings.

Randomness is counter-based. Each variant has one 64-bit key (``discovery.variant_key``, or
``rng.getrandbits(64)`` on the per-text path); every number it uses is
``mix64(key + n * GOLDEN)`` (SplitMix64), where the counter ``n`` names what the number is for
(purpose, attempt, offset in the text). A variant therefore depends on its own text and key only, never
on the other texts of the batch or on their order: a variant regenerated alone equals the one
generated in a batch (tested).
"""

from __future__ import annotations

import abc
import codecs
import functools
from collections.abc import Callable, Sequence
from typing import ClassVar

import numpy as np

from adversarial_mlops.attacks.base import KeyedStrategy

__all__ = ("BatchStrategy", "SubstitutionStrategy", "TableSubstitution", "CharBatch", "CodeTable", "options_table",
           "below", "mix64", "source_hashes", "keyed", "derived_keys")

_U = np.uint64
_GOLDEN = _U(0x9E3779B97F4A7C15)
_MIX1 = _U(0xBF58476D1CE4E5B9)
_MIX2 = _U(0x94D049BB133111EB)
_COUNTER_BITS = _U(40)
_UTF32 = np.dtype("<u4")  # explicit byte order: identical codes (and keys) on every platform
_DELETED = np.uint32(0xFFFFFFFF)  # never a code point: marks characters to drop
_MAX_CODE = 0x10FFFF
_MASK64 = (1 << 64) - 1
# Internal chunks: at most this many texts (the sort keys of ``choose`` hold 12 bits of text
# index) and, past the first text, this many characters. Small chunks keep the temporaries in
# memory the allocator reuses; fresh pages cost more than the arithmetic. Outputs do not
# depend on the chunking.
CHUNK_TEXTS = 4096
CHUNK_CHARS = 1 << 15

# Purposes of draws. An attempt (a retry of an unchanged variant) shifts them all by
# ``attempt * _ATTEMPT_STRIDE``, so every attempt draws fresh numbers.
SELECT, PICK, COUNT, EDIT, POSITION, NEAR, COIN = range(1, 8)
_ATTEMPT_STRIDE = 16


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser, element-wise on a uint64 array (wrapping arithmetic); may reuse ``x``."""
    tmp = np.empty_like(x)
    for shift, factor in ((_U(30), _MIX1), (_U(27), _MIX2)):
        np.right_shift(x, shift, out=tmp)
        np.bitwise_xor(x, tmp, out=x)
        np.multiply(x, factor, out=x)
    np.right_shift(x, _U(31), out=tmp)
    return np.bitwise_xor(x, tmp, out=x)


def below(u: np.ndarray, n) -> np.ndarray:
    """Map uniform uint64 draws to integers in ``[0, n)`` (``n`` < 2**32, scalar or array)."""
    return (((u >> _U(32)) * np.asarray(n, dtype=_U)) >> _U(32)).astype(np.int64)


def source_hashes(ids: Sequence[str]) -> np.ndarray:
    """A stable 64-bit hash per string, all at once (not cryptographic; for seeding).

    Each (offset, code point) pair of a string is mixed to 64 bits; the string's hash mixes
    the XOR of those with its length. Same value in every process and on every platform.
    """
    ids = [str(i) for i in ids]
    lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    codes = np.frombuffer("".join(ids).encode("utf-32-le", "surrogatepass"), dtype=_UTF32)
    ends = np.cumsum(lengths)
    offsets = np.arange(len(codes), dtype=np.int64) - np.repeat(ends - lengths, lengths)
    x = offsets.astype(_U)
    x <<= _U(21)  # code points take 21 bits
    x |= codes
    x *= _GOLDEN
    x += _U(0x632BE59BD9B4E019)
    mixed = mix64(x)
    acc = np.zeros(len(ids), dtype=_U)
    nonempty = lengths > 0
    if len(codes):
        acc[nonempty] = np.bitwise_xor.reduceat(mixed, (ends - lengths)[nonempty])
    tail = lengths.astype(_U)
    tail *= _GOLDEN
    tail += _U(0x8CB92BA72F3D8DD7)
    acc ^= mix64(tail)
    return mix64(acc)


def derived_keys(keys: Sequence[int], counter: int) -> list[int]:
    """Sub-keys ``mix64(key + counter * GOLDEN)`` (wrapping), e.g. one per step of a composite."""
    x = np.array(keys, dtype=_U)
    x += _U((counter * int(_GOLDEN)) & _MASK64)
    return mix64(x).tolist()


def keyed(hashes: np.ndarray, context: int) -> np.ndarray:
    """Per-variant keys: the source hashes combined with a 64-bit context (seed, strategy, index)."""
    x = hashes ^ _U(context)
    return mix64(x)


class CodeTable:
    """Values of ``fn(chr(code))`` for every code point, computed on first sight of a code.

    The character classes the strategies need (letters, alphanumerics, case mappings, which
    lookalike set a character belongs to) are Python's own, exactly; a lookup is one gather.
    ``dtype`` must hold every value; int8 keeps the table at 1.1 MB and the gathers cheap.
    """

    def __init__(self, fn: Callable[[str], int], dtype=np.int8):
        self._fn = fn
        self._dtype = np.dtype(dtype)
        self._unknown = np.iinfo(self._dtype).min  # never a value of fn
        self._values: np.ndarray | None = None

    def __call__(self, codes: np.ndarray) -> np.ndarray:
        """Values for ``codes`` (pass intp arrays, e.g. ``CharBatch.points``, for speed)."""
        if codes.dtype != np.intp:
            codes = codes.astype(np.intp)
        if self._values is None:
            self._values = np.full(_MAX_CODE + 1, self._unknown, dtype=self._dtype)
        values = self._values[codes]
        unknown = values == self._unknown
        if unknown.any():
            new = np.unique(codes[unknown])
            # Concurrent fills write the same values, so no lock is needed.
            self._values[new] = [int(self._fn(chr(code))) for code in new.tolist()]
            values = self._values[codes]
        return values

    def mask(self, codes: np.ndarray) -> np.ndarray:
        """For a predicate (values 0 and 1): a boolean array, without another pass."""
        return self(codes).view(np.bool_)


class CharBatch:
    """Texts as one flat array of code points, with the draws and edits strategies need."""

    def __init__(self, texts: Sequence[str], keys: np.ndarray):
        self.texts = list(texts)
        self.n = len(self.texts)
        self.keys = keys
        # surrogatepass: a lone surrogate in the input survives the round trip unchanged.
        joined = "".join(self.texts).encode("utf-32-le", "surrogatepass")
        self.codes = np.frombuffer(joined, dtype=_UTF32)
        # The same as intp: numpy gathers with intp indices are several times faster.
        self.points = self.codes.astype(np.intp)
        self.lengths = np.fromiter(map(len, self.texts), dtype=np.int64, count=self.n)
        self.ends = np.cumsum(self.lengths)
        self.starts = self.ends - self.lengths

    @functools.cached_property
    def owner(self) -> np.ndarray:
        """The text of each character (built on first use)."""
        return np.repeat(np.arange(self.n), self.lengths)

    def owner_of(self, positions: np.ndarray) -> np.ndarray:
        """The text of each of a few (sorted or not) global positions, without ``owner``."""
        return np.searchsorted(self.ends, positions, side="right")

    # ---- randomness -----------------------------------------------------------------------
    def draws(self, owner: np.ndarray, counter: np.ndarray, purpose: int, attempt: int) -> np.ndarray:
        """One uniform uint64 per item: a function of its text's key, ``purpose``, ``attempt``
        and ``counter`` (an offset unique within the text for this purpose)."""
        return self.draws_for(owner, counter, (purpose,), attempt)[0]

    def draws_for(self, owner: np.ndarray, counter: np.ndarray, purposes: Sequence[int], attempt: int) -> np.ndarray:
        """``draws`` for several purposes at once: row ``i`` is ``draws(..., purposes[i], ...)``."""
        shift = int(_COUNTER_BITS)
        streams = [((purpose + attempt * _ATTEMPT_STRIDE) << shift) + 1 for purpose in purposes]
        offsets = np.array([stream * int(_GOLDEN) & _MASK64 for stream in streams], dtype=_U)
        base = self.keys[owner]  # key + stream * GOLDEN + counter * GOLDEN, per purpose
        base += counter.astype(_U) * _GOLDEN
        x = np.add.outer(offsets, base) if len(purposes) > 1 else base + offsets[0]
        return mix64(x.reshape(len(purposes), -1))

    def choose(self, owner: np.ndarray, counter: np.ndarray, intensity: float, attempt: int) -> np.ndarray:
        """Indices (ascending) of the chosen candidates. Candidates come grouped by ``owner``
        ascending, ``counter`` unique per text; of each text's ``n`` candidates,
        ``round(n * intensity)`` are chosen (at least one), uniformly."""
        m = len(owner)
        edges = np.searchsorted(owner, np.arange(self.n + 1))
        counts = np.diff(edges)
        k = np.minimum(counts, np.maximum(1, np.rint(counts * intensity).astype(np.int64)))
        if np.array_equal(k, counts):
            return np.arange(m)
        # Per text, the k candidates with the smallest draws (top 32 bits; ties go to the earlier
        # candidate, so the choice does not depend on where a text sits in the batch).
        u = self.draws(owner, counter, SELECT, attempt)
        u >>= _U(32)
        index = np.arange(m, dtype=np.int64)
        if self.n <= 1 << 12 and m <= 1 << 20:
            # One in-place sort of (text: 12 bits | draw: 32 bits | candidate index: 20 bits).
            u <<= _U(20)
            u |= index.view(_U)
            high = owner.astype(_U)
            high <<= _U(52)
            u |= high
            u.sort()
            # Sorted by text first, so text t's group still spans edges[t]..edges[t+1]: keep
            # the first k[t] of it.
            keep = np.repeat(np.tile([True, False], self.n), np.stack([k, counts - k], axis=1).ravel())
            u &= _U(0xFFFFF)
            picked = u.view(np.int64)[keep]
        else:
            order = np.lexsort((index, u, owner))
            picked = order[index - edges[owner] < k[owner]]
        picked.sort()
        return picked

    def choose_chars(self, eligible: np.ndarray, intensity: float,
                     attempt: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The chosen characters among the ``eligible`` mask's: (global position, text, offset)."""
        positions = np.flatnonzero(eligible)
        owner = self.owner[positions]
        local = positions - self.starts[owner]
        picked = self.choose(owner, local, intensity, attempt)
        return positions[picked], owner[picked], local[picked]

    # ---- edits ----------------------------------------------------------------------------
    def rebuild(
        self,
        sub_pos: np.ndarray | None = None,
        sub_val: np.ndarray | None = None,
        del_pos: np.ndarray | None = None,
        ins_at: np.ndarray | None = None,
        ins_val: np.ndarray | None = None,
        ins_owner: np.ndarray | None = None,
    ) -> list[str]:
        """Apply the edits and return one string per text.

        Positions are global offsets into ``codes``. ``ins_at`` inserts before that offset
        (``ends[i]`` appends to text ``i``); insertions come in text order (ascending offsets),
        and those at one offset in the order they should appear. ``ins_owner`` names each
        one's text (needed where text ``i`` ends and ``i + 1`` starts at the same offset).
        """
        out, lengths = self.codes, self.lengths
        has_sub = sub_pos is not None and len(sub_pos)
        has_del = del_pos is not None and len(del_pos)
        if has_sub or has_del:
            out = out.copy()
        if has_sub:
            out[sub_pos] = sub_val
        if has_del:
            out[del_pos] = _DELETED
            lengths = lengths - np.bincount(self.owner_of(del_pos), minlength=self.n)
        if ins_at is not None and len(ins_at):
            if len(ins_at) > 1 and (ins_at[1:] < ins_at[:-1]).any():
                order = np.argsort(ins_at, kind="stable")
                ins_at, ins_val, ins_owner = ins_at[order], ins_val[order], ins_owner[order]
            # Sorted insertions: the t-th lands at ins_at[t] + t; the old characters fill the rest.
            slots = ins_at + np.arange(len(ins_at))
            merged = np.empty(len(out) + len(ins_at), dtype=_UTF32)
            merged[slots] = ins_val
            free = np.ones(len(merged), dtype=bool)
            free[slots] = False
            merged[free] = out
            out = merged
            lengths = lengths + np.bincount(ins_owner, minlength=self.n)
        if has_del:
            out = out[out != _DELETED]
        joined = codecs.utf_32_le_decode(out, "surrogatepass", True)[0]
        ends = np.cumsum(lengths).tolist()
        return [joined[a:b] for a, b in zip([0, *ends[:-1]], ends)]


class BatchStrategy(KeyedStrategy):
    """A strategy with a vectorised batch path; its per-text path is a batch of one.

    Subclasses implement ``_transform_many(batch, attempt)``. ``apply(text, rng)`` uses
    ``rng.getrandbits(64)`` as the variant key, so it stays deterministic for a seeded rng
    and runs exactly the code that batch generation runs.
    """

    # Strategies whose candidates are sparse (words, not characters) run faster in larger chunks.
    chunk_scale: ClassVar[int] = 1

    def _attempt(self, texts: list[str], keys: Sequence[int], attempt: int) -> list[str]:
        """``_transform_many`` over chunks of at most CHUNK_TEXTS texts and
        ``CHUNK_CHARS * chunk_scale`` characters."""
        keys = np.array(keys, dtype=_U)
        out: list[str] = []
        lo, max_chars = 0, CHUNK_CHARS * self.chunk_scale
        while lo < len(texts):
            hi, chars = lo + 1, len(texts[lo])
            limit = min(len(texts), lo + CHUNK_TEXTS)
            while hi < limit and chars + len(texts[hi]) <= max_chars:
                chars += len(texts[hi])
                hi += 1
            out += self._transform_many(CharBatch(texts[lo:hi], keys[lo:hi]), attempt)
            lo = hi
        return out

    @abc.abstractmethod
    def _transform_many(self, batch: CharBatch, attempt: int) -> list[str]:
        """Perturb every text of ``batch``, drawing only through ``batch.draws``/``batch.choose``."""


class SubstitutionStrategy(BatchStrategy):
    """Replace ``intensity`` share of the eligible characters, one for one."""

    def _transform_many(self, batch: CharBatch, attempt: int) -> list[str]:
        chosen, owner, local = batch.choose_chars(self._eligible(batch.points), self.intensity, attempt)
        u = batch.draws(owner, local, PICK, attempt)
        return batch.rebuild(sub_pos=chosen, sub_val=self._replacements(batch.points[chosen], u))

    @abc.abstractmethod
    def _eligible(self, codes: np.ndarray) -> np.ndarray:
        """Boolean mask: which characters (code points, intp) may be replaced."""

    @abc.abstractmethod
    def _replacements(self, codes: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Replacement code point per chosen character, from one uniform draw ``u`` each."""


class TableSubstitution(SubstitutionStrategy):
    """Substitution where each eligible character has a list of options (``options_table``)."""

    @abc.abstractmethod
    def _options(self) -> tuple[CodeTable, np.ndarray, np.ndarray, np.ndarray]:
        """The (class table, starts, counts, flat code points) of ``options_table``."""

    def _eligible(self, codes: np.ndarray) -> np.ndarray:
        return self._options()[0](codes) > 0

    def _replacements(self, codes: np.ndarray, u: np.ndarray) -> np.ndarray:
        table, starts, counts, flat = self._options()
        kind = table(codes).astype(np.intp)
        return flat[starts[kind] + below(u, counts[kind])]


def options_table(mapping: dict[str, Sequence[str]]) -> tuple[CodeTable, np.ndarray, np.ndarray, np.ndarray]:
    """For ``{key char: replacement chars}``: a class table (key index + 1, 0 = none) and the
    options as (start, count, flat code points) arrays indexed by class."""
    keys = sorted(mapping)
    if len(keys) >= 127:
        raise ValueError("options_table holds at most 126 keys (int8 classes)")
    index = {key: i + 1 for i, key in enumerate(keys)}
    starts, counts, flat = [0], [0], []
    for key in keys:
        starts.append(len(flat))
        counts.append(len(mapping[key]))
        flat += [ord(ch) for ch in mapping[key]]
    table = CodeTable(lambda ch: index.get(ch, 0))
    return table, np.array(starts, dtype=np.int64), np.array(counts, dtype=np.int64), np.array(flat, dtype=np.uint32)

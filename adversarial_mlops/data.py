"""Load labelled text data, validate it, and split it by group.

Everything downstream works on one standard frame with columns ``id`` (unique str),
``text`` (str), ``label`` (0 benign / 1 malicious) and ``group`` (str). Splits are made
per group, so near-identical rows (one template, one conversation, one source
document) never straddle train and test and inflate the test score.

Errors are ``DataError`` with the file, the 1-based data row and the fix, because
users meet them first when pointing the pipeline at their own data.
"""

from __future__ import annotations

import gzip
import random
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from adversarial_mlops.errors import InvalidInputError

BENIGN = 0
MALICIOUS = 1
LABEL_NAMES = MappingProxyType({BENIGN: "benign", MALICIOUS: "malicious"})

DEFAULT_LABEL_MAP: Mapping[str, int] = MappingProxyType({
    "benign": BENIGN, "malicious": MALICIOUS, "0": BENIGN, "1": MALICIOUS,
    "safe": BENIGN, "unsafe": MALICIOUS, "injection": MALICIOUS, "jailbreak": MALICIOUS,
    "false": BENIGN, "true": MALICIOUS,
})
STANDARD_COLUMNS = ("id", "text", "label", "group")
SUPPORTED_EXTENSIONS = (".csv", ".jsonl", ".json", ".parquet")
# Text formats may also come gzipped (data.csv.gz): the bundled data ships that way to stay small.
COMPRESSED_SUFFIX = ".gz"
# Suffixes that mark a source as a file path rather than a Hugging Face dataset id,
# so a typo in a local path gives "file not found" instead of a network error.
FILE_LIKE_SUFFIXES = SUPPORTED_EXTENSIONS + (".txt", ".tsv", ".xlsx", ".xls", ".gz",
                                             ".zip", ".arrow", ".pq")
HF_DATASET_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
SAVE_TO_DISK_MARKERS = ("dataset_info.json", "state.json", "dataset_dict.json")
# The holdout is sealed: reported next to every evaluation and A/B, never read by a decision
# (gate, A/B, early stopping, threshold calibration) — the one estimate repeated loops cannot
# overfit by selection.
SPLITS = ("train", "validation", "test", "holdout")
MAX_TEXT_CHARS = 100_000  # per example (data.max_text_chars)
# data.split_column's default: used when the data has it; a column named otherwise must exist.
DEFAULT_SPLIT_COLUMN = "split"
# Optional columns: where the payload sits in a long malicious text (characters), read when present.
PAYLOAD_SPAN_COLUMNS = ("payload_start", "payload_end")
MAX_ROWS_NAMED = 5


class DataError(InvalidInputError):
    """Bad input data; the message names the file, row (1-based data row) and the fix."""


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------
def load_labeled_data(source: str, *, text_column: str = "text", label_column: str = "label",
                      label_map: Mapping[str, int] | None = None,
                      group_column: str | None = None, id_column: str | None = None,
                      hf_split: str = "train", category_column: str | None = None,
                      max_text_chars: int = MAX_TEXT_CHARS, split_column: str | None = None,
                      split_column_required: bool = False) -> pd.DataFrame:
    """Read ``source`` into the standard frame: id (str, unique), text, label (0/1), group.

    source: a .csv / .jsonl / .json / .parquet file (the text formats optionally .gz), a directory written by
    ``datasets.Dataset.save_to_disk``, or a Hugging Face dataset id (``owner/name``).
    label_map: raw label -> 0/1, matched on ``str(value).strip().lower()``; when given it
    replaces ``DEFAULT_LABEL_MAP`` (an empty map means the default) so that unexpected
    values are reported, not guessed.
    id: from ``id_column``, else ``row-<n>``. group: from ``group_column``, else the id.
    category: from ``category_column`` (e.g. a family such as "benign_hard_negative", used to
    report false alarms per kind of benign text), else the label name.
    split: from ``split_column`` when the data has it (values train / validation / test / holdout,
    assigned by whoever built the data, e.g. so that phrase pools are disjoint per split); a
    missing column is an error only when ``split_column_required``.
    Exact duplicate texts (ignoring case and whitespace) with the same label are dropped,
    keeping the first.
    """
    raw = read_source(source, hf_split)
    source_name = str(source)
    if raw.empty:
        raise DataError(f"{source_name}: no data rows. Fix: point data.source at a file with "
                        f"labelled examples (a header alone is not enough).")
    require_column(raw, text_column, "text", "data.text_column", source_name)
    require_column(raw, label_column, "label", "data.label_column", source_name)
    for column, role, key in ((group_column, "group", "data.group_column"),
                              (id_column, "id", "data.id_column"),
                              (category_column, "category", "data.category_column")):
        if column is not None:
            require_column(raw, column, role, key, source_name)
    lookup = normalised_label_map(label_map or DEFAULT_LABEL_MAP)
    frame = pd.DataFrame({
        "id": read_ids(raw, id_column, source_name),
        "text": read_texts(raw[text_column], source_name, max_text_chars),
        "label": [map_label(value, row, lookup, source_name)
                  for row, value in enumerate(raw[label_column], start=1)],
    })
    frame["group"] = (read_required_strings(raw[group_column], "group", "data.group_column",
                                            source_name)
                      if group_column is not None else frame["id"])
    frame["category"] = (read_required_strings(raw[category_column], "category", "data.category_column",
                                               source_name)
                         if category_column is not None else frame["label"].map(LABEL_NAMES))
    if split_column is not None and (split_column in raw.columns or split_column_required):
        require_column(raw, split_column, "split", "data.split_column", source_name)
        frame["split"] = read_split_names(raw[split_column], source_name)
    if all(column in raw.columns for column in PAYLOAD_SPAN_COLUMNS):
        frame["payload_start"], frame["payload_end"] = read_payload_spans(raw, frame["text"], source_name)
    validate_labeled_data(frame, source_name)
    return drop_duplicate_texts(frame)


def read_source(source: str, hf_split: str) -> pd.DataFrame:
    """Dispatch on what ``source`` is: a file, a save_to_disk directory or a hub id."""
    path = Path(str(source)).expanduser()
    if path.is_dir():
        return read_saved_dataset(path, hf_split)
    if path.is_file():
        return read_file(path)
    if looks_like_path(str(source)):
        raise DataError(f"{source}: file not found. Fix: check the path (relative paths are "
                        f"resolved from {Path.cwd()}) or point data.source at an existing "
                        f"{'/'.join(SUPPORTED_EXTENSIONS)} file.")
    return read_hub_dataset(str(source), hf_split)


def looks_like_path(source: str) -> bool:
    if source.startswith(("/", ".", "~")) or "\\" in source or source.count("/") > 1:
        return True
    return Path(source).suffix.lower() in FILE_LIKE_SUFFIXES or not HF_DATASET_ID.match(source)


def file_format(path: Path) -> str:
    """The format suffix of ``path``, seen through a trailing .gz on a text format (d.csv.gz -> .csv)."""
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if len(suffixes) >= 2 and suffixes[-1] == COMPRESSED_SUFFIX and suffixes[-2] != ".parquet":
        return suffixes[-2]
    return suffixes[-1] if suffixes else ""


def read_file(path: Path) -> pd.DataFrame:
    suffix = file_format(path)
    if suffix not in SUPPORTED_EXTENSIONS:
        raise DataError(f"{path}: unsupported file type '{''.join(path.suffixes[-2:]) or '(none)'}'. "
                        f"Fix: convert it to one of {', '.join(SUPPORTED_EXTENSIONS)} (JSON as one "
                        f"object per line; the text formats may be gzipped, e.g. .csv.gz), or give a "
                        f"Hugging Face dataset id.")
    try:
        if suffix == ".csv":
            # Everything as str, and no NA guessing: 'NA' or 'null' are real texts.
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        if suffix == ".parquet":
            return pd.read_parquet(path)
        return read_json_records(path)
    except (ValueError, OSError, EOFError, UnicodeDecodeError) as error:  # EOFError: a cut-off .gz
        raise DataError(f"{path}: could not be read as {suffix} ({error}). Fix: check the file "
                        f"is valid {suffix} in UTF-8.") from error


def read_json_records(path: Path) -> pd.DataFrame:
    """JSON lines (the documented format), or a JSON array of objects if it starts with '['."""
    opener = gzip.open if path.suffix.lower() == COMPRESSED_SUFFIX else open
    with opener(path, "rt", encoding="utf-8") as handle:
        first_char = handle.read(4096).lstrip()[:1]
    # dtype=False: keep ids like "007" and labels as written; mapping happens later.
    return pd.read_json(path, lines=first_char != "[", dtype=False)


def read_saved_dataset(path: Path, hf_split: str) -> pd.DataFrame:
    if not any((path / marker).exists() for marker in SAVE_TO_DISK_MARKERS):
        raise DataError(f"{path}: is a directory but not a dataset saved with "
                        f"datasets' save_to_disk. Fix: point data.source at a "
                        f"{'/'.join(SUPPORTED_EXTENSIONS)} file or a save_to_disk directory.")
    import datasets  # heavy; only needed for this source type

    loaded = datasets.load_from_disk(str(path))
    return dataset_to_frame(loaded, hf_split, str(path))


def read_hub_dataset(source: str, hf_split: str) -> pd.DataFrame:
    import datasets  # heavy; only needed for this source type

    try:
        loaded = datasets.load_dataset(source, split=hf_split)
    except Exception as error:  # the hub raises many unrelated types; all mean "can't load"
        raise DataError(f"{source}: not an existing file, and loading it as a Hugging Face "
                        f"dataset (split '{hf_split}') failed: {error}. Fix: check the path or "
                        f"dataset id, the split name (data.hf_split) and network access.") from error
    return dataset_to_frame(loaded, hf_split, source)


def dataset_to_frame(loaded, hf_split: str, source_name: str) -> pd.DataFrame:
    """A DatasetDict holds several splits; pick the requested one."""
    if hasattr(loaded, "to_pandas"):
        return loaded.to_pandas()
    if hf_split not in loaded:
        raise DataError(f"{source_name}: has no split '{hf_split}'; available: "
                        f"{', '.join(sorted(loaded))}. Fix: set data.hf_split.")
    return loaded[hf_split].to_pandas()


def require_column(raw: pd.DataFrame, column: str, role: str, config_key: str,
                   source_name: str) -> None:
    if column not in raw.columns:
        found = ", ".join(map(str, raw.columns)) or "(none)"
        raise DataError(f"{source_name}: {role} column '{column}' not found. Columns found: "
                        f"{found}. Fix: set {config_key} to the column that holds the {role}.")


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def read_texts(values: pd.Series, source_name: str, max_chars: int = MAX_TEXT_CHARS) -> list[str]:
    texts = []
    for row, value in enumerate(values, start=1):
        text = "" if is_missing(value) else str(value)
        if not text.strip():
            raise DataError(f"{source_name}: row {row}: text is empty or whitespace-only. "
                            f"Fix: fill in the text or remove the row.")
        if len(text) > max_chars:
            # A tokenizer reads the whole text before truncating it: one 50 MB text took 6.1 GB.
            raise DataError(f"{source_name}: row {row}: text is {len(text):,} characters, over the limit of "
                            f"{max_chars:,}. Fix: split long documents into examples, or raise "
                            f"data.max_text_chars.")
        texts.append(text)
    return texts


def read_required_strings(values: pd.Series, role: str, config_key: str,
                          source_name: str) -> list[str]:
    strings = []
    for row, value in enumerate(values, start=1):
        string = "" if is_missing(value) else str(value).strip()
        if not string:
            raise DataError(f"{source_name}: row {row}: {role} is missing. Fix: fill in the "
                            f"{role} or unset {config_key}.")
        strings.append(string)
    return strings


def read_ids(raw: pd.DataFrame, id_column: str | None, source_name: str) -> list[str]:
    if id_column is None:
        return [f"row-{row}" for row in range(1, len(raw) + 1)]
    return read_required_strings(raw[id_column], "id", "data.id_column", source_name)


def read_payload_spans(raw: pd.DataFrame, texts: pd.Series, source_name: str) -> tuple[pd.Series, pd.Series]:
    """Optional character span of the payload in a long malicious text (empty = unknown): training
    then learns from the window that holds it, not from a window of benign filler."""
    start = pd.to_numeric(raw["payload_start"], errors="coerce").astype("Int64")
    end = pd.to_numeric(raw["payload_end"], errors="coerce").astype("Int64")
    lengths = texts.str.len().to_numpy()
    for row in range(len(raw)):
        a, b = start.iloc[row], end.iloc[row]
        if pd.isna(a) and pd.isna(b):
            continue
        if pd.isna(a) or pd.isna(b) or not 0 <= a < b <= lengths[row]:
            raise DataError(f"{source_name}: row {row + 1}: payload span {raw['payload_start'].iloc[row]!r}.."
                            f"{raw['payload_end'].iloc[row]!r} is not 0 <= start < end <= the text's "
                            f"{lengths[row]} characters. Fix: correct it or leave both cells empty.")
    return start.reset_index(drop=True), end.reset_index(drop=True)


def payload_spans(frame: pd.DataFrame) -> list[tuple[int, int] | None] | None:
    """Per row, the payload's (start, end) characters or None; None when the frame has no spans."""
    if "payload_start" not in frame.columns:
        return None
    return [None if pd.isna(a) or pd.isna(b) else (int(a), int(b))
            for a, b in zip(frame["payload_start"], frame["payload_end"])]


def training_columns(frame: pd.DataFrame, *extra: str) -> pd.DataFrame:
    """The columns a model trains on: text, label, ``extra``, and the payload span when the frame
    has one (without it, a long malicious document would teach its first window, benign text, as
    malicious)."""
    return frame[["text", "label", *extra, *[c for c in PAYLOAD_SPAN_COLUMNS if c in frame.columns]]]


def read_split_names(values: pd.Series, source_name: str) -> list[str]:
    names = read_required_strings(values, "split", "data.split_column", source_name)
    for row, name in enumerate(names, start=1):
        if name.strip().lower() not in SPLITS:
            raise DataError(f"{source_name}: row {row}: split {name!r} is not one of {', '.join(SPLITS)}. "
                            f"Fix: correct the value, or set data.split_column: null to split by "
                            f"data.group_column with the configured fractions.")
    return [name.strip().lower() for name in names]


def label_key(value) -> str:
    """Normalise a raw label so 1, 1.0, '1 ', True and 'TRUE' compare as intended."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().lower()


def normalised_label_map(label_map: Mapping[str, int]) -> dict[str, int]:
    lookup = {}
    for raw_value, label in label_map.items():
        if label not in (BENIGN, MALICIOUS) or isinstance(label, bool):
            raise DataError(f"data.label_map: '{raw_value}' maps to {label!r}, but labels must "
                            f"be {BENIGN} (benign) or {MALICIOUS} (malicious). Fix the mapping.")
        lookup[label_key(raw_value)] = int(label)
    return lookup


def map_label(value, row: int, lookup: dict[str, int], source_name: str) -> int:
    key = "" if is_missing(value) else label_key(value)
    if key not in lookup:
        known = ", ".join(sorted(lookup))
        raise DataError(f"{source_name}: row {row}: unknown label value {key!r} (known: {known}). "
                        f"Fix: add it to data.label_map, e.g. data.label_map: "
                        f"{{'{key}': 1}} for malicious or 0 for benign.")
    return lookup[key]


def normalise_text(text: str) -> str:
    """Strip, casefold and collapse whitespace: the key for 'the same text'."""
    return " ".join(str(text).split()).casefold()


def drop_duplicate_texts(frame: pd.DataFrame) -> pd.DataFrame:
    keys = frame["text"].map(normalise_text)
    return frame.loc[~keys.duplicated(keep="first")].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------
def validate_labeled_data(df: pd.DataFrame, source_name: str) -> None:
    """Check a standard frame; raise DataError naming the rows (1-based) and the fix.

    Same-label duplicate texts are allowed here (the loader drops them); duplicates with
    conflicting labels are not, because no model can fit both.
    """
    missing = [column for column in STANDARD_COLUMNS if column not in df.columns]
    if missing:
        raise DataError(f"{source_name}: missing column(s) {', '.join(missing)}; found "
                        f"{', '.join(map(str, df.columns)) or '(none)'}. Fix: load the data "
                        f"with load_labeled_data, which builds id/text/label/group.")
    if df.empty:
        raise DataError(f"{source_name}: no data rows. Fix: point data.source at a file "
                        f"with labelled examples.")
    check_texts(df, source_name)
    check_labels(df, source_name)
    check_unique_ids(df, source_name)
    check_conflicting_duplicates(df, source_name)
    check_both_classes(df, source_name)


def check_texts(df: pd.DataFrame, source_name: str) -> None:
    for row, text in enumerate(df["text"], start=1):
        if not isinstance(text, str) or not text.strip():
            raise DataError(f"{source_name}: row {row}: text is empty or whitespace-only. "
                            f"Fix: fill in the text or remove the row.")


def check_labels(df: pd.DataFrame, source_name: str) -> None:
    for row, label in enumerate(df["label"], start=1):
        if isinstance(label, bool) or label not in (BENIGN, MALICIOUS):
            raise DataError(f"{source_name}: row {row}: label {label!r} is not {BENIGN} or "
                            f"{MALICIOUS}. Fix: map raw labels with data.label_map.")


def check_unique_ids(df: pd.DataFrame, source_name: str) -> None:
    ids = df["id"].astype(str).reset_index(drop=True)
    repeated = ids[ids.duplicated(keep=False)]
    if repeated.empty:
        return
    first = repeated.iloc[0]
    rows = [str(position + 1) for position in repeated.index[repeated == first]]
    raise DataError(f"{source_name}: duplicate id '{first}' in rows {', '.join(rows)} "
                    f"({repeated.nunique()} ids repeated in all). Fix: make data.id_column "
                    f"unique, or unset it to number rows automatically.")


def check_conflicting_duplicates(df: pd.DataFrame, source_name: str) -> None:
    keyed = pd.DataFrame({"key": df["text"].map(normalise_text).to_numpy(),
                          "label": df["label"].to_numpy()})
    labels_per_key = keyed.groupby("key", sort=False)["label"].nunique()
    conflicting = labels_per_key[labels_per_key > 1]
    if conflicting.empty:
        return
    key = conflicting.index[0]
    clash = keyed.index[keyed["key"] == key]
    rows = ", ".join(f"{position + 1} (label {keyed['label'].iloc[position]})"
                     for position in clash[:MAX_ROWS_NAMED])
    raise DataError(f"{source_name}: the same text appears with different labels in rows "
                    f"{rows}: {shorten(key)!r} ({len(conflicting)} such texts in all). Fix: "
                    f"correct the wrong label or remove the duplicate rows.")


def check_both_classes(df: pd.DataFrame, source_name: str) -> None:
    present = set(df["label"].astype(int))
    if present == {BENIGN, MALICIOUS}:
        return
    only = "benign (0)" if present == {BENIGN} else "malicious (1)"
    lacking = "malicious (1)" if present == {BENIGN} else "benign (0)"
    raise DataError(f"{source_name}: all {len(df)} rows are {only}; training needs both "
                    f"classes. Fix: add {lacking} examples, or check data.label_column and "
                    f"data.label_map.")


def shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------------------
# Grouped, stratified split
# --------------------------------------------------------------------------------------
def split_by_group(df: pd.DataFrame, *, validation_fraction: float = 0.15, test_fraction: float = 0.15,
                   holdout_fraction: float = 0.15, seed: int = 13) -> pd.DataFrame:
    """Return a copy with a 'split' column in {'train', 'validation', 'test', 'holdout'}.

    Every group lands wholly in one split. Groups are stratified by their majority label
    and dealt, in a seeded shuffle, to whichever split is furthest below its row target,
    so each split gets roughly the overall class balance. Fractions are of rows; train gets
    the rest. ``holdout_fraction`` 0 = no holdout split.
    """
    check_fractions(validation_fraction, test_fraction, holdout_fraction)
    for column in ("label", "group"):
        if column not in df.columns:
            raise DataError(f"split_by_group: column '{column}' missing. Fix: load the data "
                            f"with load_labeled_data first.")
    fractions = {"train": 1.0 - validation_fraction - test_fraction - holdout_fraction,
                 "validation": validation_fraction, "test": test_fraction, "holdout": holdout_fraction}
    fractions = {split: fraction for split, fraction in fractions.items() if fraction > 0}
    groups = df.groupby(df["group"].astype(str))["label"].agg(["size", "mean"])
    rng = random.Random(seed)
    assignment: dict[str, str] = {}
    for majority in (BENIGN, MALICIOUS):
        is_majority_malicious = groups["mean"] > 0.5
        stratum = groups[is_majority_malicious == bool(majority)]
        assignment.update(deal_groups(stratum["size"], fractions, rng, majority))
    result = df.copy()
    result["split"] = df["group"].astype(str).map(assignment)
    check_every_split_has_both_classes(result, tuple(fractions))
    return result


def check_fractions(validation_fraction: float, test_fraction: float, holdout_fraction: float = 0.0) -> None:
    if not (0 < validation_fraction < 1 and 0 < test_fraction < 1 and 0 <= holdout_fraction < 1
            and validation_fraction + test_fraction + holdout_fraction < 1):
        raise ValueError(f"validation_fraction ({validation_fraction}) and test_fraction ({test_fraction}) must "
                         f"each be in (0, 1), holdout_fraction ({holdout_fraction}) in [0, 1), and together "
                         f"they must leave a training share above 0.")


def deal_groups(sizes: pd.Series, fractions: dict[str, float], rng: random.Random,
                majority: int) -> dict[str, str]:
    """Assign one stratum's groups: one seed group per split, then largest deficit first."""
    splits = tuple(fractions)
    if len(sizes) < len(splits):
        name = "benign" if majority == BENIGN else "malicious"
        raise DataError(f"split_by_group: only {len(sizes)} group(s) are mostly {name}; at "
                        f"least {len(splits)} are needed so {', '.join(splits)} each "
                        f"get {name} examples. Fix: add data, or use finer groups "
                        f"(data.group_column).")
    names = sorted(sizes.index)  # sort first: the shuffle must not depend on row order
    rng.shuffle(names)
    total = int(sizes.sum())
    targets = {split: fraction * total for split, fraction in fractions.items()}
    filled = dict.fromkeys(splits, 0)
    assignment = {}
    # Smallest targets are seeded first so validation/test/holdout are never left empty.
    seeding_order = sorted(splits, key=lambda split: targets[split])
    for position, name in enumerate(names):
        if position < len(seeding_order):
            split = seeding_order[position]
        else:
            split = max(splits, key=lambda s: (targets[s] - filled[s], -splits.index(s)))
        assignment[name] = split
        filled[split] += int(sizes[name])
    return assignment


def check_every_split_has_both_classes(result: pd.DataFrame, splits: Sequence[str] = SPLITS) -> None:
    for split in splits:
        present = set(result.loc[result["split"] == split, "label"].astype(int))
        if present != {BENIGN, MALICIOUS}:
            raise DataError(f"split_by_group: the {split} split got labels {sorted(present)} "
                            f"only. Fix: use more, smaller groups (data.group_column) or "
                            f"change the split fractions.")


def check_no_cross_split_duplicates(df: pd.DataFrame) -> None:
    """Raise DataError if one normalised text (strip, casefold, collapsed whitespace)
    occurs in two different splits: that would leak test examples into training."""
    for column in ("id", "text", "split"):
        if column not in df.columns:
            raise DataError(f"check_no_cross_split_duplicates: column '{column}' missing. "
                            f"Fix: run split_by_group on a frame from load_labeled_data.")
    keyed = pd.DataFrame({"key": df["text"].map(normalise_text).to_numpy(),
                          "id": df["id"].astype(str).to_numpy(),
                          "split": df["split"].astype(str).to_numpy()})
    splits_per_key = keyed.groupby("key", sort=False)["split"].nunique()
    leaking = splits_per_key[splits_per_key > 1]
    if leaking.empty:
        return
    rows = keyed[keyed["key"] == leaking.index[0]].drop_duplicates("split")
    first, second = rows.iloc[0], rows.iloc[1]
    raise DataError(f"The same text (ignoring case and whitespace) is in two splits: id "
                    f"'{first['id']}' ({first['split']}) and id '{second['id']}' "
                    f"({second['split']}): {shorten(leaking.index[0])!r} ({len(leaking)} such "
                    f"texts in all). Fix: deduplicate the data, or give these rows the same "
                    f"group (data.group_column) so they land in one split.")


def load_splits(settings) -> pd.DataFrame:
    """Load the configured data (a ``config.DataSettings``) and split it, leakage-checked.

    The data's own split column (``data.split_column``, "split" by default) decides when the
    data has it — the bundled data does, so its phrase pools stay disjoint per split; otherwise
    groups are dealt to splits with the configured fractions and seed. The one path from
    settings to splits, shared by the ``labeled_dataset`` asset and by experiments that run
    outside Dagster (``generalization``), so both see identical splits.
    """
    frame = load_labeled_data(settings.resolved_source(), text_column=settings.text_column,
                              label_column=settings.label_column, label_map=settings.label_map,
                              group_column=settings.group_column, id_column=settings.id_column,
                              hf_split=settings.hf_split, category_column=settings.category_column,
                              max_text_chars=settings.max_text_chars, split_column=settings.split_column,
                              split_column_required=settings.split_column != DEFAULT_SPLIT_COLUMN)
    if "split" in frame.columns:
        check_given_splits(frame, settings.resolved_source())
        splits, source = frame, f"the data's column '{settings.split_column}'"
    else:
        splits = split_by_group(frame, validation_fraction=settings.validation_fraction,
                                test_fraction=settings.test_fraction, holdout_fraction=settings.holdout_fraction,
                                seed=settings.split_seed)
        source = (f"groups ({settings.group_column or 'one per row'}) dealt with seed {settings.split_seed}: "
                  f"validation {settings.validation_fraction}, test {settings.test_fraction}, "
                  f"holdout {settings.holdout_fraction}")
    check_no_cross_split_duplicates(splits)
    splits.attrs["split_source"] = source  # read by the caller at once, for people (metadata, logs)
    return splits


def check_given_splits(frame: pd.DataFrame, source_name: str) -> None:
    """A split column must give train, validation and test both classes, and keep each group in one split."""
    for split in ("train", "validation", "test"):
        present = set(frame.loc[frame["split"] == split, "label"].astype(int))
        if present != {BENIGN, MALICIOUS}:
            raise DataError(f"{source_name}: the data's split column gives the {split} split labels "
                            f"{sorted(present)} only; train, validation and test each need both classes. "
                            f"Fix: reassign rows, or set data.split_column: null to split by group.")
    holdout = set(frame.loc[frame["split"] == "holdout", "label"].astype(int))
    if holdout and holdout != {BENIGN, MALICIOUS}:
        raise DataError(f"{source_name}: the holdout split holds labels {sorted(holdout)} only. Fix: give it "
                        f"both classes or none.")
    straddling = frame.groupby("group")["split"].nunique()
    straddling = straddling[straddling > 1]
    if not straddling.empty:
        raise DataError(f"{source_name}: group {straddling.index[0]!r} is in several splits ({len(straddling)} "
                        f"groups in all); rows of one group share wording and would leak. Fix: put each "
                        f"group in one split.")


# --------------------------------------------------------------------------------------
# Phrase leakage between splits
# --------------------------------------------------------------------------------------
LEAKAGE_SPAN_WORDS = 6
WORD = re.compile(r"\w+")


def word_spans(text: str, span: int = LEAKAGE_SPAN_WORDS) -> set[str]:
    words = WORD.findall(str(text).casefold())
    return {" ".join(words[i:i + span]) for i in range(len(words) - span + 1)}


def phrase_leakage(splits: pd.DataFrame, evaluated: Sequence[str] = ("test", "holdout"),
                   span: int = LEAKAGE_SPAN_WORDS) -> dict:
    """Share of evaluated texts that share a ``span``-word phrase with a training text of the same
    label when that phrase never occurs in a text of the other label (anywhere in the data).

    Such a phrase is a label shortcut: a model can score the evaluated text right by recalling it
    without having learnt the concept, so the evaluation flatters. Phrases both classes use
    (topics, document bodies shared by design) are not counted.
    """
    spans = splits["text"].map(lambda text: word_spans(text, span))
    by_label = {label: set().union(*spans[splits["label"] == label]) for label in (BENIGN, MALICIOUS)}
    is_train = (splits["split"] == "train").to_numpy()
    train_by_label = {label: set().union(*spans[is_train & (splits["label"] == label).to_numpy()])
                      for label in (BENIGN, MALICIOUS)}
    shortcuts = {label: train_by_label[label] - by_label[1 - label] for label in (BENIGN, MALICIOUS)}
    report = {"span_words": span}
    for split in evaluated:
        rows = splits[splits["split"] == split]
        if rows.empty:
            continue
        leaked = [bool(spans[index] & shortcuts[int(label)]) for index, label in rows["label"].items()]
        leaked = pd.Series(leaked, index=rows.index)
        example = next((rows.at[i, "text"] for i in leaked.index[leaked]), None)
        report[split] = {"texts": len(rows), "leaked": int(leaked.sum()), "share": float(leaked.mean()),
                         "by_label": {LABEL_NAMES[label]: float(leaked[rows["label"] == label].mean())
                                      for label in (BENIGN, MALICIOUS) if (rows["label"] == label).any()},
                         "example": shorten(example, 120) if example else None}
    return report


def leakage_warnings(report: Mapping, max_share: float) -> list[str]:
    """Sentences for each evaluated split whose leaked share is above ``data.max_phrase_leakage``."""
    return [f"{block['leaked']} of {block['texts']} {split} texts ({block['share']:.1%}) share a "
            f"{report['span_words']}-word phrase with training texts of their label that the other label "
            f"never uses (limit {max_share:.0%}), e.g. {block['example']!r}. Their scores measure phrase "
            f"recall, not the concept. Fix: rewrite or regroup the templates that share phrases, or "
            f"split by a coarser data.group_column."
            for split, block in report.items() if isinstance(block, Mapping) and block["share"] > max_share]

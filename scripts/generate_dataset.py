"""Generate the bundled prompt-injection / jailbreak dataset deterministically (generator v2).

Usage:  python scripts/generate_dataset.py [--output data/prompt_injection.csv.gz] [--stats-only]

Standard library only, no network. Content (templates, long documents, slot pools) lives in
``scripts/datagen/content/*.py`` as pure data (see ``scripts/datagen/CONTENT_GUIDE.md``). This
script:

1. assigns every template and document wholly to one split (train / validation / test / holdout),
   dealt per stratum (family for English, language and label otherwise, document kind) on a fixed
   schedule, and writes that split into the CSV's ``split`` column;
2. cuts every slot pool into split-disjoint slices (40 / 20 / 20 / 20 %), so a filler, payload,
   opener or persona used in one split never appears in another;
3. fills slots class-balanced — within a split each class draws a pool's values equally often —
   so a filler never predicts the label;
4. renders long documents twice: benign (sometimes with a harmless instruction-like note) and
   malicious (one hidden instruction at a random paragraph boundary, its character span written
   to ``payload_start``/``payload_end``);
5. adds label-independent surface noise (greetings, contact lines, closing questions, casing, typos, emoji,
   curly quotes) to both classes alike.

Every random choice comes from ``random.Random`` instances seeded from ``SEED`` and a stable
name, and content is visited in a fixed order, so the CSV is byte-identical on every run.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import importlib
import pkgutil
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.datagen import content as content_package  # noqa: E402
from scripts.datagen.pools import MALICIOUS_POOLS, SLOTS  # noqa: E402

SEED = 20240611
DEFAULT_OUTPUT = ROOT / "data" / "prompt_injection.csv.gz"  # gzipped: 2.1 MB instead of 5.5
COLUMNS = ["id", "text", "label", "family", "template_group", "language", "split",
           "payload_start", "payload_end"]
SLOT_PATTERN = re.compile(r"\{([a-z][a-z0-9_]*)\}")
PARAGRAPH_BREAK = "\x00"  # joins a document's paragraphs for one slot fill; never in content
SPLITS = ("train", "validation", "test", "holdout")
# Templates are dealt to splits along this cycle (11 train, 3 of each other split in 20). It is
# interleaved so that a stratum of six templates already reaches all four splits.
SCHEDULE = ("train", "validation", "train", "test", "train", "holdout",
            "train", "train", "validation", "train", "test", "train", "holdout",
            "train", "train", "validation", "train", "test", "train", "holdout")
# Pools are cut more evenly than templates so that evaluation splits still see varied fillers.
POOL_SHARES = {"validation": 0.2, "test": 0.2, "holdout": 0.2}
ROWS_PER_TEMPLATE = 6
DOCUMENT_ROWS_PER_LABEL = 4
MIN_WORDS, MAX_WORDS = 3, 450
BENIGN_FAMILIES = {"benign_everyday", "benign_hard_negative", "benign_trigger_word",
                   "benign_security_discussion", "benign_roleplay", "benign_conversation"}
MALICIOUS_FAMILIES = {"instruction_override", "system_prompt_extraction", "roleplay_jailbreak",
                      "data_exfiltration", "indirect_injection", "delimiter_injection",
                      "tool_hijack", "multi_turn_injection"}
# Benign families that may quote an attacker phrase (a test case, a log line, a talk slide): the
# same phrase in both classes teaches that context decides, not the phrase.
QUOTING_FAMILIES = {"benign_hard_negative", "benign_security_discussion"}
DOCUMENT_FAMILIES = {"benign": "benign_document", "malicious": "document_injection"}
# Which pools a document kind draws its request, harmless note and injection from.
PROSE_KINDS = {"email", "web_page", "support_ticket", "meeting_notes", "review_page"}
DOCUMENT_POOLS = {
    "prose": {"request": "da_request", "directive": "da_benign_directive", "injection": "hidden"},
    "technical": {"request": "db_request", "directive": "db_benign_directive", "injection": "db_injection"},
}

# Label-independent surface noise, applied to both classes alike.
ENGLISH_PREFIXES = ["Hi,", "Hey!", "Hello there.", "Quick question:", "Good morning!",
                    "Sorry to bother you,", "Okay, next one.", "hi again", "Urgent:",
                    "Hey assistant,", "One more thing:", "For a project at work:", "Help please -"]
ENGLISH_SUFFIXES = ["Thanks!", "thx", "Thank you so much.", "Please keep it short.",
                    "in under 100 words please", "Cheers.", "asap", "Appreciate it!",
                    "Please answer in English.", "Be concise."]
# A contact line or a closing question, added to texts of both classes alike: without them a URL or an e-mail
# address sat in 5 malicious training texts for every benign one, and a closing question mark in 11 benign
# texts for every malicious one (links_questions_en writes whole templates of each kind too, and holds the
# lq_page_url pool the contact lines draw on).
ENGLISH_CONTACT_LINES = ["-- {full_name}, {email}", "Sent from {email}", "More about us: {lq_page_url}",
                         "(my notes are at {lq_page_url})", "Reply to {email} if I'm offline.", "Ref: {lq_page_url}",
                         "{full_name} | {job} | {email}", "Our site: {lq_page_url}",
                         "[More about us]({lq_page_url})", "{full_name}\n![{company} logo]({lq_image_url})"]
ENGLISH_CLOSING_QUESTIONS = ["Can you do that?", "Is that possible?", "Does that make sense?", "Could you?",
                             "Okay?", "Can you manage that today?", "Any questions?", "Is that clear?"]
# Surface features any text may have, which the generator keeps in both classes (test_generator) and
# bench/misses.py reports a champion's false alarms and recall on.
SURFACE_CUES = {"url": r"https?://", "email_address": r"[\w.-]+@[\w-]+\.(?:example|com|org|net)\b",
                "markdown_link": r"\]\(", "image": r"!\[|<img\b", "closing_question": r"\?\s*$",
                # an agent tool named as agents name them (agent_tools_en writes benign ones)
                "tool_call": r"\b(?:run_shell|send_email|transfer_funds|execute_sql|create_mail_rule|create_user|"
                             r"http_get|http_post|post_to_slack|tool_calls|next_action|smart_lock|set_permissions|"
                             r"add_collaborator|issue_refund|export_contacts)\b"}
EMOJI = ["🙂", "🙏", "👍", "😅", "🚀", "✨", "🤔", "😊", "📎", "✅"]
CURLY = str.maketrans({"'": "’", '"': "”"})


@dataclass(frozen=True)
class Template:
    group: str
    family: str
    language: str
    text: str

    @property
    def label(self) -> str:
        return "benign" if self.family in BENIGN_FAMILIES else "malicious"


@dataclass(frozen=True)
class Document:
    group: str
    kind: str
    language: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def pools(self) -> dict[str, str]:
        return DOCUMENT_POOLS["prose" if self.kind in PROSE_KINDS else "technical"]


@dataclass
class Content:
    pools: dict[str, list[str]]
    templates: list[Template]
    documents: list[Document]


# --------------------------------------------------------------------------------------
# Loading content
# --------------------------------------------------------------------------------------
def load_content() -> Content:
    """Every module in scripts/datagen/content, in name order, merged into one pool table."""
    modules = [importlib.import_module(f"scripts.datagen.content.{info.name}")
               for info in sorted(pkgutil.iter_modules(content_package.__path__), key=lambda i: i.name)]
    pools = {name: list(values) for name, values in SLOTS.items()}
    for module in modules:
        for name, values in getattr(module, "POOLS", {}).items():
            if name in pools:
                raise ValueError(f"{module.__name__}: pool {name!r} is defined twice")
            pools[name] = list(values)
    for module in modules:
        for name, values in getattr(module, "EXTEND", {}).items():
            if name not in pools:
                raise ValueError(f"{module.__name__}: EXTEND of unknown pool {name!r}")
            pools[name].extend(value for value in values if value not in pools[name])
    templates, documents = [], []
    for module in modules:
        short = module.__name__.rsplit(".", 1)[-1]
        for index, (family, language, text) in enumerate(getattr(module, "TEMPLATES", []), start=1):
            if family not in BENIGN_FAMILIES | MALICIOUS_FAMILIES:
                raise ValueError(f"{short}.TEMPLATES[{index - 1}]: unknown family {family!r}")
            templates.append(Template(f"{family}-{language}-{short}-{index:03d}", family, language, text))
        for index, document in enumerate(getattr(module, "DOCUMENTS", []), start=1):
            documents.append(Document(f"document-{document['kind']}-{short}-{index:03d}", document["kind"],
                                      document["language"], document.get("title", ""),
                                      tuple(document["paragraphs"])))
    check_slots(pools, templates, documents)
    return Content(pools, templates, documents)


def check_slots(pools: dict[str, list[str]], templates: list[Template], documents: list[Document]) -> None:
    for template in templates:
        for slot in SLOT_PATTERN.findall(template.text):
            if slot not in pools:
                raise ValueError(f"{template.group}: unknown slot {{{slot}}}")
            if slot in MALICIOUS_POOLS and template.label == "benign" and template.family not in QUOTING_FAMILIES:
                raise ValueError(f"{template.group}: benign template uses the attacker pool {{{slot}}}")
    for document in documents:
        for name in document.pools.values():
            if name not in pools:
                raise ValueError(f"{document.group}: needs pool {name!r}")
        for slot in SLOT_PATTERN.findall(" ".join(document.paragraphs) + document.title):
            if slot not in pools or slot in MALICIOUS_POOLS:
                raise ValueError(f"{document.group}: slot {{{slot}}} is unknown or an attacker pool")


# --------------------------------------------------------------------------------------
# Splits: templates and documents by schedule, pools by disjoint slices
# --------------------------------------------------------------------------------------
def stratum(template: Template) -> str:
    return f"{template.label}/{template.family}" if template.language == "en" else \
        f"{template.label}/{template.language}"


def deal(items: list, key, seed: int) -> dict[str, str]:
    """group -> split: each stratum shuffled (seeded by its name), then dealt along SCHEDULE."""
    strata: dict[str, list] = defaultdict(list)
    for item in items:
        strata[key(item)].append(item)
    assignment = {}
    for name in sorted(strata):
        members = sorted(strata[name], key=lambda item: item.group)
        random.Random(f"{seed}:deal:{name}").shuffle(members)
        for position, item in enumerate(members):
            assignment[item.group] = SCHEDULE[position % len(SCHEDULE)]
    return assignment


def slice_pools(pools: dict[str, list[str]], seed: int) -> dict[str, dict[str, list[str]]]:
    """pool -> split -> values. Pools of under four values cannot be cut; they are shared."""
    sliced = {}
    for name, values in pools.items():
        if len(values) < len(SPLITS):
            sliced[name] = {split: list(values) for split in SPLITS}
            continue
        shuffled = list(values)
        random.Random(f"{seed}:pool:{name}").shuffle(shuffled)
        cut, start = {}, 0
        for split, share in POOL_SHARES.items():
            size = max(1, round(share * len(values)))
            cut[split] = shuffled[start:start + size]
            start += size
        cut["train"] = shuffled[start:] or cut["validation"][-1:]
        sliced[name] = {split: cut[split] for split in SPLITS}
    return sliced


class Filler:
    """Fills slots from a split's slice; each class draws a pool's values equally often."""

    def __init__(self, sliced: dict[str, dict[str, list[str]]], rng: random.Random):
        self.sliced = sliced
        self.rng = rng
        self.uses: Counter = Counter()  # (pool, split, label, value) -> times drawn

    def pick(self, pool: str, split: str, label: str) -> str:
        values = self.sliced[pool][split]
        least = min(self.uses[(pool, split, label, value)] for value in values)
        value = self.rng.choice([v for v in values if self.uses[(pool, split, label, v)] == least])
        self.uses[(pool, split, label, value)] += 1
        return value

    def fill(self, text: str, split: str, label: str) -> str:
        chosen: dict[str, str] = {}

        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name not in chosen:
                chosen[name] = self.pick(name, split, label)
            return chosen[name]

        for _ in range(3):  # pool values may hold slots themselves
            text = SLOT_PATTERN.sub(replace, text)
        return text.replace("{{", "{").replace("}}", "}")


# --------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------
def normalise(text: str) -> str:
    """Key used for de-duplication; matches the loader's cross-split duplicate check."""
    return " ".join(text.split()).casefold()


def add_typo(text: str, rng: random.Random) -> str:
    """Swap two inner letters of one longer word, like a hurried typist would."""
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word = words[index]
    pos = rng.randrange(1, len(word) - 2)
    words[index] = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2:]
    return " ".join(words)


def vary_surface(text: str, language: str, rng: random.Random, fill=lambda line: line) -> str:
    """Label-independent noise: greetings, sign-offs, contact lines, closing questions, casing, typos, emoji,
    curly quotes. ``fill`` fills a contact line's slots from the split's own slice of each pool."""
    if language == "en" and rng.random() < 0.2:
        text = f"{rng.choice(ENGLISH_PREFIXES)} {text}"
    if language == "en" and rng.random() < 0.2:
        text = f"{text} {rng.choice(ENGLISH_SUFFIXES)}"
    if language == "en" and rng.random() < 0.12:
        text = f"{text} {rng.choice(ENGLISH_CLOSING_QUESTIONS)}"
    if language == "en" and rng.random() < 0.12:
        text = f"{text}\n\n{fill(rng.choice(ENGLISH_CONTACT_LINES))}"
    roll = rng.random()
    if roll < 0.1:
        text = text.lower()
    elif roll < 0.15:
        text = text[:1].lower() + text[1:]
    if rng.random() < 0.15:
        text = add_typo(text, rng)
    if rng.random() < 0.1:
        text = f"{text} {rng.choice(EMOJI)}"
    if rng.random() < 0.08:
        text = text.translate(CURLY)
    return text


def render_template(template: Template, split: str, filler: Filler, seen: set[str],
                    rng: random.Random) -> list[str]:
    texts: list[str] = []
    for _ in range(ROWS_PER_TEMPLATE * 30):
        if len(texts) == ROWS_PER_TEMPLATE:
            break
        text = vary_surface(filler.fill(template.text, split, template.label), template.language, rng,
                            fill=lambda line: filler.fill(line, split, template.label))
        key = normalise(text)
        if key in seen or not MIN_WORDS <= len(text.split()) <= MAX_WORDS:
            continue
        seen.add(key)
        texts.append(text)
    return texts


def render_document(document: Document, split: str, label: str, filler: Filler,
                    rng: random.Random) -> tuple[str, int | None, int | None]:
    """One copy of a document; a malicious copy carries one hidden instruction at a random boundary."""
    pools = document.pools
    # One fill for the whole document, so a name or service reads the same in every paragraph.
    parts = filler.fill(PARAGRAPH_BREAK.join((document.title,) + document.paragraphs), split,
                        "document").split(PARAGRAPH_BREAK)
    if not parts[0]:
        del parts[0]  # no title
    if len(parts) > 6 and rng.random() < 0.5:  # vary length: drop one inner paragraph
        del parts[rng.randrange(2, len(parts) - 1)]
    if rng.random() < (0.5 if label == "benign" else 0.3):  # an instruction-like note alone means nothing
        parts.insert(rng.randrange(1, len(parts) + 1), filler.fill(f"{{{pools['directive']}}}", split, "document"))
    injection_at = None
    if label == "malicious":
        injection_at = rng.randrange(1, len(parts) + 1)
        parts.insert(injection_at, filler.fill(f"{{{pools['injection']}}}", split, label))
    if rng.random() < 0.6:
        parts.insert(0, filler.fill(f"{{{pools['request']}}}", split, "document"))
        injection_at = None if injection_at is None else injection_at + 1
    text = "\n\n".join(parts)
    if injection_at is None:
        return text, None, None
    start = len("\n\n".join(parts[:injection_at])) + 2
    return text, start, start + len(parts[injection_at])


def build_rows(seed: int = SEED) -> list[dict[str, str]]:
    content = load_content()
    rng = random.Random(seed)
    filler = Filler(slice_pools(content.pools, seed), rng)
    template_split = deal(content.templates, stratum, seed)
    document_split = deal(content.documents, lambda document: document.kind, seed)
    seen: set[str] = set()
    rows = []
    for template in content.templates:
        split = template_split[template.group]
        for text in render_template(template, split, filler, seen, rng):
            rows.append({"text": text, "label": template.label, "family": template.family,
                         "template_group": template.group, "language": template.language, "split": split,
                         "payload_start": "", "payload_end": ""})
    for document in content.documents:
        split = document_split[document.group]
        for label in ("benign", "malicious"):
            for _ in range(DOCUMENT_ROWS_PER_LABEL):
                text, start, end = render_document(document, split, label, filler, rng)
                if normalise(text) in seen:
                    continue
                seen.add(normalise(text))
                rows.append({"text": text, "label": label, "family": DOCUMENT_FAMILIES[label],
                             "template_group": document.group, "language": document.language, "split": split,
                             "payload_start": "" if start is None else str(start),
                             "payload_end": "" if end is None else str(end)})
    rng.shuffle(rows)  # file order says nothing about family; ids follow the shuffled order
    for number, row in enumerate(rows, start=1):
        row["id"] = f"pi-{number:06d}"
    return rows


# --------------------------------------------------------------------------------------
# Output and datasheet counts
# --------------------------------------------------------------------------------------
def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    """CSV, gzipped when the name ends in .gz; written to a temporary file, then renamed. The gzip
    header holds no name and no time (mtime=0), so two runs write the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as raw:
        binary = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) \
            if path.suffix == ".gz" else raw
        with io.TextIOWrapper(binary, encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    temporary.replace(path)


def markdown_table(title: str, counts: Counter, total: int, unit: str = "rows") -> str:
    lines = [f"| {title} | {unit} | share |", "|---|---:|---:|"]
    for key, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"| {key} | {count} | {count / total:.1%} |")
    return "\n".join(lines)


def describe(rows: list[dict[str, str]]) -> str:
    """Counts for the datasheet, printed as Markdown so they can be pasted as is."""
    total = len(rows)
    benign = [row for row in rows if row["label"] == "benign"]
    groups = {row["template_group"]: row for row in rows}
    lengths = sorted(len(row["text"]) for row in rows)
    long_rows = sum(length >= 1000 for length in lengths)
    summary = [
        f"Total rows: {total}",
        f"Template groups: {len(groups)} ({sum(g.startswith('document-') for g in groups)} long documents)",
        f"Benign share: {len(benign) / total:.1%}",
        f"Non-English rows: {sum(row['language'] != 'en' for row in rows)}",
        f"Characters per text: min {lengths[0]}, median {lengths[total // 2]}, max {lengths[-1]}; "
        f"{long_rows} texts of 1,000+ characters",
    ]
    tables = [
        markdown_table("split / label", Counter(f"{row['split']} / {row['label']}" for row in rows), total),
        markdown_table("family", Counter(row["family"] for row in rows), total),
        markdown_table("family", Counter("document (both labels)" if name.startswith("document-") else g["family"]
                                         for name, g in groups.items()), len(groups), unit="template groups"),
        markdown_table("split", Counter(g["split"] for g in groups.values()), len(groups), unit="template groups"),
        markdown_table("language / label", Counter(f"{row['language']} / {row['label']}" for row in rows), total),
    ]
    balance = filler_balance(rows)
    lines = ["| shared pool | benign rows | malicious rows | malicious share |", "|---|---:|---:|---:|"]
    for pool, count in sorted(balance.items(), key=lambda item: -sum(item[1].values())):
        total_rows = count["benign"] + count["malicious"]
        lines.append(f"| {pool} | {count['benign']} | {count['malicious']} | {count['malicious'] / total_rows:.0%} |")
    tables.append("\n".join(lines))
    return "\n".join(summary) + "\n\n" + "\n\n".join(tables)


def filler_balance(rows: list[dict[str, str]], content: Content | None = None) -> dict[str, dict[str, int]]:
    """Rows per class that fill each shared (non-attacker) pool: a pool one class fills far more
    often than the other would let the filler predict the label."""
    content = content or load_content()
    rows_per_group = Counter(row["template_group"] for row in rows)
    counts: dict[str, Counter] = defaultdict(Counter)
    for template in content.templates:
        for slot in set(SLOT_PATTERN.findall(template.text)):
            counts[slot][template.label] += rows_per_group.get(template.group, 0)
    return {pool: {"benign": c["benign"], "malicious": c["malicious"]} for pool, c in sorted(counts.items())
            if pool in SLOTS and pool not in MALICIOUS_POOLS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--stats-only", action="store_true", help="print counts, write nothing")
    args = parser.parse_args(argv)
    rows = build_rows()
    if not args.stats_only:
        write_csv(rows, args.output)
        print(f"Wrote {len(rows)} rows to {args.output}")
    print(describe(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Check content modules before generation: known families, languages and slots, pool sizes,
and no literal phrase of >= 6 words written into two templates (it would leak across splits).

    python scripts/datagen/check_content.py [module ...]     # default: every module in content/
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from scripts.datagen import content  # noqa: E402
from scripts.datagen.pools import SLOTS as LEGACY_SLOTS  # noqa: E402
from scripts.generate_dataset import BENIGN_FAMILIES, MALICIOUS_FAMILIES  # noqa: E402

SLOT = re.compile(r"\{([a-z][a-z0-9_]*)\}")
LANGUAGES = {"en", "de", "fr", "es", "pt", "ko", "it", "nl", "ja", "zh", "pl", "tr"}
DOCUMENT_KINDS = {"email", "web_page", "code", "log", "support_ticket", "tool_output",
                  "meeting_notes", "chat_transcript", "readme", "review_page"}
SPAN = 6
# The first generator's templates, kept as they were: some have no slot (their rows differ only by
# surface noise) and a few are very short; the slot and length rules apply to new content.
LEGACY_MODULES = {"legacy_en"}


def modules(names: list[str]) -> dict:
    names = names or [info.name for info in pkgutil.iter_modules(content.__path__)]
    return {name: importlib.import_module(f"scripts.datagen.content.{name}") for name in names}


def words(text: str) -> list[str]:
    return re.findall(r"\w+", SLOT.sub(" ", text).casefold())


def spans(text: str) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i:i + SPAN]) for i in range(len(tokens) - SPAN + 1)}


def check(loaded: dict) -> list[str]:
    problems: list[str] = []
    pools = {name: list(values) for name, values in LEGACY_SLOTS.items()}
    for module_name, module in loaded.items():
        for name, values in getattr(module, "POOLS", {}).items():
            if name in pools:
                problems.append(f"{module_name}: pool {name!r} already defined elsewhere (use EXTEND to add values)")
            pools[name] = list(values)
    for module_name, module in loaded.items():
        for name, values in getattr(module, "EXTEND", {}).items():
            if name not in pools:
                problems.append(f"{module_name}: EXTEND of unknown pool {name!r}")
            pools.setdefault(name, []).extend(values)
    for name, values in pools.items():
        if len(values) < 8:
            problems.append(f"pool {name!r} has {len(values)} values; need >= 8 (>= 16 preferred) so every split gets some")
        if len(set(values)) != len(values):
            problems.append(f"pool {name!r} has duplicate values")
        for value in values:
            for slot in SLOT.findall(value):
                if slot not in pools:
                    problems.append(f"pool {name!r} value uses unknown slot {{{slot}}}: {value[:60]!r}")
    owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for module_name, module in loaded.items():
        for index, entry in enumerate(getattr(module, "TEMPLATES", [])):
            where = f"{module_name}.TEMPLATES[{index}]"
            if not (isinstance(entry, tuple) and len(entry) == 3):
                problems.append(f"{where}: must be a (family, language, text) tuple")
                continue
            family, language, text = entry
            if family not in BENIGN_FAMILIES | MALICIOUS_FAMILIES:
                problems.append(f"{where}: unknown family {family!r}")
            if language not in LANGUAGES:
                problems.append(f"{where}: unknown language {language!r}")
            for slot in SLOT.findall(text):
                if slot not in pools:
                    problems.append(f"{where}: unknown slot {{{slot}}}")
            if module_name in LEGACY_MODULES:
                pass
            elif not SLOT.search(text):
                problems.append(f"{where}: no slot; every template needs >= 1 (2+ preferred) for varied rows")
            n_words = len(text.split())
            if module_name not in LEGACY_MODULES and not 5 <= n_words <= 400:
                problems.append(f"{where}: {n_words} words; keep short templates within 5-400")
            for span in spans(text):
                owners[span].add(where)
        for index, document in enumerate(getattr(module, "DOCUMENTS", [])):
            where = f"{module_name}.DOCUMENTS[{index}]"
            if document.get("kind") not in DOCUMENT_KINDS:
                problems.append(f"{where}: unknown kind {document.get('kind')!r}")
            if document.get("language") not in LANGUAGES:
                problems.append(f"{where}: unknown language {document.get('language')!r}")
            paragraphs = document.get("paragraphs", [])
            if not 5 <= len(paragraphs) <= 9:
                problems.append(f"{where}: {len(paragraphs)} paragraphs; need 5-9")
            total = sum(len(p) for p in paragraphs) + len(document.get("title", ""))
            if not 1500 <= total <= 5000:
                problems.append(f"{where}: {total} characters in all; need 1500-5000")
            for paragraph in paragraphs + [document.get("title", "")]:
                for slot in SLOT.findall(paragraph):
                    if slot not in pools:
                        problems.append(f"{where}: unknown slot {{{slot}}}")
                for span in spans(paragraph):
                    owners[span].add(where)
    shared = defaultdict(set)
    for span, places in owners.items():
        if len(places) > 1:
            shared[tuple(sorted(places))].add(" ".join(span))
    for places, phrases in sorted(shared.items()):
        problems.append(f"same >= {SPAN}-word phrase in {', '.join(places)}: {sorted(phrases)[0]!r}")
    return problems


def main(argv: list[str]) -> int:
    loaded = modules(argv)
    problems = check(loaded)
    n_templates = sum(len(getattr(m, "TEMPLATES", [])) for m in loaded.values())
    n_documents = sum(len(getattr(m, "DOCUMENTS", [])) for m in loaded.values())
    for problem in problems:
        print(problem)
    print(f"{len(loaded)} module(s), {n_templates} templates, {n_documents} documents, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

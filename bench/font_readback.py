"""Benchmark: how much of the text font generators write the views read back — no model involved.

60 short training texts (seed 1) are written in each alphabet of the attack engine
(``attacks/fonts.py``); per font, the share of their words that the best view (``spelled`` if built,
else ``folded``) holds, with and without the cipher reading (``views.read_as_cipher``), and the
time to build the views per text. Also: how many of the bundled non-ASCII texts the cipher reading
changes (none should: it is for text in symbols, not for real languages).

    python bench/font_readback.py [OUT.json]
"""

import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adversarial_mlops.attacks.fonts import FONT_TABLES  # noqa: E402

_WORD = re.compile(r"[A-Za-z]+")


def written_in(text: str, table) -> str:
    return _WORD.sub(lambda m: "".join(table[ch] for ch in m.group().lower()), text)


def read_back_share(texts: list[str], table, views) -> tuple[float, float]:
    found = total = 0
    started = time.perf_counter()
    for text in texts:
        built = dict(views.text_views(written_in(text, table)))
        best = built.get(views.SPELLED, built.get(views.FOLDED, ""))
        words, read = _WORD.findall(text.lower()), set(_WORD.findall(best.lower()))
        total += len(words)
        found += sum(word in read for word in words)
    return found / total, (time.perf_counter() - started) / len(texts) * 1000


def main(out_path: str) -> int:
    import pandas as pd

    import adversarial_mlops.models.views as views
    from adversarial_mlops.config import BUNDLED_DATASET

    data = pd.read_csv(BUNDLED_DATASET)
    train = data[(data["text"].str.len() < 300) & (data["split"] == "train")]
    texts = train.sample(60, random_state=1)["text"].tolist()
    views.text_views("ᏗᏖᏖᏗፈᏂᏋᎴ ᏗᏖᏖᏗፈᏂᏋᎴ")  # word lists loaded before timing
    out = {"n_texts": len(texts), "fonts": {}}
    cipher = views.read_as_cipher
    for font, table in FONT_TABLES.items():
        row = {}
        for mode in ("with_cipher_reading", "without"):
            views.read_as_cipher = cipher if mode != "without" else str
            share, ms = read_back_share(texts, table, views)
            row[mode] = {"words_read_back": round(share, 4), "ms_per_text": round(ms, 1)}
        views.read_as_cipher = cipher
        out["fonts"][font] = row
        print(font, row, flush=True)
    non_ascii = [text for text in data["text"] if not text.isascii()]
    out["bundled_non_ascii_texts"] = len(non_ascii)
    out["bundled_texts_changed_by_cipher_reading"] = sum(cipher(text) != text for text in non_ascii)
    print({k: out[k] for k in ("bundled_non_ascii_texts", "bundled_texts_changed_by_cipher_reading")})
    Path(out_path).write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "bench" / "results" / "font_readback.json")))

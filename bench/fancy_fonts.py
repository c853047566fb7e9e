"""Benchmark: fancy-text fonts and upside-down text against a model, with and without the folded
view's fancy-text reading (``views.fold_fancy_letters`` and ``views.turned_back``).

120 malicious and 120 benign short test texts (seed 5) are rendered in each font-generator alphabet
of the attack engine (``attacks/fonts.py``: nine fonts, upside down, mirrored); per rendering: the
share of the malicious texts the model catches clean that the rendering lets through, and false alarms on the benign renderings — at the model's own threshold.
"without" scores the same texts with both readings switched off (the views as they were before).

    python bench/fancy_fonts.py MODEL_DIR OUT.json    # e.g. a registry version folder
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adversarial_mlops.attacks.fonts import FONT_TABLES, TURNED_ALPHABETS, turned_line  # noqa: E402

# The attack engine's alphabets (attacks/fonts.py; the bench's first run used the first four and upside down).
FONTS = [*FONT_TABLES, *TURNED_ALPHABETS]


def render(text: str, font: str) -> str:
    if font in TURNED_ALPHABETS:
        return "\n".join(turned_line(line, TURNED_ALPHABETS[font]) for line in text.split("\n"))
    return "".join(FONT_TABLES[font].get(c, c) for c in text.lower())


def main(model_dir: str, out_path: str) -> int:
    import pandas as pd

    import adversarial_mlops.models.views as views
    from adversarial_mlops.config import BUNDLED_DATASET
    from adversarial_mlops.models.modeling import TextClassifier

    test = pd.read_csv(BUNDLED_DATASET).query("split == 'test'")
    short = test[test["text"].str.len() < 400]
    malicious = short[short["label"] == "malicious"].sample(120, random_state=5)["text"].tolist()
    benign = short[short["label"] == "benign"].sample(120, random_state=5)["text"].tolist()
    classifier = TextClassifier.load(model_dir)  # with its calibrated threshold
    threshold = classifier.threshold
    caught = classifier.predict_proba(malicious) >= threshold
    out = {"threshold": threshold, "n_malicious": len(malicious), "n_benign": len(benign),
           "clean_recall": float(caught.mean()),
           "clean_benign_fpr": float((classifier.predict_proba(benign) >= threshold).mean())}
    readings = (views.fold_fancy_letters, views.turned_back)
    for font in FONTS:
        row = {}
        for mode in ("with_fancy_folding", "without"):
            views.fold_fancy_letters, views.turned_back = readings if mode != "without" else (str, str)
            scores = classifier.predict_proba([render(t, font) for t in malicious])
            row[mode] = {"evasion_of_caught": float(((scores < threshold) & caught).sum() / caught.sum()),
                         "benign_fpr": float((classifier.predict_proba([render(t, font) for t in benign])
                                              >= threshold).mean())}
        views.fold_fancy_letters, views.turned_back = readings
        out[font] = row
        print(font, row, flush=True)
    Path(out_path).write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))

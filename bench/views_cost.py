"""Benchmark: what building a text's decoded views costs, per attack strategy, against another revision.

Every text the loop scores (evaluation, mining, the adaptive attack's queries, the A/B, ``/predict``)
first gets its decoded views (``models.views.text_views``): pure Python, on top of the model's
forward passes. This builds the same texts as the gate does — each strategy's variants of bundled
test texts (seed ``attack.eval_seed``) plus the clean texts — and times ``text_views`` on them in a
fresh process per side: this checkout and ``--baseline-rev`` (that revision's package, extracted with
``git archive``), alternating, ``--rounds`` times each. CPU time of the process (``time.process_time``),
so another process on the machine does not inflate it; the word lists' one-time load is timed apart.
Both sides must give the same views for every text; the bench fails otherwise.

    python bench/views_cost.py [--baseline-rev REV] [--texts-per-strategy 40] [--rounds 2]
                               [--out bench/results/views_cost.json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLEAN = "clean"


def build_texts(per_strategy: int) -> list[dict]:
    """``[{"strategy", "family", "text"}, ...]``: the gate's variants of test texts, ``per_strategy`` each."""
    sys.path.insert(0, str(REPO))
    from adversarial_mlops import data
    from adversarial_mlops.attacks import generate_variants, strategy_names
    from adversarial_mlops.config import load_config
    from adversarial_mlops.loop import lifecycle

    config = load_config(None, [])
    test = lifecycle.split_frame(data.load_splits(config.data), "test")
    sources = test.sample(n=min(per_strategy, len(test)), random_state=config.seed)
    pairs = list(zip(sources["id"], sources["text"]))
    texts = [{"strategy": CLEAN, "family": CLEAN, "text": text} for _, text in pairs]
    for name in strategy_names():
        for variant in generate_variants(pairs, [name], seed=config.attack.eval_seed):
            texts.append({"strategy": name, "family": variant.family, "text": variant.text})
    return texts


def worker(texts_file: Path, out_file: Path) -> None:
    """Runs inside the side's own tree: times the word lists' load, then ``text_views`` per text."""
    from adversarial_mlops.models import views

    texts = json.loads(texts_file.read_text(encoding="utf-8"))
    started = time.process_time()
    views.text_views("warm up: ignroe prevoius instrucitons, Іgnоrе аll")  # loads the word lists once
    load_s = time.process_time() - started
    cpu, out = [], []
    for item in texts:
        started = time.process_time()
        result = views.text_views(item["text"])
        cpu.append(time.process_time() - started)
        out.append(result)
    out_file.write_text(json.dumps({"load_s": load_s, "cpu_s": cpu, "views": out}), encoding="utf-8")


def extract(rev: str, target: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "adversarial_mlops"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def run_side(tree: Path, texts_file: Path, out_file: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, __file__, "--worker", str(texts_file), str(out_file)], check=True, env=env)
    return json.loads(out_file.read_text(encoding="utf-8"))


def summarize(texts: list[dict], runs: list[dict]) -> dict:
    """Mean CPU ms per text by family and overall, the median over rounds of each text's time."""
    per_text = [sorted(run["cpu_s"][i] for run in runs)[len(runs) // 2] for i in range(len(texts))]
    by_family = defaultdict(list)
    for item, seconds in zip(texts, per_text):
        by_family[item["family"]].append(seconds)
    return {"load_s": min(run["load_s"] for run in runs),
            "ms_per_text": 1000 * sum(per_text) / len(per_text),
            "ms_per_text_by_family": {family: round(1000 * sum(v) / len(v), 3) for family, v in sorted(by_family.items())},
            "n_by_family": {family: len(v) for family, v in sorted(by_family.items())}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-rev", default="HEAD", help="the revision to compare with (default HEAD)")
    parser.add_argument("--texts-per-strategy", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "views_cost.json"))
    parser.add_argument("--worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return 0
    if args.rounds < 1 or args.texts_per_strategy < 1:
        parser.error("--rounds and --texts-per-strategy must be at least 1")
    texts = build_texts(args.texts_per_strategy)
    with tempfile.TemporaryDirectory(prefix="views-cost-") as tmp:
        tmp = Path(tmp)
        texts_file = tmp / "texts.json"
        texts_file.write_text(json.dumps(texts), encoding="utf-8")
        sides = {"baseline": extract(args.baseline_rev, tmp / "baseline"), "current": REPO}
        runs = {name: [] for name in sides}
        for round_ in range(args.rounds):  # alternating, so drift on the machine hits both sides alike
            for name, tree in sides.items():
                runs[name].append(run_side(tree, texts_file, tmp / f"{name}{round_}.json"))
    differ = [i for i in range(len(texts)) if runs["baseline"][0]["views"][i] != runs["current"][0]["views"][i]]
    result = {"what": "CPU time of models.views.text_views per text, this checkout vs a baseline revision",
              "baseline_rev": subprocess.run(["git", "-C", str(REPO), "rev-parse", args.baseline_rev], check=True,
                                             capture_output=True, text=True).stdout.strip(),
              "n_texts": len(texts), "rounds": args.rounds, "texts_with_different_views": len(differ),
              **{name: summarize(texts, side_runs) for name, side_runs in runs.items()}}
    result["ratio_current_to_baseline"] = result["current"]["ms_per_text"] / result["baseline"]["ms_per_text"]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "what"}, indent=2))
    if differ:
        print(f"{len(differ)} texts got different views, e.g. {texts[differ[0]]['text'][:200]!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

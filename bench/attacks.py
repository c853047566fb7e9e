"""Benchmark: our attack strategies and adaptive attack against nlpaug and TextAttack, side by side.

Part 1 — rule-based throughput. Variants per second for our character strategies
(``generate_variants``, the real API, seeded) against the equivalent transformations of nlpaug
(``RandomCharAug`` swap/insert/delete/substitute, ``KeyboardAug``) and TextAttack (character
swap/insert/delete/substitute, QWERTY typo, homoglyph swap, each through its ``Augmenter``), on
the same texts from the bundled data.

Part 2 — model-guided attack. ``adaptive_attack`` (with and without cross-text memory) against
TextAttack's DeepWordBug recipe, on the same held-out malicious texts that the same MiniLM model
flags: success rate, queries per success, wall time. Both sides get the same query budget.

The peers need transformers 4.x (the project uses 5.x), so they run in their own venv
(``.bench-venvs/peers``) as a subprocess with a driver script written by this file. That driver
loads the very model directory our side uses (plain safetensors BertForSequenceClassification)
and queries it through a wrapper with dynamic padding: TextAttack's stock
``HuggingFaceModelWrapper`` pads every query to 512 tokens (~18x slower, same scores).

    python bench/attacks.py [--model-dir DIR] [--n-texts 2000] [--n-attack 100]
                            [--peers-python .bench-venvs/peers/bin/python] [--out bench/results/attacks.json]

Setting up the peers venv (once, ~3 min):

    python3.11 -m venv .bench-venvs/peers
    .bench-venvs/peers/bin/pip install torch==2.13.0 nlpaug==1.1.11 textattack==0.3.11 flair==0.15.1 \
        "transformers>=4.57,<5" "huggingface-hub<1.0" "datasets<5" "sentencepiece>=0.2"
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PEERS_PYTHON = ROOT / ".bench-venvs" / "peers" / "bin" / "python"
OUR_STRATEGIES = ("keyboard_typo", "homoglyph", "leetspeak", "zero_width", "diacritics")
# Which peer transformation does the same job as which of ours (for the ratio table).
EQUIVALENTS = {
    "keyboard_typo": ["nlpaug:char_swap", "nlpaug:char_insert", "nlpaug:char_delete", "nlpaug:char_substitute",
                      "nlpaug:keyboard", "textattack:char_swap", "textattack:char_insert",
                      "textattack:char_delete", "textattack:char_substitute", "textattack:qwerty"],
    "homoglyph": ["textattack:homoglyph"],
}

# --------------------------------------------------------------------------------------
# The peer driver: runs inside the peers venv (transformers 4.x, textattack, nlpaug).
# --------------------------------------------------------------------------------------
PEER_DRIVER = textwrap.dedent(r'''
    import ast, json, os, sys, time, traceback
    from pathlib import Path

    job = json.loads(Path(sys.argv[1]).read_text())
    work = Path(job["work_dir"])

    def textfooler_stopwords():
        """TextAttack's own English stopword list (shipped in the wheel, TextFooler recipe)."""
        import importlib.util
        spec = importlib.util.find_spec("textattack")
        source = (Path(spec.origin).parent / "attack_recipes" / "textfooler_jin_2019.py").read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "stopwords":
                return sorted(ast.literal_eval(node.value.args[0]))
        raise RuntimeError("stopword list not found in textattack's TextFooler recipe")

    def prepare_textattack_offline():
        # TextAttack downloads NLTK data on first import and then needs 'stopwords' at import time.
        # No registry package ships NLTK's corpora, so: (1) mark its post-install as done (the
        # downloads would only fail offline), (2) serve NLTK's 'stopwords' corpus from a private
        # NLTK_DATA dir holding TextAttack's own TextFooler stopword list. This must run before
        # nltk is imported.
        cache = work / "textattack_cache"
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "post_install_check_3").touch()
        os.environ["TA_CACHE_DIR"] = str(cache)
        nltk_data = work / "nltk_data"
        corpus = nltk_data / "corpora" / "stopwords"
        corpus.mkdir(parents=True, exist_ok=True)
        (corpus / "english").write_text("\n".join(textfooler_stopwords()) + "\n")
        os.environ["NLTK_DATA"] = str(nltk_data)

    def timed_rate(fn, texts, max_seconds):
        for text in texts[:20]:
            fn(text)  # warm-up: lazy tables, first-call imports
        done, produced, start = 0, 0, time.perf_counter()
        for text in texts:
            out = fn(text)
            produced += sum(1 for o in out if o and o != text)
            done += 1
            if done % 25 == 0 and time.perf_counter() - start > max_seconds:
                break
        seconds = time.perf_counter() - start
        return {"texts": done, "variants": produced, "seconds": seconds,
                "texts_per_s": done / seconds, "variants_per_s": produced / seconds}

    def throughput(texts, max_seconds):
        results, errors = {}, {}
        try:
            import nlpaug.augmenter.char as nac
            ops = {f"nlpaug:char_{a}": nac.RandomCharAug(action=a) for a in ("swap", "insert", "delete", "substitute")}
            ops["nlpaug:keyboard"] = nac.KeyboardAug()
            for name, aug in ops.items():
                results[name] = timed_rate(lambda t, aug=aug: aug.augment(t), texts, max_seconds)
        except Exception as error:
            errors["nlpaug"] = f"{type(error).__name__}: {error}"
        try:
            from textattack.augmentation import Augmenter
            import textattack.transformations as T
            ops = {
                "textattack:char_swap": T.WordSwapNeighboringCharacterSwap,
                "textattack:char_insert": T.WordSwapRandomCharacterInsertion,
                "textattack:char_delete": T.WordSwapRandomCharacterDeletion,
                "textattack:char_substitute": T.WordSwapRandomCharacterSubstitution,
                "textattack:qwerty": T.WordSwapQWERTY,
                "textattack:homoglyph": T.WordSwapHomoglyphSwap,
            }
            for name, cls in ops.items():
                try:
                    aug = Augmenter(transformation=cls(), pct_words_to_swap=0.1, transformations_per_example=1)
                    results[name] = timed_rate(aug.augment, texts, max_seconds)
                except Exception as error:
                    errors[name] = f"{type(error).__name__}: {error}"
        except Exception as error:
            errors["textattack"] = f"{type(error).__name__}: {error}"
        return {"results": results, "errors": errors}

    def deepwordbug(model_dir, items, query_budget):
        import numpy as np
        import torch
        import transformers
        import textattack
        from textattack.attack_recipes import DeepWordBugGao2018
        from textattack.attack_results import FailedAttackResult, SkippedAttackResult, SuccessfulAttackResult
        from textattack.models.wrappers import ModelWrapper

        torch.set_num_threads(int(job.get("threads", 2)))

        class DynamicPaddingWrapper(ModelWrapper):
            """Like HuggingFaceModelWrapper, but pads each batch to its longest text, not 512."""

            def __init__(self, model, tokenizer):
                self.model, self.tokenizer = model, tokenizer

            def __call__(self, text_input_list):
                batch = self.tokenizer(list(text_input_list), padding=True, truncation=True,
                                       max_length=128, return_tensors="pt")
                with torch.inference_mode():
                    return self.model(**batch).logits.float().numpy()

        model = transformers.AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
        tokenizer = transformers.AutoTokenizer.from_pretrained(model_dir)
        wrapper = DynamicPaddingWrapper(model, tokenizer)
        attack = DeepWordBugGao2018.build(wrapper)
        attack.goal_function.query_budget = query_budget
        attack.goal_function.batch_size = 64
        out, start = [], time.perf_counter()
        for source_id, text in items:
            result = attack.attack(text, 1)
            kind = ("success" if isinstance(result, SuccessfulAttackResult) else
                    "skipped" if isinstance(result, SkippedAttackResult) else "failed")
            out.append({"source_id": source_id, "outcome": kind, "queries": int(result.num_queries),
                        "adversarial": result.perturbed_result.attacked_text.text if kind == "success" else None})
        return {"items": out, "seconds": time.perf_counter() - start,
                "versions": {"textattack": getattr(textattack, "__version__", "0.3.11"),
                             "transformers": transformers.__version__, "torch": torch.__version__}}

    prepare_textattack_offline()
    report = {}
    try:
        if job.get("throughput"):
            report["throughput"] = throughput(job["texts"], job["max_seconds"])
        if job.get("deepwordbug"):
            report["deepwordbug"] = deepwordbug(job["model_dir"], job["items"], job["query_budget"])
    except Exception:
        report["fatal"] = traceback.format_exc()
    Path(job["out"]).write_text(json.dumps(report))
''')


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --------------------------------------------------------------------------------------
# Data and model
# --------------------------------------------------------------------------------------
def load_splits():
    from adversarial_mlops.config import BUNDLED_DATASET
    from adversarial_mlops.data import load_labeled_data, split_by_group

    frame = load_labeled_data(str(BUNDLED_DATASET), group_column="template_group", id_column="id")
    return split_by_group(frame, seed=13)


def train_model(frame, out_dir: Path, train_size: int, seed: int) -> dict:
    from adversarial_mlops.config import ModelSettings, TrainingSettings
    from adversarial_mlops.modeling import resolve_base_model
    from adversarial_mlops.trainer import train_classifier

    train = frame[frame.split == "train"].sample(n=min(train_size, int((frame.split == "train").sum())),
                                                 random_state=seed)
    val = frame[frame.split == "validation"].sample(n=min(400, int((frame.split == "validation").sum())),
                                                    random_state=seed)
    base = resolve_base_model(ModelSettings(), cache_dir=out_dir.parent / "base-cache")
    # 1 epoch at the default LoRA rate (5e-4) leaves MiniLM near chance (validation F1 ~0.3); a
    # higher rate gets a usable detector in the same single epoch.
    settings = TrainingSettings(quantization="none", epochs=1, seed=seed, learning_rate=2e-3)
    result = train_classifier(base, train.text.tolist(), train.label.tolist(), val.text.tolist(),
                              val.label.tolist(), settings, max_length=128, out_dir=out_dir, progress=log)
    return {"base_model": base, "train_size": len(train), "validation_f1": result.best_validation_f1,
            "train_seconds": result.seconds}


# --------------------------------------------------------------------------------------
# Part 1: our throughput
# --------------------------------------------------------------------------------------
def our_throughput(texts: list[str], max_seconds: float) -> dict:
    from adversarial_mlops.attacks import generate_variants

    sources = [(f"t{i}", text) for i, text in enumerate(texts)]
    out = {}
    for name in OUR_STRATEGIES:
        generate_variants(sources[:20], [name], seed=0)  # warm-up: lazy tables (homoglyph data)
        done, produced, start = 0, 0, time.perf_counter()
        for chunk_start in range(0, len(sources), 250):
            produced += len(generate_variants(sources[chunk_start:chunk_start + 250], [name], seed=0))
            done += len(sources[chunk_start:chunk_start + 250])
            if time.perf_counter() - start > max_seconds:
                break
        seconds = time.perf_counter() - start
        out[f"ours:{name}"] = {"texts": done, "variants": produced, "seconds": seconds,
                               "texts_per_s": done / seconds, "variants_per_s": produced / seconds}
    return out


def run_peers(python: Path, job: dict, work: Path, timeout: int) -> dict:
    if not python.exists():
        return {"fatal": f"peers venv not found at {python}; see this file's docstring to create it"}
    job_file, out_file = work / f"job-{os.getpid()}-{len(job)}.json", work / "peer-out.json"
    out_file.unlink(missing_ok=True)
    job = {**job, "work_dir": str(work), "out": str(out_file)}
    job_file.write_text(json.dumps(job))
    driver = work / "peer_driver.py"
    driver.write_text(PEER_DRIVER)
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("PYTHONPATH", None)
    try:
        proc = subprocess.run([str(python), str(driver), str(job_file)], capture_output=True, text=True,
                              timeout=timeout, env=env, cwd=str(work))
    except subprocess.TimeoutExpired:
        return {"fatal": f"peer driver ran past {timeout} s and was stopped"}
    if not out_file.exists():
        return {"fatal": f"peer driver exited {proc.returncode}: {proc.stderr[-3000:]}"}
    return json.loads(out_file.read_text())


# --------------------------------------------------------------------------------------
# Part 2: adaptive attack vs DeepWordBug
# --------------------------------------------------------------------------------------
def run_adaptive(classifier, items, settings) -> dict:
    from adversarial_mlops.adaptive_attack import adaptive_attack, summarize

    calls = {"n": 0}

    def predict(texts):
        calls["n"] += 1
        return classifier.predict_proba(texts)

    start = time.perf_counter()
    results = adaptive_attack(items, predict, settings)
    seconds = time.perf_counter() - start
    summary = summarize(results, settings.threshold)
    summary.update(seconds=seconds, predict_calls=calls["n"],
                   examples=[{"original": r.original, "adversarial": r.adversarial}
                             for r in results if r.success][:3])
    return summary


def summarize_deepwordbug(report: dict) -> dict:
    items = report["items"]
    attacked = [i for i in items if i["outcome"] != "skipped"]
    wins = [i for i in attacked if i["outcome"] == "success"]
    return {
        "n_texts": len(items), "n_attacked": len(attacked), "n_skipped": len(items) - len(attacked),
        "n_success": len(wins), "success_rate": len(wins) / len(attacked) if attacked else 0.0,
        "queries_per_success": sum(i["queries"] for i in wins) / len(wins) if wins else None,
        "queries_per_attacked": sum(i["queries"] for i in attacked) / len(attacked) if attacked else None,
        "total_queries": sum(i["queries"] for i in items), "seconds": report["seconds"],
        "versions": report.get("versions"),
        "examples": [i["adversarial"] for i in wins][:3],
    }


# --------------------------------------------------------------------------------------
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, help="a trained model dir to reuse (else train MiniLM, 1 epoch)")
    parser.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "adversarial-mlops-bench-attacks")
    parser.add_argument("--n-texts", type=int, default=2000, help="texts for the throughput part")
    parser.add_argument("--n-attack", type=int, default=100, help="flagged malicious test texts to attack")
    parser.add_argument("--train-size", type=int, default=3000)
    parser.add_argument("--query-budget", type=int, default=200)
    parser.add_argument("--peer-seconds", type=float, default=8.0, help="time cap per peer transformation")
    parser.add_argument("--peers-python", type=Path, default=DEFAULT_PEERS_PYTHON)
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "attacks.json")
    args = parser.parse_args(argv)

    import torch

    from adversarial_mlops.adaptive_attack import AdaptiveAttackSettings
    from adversarial_mlops.jsonable import json_safe
    from adversarial_mlops.modeling import TextClassifier

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    args.work_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    report: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                "torch": torch.__version__}, "args": {k: str(v) for k, v in vars(args).items()}}

    frame = load_splits()
    rng = random.Random(args.seed)
    pool = frame.text.tolist()
    rng.shuffle(pool)
    texts = pool[:args.n_texts]

    # ---- Part 1: throughput ---------------------------------------------------------------
    log(f"throughput: our strategies on {len(texts)} texts")
    ours = our_throughput(texts, max_seconds=60.0)
    peers: dict = {"fatal": "skipped (--skip-peers)"}
    if not args.skip_peers:
        log("throughput: nlpaug and TextAttack (peers venv)")
        peers = run_peers(args.peers_python, {"throughput": True, "texts": texts,
                                              "max_seconds": args.peer_seconds}, args.work_dir, timeout=900)
    peer_rates = peers.get("throughput", {}).get("results", {})
    ratios = {}
    for mine, theirs in EQUIVALENTS.items():
        for peer in theirs:
            if peer in peer_rates and peer_rates[peer]["variants_per_s"] > 0:
                ratios[f"{mine} / {peer}"] = ours[f"ours:{mine}"]["variants_per_s"] / peer_rates[peer]["variants_per_s"]
    report["throughput"] = {"ours": ours, "peers": peer_rates,
                            "peer_errors": {**peers.get("throughput", {}).get("errors", {}),
                                            **({"fatal": peers["fatal"]} if "fatal" in peers else {})},
                            "ratios_variants_per_s": ratios,
                            "min_ratio": min(ratios.values()) if ratios else None}

    # ---- Part 2: adaptive attack vs DeepWordBug -------------------------------------------
    model_dir = args.model_dir
    if model_dir is None:
        model_dir = args.work_dir / f"minilm-1epoch-{args.train_size}-seed{args.seed}"
        if not (model_dir / "model.safetensors").exists():
            log(f"training MiniLM (1 epoch, {args.train_size} texts, no quantization) into {model_dir}")
            report["model"] = train_model(frame, model_dir, args.train_size, args.seed)
    report.setdefault("model", {})["dir"] = str(model_dir)
    classifier = TextClassifier.load(model_dir, device="cpu")
    test = frame[(frame.split == "test") & (frame.label == 1)].sample(frac=1.0, random_state=args.seed)
    candidates = list(zip(test.id.astype(str), test.text))[:max(args.n_attack * 3, 300)]
    scores = classifier.predict_proba([t for _, t in candidates])
    flagged = [item for item, s in zip(candidates, scores) if s >= 0.5][:args.n_attack]
    report["attack_set"] = {"candidates": len(candidates), "caught_share": float((scores >= 0.5).mean()),
                            "attacked": len(flagged)}
    log(f"adaptive attack on {len(flagged)} flagged malicious test texts")
    adaptive = {}
    for label, memory in (("adaptive (memory)", True), ("adaptive (no memory)", False)):
        settings = AdaptiveAttackSettings(query_budget=args.query_budget, memory=memory, seed=args.seed)
        adaptive[label] = run_adaptive(classifier, flagged, settings)
        log(f"{label}: {adaptive[label]['success_rate']:.1%} success, "
            f"{adaptive[label]['queries_per_success']} queries/success, {adaptive[label]['seconds']:.1f} s")
    report["adaptive"] = adaptive
    dwb: dict = {"fatal": "skipped (--skip-peers)"}
    if not args.skip_peers:
        log("DeepWordBug (TextAttack, peers venv) on the same texts and model")
        raw = run_peers(args.peers_python, {"deepwordbug": True, "model_dir": str(model_dir.resolve()),
                                            "items": flagged, "query_budget": args.query_budget,
                                            "threads": os.cpu_count() or 1}, args.work_dir, timeout=900)
        dwb = summarize_deepwordbug(raw["deepwordbug"]) if "deepwordbug" in raw else {"fatal": raw.get("fatal")}
    report["deepwordbug"] = dwb
    if dwb.get("queries_per_success"):
        report["comparison"] = {
            label: {"queries_per_success_ratio": (a["queries_per_success"] / dwb["queries_per_success"]
                                                  if a["queries_per_success"] else None),
                    "success_rate_delta": a["success_rate"] - dwb["success_rate"],
                    "wall_time_ratio": a["seconds"] / dwb["seconds"]}
            for label, a in adaptive.items()}
    report["total_seconds"] = time.perf_counter() - started

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(json_safe(report), indent=2, ensure_ascii=False) + "\n")
    print_tables(report)
    log(f"wrote {args.out} in {report['total_seconds']:.0f} s")
    return 0


def print_tables(report: dict) -> None:
    tp = report["throughput"]
    print("\nRule-based throughput (variants/s, same texts)")
    print(f"  {'transformation':34} {'texts':>6} {'variants/s':>12}")
    for name, row in {**tp["ours"], **tp["peers"]}.items():
        print(f"  {name:34} {row['texts']:6d} {row['variants_per_s']:12.0f}")
    for name, error in tp["peer_errors"].items():
        print(f"  {name:34} FAILED: {error[:100]}")
    print("\nRatios (ours / peer)")
    for name, ratio in tp["ratios_variants_per_s"].items():
        print(f"  {name:50} {ratio:8.1f}x")
    print("\nModel-guided attack (same model, same flagged texts, same query budget)")
    print(f"  {'attack':24} {'attacked':>8} {'success':>8} {'q/success':>10} {'q/attacked':>10} {'seconds':>8}")
    rows = {**report["adaptive"], "DeepWordBug (TextAttack)": report["deepwordbug"]}
    for name, row in rows.items():
        if "fatal" in row:
            print(f"  {name:24} FAILED: {str(row['fatal'])[:200]}")
            continue
        qps = row["queries_per_success"]
        print(f"  {name:24} {row['n_attacked']:8d} {row['success_rate']:8.1%} "
              f"{qps if qps is None else round(qps, 1)!s:>10} {round(row['queries_per_attacked'] or 0, 1)!s:>10} "
              f"{row['seconds']:8.1f}")
    for name, row in report.get("comparison", {}).items():
        print(f"  {name}: queries/success = {row['queries_per_success_ratio']:.2f}x DeepWordBug's, "
              f"success {row['success_rate_delta']:+.1%}, wall time {row['wall_time_ratio']:.2f}x")


if __name__ == "__main__":
    sys.exit(main())

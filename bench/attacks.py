"""Benchmark: our attack strategies and adaptive attack against nlpaug and TextAttack, side by side.

Part 1 — rule-based throughput. Variants per second for our character strategies
(``generate_variants``, the real API, seeded, one call for all texts as ``attack_runner`` makes
it) against the equivalent transformations of nlpaug (``RandomCharAug`` swap/insert/delete/
substitute, ``KeyboardAug``; the faster of per-text and list input) and TextAttack (character
swap/insert/delete/substitute, QWERTY typo, homoglyph swap, each through its ``Augmenter``), on
the same texts from the bundled data, in one run. Every side gets a warm-up, then up to
``--repeats`` timed passes; the best and the median pass are reported. The nlpaug passes are
interleaved with ours (a pass of ours right before and after each one), so both sides of a ratio
see the same machine load; the headline ratio is the median of those rounds. Only outputs that
differ from their input count as variants. ``--only throughput`` runs just this part (about a
minute with the peers) and merges its section into ``--out``, keeping the others.

Part 2 — model-guided attack. ``adaptive_attack`` (with and without cross-text memory) against
TextAttack's DeepWordBug recipe, on the same held-out malicious texts that the same MiniLM model
flags: success rate, queries per success, wall time. Both sides get the same query budget and,
for the comparison, the same constraint (DeepWordBug's: no limit on the share of words changed,
at most 30 character edits — ours is checked against it); ours with its default constraint (at
most 30 % of the words) is reported beside them.

The peers need transformers 4.x (the project uses 5.x), so they run in their own venv
(``.bench-venvs/peers``) as a subprocess with a driver script written by this file. That driver
loads the very model directory our side uses (plain safetensors BertForSequenceClassification)
and queries it through a wrapper with dynamic padding: TextAttack's stock
``HuggingFaceModelWrapper`` pads every query to 512 tokens (~18x slower, same scores).

    python bench/attacks.py [--only all|throughput|attack] [--model-dir DIR] [--n-texts 2000] [--repeats 5]
                            [--n-attack 150] [--deepwordbug-seeds 0 1 2] [--peers-python .bench-venvs/peers/bin/python]
                            [--out bench/results/attacks.json]

Setting up the peers venv (once, ~3 min):

    python3.11 -m venv .bench-venvs/peers
    .bench-venvs/peers/bin/pip install torch==2.13.0 nlpaug==1.1.11 textattack==0.3.11 flair==0.15.1 \
        "transformers>=4.57,<5" "huggingface-hub<1.0" "datasets<5" "sentencepiece>=0.2"
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import subprocess
import sys
import tempfile
import textwrap
import threading
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

    def timed_rate(fn, texts, max_seconds, repeats, whole_list=False):
        """Best and median of up to ``repeats`` timed passes over ``texts`` (the same protocol as
        ours in bench/attacks.py). Per text, or one call with the whole list (``whole_list``).
        Variants are counted as outputs that differ from their input."""
        for text in texts[:20]:
            fn([text] if whole_list else text)  # warm-up: lazy tables, first-call imports
        passes, begin = [], time.perf_counter()
        for _ in range(repeats):
            done, produced, start = 0, 0, time.perf_counter()
            if whole_list:
                outs = fn(list(texts))
                produced, done = sum(1 for o, t in zip(outs, texts) if o and o != t), len(texts)
            else:
                for text in texts:
                    out = fn(text)
                    produced += sum(1 for o in out if o and o != text)
                    done += 1
                    if done % 25 == 0 and time.perf_counter() - begin > max_seconds:
                        break
            passes.append({"texts": done, "variants": produced, "seconds": time.perf_counter() - start})
            if time.perf_counter() - begin > max_seconds:
                break
        return summarize_passes(passes)

    def summarize_passes(passes):
        rates = sorted(p["variants"] / p["seconds"] for p in passes)
        best = max(passes, key=lambda p: p["variants"] / p["seconds"])
        return {**best, "texts_per_s": best["texts"] / best["seconds"], "variants_per_s": rates[-1],
                "median_variants_per_s": rates[len(rates) // 2], "passes": len(passes),
                "texts_all_passes": sum(p["texts"] for p in passes)}

    def emit(kind, payload):
        # Protocol lines on stdout; the parent ignores anything else a library prints there.
        print("@@" + json.dumps({"kind": kind, **payload}), flush=True)

    def one_pass(fn, texts, whole_list):
        start = time.perf_counter()
        if whole_list:
            outs = fn(list(texts))
            produced = sum(1 for o, t in zip(outs, texts) if o and o != t)
        else:
            produced = 0
            for text in texts:
                produced += sum(1 for o in fn(text) if o and o != text)
        return {"texts": len(texts), "variants": produced, "seconds": time.perf_counter() - start}

    def interleaved_nlpaug(texts):
        """Serve timed nlpaug passes on request ('<op> text|list' on stdin), so the parent can
        time ours right before and after each one: both sides see the same machine load."""
        import nlpaug.augmenter.char as nac
        ops = {f"nlpaug:char_{a}": nac.RandomCharAug(action=a) for a in ("swap", "insert", "delete", "substitute")}
        ops["nlpaug:keyboard"] = nac.KeyboardAug()
        for aug in ops.values():
            for text in texts[:20]:
                aug.augment(text)  # warm-up, as for ours
        passes = {name: [] for name in ops}
        emit("ready", {"ops": list(ops)})
        for line in sys.stdin:
            if line.strip() == "done":
                break
            name, mode = line.split()
            row = {**one_pass(ops[name].augment, texts, mode == "list"), "mode": mode}
            passes[name].append(row)
            emit("pass", row)
        return passes

    def throughput(texts, max_seconds, repeats):
        results, errors, nlpaug_passes = {}, {}, {}
        try:
            nlpaug_passes = interleaved_nlpaug(texts)
        except Exception as error:
            errors["nlpaug"] = f"{type(error).__name__}: {error}"
            emit("failed", {"error": errors["nlpaug"]})
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
                    results[name] = {**timed_rate(aug.augment, texts, max_seconds, repeats), "mode": "per text"}
                except Exception as error:
                    errors[name] = f"{type(error).__name__}: {error}"
        except Exception as error:
            errors["textattack"] = f"{type(error).__name__}: {error}"
        return {"results": results, "errors": errors, "nlpaug_passes": nlpaug_passes}

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
        textattack.shared.utils.set_seed(int(job.get("seed", 0)))  # random, numpy and torch
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
            report["throughput"] = throughput(job["texts"], job["max_seconds"], job.get("repeats", 1))
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
    from adversarial_mlops.models.modeling import resolve_base_model
    from adversarial_mlops.models.trainer import train_classifier

    train = frame[frame.split == "train"].sample(n=min(train_size, int((frame.split == "train").sum())),
                                                 random_state=seed)
    val = frame[frame.split == "validation"].sample(n=min(400, int((frame.split == "validation").sum())),
                                                    random_state=seed)
    base = resolve_base_model(ModelSettings(), cache_dir=out_dir.parent / "base-cache")
    # 1 epoch at the default LoRA rate (5e-4) leaves MiniLM near chance (validation F1 ~0.3); a
    # higher rate gets a usable detector in the same single epoch.
    settings = TrainingSettings(quantization="none", epochs=1, seed=seed, learning_rate=2e-3)
    result = train_classifier(base, train.text.tolist(), train.label.tolist(), val.text.tolist(),
                              val.label.tolist(), settings, window_tokens=128, out_dir=out_dir, progress=log)
    return {"base_model": base, "train_size": len(train), "validation_f1": result.best_validation_f1,
            "train_seconds": result.seconds}


# --------------------------------------------------------------------------------------
# Part 1: our throughput
# --------------------------------------------------------------------------------------
def our_throughput(texts: list[str], max_seconds: float, repeats: int) -> dict:
    """Best and median of ``repeats`` passes per strategy; the peers get the same protocol.

    A pass is one ``generate_variants`` call over all texts, as ``attack_runner`` makes it
    (seeded, keyed per variant, unchanged texts dropped). Variants are counted as returned.
    """
    from adversarial_mlops.attacks import generate_variants

    sources = [(f"t{i}", text) for i, text in enumerate(texts)]
    out = {}
    for name in OUR_STRATEGIES:
        generate_variants(sources[:20], [name], seed=0)  # warm-up: lazy tables (homoglyph data)
        passes, begin = [], time.perf_counter()
        for _ in range(repeats):
            start = time.perf_counter()
            produced = len(generate_variants(sources, [name], seed=0))
            passes.append({"texts": len(sources), "variants": produced, "seconds": time.perf_counter() - start})
            if time.perf_counter() - begin > max_seconds:
                break
        out[f"ours:{name}"] = _summarize_passes(passes)
    return out


def our_unbatched_throughput(texts: list[str], max_seconds: float) -> dict:
    """For reference (not in the ratios): one ``generate_variants`` call per text, so nothing is
    batched and every call pays the fixed cost of the vectorised path."""
    from adversarial_mlops.attacks import generate_variants

    out = {}
    for name in OUR_STRATEGIES:
        produced, done, start = 0, 0, time.perf_counter()
        for i, text in enumerate(texts):
            produced += len(generate_variants([(f"t{i}", text)], [name], seed=0))
            done += 1
            if done % 25 == 0 and time.perf_counter() - start > max_seconds:
                break
        out[f"ours:{name}"] = _summarize_passes([{"texts": done, "variants": produced,
                                                  "seconds": time.perf_counter() - start}])
    return out


def _summarize_passes(passes: list[dict]) -> dict:
    # Same summary as the peer driver's summarize_passes.
    rates = sorted(p["variants"] / p["seconds"] for p in passes)
    best = max(passes, key=lambda p: p["variants"] / p["seconds"])
    return {**best, "texts_per_s": best["texts"] / best["seconds"], "variants_per_s": rates[-1],
            "median_variants_per_s": rates[len(rates) // 2], "passes": len(passes),
            "texts_all_passes": sum(p["texts"] for p in passes)}


def run_peers(python: Path, job: dict, work: Path, timeout: int, serve=None) -> dict:
    """Run the peer driver in the peers venv. ``serve(request)``, when given, drives the driver's
    interleaved nlpaug passes: ``request('<op> text|list')`` returns one timed pass."""
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
    stderr_path = work / "peer-stderr.log"
    with open(stderr_path, "w") as stderr:
        proc = subprocess.Popen([str(python), str(driver), str(job_file)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE if job.get("throughput") else stderr, stderr=stderr,
                                text=True, env=env, cwd=str(work))
        deadline = time.monotonic() + timeout

        def message() -> dict | None:
            for line in proc.stdout:
                if line.startswith("@@"):
                    return json.loads(line[2:])
            return None  # the driver exited

        try:
            if job.get("throughput"):
                first = message()
                if first and first["kind"] == "ready" and serve is not None:
                    def request(line: str) -> dict:
                        proc.stdin.write(line + "\n")
                        proc.stdin.flush()
                        reply = message()
                        if not reply or reply["kind"] != "pass":
                            raise RuntimeError(f"peer driver did not answer {line!r}")
                        return reply
                    serve(first["ops"], request)
                proc.stdin.write("done\n")
                proc.stdin.flush()
                # Keep reading stdout while TextAttack runs, so a chatty library cannot block on it.
                threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            proc.stdin.close()
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            return {"fatal": f"peer driver ran past {timeout} s and was stopped"}
        except (RuntimeError, BrokenPipeError) as error:
            proc.kill()
            return {"fatal": f"{error}: {stderr_path.read_text()[-3000:]}"}
    if not out_file.exists():
        return {"fatal": f"peer driver exited {proc.returncode}: {stderr_path.read_text()[-3000:]}"}
    return json.loads(out_file.read_text())


# --------------------------------------------------------------------------------------
# Part 2: adaptive attack vs DeepWordBug
# --------------------------------------------------------------------------------------
# DeepWordBug's constraints (TextAttack 0.3.11): at most 30 character edits in all, no stopword
# and no word modified twice; no limit on the share of words. Ours by default: at most 30 % of the
# words. The comparison with DeepWordBug is made under its constraint; the default is shown too.
DWB_MAX_EDITS = 30
ADAPTIVE_ARMS = {
    "adaptive (memory, DeepWordBug's constraint)": {"memory": True, "max_perturbed_words": 1.0},
    "adaptive (no memory, DeepWordBug's constraint)": {"memory": False, "max_perturbed_words": 1.0},
    "adaptive (memory, default: <= 30 % of words)": {"memory": True},
}


def run_adaptive(classifier, items, settings) -> dict:
    from adversarial_mlops.attacks.adaptive import _levenshtein, adaptive_attack, summarize

    calls = {"n": 0}

    def predict(texts):
        calls["n"] += 1
        return classifier.predict_proba(texts)

    start = time.perf_counter()
    results = adaptive_attack(items, predict, settings)
    seconds = time.perf_counter() - start
    summary = summarize(results, settings.threshold)
    edits = [_levenshtein(r.original, r.adversarial) for r in results if r.success]
    # One edit per perturbed word keeps ours far inside DeepWordBug's 30-edit limit; checked, not assumed.
    summary.update(success_rate_ci95=wilson_interval(summary["n_success"], summary["n_attacked"]),
                   outcomes={r.source_id: r.success for r in results if r.original_score >= settings.threshold})
    summary.update(max_edit_distance=max(edits, default=0),
                   within_deepwordbug_edit_limit=all(e <= DWB_MAX_EDITS for e in edits))
    summary.update(seconds=seconds, predict_calls=calls["n"],
                   examples=[{"original": r.original, "adversarial": r.adversarial}
                             for r in results if r.success][:3])
    return summary


def wilson_interval(successes: int, n: int, z: float = 1.959964) -> list[float] | None:
    """95 % Wilson score interval of a success rate: with 150 texts, ±6 points around 20 %."""
    if n == 0:
        return None
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [centre - half, centre + half]


def summarize_deepwordbug(report: dict) -> dict:
    items = report["items"]
    attacked = [i for i in items if i["outcome"] != "skipped"]
    wins = [i for i in attacked if i["outcome"] == "success"]
    return {
        "n_texts": len(items), "n_attacked": len(attacked), "n_skipped": len(items) - len(attacked),
        "n_success": len(wins), "success_rate": len(wins) / len(attacked) if attacked else 0.0,
        "success_rate_ci95": wilson_interval(len(wins), len(attacked)),
        "outcomes": {i["source_id"]: i["outcome"] == "success" for i in attacked},
        "queries_per_success": sum(i["queries"] for i in wins) / len(wins) if wins else None,
        "queries_per_attacked": sum(i["queries"] for i in attacked) / len(attacked) if attacked else None,
        "total_queries": sum(i["queries"] for i in items), "seconds": report["seconds"],
        "versions": report.get("versions"),
        "examples": [i["adversarial"] for i in wins][:3],
    }


def pool_deepwordbug(by_seed: dict) -> dict:
    """DeepWordBug over its seeded runs: rates over all attempts, plus each run's own."""
    runs = list(by_seed.values())
    attacked, wins = sum(r["n_attacked"] for r in runs), sum(r["n_success"] for r in runs)
    win_queries = sum(r["queries_per_success"] * r["n_success"] for r in runs if r["n_success"])
    return {"n_runs": len(runs), "n_attacked": attacked, "n_success": wins,
            "success_rate": wins / attacked if attacked else 0.0,
            "success_rate_ci95": wilson_interval(wins, attacked),
            "success_rate_range": [min(r["success_rate"] for r in runs), max(r["success_rate"] for r in runs)],
            "queries_per_success": win_queries / wins if wins else None,
            "queries_per_success_range": [min(r["queries_per_success"] or 0 for r in runs),
                                          max(r["queries_per_success"] or 0 for r in runs)],
            "queries_per_attacked": sum(r["total_queries"] for r in runs) / attacked if attacked else None,
            "seconds": sum(r["seconds"] for r in runs) / len(runs), "versions": runs[0]["versions"],
            "examples": runs[0]["examples"], "by_seed": by_seed}


def paired_outcomes(ours: dict, theirs: dict) -> dict:
    """Same texts on both sides: texts only one attack broke, and an exact McNemar p-value."""
    shared = sorted(set(ours) & set(theirs))
    only_ours = sum(ours[k] and not theirs[k] for k in shared)
    only_theirs = sum(theirs[k] and not ours[k] for k in shared)
    discordant = only_ours + only_theirs
    tail = sum(math.comb(discordant, i) for i in range(min(only_ours, only_theirs) + 1)) / 2 ** discordant
    return {"texts_only_ours_broke": only_ours, "texts_only_deepwordbug_broke": only_theirs,
            "mcnemar_exact_p": min(1.0, 2 * tail) if discordant else 1.0}


# --------------------------------------------------------------------------------------
THROUGHPUT_SECTIONS = ("throughput",)
ATTACK_SECTIONS = ("model", "attack_set", "adaptive", "deepwordbug", "comparison")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("all", "throughput", "attack"), default="all",
                        help="run one part; its sections replace those in --out, the others are kept")
    parser.add_argument("--model-dir", type=Path, help="a trained model dir to reuse (else train MiniLM, 1 epoch)")
    parser.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "adversarial-mlops-bench-attacks")
    parser.add_argument("--n-texts", type=int, default=2000, help="texts for the throughput part")
    parser.add_argument("--repeats", type=int, default=5, help="timed passes per transformation (best and median kept)")
    parser.add_argument("--n-attack", type=int, default=150, help="flagged malicious test texts to attack")
    parser.add_argument("--deepwordbug-seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="DeepWordBug draws its character edits at random: one run per seed (~80 s each idle)")
    parser.add_argument("--train-size", type=int, default=3000)
    parser.add_argument("--query-budget", type=int, default=200)
    parser.add_argument("--peer-seconds", type=float, default=8.0, help="time cap per peer transformation")
    parser.add_argument("--peers-python", type=Path, default=DEFAULT_PEERS_PYTHON)
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "attacks.json")
    args = parser.parse_args(argv)

    args.work_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    run = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "command": " ".join(["python bench/attacks.py", *(argv if argv is not None else sys.argv[1:])]),
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "numpy": _version("numpy")},
           "load_average_at_start": list(os.getloadavg()),
           "args": {k: str(v) for k, v in vars(args).items()}}
    frame = load_splits()
    report: dict = {}
    if args.only in ("all", "throughput"):
        report["throughput"] = run_throughput(frame, args)
    if args.only in ("all", "attack"):
        report.update(run_attack(frame, args, run))
    run["load_average_at_end"] = list(os.getloadavg())
    run["seconds"] = time.perf_counter() - started

    from adversarial_mlops.storage.jsonable import json_safe

    report = merge_results(args.out, report, run)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(json_safe(report), indent=2, ensure_ascii=False) + "\n")
    print_tables(report)
    log(f"wrote {args.out} in {run['seconds']:.0f} s")
    return 0


def _version(module: str) -> str | None:
    try:
        return __import__(module).__version__
    except ImportError:
        return None


def merge_results(path: Path, report: dict, run: dict) -> dict:
    """This run's sections over those already in ``path``; ``provenance`` says which run made
    which section. A file written before provenance existed counts as one earlier full run."""
    previous = json.loads(path.read_text()) if path.exists() else {}
    provenance = previous.pop("provenance", None)
    if provenance is None and previous:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(path.stat().st_mtime))
        earlier = {"date": f"no later than {stamp} (file time; the run did not record its date)",
                   "command": "python bench/attacks.py (full run)", "machine": previous.get("machine"),
                   "args": previous.get("args"), "seconds": previous.get("total_seconds")}
        provenance = {section: earlier for section in (*THROUGHPUT_SECTIONS, *ATTACK_SECTIONS) if section in previous}
    for key in ("machine", "args", "total_seconds"):  # now kept per run, in provenance
        previous.pop(key, None)
    merged = {**previous, **report}
    merged["provenance"] = {**(provenance or {}), **{section: run for section in report}}
    return merged


def run_throughput(frame, args) -> dict:
    rng = random.Random(args.seed)
    pool = frame.text.tolist()
    rng.shuffle(pool)
    texts = pool[:args.n_texts]
    log(f"throughput: our strategies on {len(texts)} texts, best of {args.repeats} passes")
    ours = our_throughput(texts, max_seconds=60.0, repeats=args.repeats)
    unbatched = our_unbatched_throughput(texts, max_seconds=args.peer_seconds)
    peers: dict = {"fatal": "skipped (--skip-peers)"}
    rounds: list[dict] = []
    if not args.skip_peers:
        log(f"throughput: nlpaug interleaved with ours ({args.repeats} rounds), then TextAttack (peers venv)")
        serve = _interleaver(texts, args.repeats, rounds)
        peers = run_peers(args.peers_python, {"throughput": True, "texts": texts, "repeats": args.repeats,
                                              "max_seconds": args.peer_seconds}, args.work_dir, timeout=900,
                          serve=serve)
    peer_rates = dict(peers.get("throughput", {}).get("results", {}))
    for name, passes in peers.get("throughput", {}).get("nlpaug_passes", {}).items():
        if passes:
            by_mode = {mode: _summarize_passes([p for p in passes if p["mode"] == mode]) for mode in ("text", "list")}
            faster = max(by_mode, key=lambda mode: by_mode[mode]["variants_per_s"])
            peer_rates[name] = {**by_mode[faster], "mode": "list" if faster == "list" else "per text",
                                "variants_per_s_per_text": by_mode["text"]["variants_per_s"],
                                "variants_per_s_list": by_mode["list"]["variants_per_s"]}
    ratios = {}
    for mine, theirs in EQUIVALENTS.items():
        for peer in theirs:
            if peer not in peer_rates or not peer_rates[peer]["variants_per_s"]:
                continue
            row = {"best_vs_best": ours[f"ours:{mine}"]["variants_per_s"] / peer_rates[peer]["variants_per_s"],
                   "median_vs_median": (ours[f"ours:{mine}"]["median_variants_per_s"]
                                        / peer_rates[peer]["median_variants_per_s"])}
            per_round = [r["ratio"] for r in rounds if r["ours"] == mine and r["peer"] == peer]
            if per_round:
                per_round.sort()
                row.update(interleaved_median=per_round[len(per_round) // 2], interleaved_min=per_round[0],
                           interleaved_max=per_round[-1], rounds=len(per_round))
            ratios[f"{mine} / {peer}"] = row
    headline = {name: row.get("interleaved_median", row["best_vs_best"]) for name, row in ratios.items()}
    return {"protocol": (f"same {len(texts)} texts for all, in one run. Ours: one generate_variants call per pass "
                         f"(all texts), best and median of {args.repeats} passes. nlpaug: {args.repeats} rounds; "
                         "in each, every transformation runs one pass per text and one pass with the whole list, "
                         "each bracketed by a rate of ours taken right before and after (same machine load; ours "
                         f"runs passes back to back for >= {OUR_MIN_SECONDS} s, about as long as one nlpaug pass); a round's "
                         "ratio is the median of those four rates of ours over the faster nlpaug mode; the "
                         "headline is the median round. TextAttack: per text, capped at "
                         f"{args.peer_seconds} s per transformation; its ratios are best pass over best pass."),
            "ours": ours, "ours_unbatched": unbatched, "peers": peer_rates,
            "peer_errors": {**peers.get("throughput", {}).get("errors", {}),
                            **({"fatal": peers["fatal"]} if "fatal" in peers else {})},
            "ratios": ratios, "headline_ratios": headline,
            "min_headline_ratio": min(headline.values()) if headline else None,
            "interleaved_rounds": rounds}


OUR_MIN_SECONDS = 0.25  # shortest window in which a rate of ours is taken in the interleaved rounds


def _interleaver(texts: list[str], repeats: int, rounds: list[dict]):
    """The ``serve`` callback of ``run_peers``: nlpaug passes, each bracketed by passes of ours."""
    from adversarial_mlops.attacks import generate_variants

    sources = [(f"t{i}", text) for i, text in enumerate(texts)]
    peers_of = {peer: mine for mine, theirs in EQUIVALENTS.items() for peer in theirs}

    def ours(name: str) -> float:
        # Passes back to back for at least OUR_MIN_SECONDS: one pass of ours takes ~15 ms, one of
        # nlpaug's ~400 ms, and a 15 ms window right after the peer's pass mostly measures cold
        # caches. Both sides are then timed over windows of similar length.
        produced, start = 0, time.perf_counter()
        while True:
            produced += len(generate_variants(sources, [name], seed=0))
            elapsed = time.perf_counter() - start
            if elapsed >= OUR_MIN_SECONDS:
                return produced / elapsed

    def serve(ops: list[str], request) -> None:
        for _ in range(repeats):
            for op in ops:
                mine = peers_of.get(op, "keyboard_typo")
                ours_rates, peer_rates = [], []
                for mode in ("text", "list"):
                    ours_rates.append(ours(mine))
                    reply = request(f"{op} {mode}")
                    ours_rates.append(ours(mine))
                    peer_rates.append(reply["variants"] / reply["seconds"])
                ours_rates.sort()
                ours_rate = (ours_rates[1] + ours_rates[2]) / 2  # median of four
                rounds.append({"ours": mine, "peer": op, "ours_variants_per_s": ours_rate,
                               "peer_variants_per_s": max(peer_rates), "ratio": ours_rate / max(peer_rates)})
    return serve


def run_attack(frame, args, run: dict) -> dict:
    import torch

    from adversarial_mlops.attacks.adaptive import AdaptiveAttackSettings
    from adversarial_mlops.models.modeling import TextClassifier

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    run["machine"]["torch"] = torch.__version__
    report: dict = {}
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
    for label, knobs in ADAPTIVE_ARMS.items():
        settings = AdaptiveAttackSettings(query_budget=args.query_budget, seed=args.seed, **knobs)
        adaptive[label] = run_adaptive(classifier, flagged, settings)
        log(f"{label}: {adaptive[label]['success_rate']:.1%} success, "
            f"{adaptive[label]['queries_per_success']} queries/success, {adaptive[label]['seconds']:.1f} s")
    report["adaptive"] = adaptive
    dwb: dict = {"fatal": "skipped (--skip-peers)"}
    if not args.skip_peers:
        by_seed = {}
        for dwb_seed in args.deepwordbug_seeds:
            log(f"DeepWordBug (TextAttack, peers venv, seed {dwb_seed}) on the same texts and model")
            raw = run_peers(args.peers_python, {"deepwordbug": True, "model_dir": str(model_dir.resolve()),
                                                "items": flagged, "query_budget": args.query_budget,
                                                "seed": dwb_seed, "threads": os.cpu_count() or 1},
                            args.work_dir, timeout=900)
            if "deepwordbug" not in raw:
                by_seed = {"fatal": raw.get("fatal")}
                break
            by_seed[str(dwb_seed)] = summarize_deepwordbug(raw["deepwordbug"])
        dwb = by_seed if "fatal" in by_seed else pool_deepwordbug(by_seed)
    report["deepwordbug"] = dwb
    if dwb.get("queries_per_success"):
        report["comparison"] = {
            label: {"queries_per_success_ratio": (a["queries_per_success"] / dwb["queries_per_success"]
                                                  if a["queries_per_success"] else None),
                    "success_rate_delta": a["success_rate"] - dwb["success_rate"],
                    "paired_by_deepwordbug_seed": {seed: paired_outcomes(a["outcomes"], run["outcomes"])
                                                   for seed, run in dwb["by_seed"].items()},
                    "wall_time_ratio": a["seconds"] / dwb["seconds"]}
            for label, a in adaptive.items()}
    return report


def print_tables(report: dict) -> None:
    tp = report.get("throughput")
    if tp:
        print("\nRule-based throughput (variants/s, same texts; best and median pass)")
        print(f"  {'transformation':34} {'texts':>6} {'best':>10} {'median':>10}")
        for name, row in {**tp["ours"], **tp["peers"]}.items():
            print(f"  {name:34} {row['texts']:6d} {row['variants_per_s']:10.0f} "
                  f"{row.get('median_variants_per_s', row['variants_per_s']):10.0f}")
        for name, row in tp.get("ours_unbatched", {}).items():
            print(f"  {name + ' (one text per call)':34} {row['texts']:6d} {row['variants_per_s']:10.0f}")
        for name, error in tp["peer_errors"].items():
            print(f"  {name:34} FAILED: {error[:100]}")
        print("\nRatios (ours / peer): interleaved median round [min-max], best/best, median/median")
        for name, row in tp.get("ratios", {}).items():
            spread = (f"{row['interleaved_median']:8.1f}x [{row['interleaved_min']:.1f}-{row['interleaved_max']:.1f}]"
                      if "interleaved_median" in row else f"{'-':>9} {'':13}")
            print(f"  {name:45} {spread:>24} {row['best_vs_best']:8.1f}x {row['median_vs_median']:8.1f}x")
    if "adaptive" not in report:
        return
    made = report.get("provenance", {}).get("adaptive", {}).get("date")
    print("\nModel-guided attack (same model, same flagged texts, same query budget)"
          + (f"; run of {made}" if made else ""))
    print(f"  {'attack':48} {'attacked':>8} {'success':>8} {'q/success':>10} {'q/attacked':>10} {'seconds':>8}")
    dwb = report["deepwordbug"]
    rows = {**report["adaptive"], f"DeepWordBug (TextAttack, {dwb.get('n_runs', 1)} seeds pooled)": dwb,
            **{f"  DeepWordBug seed {seed}": run for seed, run in dwb.get("by_seed", {}).items()}}
    for name, row in rows.items():
        if "fatal" in row:
            print(f"  {name:48} FAILED: {str(row['fatal'])[:200]}")
            continue
        qps = row["queries_per_success"]
        print(f"  {name:48} {row['n_attacked']:8d} {row['success_rate']:8.1%} "
              f"{qps if qps is None else round(qps, 1)!s:>10} {round(row['queries_per_attacked'] or 0, 1)!s:>10} "
              f"{row['seconds']:8.1f}")
    for name, row in report.get("comparison", {}).items():
        paired = "; ".join(f"seed {seed}: {p['texts_only_ours_broke']}/{p['texts_only_deepwordbug_broke']}, "
                           f"p {p['mcnemar_exact_p']:.2f}" for seed, p in row["paired_by_deepwordbug_seed"].items())
        print(f"  {name}: queries/success = {row['queries_per_success_ratio']:.2f}x DeepWordBug's, "
              f"success {row['success_rate_delta']:+.1%}, wall time {row['wall_time_ratio']:.2f}x\n"
              f"    texts only ours / only DeepWordBug broke, exact McNemar p — {paired}")


if __name__ == "__main__":
    sys.exit(main())

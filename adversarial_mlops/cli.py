"""adversarial-mlops: run the hardening loop, manage models, try attack strategies.

Only argparse is imported at module level: ``--help`` must answer in about a second, so torch,
transformers and Dagster load inside the commands that need them.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence


def _add_config_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="YAML config (default: $ADVERSARIAL_MLOPS_CONFIG or config/pipeline.yaml)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override one config key, e.g. --set quality_gate.max_evasion_rate=0.1 (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="adversarial-mlops", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the hardening loop as a Dagster run (manual trigger)")
    _add_config_args(run)
    run.add_argument("--force-retrain", action="store_true", help="retrain even if the quality gate passes")
    run.add_argument("--select", nargs="+", metavar="ASSET", help="materialize only these assets (default: whole loop)")
    run.add_argument("--json", action="store_true", help="print the run summary as JSON")

    models = commands.add_parser("models", help="list, show or roll back registered models")
    common = argparse.ArgumentParser(add_help=False)
    _add_config_args(common)
    actions = models.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", parents=[common], help="all versions with their clean F1; * marks the champion")
    show = actions.add_parser("show", parents=[common], help="one version's metrics, info and model card")
    show.add_argument("version")
    history = actions.add_parser("history", parents=[common], help="promotions, rejections and rollbacks, latest first")
    for action in (listing, show, history):
        action.add_argument("--json", action="store_true", help="print JSON (exact values) instead of a table")
    rollback = actions.add_parser("rollback", parents=[common], help="make an earlier version the champion again")
    rollback.add_argument("--to", metavar="VERSION", help="target version (default: the previous champion)")
    rollback.add_argument("--reason", default="manual rollback from the CLI")

    report = commands.add_parser("report", help="where a loop's HTML report is (default: the latest loop run's)")
    _add_config_args(report)
    report.add_argument("run_id", nargs="?", metavar="RUN_ID", help="a loop run's id (default: the latest with a report)")
    report.add_argument("--open", action="store_true", help="also open it in the default web browser")

    ui = commands.add_parser("ui", help="start the Dagster UI (dagster dev) on the loop's instance")
    ui.add_argument("--config", metavar="FILE", help="YAML config the UI's runs use")
    ui.add_argument("--port", type=int, default=3000)

    serve = commands.add_parser("serve", help="run the REST API (FastAPI + uvicorn; OpenAPI at /docs)")
    serve.add_argument("--config", metavar="FILE", help="YAML config (default: $ADVERSARIAL_MLOPS_CONFIG or config/pipeline.yaml)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="interface to bind (default 127.0.0.1; any other needs $ADVERSARIAL_MLOPS_API_TOKEN)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--max-texts", type=int, metavar="N", help="texts per /predict request (default 64)")
    serve.add_argument("--max-text-chars", type=int, metavar="N", help="characters per text (default 4000)")
    serve.add_argument("--max-body-bytes", type=int, metavar="N", help="request body size cap (default 1000000)")

    check = commands.add_parser("data", help="load and split the configured data; report counts and phrase leakage")
    _add_config_args(check)

    attack = commands.add_parser("attack", help="list attack strategies or apply one to a text")
    attack.add_argument("--list", action="store_true", help="one strategy a line: name, family, description")
    attack.add_argument("--strategy", metavar="NAME")
    attack.add_argument("--seed", type=int, default=0)
    attack.add_argument("--intensity", type=float, default=None)
    attack.add_argument("text", nargs="?")
    return parser


def render_summary(summary) -> str:
    lines = [f"run {summary.run_id}: {summary.status} — {summary.outcome()}"]
    if summary.gate is not None:
        lines += _gate_lines(summary.gate)
    if summary.evaluation is not None:
        by_strategy = summary.evaluation["evasion"]["by_strategy"]
        # A strategy without a rate (no effective variant) tested nothing: it is not among the worst.
        worst = sorted(((v["rate"], k) for k, v in by_strategy.items() if v["rate"] is not None), reverse=True)[:5]
        lines.append("  worst strategies: " + ", ".join(f"{k} {r:.1%}" for r, k in worst))
        lines += _operating_point_lines(summary.evaluation.get("operating_point"))
        lines += _holdout_lines(summary.evaluation.get("holdout"))
        lines += _views_lines(summary.evaluation.get("views_defense"))
        lines += _generalization_lines(summary.evaluation.get("generalization"))
    if summary.decision is not None:
        lines.append(f"promotion: {'PROMOTED ' + summary.decision['challenger_version'] if summary.decision['promoted'] else 'champion kept'}")
        lines += [f"  {reason}" for reason in summary.decision["reasons"]]
    if summary.skipped:
        lines.append("skipped: " + ", ".join(summary.skipped))
    if summary.failed and not summary.loop_completed:
        lines.append(f"failed step(s): {', '.join(summary.failed)}: {summary.failure_message}")
    return "\n".join(lines)


def _gate_lines(gate: dict) -> list[str]:
    """The structured verdict the quality-gate check recorded: one line per threshold it judged."""
    from adversarial_mlops.judging.quality_gate import GateVerdict

    verdict = GateVerdict.from_dict(gate)
    return [f"quality gate: {verdict.status}"] + [
        f"  {check.name:<22} {'PASS' if check.passed else 'FAIL'}  {check.describe()}" for check in verdict.checks]


def _operating_point_lines(point: dict | None) -> list[str]:
    if not point:
        return []
    at_1pct = point["recall_at_1pct_fpr"]["recall"]
    target = "fixed default" if point.get("target_fpr") is None else f"calibrated to {point['target_fpr']:.1%} FPR"
    return [f"  operating point: threshold {point['threshold']:.4f} ({target} on validation) — clean FPR "
            f"{point['fpr']:.1%}, recall {point['recall']:.1%}; recall at 1% FPR "
            f"{'n/a' if at_1pct is None else f'{at_1pct:.1%}'}"]


def _holdout_lines(block: dict | None) -> list[str]:
    if not block:
        return []
    evasion = block["evasion"]["overall"]
    rate = "n/a" if evasion["rate"] is None else f"{evasion['rate']:.1%}"
    return [f"  sealed holdout (reported, never decided on): F1 {block['clean']['f1']:.4f}, clean FPR "
            f"{block['clean']['fpr']:.1%}, evasion {rate} over {block['n_texts']} texts"]


def _views_lines(block: dict | None) -> list[str]:
    if not block:
        return []

    def pct(value) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    with_views, without = block["with_views"], block["without_views"]
    lines = [f"  decoded views: evasion {pct(with_views['evasion']['rate'])} with, {pct(without['evasion']['rate'])} "
             f"without; clean FPR {pct(with_views['clean_fpr'])} with, {pct(without['clean_fpr'])} without"]
    for name, alarms in (block.get("false_alarms_by_view") or {}).items():
        views = ", ".join(f"{view} {count}" for view, count in alarms["by_deciding_view"].items() if count)
        lines.append(f"    false alarms on {name.replace('_', ' ')} texts: {alarms['flagged']} of {alarms['texts']}"
                     f" ({views or 'none'}; {alarms['flagged_only_with_views']} only with views)")
    return lines


def _generalization_lines(block: dict | None) -> list[str]:
    # Only for a champion trained with augmentation.exclude_families: its own record says which.
    if not block:
        return []

    def rate(entry: dict) -> str:
        return "n/a" if entry["rate"] is None else f"{entry['rate']:.1%}"

    return [f"  held out of training ({', '.join(block['excluded_families'])}): evasion {rate(block['unseen'])} "
            f"on unseen strategies vs {rate(block['seen'])} on seen ones"]


def cmd_run(args) -> int:
    from adversarial_mlops.config import parse_override
    from adversarial_mlops.dagster_defs.runs import run_loop

    overrides = dict(parse_override(item) for item in args.overrides)
    summary = run_loop(args.config, overrides, force_retrain=args.force_retrain, selection=args.select)
    print(json.dumps(summary.to_dict(), indent=2) if args.json else render_summary(summary))
    if not args.json:
        _print_report_path(args, overrides, summary.run_id)
    return 0 if summary.loop_completed else 1


def _print_report_path(args, overrides: dict, run_id: str) -> None:
    from adversarial_mlops.config import load_config
    from adversarial_mlops.reporting.html_report import report_path

    path = report_path(load_config(args.config, overrides).resolved_state_dir(), run_id)
    if path.is_file():
        print(f"report: {path}")


def _registry(args):
    from adversarial_mlops.config import load_config
    from adversarial_mlops.loop.lifecycle import open_registry

    return open_registry(load_config(args.config, args.overrides))


def cmd_models(args) -> int:
    registry = _registry(args)
    if args.action == "list":
        _models_list(registry, args.json)
    elif args.action == "show":
        _models_show(registry, args.version, args.json)
    elif args.action == "history":
        _models_history(registry, args.json)
    else:
        target = registry.rollback(args.to, reason=args.reason)
        print(f"champion is now {target.version}")
    return 0


def _models_list(registry, as_json: bool) -> None:
    from adversarial_mlops.reporting.tables import versions_table

    champion = registry.champion()
    versions = registry.list_versions()
    if as_json:
        print(json.dumps([{"version": v.version, "is_champion": champion is not None and v.version == champion.version,
                           "role": v.info.get("role"), "parent": v.info.get("parent"),
                           "clean_f1": v.metrics.get("clean_f1"),
                           "threshold": (v.metrics.get("operating_point") or {}).get("threshold"),
                           "created_at": v.created_at} for v in versions], indent=2))
    elif not versions:
        print("no models yet: run `adversarial-mlops run` to train a baseline champion")
    else:
        print(versions_table(versions, champion.version if champion else None).text())


def _models_show(registry, version: str, as_json: bool) -> None:
    v = registry.get(version)
    card = registry.readme(version)
    if as_json:
        print(json.dumps({"version": v.version, "path": str(v.path), "created_at": v.created_at, "metrics": v.metrics,
                          "info": v.info, "model_card": str(card) if card else None}, indent=2))
        return
    point = v.metrics.get("operating_point") or {}
    print(f"{v.version}  {v.info.get('role', '?')}  parent {v.info.get('parent') or '-'}  created {v.created_at}\n"
          f"path: {v.path}\nclean F1 {v.metrics.get('clean_f1', float('nan')):.3f} at threshold "
          f"{point.get('threshold', float('nan')):.3f}")
    if card is None:
        print("model card: none (this version was registered before model cards were written; "
              "`--json` shows its metrics and info)")
    else:
        print(f"model card: {card}\n")
        print(card.read_text(encoding="utf-8"))


def _models_history(registry, as_json: bool) -> None:
    from adversarial_mlops.reporting.tables import history_table

    entries = registry.history()
    if as_json:
        print(json.dumps(entries, indent=2, sort_keys=True))
    elif not entries:
        print("no history yet: run `adversarial-mlops run`")
    else:
        print(history_table(entries, limit=len(entries)).text())


def cmd_report(args) -> int:
    import webbrowser

    from adversarial_mlops.config import load_config
    from adversarial_mlops.reporting.html_report import ReportNotFoundError, existing_report, reports_root
    from adversarial_mlops.storage.locations import is_local

    config = load_config(args.config, args.overrides)
    state_dir = config.resolved_state_dir()
    if args.run_id:
        path = existing_report(state_dir, args.run_id)
    elif not reports_root(state_dir).is_dir():
        raise ReportNotFoundError(f"no loop reports under {reports_root(state_dir)} yet: run a loop first "
                                  "(`adversarial-mlops run`)")
    else:
        path = _latest_report(config, state_dir)
    print(path)
    if args.open and is_local(path):
        webbrowser.open(path.as_uri())
    elif args.open:
        print("the report is in the object store: a browser cannot open it there; copy it to this host first",
              file=sys.stderr)
    return 0


def _latest_report(config, state_dir):
    """The report of the most recent loop run that has one, in the Dagster instance's run order."""
    from adversarial_mlops.dagster_defs.instance import prepare_instance
    from adversarial_mlops.dagster_defs.runs import recent_loop_runs
    from adversarial_mlops.reporting.html_report import ReportNotFoundError, report_path

    for run_id in recent_loop_runs(prepare_instance(config), limit=50):
        if report_path(state_dir, run_id).is_file():
            return report_path(state_dir, run_id)
    raise ReportNotFoundError(f"none of the latest 50 loop runs wrote a report under {state_dir}; run a loop "
                              "(`adversarial-mlops run`) or name a run: `adversarial-mlops report RUN_ID`")


def cmd_ui(args) -> int:
    import os
    from pathlib import Path

    from adversarial_mlops.config import CONFIG_ENV_VAR, PROJECT_ROOT, load_config
    from adversarial_mlops.dagster_defs.instance import prepare_instance

    config = load_config(args.config)  # a bad file fails here, with the fix, not inside dagster dev
    instance = prepare_instance(config)
    # The environment of `dagster dev` only: the UI reads the CLI's instance, its code location
    # loads this config file, and this interpreter's dagster (not whatever is on PATH, none when
    # the venv is not activated) starts the webserver and daemon.
    env = {**os.environ, "DAGSTER_HOME": str(instance.root_directory),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    if args.config:
        env[CONFIG_ENV_VAR] = str(Path(args.config).resolve())
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    return supervise([sys.executable, "-m", "dagster", "dev", "-w", workspace, "-p", str(args.port)], env)


UI_STOP_GRACE_S = 8.0


def supervise(command: list[str], env: dict) -> int:
    """Run ``command`` in its own process group until it exits or we get SIGTERM / SIGINT.

    `dagster dev` shuts its webserver, daemon and code server down on Ctrl-C (SIGINT) but not on
    SIGTERM, so both signals are passed on as SIGINT to the whole group; whatever is still running
    after UI_STOP_GRACE_S is killed, so a service manager's stop returns in seconds.
    """
    import signal
    import subprocess
    import time

    process = subprocess.Popen(command, env=env, start_new_session=True)
    stopping = []

    def stop(signum, frame):  # noqa: ARG001
        stopping.append(signum)
        _signal_group(process.pid, signal.SIGINT)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    deadline = None
    try:
        while True:
            try:
                code = process.wait(timeout=0.5)  # short waits: a signal handler ran in between
                break
            except subprocess.TimeoutExpired:
                if stopping and deadline is None:
                    deadline = time.monotonic() + UI_STOP_GRACE_S
                elif deadline is not None and time.monotonic() > deadline:
                    _signal_group(process.pid, signal.SIGKILL)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _signal_group(process.pid, signal.SIGKILL)  # children the group leader left behind
    return 0 if stopping else code


def _signal_group(pgid: int, sig) -> None:
    import os

    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def cmd_serve(args) -> int:
    from adversarial_mlops.api import ApiSettings, serve
    from adversarial_mlops.config import ConfigError

    limits = {"max_texts": args.max_texts, "max_text_chars": args.max_text_chars, "max_body_bytes": args.max_body_bytes}
    for name, value in limits.items():
        if value is not None and value < 1:
            raise ConfigError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    serve(args.host, args.port, args.config, ApiSettings.from_env(**limits))
    return 0


def cmd_data(args) -> int:
    """What the loop would train and decide on: splits by class, and the phrase-leakage guard.
    Exit 1 when leakage is over data.max_phrase_leakage, so a CI job can refuse such data."""
    from adversarial_mlops import data
    from adversarial_mlops.config import load_config

    config = load_config(args.config, args.overrides)
    splits = data.load_splits(config.data)
    print(f"{config.data.resolved_source()}: {len(splits)} texts; splits from {splits.attrs['split_source']}")
    counts = splits.groupby(["split", "label"]).size().unstack(fill_value=0)
    for split in data.SPLITS:
        if split in counts.index:
            groups = splits.loc[splits["split"] == split, "group"].nunique()
            print(f"  {split:<10} {int(counts.loc[split].get(0, 0)):>6} benign {int(counts.loc[split].get(1, 0)):>6} "
                  f"malicious  {groups:>5} groups")
    report = data.phrase_leakage(splits)
    for split in ("test", "holdout"):
        if split in report:
            block = report[split]
            print(f"  phrase leakage ({report['span_words']}-word, one label only) {split}: {block['leaked']} of "
                  f"{block['texts']} texts ({block['share']:.1%})")
    warnings = data.leakage_warnings(report, config.data.max_phrase_leakage)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 1 if warnings else 0


def cmd_attack(args) -> int:
    import random

    from adversarial_mlops.attacks import get_strategy
    from adversarial_mlops.attacks.discovery import describe_strategies

    if args.list:
        for name, family, description in describe_strategies():
            print(f"{name:<24} {family:<11} {description}")
        return 0
    if not args.strategy or args.text is None:
        print("give --list, or --strategy NAME and a TEXT", file=sys.stderr)
        return 2
    print(get_strategy(args.strategy, args.intensity).apply(args.text, random.Random(args.seed)))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"run": cmd_run, "models": cmd_models, "attack": cmd_attack, "ui": cmd_ui, "serve": cmd_serve,
                "data": cmd_data, "report": cmd_report}
    from adversarial_mlops.errors import AdversarialMlopsError

    try:
        return handlers[args.command](args)
    except AdversarialMlopsError as error:  # its message already says what to fix: no traceback
        print(f"error: {error}", file=sys.stderr)
        return 2

if __name__ == "__main__":
    sys.exit(main())

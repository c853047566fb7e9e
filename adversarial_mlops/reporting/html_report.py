"""The loop's report: one self-contained HTML file per run (tables, inline plots, the decision, the
registry's history) at ``<state_dir>/reports/<run_id>/report.html``, its plots as PNG files beside it.

Written atomically (temp file + rename) each time a step of the run learns more: after the
evaluation (gate verdict, and "no retraining needed" or "retraining"), then after the A/B decision
or the challenger's F1-floor rejection.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping, Sequence

from adversarial_mlops.errors import InvalidInputError, NotFoundError
from adversarial_mlops.storage.atomic_io import atomic_write_bytes, atomic_write_text
from adversarial_mlops.storage.locations import state_path

from . import tables
from .formatting import Table, pct, ratio
from .markdown import png_data_uri
from .plots import Plot

REPORTS_DIR = "reports"
REPORT_FILE = "report.html"
RUN_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")  # Dagster run ids are UUIDs; no path parts
STYLE = """body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
th{background:#f3f3f3}td.num,th.num{text-align:right}.outcome{font-size:1.15rem;padding:.6rem 1rem;
background:#eef4fb;border-left:4px solid #4c72b0}figure{display:inline-block;margin:0 1rem 1rem 0}
img{max-width:100%}figcaption{font-size:.9rem;color:#555}.meta{color:#666;font-size:.9rem}"""


class InvalidRunIdError(InvalidInputError):
    """A run id that is not a Dagster run id (it would name a path outside the reports folder)."""


class ReportNotFoundError(NotFoundError):
    """No loop report for that run (or none at all yet)."""


@dataclass(frozen=True)
class LoopReport:
    """What one loop run found and decided, as far as it got."""

    run_id: str
    evaluation: Mapping  # the evaluation report, with its "gate" verdict
    outcome: str  # one line: no retraining needed / retraining / the A/B decision / the F1-floor rejection
    decision: Mapping | None = None  # the champion_model value (A/B decision and statistics)
    history: Sequence[Mapping] = field(default_factory=tuple)  # the registry's history entries


def reports_root(state_dir: Path) -> Path:
    return state_path(state_dir) / REPORTS_DIR  # a folder, or an object-store URL


def report_path(state_dir: Path, run_id: str) -> Path:
    if not isinstance(run_id, str) or not RUN_ID_PATTERN.fullmatch(run_id):
        raise InvalidRunIdError(f"invalid run id {run_id!r}: expected a Dagster run id such as "
                                f"'3f2a9c1e-...' (see `adversarial-mlops run` or GET /pipeline/runs)")
    return reports_root(state_dir) / run_id / REPORT_FILE


def existing_report(state_dir: Path, run_id: str) -> Path:
    path = report_path(state_dir, run_id)
    if not path.is_file():
        raise ReportNotFoundError(f"no loop report for run {run_id} under {reports_root(state_dir)}: the run did not "
                                  f"reach its evaluation, or ran with another state directory")
    return path


def write_loop_report(state_dir: Path, report: LoopReport, plots: Sequence[Plot]) -> Path:
    """Write the plots as PNG files and the self-contained HTML beside them; returns the HTML's path."""
    path = report_path(state_dir, report.run_id)
    for plot in plots:
        atomic_write_bytes(path.parent / f"{plot.name}.png", plot.png)
    atomic_write_text(path, render_html(report, plots))
    return path


def render_html(report: LoopReport, plots: Sequence[Plot]) -> str:
    evaluation = report.evaluation
    version = evaluation.get("model_version", "?")
    parts = [f"<h1>Adversarial hardening loop: run {html.escape(report.run_id)}</h1>",
             f'<p class="meta">written {datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")} UTC · '
             f"champion evaluated: {html.escape(version)}</p>",
             f'<p class="outcome"><strong>Outcome:</strong> {html.escape(report.outcome)}</p>',
             _section(f"Quality gate: {evaluation['gate']['status']}", tables.gate_table(evaluation["gate"])),
             _section(f"{version} on the test split: operating point", tables.operating_point_table(evaluation)),
             _section("Evasion per attack family", tables.family_table(evaluation["evasion"]["by_family"])),
             _section("Evasion per strategy", tables.strategy_table(evaluation["evasion"])),
             _section("Over-defence: false alarms on benign texts",
                      tables.over_defense_table(evaluation["over_defense"])),
             _section("Sealed holdout (reported only, never decided on)", holdout_table(evaluation.get("holdout")))]
    if report.decision and report.decision.get("statistics"):
        decision = report.decision
        parts.append(_section("A/B: champion vs challenger (Δ = challenger − champion, paired 95% CI)",
                              tables.ab_table(decision["statistics"], decision["previous_champion"],
                                              decision["challenger_version"])))
        if decision["statistics"].get("holdout"):
            parts.append(_section("A/B on the sealed holdout (reported only, never decided on)",
                                  tables.ab_table(decision["statistics"]["holdout"], decision["previous_champion"],
                                                  decision["challenger_version"])))
        parts.append("<ul>" + "".join(f"<li>{html.escape(reason)}</li>" for reason in decision["reasons"]) + "</ul>")
    parts.append(_section("Registry history (latest first)", tables.history_table(report.history)))
    parts.append("<h2>Plots</h2>" + "".join(
        f'<figure><img alt="{html.escape(plot.title)}" src="{png_data_uri(plot.png)}">'
        f"<figcaption>{html.escape(plot.title)}</figcaption></figure>" for plot in plots))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Loop report {html.escape(report.run_id)}</title><style>{STYLE}</style></head><body>\n"
            + "\n".join(part for part in parts if part) + "\n</body></html>\n")


def _section(heading: str, table: Table | None) -> str:
    return "" if table is None else f"<h2>{html.escape(heading)}</h2>\n{table.html()}"


def holdout_table(block: Mapping | None) -> Table | None:
    if not block:
        return None
    rows = [("texts", str(block["n_texts"])), ("clean F1", ratio(block["clean"]["f1"])),
            ("clean FPR", pct(block["clean"]["fpr"])), ("evasion", pct(block["evasion"]["overall"]["rate"])),
            ("obfuscated-benign false alarms", pct(block["over_defense"]["obfuscated_benign_fpr"]["rate"]))]
    return Table.of(["measure", "value"], rows, numeric=["value"])

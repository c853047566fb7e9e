"""Markdown documents for the Dagster UI's metadata: the evaluation, the gate and the A/B, with plots.

Plots come in as PNG bytes and are embedded as base64 data URIs, so the markdown stands alone.
"""

from __future__ import annotations

import base64
from typing import Mapping, Sequence

from . import tables
from .plots import Plot


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def images_markdown(plots: Sequence[Plot]) -> str:
    """Each plot embedded as a data URI under its title."""
    return "\n\n".join(f"**{plot.title}**\n\n![{plot.title}]({png_data_uri(plot.png)})" for plot in plots)


def _sections(*parts: tuple[str, str]) -> str:
    return "\n\n".join(f"#### {heading}\n\n{body}" for heading, body in parts if body)


def evaluation_markdown(report: Mapping, plots: Sequence[Plot] = ()) -> str:
    """The evaluation report of one model: operating point, evasion per family and per strategy,
    over-defence, then its plots."""
    version = report.get("model_version", "the model")
    return _sections(
        (f"{version} on the test split: operating point", tables.operating_point_table(report).markdown()),
        ("Evasion per attack family", tables.family_table(report["evasion"]["by_family"]).markdown()),
        ("Evasion per strategy", tables.strategy_table(report["evasion"]).markdown()),
        ("Over-defence: false alarms on benign texts", tables.over_defense_table(report["over_defense"]).markdown()),
        ("Plots", images_markdown(plots)),
    )


def gate_markdown(verdict: Mapping) -> str:
    return _sections((f"Quality gate: {verdict['status']}", tables.gate_table(verdict).markdown()))


def ab_markdown(result: Mapping, history: list[dict], plots: Sequence[Plot] = ()) -> str:
    """The A/B decision in one line, champion vs challenger side by side, the registry's recent
    history, then the plots."""
    statistics = result["statistics"]
    comparison = (tables.ab_table(statistics, result["previous_champion"], result["challenger_version"]).markdown()
                  if statistics else "")
    return _sections(("Decision", tables.decision_line(result)),
                     ("Champion vs challenger (A/B set; Δ = challenger − champion, paired 95% CI)", comparison),
                     ("Registry history (latest first)", tables.history_table(history).markdown()),
                     ("Plots", images_markdown(plots)))

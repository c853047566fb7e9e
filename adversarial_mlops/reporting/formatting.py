"""Numbers rounded for people, and one table type that renders as markdown, HTML or aligned text.

Rates are percentages with one decimal, F1 and AUCs three decimals, thresholds three decimals;
a number that could not be measured (None or NaN) reads "n/a". Exact values stay in the JSON
the reports are stored as.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Mapping, Sequence

NOT_MEASURED = "n/a"


def measured(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


def rounded_pct(value, digits: int = 1) -> float | None:
    """A rate (0..1) as a percentage rounded for people; None when not measured."""
    return round(100 * float(value), digits) if measured(value) else None


def rounded(value, digits: int = 3) -> float | None:
    return round(float(value), digits) if measured(value) else None


def pct(value, digits: int = 1) -> str:
    """0.1234 → "12.3%"."""
    return f"{100 * value:.{digits}f}%" if measured(value) else NOT_MEASURED


def ratio(value, digits: int = 3) -> str:
    """F1, AUC, threshold: 0.91234 → "0.912"."""
    return f"{value:.{digits}f}" if measured(value) else NOT_MEASURED


def points(value, digits: int = 1) -> str:
    """A difference of rates in percentage points: 0.0123 → "+1.2 pts"."""
    return f"{100 * value:+.{digits}f} pts" if measured(value) else NOT_MEASURED


def ci(low, high, fmt=pct) -> str:
    """A 95% interval as "9.4–14.2%" style text (each bound in ``fmt``); "n/a" without both bounds."""
    if not (measured(low) and measured(high)):
        return NOT_MEASURED
    return f"{fmt(low)} to {fmt(high)}"


def rate_with_ci(block: Mapping | None) -> str:
    """{"rate", "low", "high"} → "12.3% (9.4% to 14.2%)"; the rate alone when it has no interval."""
    if not block or not measured(block.get("rate")):
        return NOT_MEASURED
    interval = ci(block.get("low"), block.get("high"))
    return pct(block["rate"]) if interval == NOT_MEASURED else f"{pct(block['rate'])} ({interval})"


def delta_with_ci(delta: Mapping | None) -> str:
    """A paired Δ {"estimate", "low", "high"} of rates in points with its CI."""
    if not delta or not measured(delta.get("estimate")):
        return NOT_MEASURED
    return f"{points(delta['estimate'])} ({ci(delta.get('low'), delta.get('high'), points)})"


def count(value) -> str:
    return f"{int(value):,}" if measured(value) else NOT_MEASURED


@dataclass(frozen=True)
class Table:
    """Rows of already formatted cells. ``numeric`` names the columns to right-align."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[str] = frozenset()

    @classmethod
    def of(cls, headers: Sequence[str], rows: Sequence[Sequence], numeric: Sequence[str] = ()) -> "Table":
        width = len(headers)
        cells = tuple(tuple(str(cell) for cell in row) for row in rows)
        wrong = [row for row in cells if len(row) != width]
        if wrong:
            raise ValueError(f"every row needs {width} cells ({', '.join(headers)}); got {wrong[0]!r}")
        return cls(tuple(headers), cells, frozenset(numeric))

    def markdown(self) -> str:
        def line(cells) -> str:
            return "| " + " | ".join(_markdown_cell(cell) for cell in cells) + " |"

        rule = ["---:" if header in self.numeric else "---" for header in self.headers]
        return "\n".join([line(self.headers), "|" + "|".join(rule) + "|", *(line(row) for row in self.rows)])

    def html(self) -> str:
        def cell(tag: str, header: str, text: str) -> str:
            style = ' class="num"' if header in self.numeric else ""
            return f"<{tag}{style}>{html.escape(text)}</{tag}>"

        head = "".join(cell("th", header, header) for header in self.headers)
        body = "".join("<tr>" + "".join(cell("td", h, text) for h, text in zip(self.headers, row)) + "</tr>"
                       for row in self.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def text(self) -> str:
        """Aligned plain text for a terminal."""
        widths = [max(len(cell) for cell in column) for column in zip(self.headers, *self.rows)]

        def line(cells) -> str:
            return "  ".join(cell.rjust(w) if header in self.numeric else cell.ljust(w)
                             for cell, w, header in zip(cells, widths, self.headers)).rstrip()

        return "\n".join([line(self.headers), *(line(row) for row in self.rows)])


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

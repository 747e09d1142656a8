"""Small self-contained SVG bar charts for the HTML report (no plotting library needed).

Bars are horizontal so that long bilingual category labels stay readable; a chart is one
``<svg>`` element with a title, a value axis with gridlines, and a legend when it has several
series. Every text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

FONT = "'WenQuanYi Micro Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif"
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948")
WIDTH = 680
LABEL_W = 210
ROW_H = 22
TOP = 34


def nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 x 10^n)."""
    if value <= 0:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}".rstrip("0").rstrip(".")


def bar_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, unit: str = "m²",
              colours: Sequence[str] = PALETTE, label_width: int = LABEL_W) -> str:
    """A horizontal (grouped) bar chart: one group per label, one bar per series."""
    n_series = max(len(series), 1)
    group_h = ROW_H * n_series + 8
    legend_h = 22 if len(series) > 1 else 0
    plot_w = WIDTH - label_width - 80
    height = TOP + legend_h + group_h * max(len(labels), 1) + 30
    top = TOP + legend_h
    maximum = nice_max(max((v for _, values in series for v in values if v is not None), default=0.0))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'font-family="{escape(FONT)}" font-size="12" role="img" aria-label="{escape(title)}">',
        f'<text x="0" y="18" font-size="14" font-weight="bold" fill="#1d2b3a">{escape(title)}</text>',
    ]
    if len(series) > 1:
        x = label_width
        for k, (name, _) in enumerate(series):
            parts.append(f'<rect x="{x}" y="{TOP - 2}" width="12" height="12" fill="{colours[k % len(colours)]}"/>'
                         f'<text x="{x + 16}" y="{TOP + 8}" fill="#1d2b3a">{escape(name)}</text>')
            x += 24 + 7 * len(name) + 40
    bottom = top + group_h * max(len(labels), 1)
    for tick in range(5):
        value = maximum * tick / 4
        x = label_width + plot_w * tick / 4
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#d9dee5" stroke-width="1"/>'
                     f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" fill="#5a6b7e">{_fmt(value)}</text>')
    parts.append(f'<text x="{WIDTH - 4}" y="{bottom + 16}" text-anchor="end" fill="#5a6b7e">{escape(unit)}</text>')
    for i, name in enumerate(labels):
        y0 = top + i * group_h + 4
        parts.append(f'<text x="{label_width - 8}" y="{y0 + group_h / 2}" text-anchor="end" dominant-baseline="middle" '
                     f'fill="#1d2b3a">{escape(name)}</text>')
        for k, (series_name, values) in enumerate(series):
            value = values[i] if i < len(values) and values[i] is not None else 0.0
            w = plot_w * max(value, 0.0) / maximum
            y = y0 + k * ROW_H
            parts.append(f'<rect class="bar" x="{label_width}" y="{y}" width="{w:.1f}" height="{ROW_H - 4}" '
                         f'fill="{colours[k % len(colours)]}"><title>{escape(name)} · {escape(series_name)}: {_fmt(value)} {escape(unit)}</title></rect>'
                         f'<text x="{label_width + w + 4:.1f}" y="{y + (ROW_H - 4) / 2}" dominant-baseline="middle" '
                         f'fill="#3d5068">{_fmt(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)

"""Charts as SVG, drawn on the server with pygal: pure functions from numbers
and links to bytes. No database, no request.

Court networks have no internet and the pages run under a strict CSP, so the
charts carry no JavaScript: `js=[]` keeps pygal's tooltip script (a CDN URL)
out, and the small inline config <script> pygal still writes is stripped.
Every bar is a link to the cases behind it; links open in the top window
because the chart is embedded with <object>. Chinese text is drawn with the
browser's own fonts, named in the style below."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pygal
from pygal.style import Style

__all__ = ["Bar", "Series", "bar_chart", "strip_scripts"]

FONTS = '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2328",
    foreground_strong="#1f2328",
    foreground_subtle="#656d76",
    colors=("#9a1b1b", "#0b57d0", "#1a7f37", "#9a6700", "#6f42c1", "#0a7d8c", "#cf222e", "#656d76"),
    font_family=FONTS,
    label_font_family=FONTS,
    major_label_font_family=FONTS,
    value_font_family=FONTS,
    value_label_font_family=FONTS,
    tooltip_font_family=FONTS,
    title_font_family=FONTS,
    legend_font_family=FONTS,
    no_data_font_family=FONTS,
    title_font_size=16,
    legend_font_size=13,
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=12,
    no_data_font_size=20,
)
_SCRIPT = re.compile(rb"<script\b[^>]*>.*?</script\s*>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Bar:
    value: int
    href: str  # the case list narrowed to the cases this bar counts


@dataclass(frozen=True)
class Series:
    name: str
    bars: Sequence[Bar]


def strip_scripts(svg: bytes) -> bytes:
    """Drop every <script> element: a strict CSP would block it anyway."""
    return _SCRIPT.sub(b"", svg)


def _integer_ticks(top: int) -> list[int]:
    """Whole-number y labels at a round step (1, 2 or 5 times a power of ten),
    at most about six of them: case counts have no fractions."""
    if top <= 0:
        return [0, 1]
    rough = top / 5
    power = 10 ** max(0, math.floor(math.log10(rough))) if rough >= 1 else 1
    step = next(f * power for f in (1, 2, 5, 10) if f * power >= rough)
    return list(range(0, math.ceil(top / step) * step + 1, step))


def bar_chart(
    *,
    title: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    width: int = 800,
    height: int = 320,
) -> bytes:
    """A vertical bar chart, one group of bars per x label, each bar a link."""
    top = max((b.value for s in series for b in s.bars), default=0)
    chart = pygal.Bar(
        js=[],
        style=STYLE,
        width=width,
        height=height,
        title=title,
        x_labels=list(x_labels),
        y_labels=_integer_ticks(top),
        print_values=True,
        print_zeroes=False,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        no_data_text="暂无数据",
        x_label_rotation=-30 if len(x_labels) > 12 else 0,
        truncate_label=-1,  # never cut a Chinese label short
        # The printed values sit over the bars: let clicks through to the links.
        css=["file://style.css", "file://graph.css", "inline:.text-overlay text { pointer-events: none; }"],
        margin=16,
    )
    for s in series:
        chart.add(
            s.name,
            [{"value": b.value, "xlink": {"href": b.href, "target": "_top"}} for b in s.bars],
        )
    return strip_scripts(chart.render())

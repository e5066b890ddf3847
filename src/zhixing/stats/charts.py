"""Charts as SVG, drawn on the server with pygal: pure functions from numbers
and links to bytes. No database, no request.

Court networks have no internet and the pages run under a strict CSP, so the
charts carry no JavaScript: `js=[]` keeps pygal's tooltip script (a CDN URL)
out, and the small inline config <script> pygal still writes is stripped.
Every bar is a link to the cases behind it; links open in the top window
because the chart is embedded with <object>. Chinese text is drawn with the
browser's own fonts, named in the style below.

A chart is drawn at the size it is shown, so its text reads at page size
rather than being scaled down: the SVG carries its width and height and the
page shows it at that size (shrinking only on a narrow screen). Many bars get
the full width of the page; a few bars get half of it. Category names too long
to sit under their bar (团队, 结案方式) turn the chart on its side, so each name
reads whole on the left instead of being cut or tilted."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pygal
from pygal.style import Style
from pygal.view import HorizontalView

__all__ = ["Bar", "Series", "bar_chart", "strip_scripts"]

FONTS = '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
LABEL_SIZE = 14
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2328",
    foreground_strong="#1f2328",
    foreground_subtle="#656d76",
    colors=("#9a1b1b", "#0b57d0", "#1a7f37", "#9a6700", "#6f42c1", "#0a7d8c", "#cf222e", "#656d76"),
    # Values are printed above the bars on white, so plain ink reads on any bar.
    value_colors=("#1f2328",) * 8,
    opacity="1",
    opacity_hover=".8",
    guide_stroke_color="#d0d7de",
    major_guide_stroke_color="#d0d7de",
    guide_stroke_dasharray="0",
    major_guide_stroke_dasharray="0",
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
    legend_font_size=LABEL_SIZE,
    label_font_size=LABEL_SIZE,
    major_label_font_size=LABEL_SIZE,
    value_font_size=LABEL_SIZE,
    no_data_font_size=18,
)
# The printed values sit over the plot: let clicks through to the bar links,
# and give them a white halo so a grid line never runs through a number.
OVERLAY_CSS = (
    "inline:.text-overlay text { pointer-events: none; paint-order: stroke;"
    " stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; font-weight: 600; }"
)
# The page's content is 1240px wide (site.css: main); less a 1px border each
# side, a chart fills it, or half of it beside another with a 16px gap.
FULL = (1238, 380)
HALF = (610, 340)
MANY_BARS = 8  # more bars than this get the full width
MAX_SIDEWAYS = 10  # more labels than this are tilted rather than laid sideways
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


def _text_width(text: str, size: int = LABEL_SIZE) -> float:
    """Rough drawn width: a Chinese character is one em, anything else about half."""
    return sum(size if ord(ch) > 0x2E7F else 0.6 * size for ch in text)


def _label_shortfall(labels: Sequence[str]) -> int:
    """How much wider the widest label is than pygal reckons (it counts every
    character as 0.6 em): added to the left margin so sideways labels are not
    cut off."""
    return math.ceil(
        max((_text_width(t) - 0.6 * LABEL_SIZE * len(t) for t in labels), default=0)
    )


def _labels_fit(x_labels: Sequence[str], width: int) -> bool:
    """Whether every label fits under its group of bars, with a little space."""
    if not x_labels:
        return True
    slot = (width - 100) / len(x_labels)  # less the y axis and the margins
    return max(_text_width(label) for label in x_labels) + 12 <= slot


class _TopDownView(HorizontalView):
    """pygal's horizontal view puts the first label at the bottom; this one
    puts it at the top, so the bars read down in the order given (and in the
    same order in the SVG as on the screen)."""

    def _down(self, v):
        return self.height * (v - self.box.ymin) / self.box.height

    def x(self, x):
        if x is None or self._force_vertical:
            return super().x(x)
        return self._down(x)

    def y(self, y):
        if y is None or not self._force_vertical:
            return super().y(y)
        return self._down(y)


class _HorizontalBar(pygal.HorizontalBar):
    def _set_view(self):
        self.view = _TopDownView(
            self.width - self.margin_box.x, self.height - self.margin_box.y, self._box
        )


def bar_chart(
    *,
    title: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    width: int | None = None,
    height: int | None = None,
) -> bytes:
    """A bar chart, one group of bars per label, each bar a link. Without a
    size it picks one from the number of bars. Labels too long to sit under
    their bars lay a short chart on its side (labels on the left) and tilt the
    labels of a long one."""
    bars = len(x_labels) * max(1, len(series))
    auto_width, auto_height = FULL if bars > MANY_BARS else HALF
    width, height = width or auto_width, height or auto_height
    fits = _labels_fit(x_labels, width)
    horizontal = not fits and len(x_labels) <= MAX_SIDEWAYS
    top = max((b.value for s in series for b in s.bars), default=0)
    ticks = _integer_ticks(top)
    css = ["file://style.css", "file://graph.css", OVERLAY_CSS]
    if horizontal:  # the value starts just past the end of its bar
        css.append("inline:.text-overlay text.value { text-anchor: start; }")
    chart = (_HorizontalBar if horizontal else pygal.Bar)(
        js=[],
        style=STYLE,
        width=width,
        height=height,
        explicit_size=True,  # shown at this size, not scaled to the page
        title=title,
        x_labels=list(x_labels),
        y_labels=ticks,
        # Room past the longest bar for its printed value (pygal leaves room
        # above an upright bar itself).
        range=(0, max(ticks[-1], top * 1.12)) if horizontal else None,
        print_values=True,
        print_values_position="top",
        print_zeroes=horizontal,  # beside a name, a 0 reads better than a blank
        show_legend=len(series) > 1,
        no_data_text="暂无数据",
        x_label_rotation=0 if fits or horizontal else -45,
        truncate_label=-1,  # never cut a Chinese label short
        truncate_legend=-1,
        css=css,
        margin=16,
        margin_left=16 + (_label_shortfall(x_labels) if horizontal else 0),
        spacing=12,
    )
    for s in series:
        chart.add(
            s.name,
            [{"value": b.value, "xlink": {"href": b.href, "target": "_top"}} for b in s.bars],
        )
    return strip_scripts(chart.render())

"""Bar charts as plain geometry for server-rendered SVG (no JavaScript, no inline styles)."""

from __future__ import annotations

from dataclasses import dataclass

ROW_HEIGHT = 28
LABEL_WIDTH = 260
BAR_WIDTH = 400
VALUE_WIDTH = 90


@dataclass(frozen=True)
class Bar:
    """One row: a label, its value, the bar's geometry and whether to highlight it."""

    label: str
    value: int | float
    shown: str
    y: int
    width: float
    highlight: bool = False


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart: title (for screen readers), bars and the drawing's size."""

    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_x: int = LABEL_WIDTH + 8


def bar_chart(
    title: str,
    rows: list[tuple[str, int | float]],
    highlighted: set[int] | None = None,
    shown: list[str] | None = None,
) -> BarChart:
    """Bars proportional to the largest value; ``highlighted`` are row indexes to emphasise."""
    highest = max((value for _, value in rows), default=0) or 1
    bars = [
        Bar(
            label=label if len(label) <= 38 else label[:37] + "…",
            value=value,
            shown=shown[i] if shown else str(value),
            y=i * ROW_HEIGHT,
            width=round(BAR_WIDTH * value / highest, 1),
            highlight=bool(highlighted and i in highlighted),
        )
        for i, (label, value) in enumerate(rows)
    ]
    width = LABEL_WIDTH + 8 + BAR_WIDTH + VALUE_WIDTH
    return BarChart(title, bars, width, max(len(bars), 1) * ROW_HEIGHT)

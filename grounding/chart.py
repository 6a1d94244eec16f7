"""The before→after chart, drawn on the server as SVG.

No chart library and no inline styles (the CSP forbids them): geometry goes in SVG attributes,
colours come from classes in grounding.css, so dark mode and print follow the page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 44
MAX_POINTS = 40


@dataclass(frozen=True)
class Point:
    """One session on the chart."""

    when: datetime
    before: int | None
    after: int | None
    label: str  # exercise title, for the tooltip


def _y(value: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / 10), 1)


def _x(index: int, count: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    if count <= 1:
        return round(LEFT + inner / 2, 1)
    return round(LEFT + 12 + (inner - 24) * index / (count - 1), 1)


def render_chart(points: list[Point], title: str, description: str, labels: dict, date_format) -> str:
    """An SVG of distress before (hollow) and after (filled) each session, oldest on the left.

    `labels` holds the translated words: before, after, axis; `date_format(datetime) -> str`."""
    shown = points[-MAX_POINTS:]
    out = [f'<svg class="gr-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-labelledby="gr-chart-title gr-chart-desc" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="gr-chart-title">{escape(title)}</title>',
           f'<desc id="gr-chart-desc">{escape(description)}</desc>']
    for value in range(0, 11, 2):
        y = _y(value)
        out.append(f'<line class="gr-grid" x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}"/>')
        out.append(f'<text class="gr-tick" x="{LEFT - 8}" y="{y + 5}" text-anchor="end">{value}</text>')
    out.append(f'<text class="gr-axis" x="12" y="{_y(5)}" text-anchor="middle" '
               f'transform="rotate(-90 12 {_y(5)})">{escape(labels["axis"])}</text>')
    count = len(shown)
    for index, point in enumerate(shown):
        x = _x(index, count)
        tip = (f'{point.label} · {date_format(point.when)} · '
               f'{labels["before"]} {_dash(point.before)} → {labels["after"]} {_dash(point.after)}')
        out.append(f'<g class="gr-session"><title>{escape(tip)}</title>')
        if point.before is not None and point.after is not None:
            direction = "down" if point.after < point.before else "up" if point.after > point.before else "same"
            out.append(f'<line class="gr-change gr-{direction}" x1="{x}" y1="{_y(point.before)}" '
                       f'x2="{x}" y2="{_y(point.after)}"/>')
        if point.before is not None:
            out.append(f'<circle class="gr-before" cx="{x}" cy="{_y(point.before)}" r="6"/>')
        if point.after is not None:
            out.append(f'<rect class="gr-after" x="{x - 5.5}" y="{_y(point.after) - 5.5}" '
                       'width="11" height="11" rx="2"/>')
        out.append("</g>")
    if shown:
        first, last = shown[0].when, shown[-1].when
        out.append(f'<text class="gr-tick" x="{_x(0, count)}" y="{HEIGHT - 14}" text-anchor="start">'
                   f'{escape(date_format(first))}</text>')
        if count > 1:
            out.append(f'<text class="gr-tick" x="{_x(count - 1, count)}" y="{HEIGHT - 14}" text-anchor="end">'
                       f'{escape(date_format(last))}</text>')
    legend_y = HEIGHT - 30
    out.append(f'<circle class="gr-before" cx="{WIDTH - 220}" cy="{legend_y}" r="6"/>'
               f'<text class="gr-tick" x="{WIDTH - 208}" y="{legend_y + 5}">{escape(labels["before"])}</text>'
               f'<rect class="gr-after" x="{WIDTH - 115.5}" y="{legend_y - 5.5}" width="11" height="11" rx="2"/>'
               f'<text class="gr-tick" x="{WIDTH - 98}" y="{legend_y + 5}">{escape(labels["after"])}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _dash(value: int | None) -> str:
    return "–" if value is None else str(value)


"""Small server-side SVG bar charts: readable without JavaScript, printable, and
accessible (role="img" with a title and a description; each bar has its own title).
Hand-written rather than pygal: pygal's SVG carries an inline <style> and a script
from a CDN, which the strict CSP (style-src 'self', script-src 'self') refuses."""
from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 48


def _ticks(top: int) -> list[int]:
    """Round values from 0 to at least ``top``, at most six of them (steps 1, 2, 5, 10, 20...)."""
    step, factors = 1, (2, 2.5, 2)
    i = 0
    while top / step > 5:
        step = int(step * factors[i % 3])
        i += 1
    return list(range(0, -(-top // step) * step + 1, step))


def bar_chart(chart_id: str, title: str, desc: str, labels: list[str], values: list[int],
              x_label: str, y_label: str) -> Markup:
    top = max(values, default=0) or 1
    ticks = _ticks(top)
    scale_top = ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(values), 1)
    every = max(1, -(-len(labels) // 12))          # at most about 12 axis labels
    parts = [f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(desc)}</desc>']
    for tick in ticks:
        y = TOP + plot_h - plot_h * tick / scale_top
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / scale_top
        bar = min(slot * 0.8, 48)
        x = LEFT + i * slot + (slot - bar) / 2
        parts.append(f'<rect class="bar" data-label="{escape(label)}" data-value="{value}" x="{x:.1f}" '
                     f'y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}">'
                     f'<title>{escape(label)}: {value}</title></rect>')
        if i % every == 0:
            parts.append(f'<text class="tick" x="{x + bar / 2:.1f}" y="{TOP + plot_h + 16}" '
                         f'text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>')
    parts.append(f'<text class="axis-label" x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 8}" '
                 f'text-anchor="middle">{escape(x_label)}</text>')
    parts.append(f'<text class="axis-label" x="12" y="{TOP + plot_h / 2:.1f}" text-anchor="middle" '
                 f'transform="rotate(-90 12 {TOP + plot_h / 2:.1f})">{escape(y_label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))

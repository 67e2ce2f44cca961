"""Pictures as static inline SVG: a relationship graph, an initiative timeline and a
coverage chart. Pure Python, no JavaScript, no dependency.

Every layout is a function of sorted inputs only, so two builds give identical bytes.
Colours come from the theme's CSS classes (``bw-*`` in boardwatch.css) and ``currentColor``,
so the pictures follow light and dark mode. Each picture is ``role="img"`` with a
``<title>`` and ``<desc>``; the page shows the same facts as text next to it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

FONT = 13  # px, in SVG user units
EDGE_FONT = 11.5
CHAR = 0.56  # average glyph width of the sans-serif theme font, in ems (an estimate for layout)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def escape(text: str) -> str:
    """Text for SVG markup: what xml.sax.saxutils.escape does, without importing urllib with it."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


@dataclass(frozen=True, slots=True)
class Node:
    name: str
    kind: str  # person | state | body | initiative
    labels: tuple[str, ...]  # the relations to the centre, read from the centre's side
    outgoing: bool = False  # the centre is the subject of a directed relation to this node
    incoming: bool = False  # this node is the subject of a directed relation to the centre


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _width(text: str, size: int = FONT) -> float:
    return len(text) * size * CHAR


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(x: float, y: float, text: str, cls: str, anchor: str = "middle", extra: str = "") -> str:
    return (f'<text x="{_num(x)}" y="{_num(y)}" class="{cls}" text-anchor="{anchor}"{extra}>'
            f"{escape(text)}</text>")


def _svg(uid: str, width: int, height: int, title: str, desc: str, body: list[str], cls: str) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="bw-figure {cls}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-labelledby="{uid}-title {uid}-desc">'
            f'<title id="{uid}-title">{escape(title)}</title><desc id="{uid}-desc">{escape(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")


# -- relationship graph ----------------------------------------------------------------------

def relationship_svg(uid: str, center: str, center_kind: str, nodes: Sequence[Node], *, total: int = 0) -> Markup:
    """A radial graph: ``center`` in the middle, each node on a ring, edges labelled.

    ``nodes`` come in the order they should appear, clockwise from the top. ``total`` is the
    number of neighbours before any were left out of the picture (they stay in the text table).
    """
    if not nodes:
        return Markup("")
    n = len(nodes)
    ring = 150 if n <= 4 else 185 if n <= 8 else 205
    width, cx = 780, 390
    height = 2 * ring + 96
    cy = height / 2
    body = ['<defs><marker id="' + uid + '-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" class="bw-arrow"/>'
            "</marker></defs>"]
    labels: list[str] = []
    node_r, center_r = 9.0, 15.0
    for i, node in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        cos, sin = math.cos(angle), math.sin(angle)
        x, y = cx + ring * cos, cy + ring * sin
        x1, y1 = cx + (center_r + 2) * cos, cy + (center_r + 2) * sin
        x2, y2 = cx + (ring - node_r - 2) * cos, cy + (ring - node_r - 2) * sin
        markers = ""
        if node.outgoing:
            markers += f' marker-end="url(#{uid}-arrow)"'
        if node.incoming:
            markers += f' marker-start="url(#{uid}-arrow)"'
        body.append(f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
                    f'class="bw-edge"{markers}/>')
        # Edge labels run along their edge (turned to read left to right), one above and one
        # below the line, so the labels of neighbouring edges never meet.
        room = int((ring - center_r - node_r - 16) / (EDGE_FONT * CHAR))
        lines = [_clip(label, room) for label in node.labels[:2]]
        if len(node.labels) > 2:
            lines[1] = _clip(f"{node.labels[1]}, +{len(node.labels) - 2} more", room)
        degrees = math.degrees(angle)
        if cos < -1e-9 or (abs(cos) <= 1e-9 and sin > 0):
            degrees += 180
        mx, my = cx + (center_r + ring - node_r) / 2 * cos, cy + (center_r + ring - node_r) / 2 * sin
        for j, line in enumerate(lines):
            labels.append(_text(0, -4 if j == 0 else 12, line, "bw-edge-label", "middle",
                                f' transform="translate({_num(mx)} {_num(my)}) rotate({_num(degrees)})"'))
        body.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(node_r)}" class="bw-node bw-node-{node.kind}"/>')
        anchor = "start" if cos > 0.35 else "end" if cos < -0.35 else "middle"
        nx = x + (node_r + 5) * (1 if anchor == "start" else -1 if anchor == "end" else 0)
        ny = y + 4 if anchor != "middle" else (y - node_r - 7 if sin < 0 else y + node_r + 16)
        labels.append(_text(nx, ny, _clip(node.name, 24), "bw-node-label", anchor))
    body.append(f'<circle cx="{cx}" cy="{_num(cy)}" r="{_num(center_r)}" class="bw-node bw-center bw-node-{center_kind}"/>')
    body += labels
    body.append(_text(cx, cy + center_r + 17, _clip(center, 30), "bw-node-label bw-center-label"))
    more = (total or n) - n
    if more > 0:
        body.append(_text(cx, height - 8, f"and {more} more, listed in the table", "bw-note"))
    desc = (f"{center} and {total or n} related "
            f"{'entity' if (total or n) == 1 else 'entities'}: "
            + "; ".join(f"{node.name} ({', '.join(node.labels)})" for node in nodes)
            + (f"; and {more} more." if more > 0 else "."))
    return _svg(uid, width, int(height), f"Relationships of {center}", desc, body, "bw-graph")


# -- timeline ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Mark:
    date: dt.date
    title: str
    type: str


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    out, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def timeline_svg(uid: str, subject: str, marks: Sequence[Mark]) -> Markup:
    """A horizontal time axis with one dot per dated event and its title in lanes below."""
    if not marks:
        return Markup("")
    marks = sorted(marks, key=lambda m: (_day(m.date), m.title))
    first, last = _day(marks[0].date), _day(marks[-1].date)
    start = dt.date(first.year, first.month, 1)
    months = _months_between(start, last)
    end_month = months[-1]
    end = dt.date(end_month.year + (end_month.month == 12), end_month.month % 12 + 1, 1)
    width, left, right = 760, 24, 24
    span = max((end - start).days, 1)

    def x_of(day: dt.date) -> float:
        return left + (width - left - right) * (day - start).days / span

    axis_y = 44
    body = [f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" class="bw-axis"/>']
    step = max(1, math.ceil(len(months) / 8))
    for k, month in enumerate(months):
        x = x_of(month)
        body.append(f'<line x1="{_num(x)}" y1="{axis_y - 6}" x2="{_num(x)}" y2="{axis_y + 6}" class="bw-tick"/>')
        if k % step == 0:
            body.append(_text(x + 3, axis_y - 12, f"{MONTHS[month.month - 1]} {month.year}", "bw-tick-label",
                              "start"))
    lanes = _Lanes(len(marks))
    lane_h = 34
    items: list[str] = []
    for mark in marks:
        x = x_of(_day(mark.date))
        label = _clip(mark.title, 64)
        date = f"{_day(mark.date).day} {MONTHS[_day(mark.date).month - 1]}"
        text_w = max(_width(label), _width(date, 11)) + 12
        tx = min(max(x - 4, left), width - right - text_w)
        lane = lanes.place(tx, tx + text_w)
        ty = axis_y + 30 + lane * lane_h
        items.append(f'<line x1="{_num(x)}" y1="{axis_y}" x2="{_num(x)}" y2="{ty - 11}" class="bw-leader"/>')
        items.append(f'<circle cx="{_num(x)}" cy="{axis_y}" r="5" class="bw-mark bw-mark-{mark.type}"/>')
        items.append(_text(tx, ty, date, "bw-mark-date", "start"))
        items.append(_text(tx, ty + 14, label, "bw-mark-label", "start"))
    height = axis_y + 30 + lanes.used * lane_h + 4
    desc = (f"{len(marks)} dated {'event' if len(marks) == 1 else 'events'} from "
            f"{first.isoformat()} to {last.isoformat()}: "
            + "; ".join(f"{_day(m.date).isoformat()} {m.title}" for m in marks) + ".")
    return _svg(uid, width, height, f"Timeline of {subject}", desc, body + items, "bw-timeline")


class _Lanes:
    """Rows of labels: each label goes to the first lane whose last label ends before it starts
    (a new lane when none does). A tree of the lanes' minimum ends finds that lane in log time,
    so an initiative with hundreds of events does not take quadratic time."""

    def __init__(self, count: int) -> None:
        self.size = 1
        while self.size < max(count, 1):
            self.size *= 2
        # Leaves: lane ends; an unused lane is -inf (fits anything), past ``count`` +inf (never).
        self.tree = [-math.inf] * self.size + [-math.inf] * count + [math.inf] * (self.size - count)
        for node in range(self.size - 1, 0, -1):
            self.tree[node] = min(self.tree[2 * node], self.tree[2 * node + 1])
        self.used = 0

    def place(self, start: float, end: float) -> int:
        """The lane of a label from ``start`` to ``end``: the first whose end is below ``start``."""
        tree, node = self.tree, 1
        while node < self.size:
            node = 2 * node if tree[2 * node] < start else 2 * node + 1
        lane = node - self.size
        self.used = max(self.used, lane + 1)
        tree[node] = end
        while node > 1:
            node //= 2
            tree[node] = min(tree[2 * node], tree[2 * node + 1])
        return lane


# -- coverage chart ----------------------------------------------------------------------------

def coverage_counts(dates: Sequence[dt.date]) -> tuple[tuple[str, int], ...]:
    """Analyses per calendar month ("2026-01", n), every month from the first to the last."""
    if not dates:
        return ()
    days = sorted(_day(d) for d in dates)
    counts: dict[str, int] = {}
    for day in days:
        key = f"{day.year:04d}-{day.month:02d}"
        counts[key] = counts.get(key, 0) + 1
    return tuple((f"{m.year:04d}-{m.month:02d}", counts.get(f"{m.year:04d}-{m.month:02d}", 0))
                 for m in _months_between(days[0], days[-1]))


def month_label(key: str) -> str:
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def coverage_svg(uid: str, subject: str, counts: Sequence[tuple[str, int]]) -> Markup:
    """Bars of analyses per month, labelled with their counts."""
    if not counts:
        return Markup("")
    width, height, left, bottom, top = 480, 170, 12, 34, 22
    peak = max(c for _, c in counts) or 1
    slot = (width - 2 * left) / len(counts)
    bar = max(2.0, min(56.0, slot * 0.7))
    plot_h = height - bottom - top
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" class="bw-axis"/>']
    step = max(1, math.ceil(len(counts) / 6))
    for i, (key, count) in enumerate(counts):
        x = left + slot * i + (slot - bar) / 2
        h = plot_h * count / peak
        if count:
            body.append(f'<rect x="{_num(x)}" y="{_num(height - bottom - h)}" width="{_num(bar)}" '
                        f'height="{_num(h)}" class="bw-bar"/>')
            body.append(_text(x + bar / 2, height - bottom - h - 5, str(count), "bw-bar-label"))
        if i % step == 0:
            body.append(_text(x + bar / 2, height - bottom + 16, month_label(key), "bw-tick-label"))
    total = sum(c for _, c in counts)
    desc = (f"{total} {'analysis' if total == 1 else 'analyses'} from {month_label(counts[0][0])} to "
            f"{month_label(counts[-1][0])}: "
            + ", ".join(f"{month_label(k)}: {c}" for k, c in counts) + ".")
    return _svg(uid, width, height, f"Analyses of {subject} per month", desc, body, "bw-coverage")

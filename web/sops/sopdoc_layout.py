"""Geometry of the SOP flowchart: column widths, row heights, page chunks and connectors.

Used by :mod:`alur.web.sops.sopdoc`; pure Python, no web imports. This module measures
(column widths, row heights, page chunks, which edge takes which lane) and holds the drawing
types; :mod:`alur.web.sops.sopdoc_routing` draws the symbols and connectors into them.

Each table row draws its part of the flowchart in its own ``<svg>``, which fills the
pelaksana cell (one ``<td colspan>`` over all pelaksana columns) whatever height the row
ends up with. Inside it a nested ``<svg>`` puts the origin at the vertical middle of the row
(see the template): x is in CSS pixels (the columns have fixed widths), y is either a fixed
offset from the middle of the row (the symbol sits there) or ``"-100%"`` / ``"100%"`` (the
top / bottom edge of the row). So connectors stretch with the row while symbols keep their
shape, and long kegiatan text never breaks the drawing.

Routing (:mod:`alur.web.sops.sopdoc_routing`): the main flow leaves a symbol at its bottom
and enters the next from the top; every other branch runs in a lane along the left or right
side of the pelaksana area; :func:`edges_of` decides which.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from alur.core import SopDefinition, Step, StepKind

TOP = "-100%"  # y of the top edge of a row, in the row's middle-origin frame
BOTTOM = "100%"  # y of the bottom edge

# Symbols: half width, half height (px).
HALF_SIZE: dict[StepKind, tuple[float, float]] = {
    StepKind.START: (24, 12),
    StepKind.END: (24, 12),
    StepKind.PROCESS: (24, 12),
    StepKind.DECISION: (21, 16),
}
CHANNEL_Y = 25  # the main-flow channel, below the middle of the row
PRE_TOP = 10  # a lane connector entering from the top turns this far above the symbol
ARROW = 6  # arrowhead length
PENTAGON_HALF = 9
LANE_INSET, LANE_GAP, LANE_OUTER = 8, 10, 10
WIDE_LANE_GAP = 2 * PENTAGON_HALF + 3
MIN_ROW_HEIGHT = 60
CONNECTOR_ROW_HEIGHT = 34

# Table geometry (px at 96 dpi); A4 landscape minus 10 mm margins is 1047 x 718 px.
TABLE_WIDTH = 1040
FIXED_WIDTHS = {"no": 28, "kelengkapan": 96, "waktu": 62, "output": 100, "keterangan": 84}
MIN_KEGIATAN_WIDTH = 210
MIN_ROLE_WIDTH, MAX_ROLE_WIDTH = 62, 120
PAGE_HEIGHT = 718
PAGE_CAPTION, PAGE_SAFETY = 24, 24
MAX_ROWS_PER_PAGE = 10
CHAR_WIDTH, LINE_HEIGHT, SMALL_LINE_HEIGHT, CELL_PADDING = 5.4, 14.5, 13, 10

Y = str  # a y coordinate: a number of px from the middle of the row, TOP or BOTTOM


def _n(v: float) -> str:
    return f"{v:g}"


@dataclass(frozen=True, slots=True)
class Line:
    """A straight piece of a connector inside one row's drawing."""

    x1: str
    y1: Y
    x2: str
    y2: Y


@dataclass(slots=True)
class Connector:
    """The part of one connector (from step, to step) drawn in one row."""

    from_step: int
    to_step: int
    branch: str  # "" (next), "ya" or "tidak"
    lines: list[Line] = field(default_factory=list)
    heads: list[str] = field(default_factory=list)  # arrowhead paths


@dataclass(frozen=True, slots=True)
class Label:
    x: str
    y: str
    text: str
    anchor: str  # SVG text-anchor


@dataclass(frozen=True, slots=True)
class Symbol:
    """The flowchart symbol of a step; ``shadow`` is the stacked copy of a per-unit step."""

    step: int
    kind: str
    x: str
    path: str
    shadow: str = ""


@dataclass(frozen=True, slots=True)
class OffPage:
    """A pentagon off-page connector; ``direction`` is "out" (leaves) or "in" (resumes)."""

    label: str
    direction: str
    from_step: int
    to_step: int
    x: str
    points: str


@dataclass(slots=True)
class Drawing:
    """Everything drawn in one row (a step's row or a chunk's connector row)."""

    symbol: Symbol | None = None
    connectors: dict[tuple[int, int, str], Connector] = field(default_factory=dict)
    labels: list[Label] = field(default_factory=list)
    offpages: list[OffPage] = field(default_factory=list)

    def connector(self, key: tuple[int, int, str]) -> Connector:
        if key not in self.connectors:
            self.connectors[key] = Connector(*key)
        return self.connectors[key]


@dataclass(frozen=True, slots=True)
class Edge:
    source: int  # row index
    target: int
    from_step: int
    to_step: int
    branch: str
    lane: bool  # routed along a side lane (else the main flow: bottom -> top)
    side: str = ""  # "L" or "R" for lane edges
    lane_index: int = 0
    side_exit: bool = True  # lane edges: leave from the side (else bottom + channel)


@dataclass(frozen=True, slots=True)
class Geometry:
    """Horizontal layout of the pelaksana area."""

    role_width: float
    gutter_left: float
    gutter_right: float
    role_count: int
    kegiatan_width: float
    lane_gap: float = LANE_GAP

    @property
    def flow_width(self) -> float:
        return self.gutter_left + self.role_count * self.role_width + self.gutter_right

    def column_x(self, index: int) -> float:
        return self.gutter_left + (index + 0.5) * self.role_width

    def lane_x(self, side: str, index: int) -> float:
        if side == "L":
            return self.gutter_left - LANE_INSET - index * self.lane_gap
        return self.flow_width - self.gutter_right + LANE_INSET + index * self.lane_gap

    def boundaries(self) -> list[float]:
        return [self.gutter_left + k * self.role_width for k in range(1, self.role_count)]


def edges_of(definition: SopDefinition) -> list[Edge]:
    """Every connector of the flowchart, with its route class, side and lane assigned."""
    row = {s.number: i for i, s in enumerate(definition.steps)}
    col = {r.id: i for i, r in enumerate(definition.roles)}
    raw: list[tuple[Step, int, str, bool, bool]] = []  # step, target, branch, lane, side_exit
    for s in definition.steps:
        if s.gate is not None:
            branches = [(s.gate.ya, "ya"), (s.gate.tidak, "tidak")]
        else:
            branches = [(s.next, "")]
        bottom_used = False
        for target, branch in branches:
            if target is None or target not in row:
                continue
            forward = row[target] > row[s.number]
            if forward and not bottom_used:
                bottom_used = True
                raw.append((s, target, branch, row[target] != row[s.number] + 1, False))
            else:
                raw.append((s, target, branch, True, True))
    ports: dict[tuple[int, str], str] = {}
    lanes: dict[str, list[tuple[int, int, int]]] = {"L": [], "R": []}
    edges: list[Edge] = []
    order = sorted(raw, key=lambda e: (abs(row[e[1]] - row[e[0].number]), row[e[0].number]))
    for s, target, branch, lane, side_exit in order:
        src, dst = row[s.number], row[target]
        if not lane:
            edges.append(Edge(src, dst, s.number, target, branch, False, side_exit=False))
            continue
        a = col.get(s.actor, 0)
        b = col.get(definition.step(target).actor, 0)
        n = len(col)
        cost = {"L": a + b, "R": 2 * (n - 1) - a - b}
        if not side_exit:
            cost = {"L": 1, "R": 0}
        lo, hi = min(src, dst), max(src, dst)
        upward = dst <= src

        scores = {}
        for sd in "LR":  # a free port on the symbol(s), few crossed lanes, short lines
            blocked = (side_exit and (s.number, sd) in ports) or (
                upward and ports.get((target, sd)) == "out"
            )
            crossed = sum(1 for l2, h2, _ in lanes[sd] if l2 < lo <= h2 < hi or lo < l2 <= hi < h2)
            scores[sd] = (blocked, crossed, cost[sd])
        side = min("LR", key=scores.__getitem__)
        if side_exit:
            ports[(s.number, side)] = "out"
        if upward:
            ports.setdefault((target, side), "in")
        used = {k for l2, h2, k in lanes[side] if l2 <= hi and lo <= h2}
        index = next(k for k in range(len(used) + 1) if k not in used)
        lanes[side].append((lo, hi, index))
        edges.append(Edge(src, dst, s.number, target, branch, True, side, index, side_exit))
    return sorted(edges, key=lambda e: (e.source, e.branch != "ya", e.target))


def geometry_for(
    definition: SopDefinition, edges: Sequence[Edge], lane_gap: float = LANE_GAP
) -> Geometry:
    """Column widths: fixed mutu baku columns, equal pelaksana columns, kegiatan the rest.

    Lanes are ``lane_gap`` apart; use :data:`WIDE_LANE_GAP` when off-page connectors sit on
    neighbouring lanes, so that their pentagons do not overlap.
    """
    n_lanes = {
        side: 1 + max((e.lane_index for e in edges if e.side == side), default=-1) for side in "LR"
    }
    gutter = {
        s: (LANE_INSET + (k - 1) * lane_gap + LANE_OUTER if k else 0) for s, k in n_lanes.items()
    }
    roles = max(1, len(definition.roles))
    avail = TABLE_WIDTH - sum(FIXED_WIDTHS.values()) - gutter["L"] - gutter["R"]
    width = (avail - MIN_KEGIATAN_WIDTH) // roles
    width = max(MIN_ROLE_WIDTH, min(MAX_ROLE_WIDTH, width))
    kegiatan = max(MIN_KEGIATAN_WIDTH, avail - roles * width)
    return Geometry(width, gutter["L"], gutter["R"], roles, kegiatan, lane_gap)


def text_height(texts: Sequence[str], width: float, line: float = LINE_HEIGHT) -> float:
    """A generous estimate of the height of ``texts`` wrapped in a cell ``width`` px wide."""
    per_line = max(4, int((width - CELL_PADDING) / CHAR_WIDTH * 0.9))
    lines = sum(max(1, math.ceil(len(p) / per_line)) for t in texts if t for p in t.split("\n"))
    return lines * line


def paginate(
    heights: Sequence[float],
    crossings: Sequence[int],
    budget_single: float,
    budget_multi: float,
    max_rows: int,
) -> list[range]:
    """Split rows into the fewest chunks that fit a page; among those, cut as few side-lane
    connectors as possible (``crossings[i]``: cut after row i), then balance the heights."""
    n = len(heights)
    if n and sum(heights) <= budget_single and n <= max_rows:
        return [range(n)]
    inf = (math.inf, math.inf)
    for chunks in range(2, n + 1):
        # best[k][i]: (cut lanes, tallest chunk) splitting rows[:i] into k chunks; prev for paths
        best = [[inf] * (n + 1) for _ in range(chunks + 1)]
        prev = [[0] * (n + 1) for _ in range(chunks + 1)]
        best[0][0] = (0, 0)
        for k in range(1, chunks + 1):
            for i in range(1, n + 1):
                for j in range(i - 1, -1, -1):
                    h = sum(heights[j:i])
                    if i - j > max_rows or (h > budget_multi and i - j > 1):
                        break
                    if best[k - 1][j] == inf:
                        continue
                    cut = crossings[j - 1] if j else 0
                    cand = (best[k - 1][j][0] + cut, max(best[k - 1][j][1], h))
                    if cand < best[k][i]:
                        best[k][i], prev[k][i] = cand, j
        if best[chunks][n] != inf:
            bounds, i = [], n
            for k in range(chunks, 0, -1):
                bounds.append(range(prev[k][i], i))
                i = prev[k][i]
            return bounds[::-1]
    return [range(i, i + 1) for i in range(n)]

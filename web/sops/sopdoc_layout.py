"""Geometry of the SOP flowchart: column widths, row heights, page chunks and connectors.

Used by :mod:`alur.web.sops.sopdoc`; pure Python, no web imports.

Each table row draws its part of the flowchart in its own ``<svg>``, which fills the
pelaksana cell (one ``<td colspan>`` over all pelaksana columns) whatever height the row
ends up with. Inside it a nested ``<svg>`` puts the origin at the vertical middle of the row
(see the template): x is in CSS pixels (the columns have fixed widths), y is either a fixed
offset from the middle of the row (the symbol sits there) or ``"-100%"`` / ``"100%"`` (the
top / bottom edge of the row). So connectors stretch with the row while symbols keep their
shape, and long kegiatan text never breaks the drawing.

Routing: the main flow (``next`` / gate "ya" to the following row) leaves a symbol at its
bottom, runs along a channel just under it to the target's column and enters the target
from the top. Every other branch (gate "tidak", a jump back or over rows) leaves the symbol
at its side, runs in a lane along the left or right side of the pelaksana area (outside
every symbol) and enters the target at its side (going up) or from the top (going down).
A connector that crosses a page chunk ends in a pentagon off-page connector and resumes
from a matching one on the target's page.
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


def _symbol(step: Step, x: float) -> Symbol:
    hw, hh = HALF_SIZE[step.kind]

    def shape(dx: float, dy: float) -> str:
        cx, cy = x + dx, dy
        if step.kind is StepKind.DECISION:
            return (
                f"M{_n(cx)},{_n(cy - hh)} L{_n(cx + hw)},{_n(cy)} L{_n(cx)},{_n(cy + hh)} "
                f"L{_n(cx - hw)},{_n(cy)} Z"
            )
        if step.kind in (StepKind.START, StepKind.END):
            r = hh
            return (
                f"M{_n(cx - hw + r)},{_n(cy - hh)} H{_n(cx + hw - r)} "
                f"A{_n(r)},{_n(r)} 0 0 1 {_n(cx + hw - r)},{_n(cy + hh)} H{_n(cx - hw + r)} "
                f"A{_n(r)},{_n(r)} 0 0 1 {_n(cx - hw + r)},{_n(cy - hh)} Z"
            )
        return f"M{_n(cx - hw)},{_n(cy - hh)} h{_n(2 * hw)} v{_n(2 * hh)} h{_n(-2 * hw)} Z"

    shadow = shape(4, -4) if step.per_unit else ""
    return Symbol(step.number, step.kind.value, _n(x), shape(0, 0), shadow)


def _head(x: float, y: float, direction: str) -> str:
    """An arrowhead path with its tip at (x, y) pointing down/up/left/right."""
    a, w = ARROW, ARROW / 2
    dx, dy = {"down": (0, -1), "up": (0, 1), "left": (1, 0), "right": (-1, 0)}[direction]
    bx, by = x + dx * a, y + dy * a
    px, py = -dy * w, dx * w
    return f"M{_n(x)},{_n(y)} L{_n(bx + px)},{_n(by + py)} L{_n(bx - px)},{_n(by - py)} Z"


def _pentagon(x: float) -> str:
    h = PENTAGON_HALF
    pts = [(x - h, -h), (x + h, -h), (x + h, h * 0.35), (x, h), (x - h, h * 0.35)]
    return " ".join(f"{_n(px)},{_n(py)}" for px, py in pts)


def _offpage_label(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class FlowLayout:
    """The drawings of every row and of each chunk's top and bottom connector rows."""

    rows: list[Drawing]
    tops: list[Drawing | None]
    bottoms: list[Drawing | None]


def route(
    definition: SopDefinition, edges: Sequence[Edge], geo: Geometry, chunks: Sequence[range]
) -> FlowLayout:
    """Draw the symbols and connectors into per-row drawings."""
    return _Router(definition, edges, geo, chunks).run()


Key = tuple[int, int, str]  # (from step, to step, branch): one connector


class _Router:
    """Draws every edge into the rows it passes through (see the module docstring)."""

    def __init__(
        self,
        definition: SopDefinition,
        edges: Sequence[Edge],
        geo: Geometry,
        chunks: Sequence[range],
    ) -> None:
        self.steps = definition.steps
        self.edges = edges
        self.geo = geo
        self.chunks = chunks
        col = {r.id: i for i, r in enumerate(definition.roles)}
        self.xs = [geo.column_x(col.get(s.actor, 0)) for s in self.steps]
        self.rows = [
            Drawing(symbol=_symbol(s, x)) for s, x in zip(self.steps, self.xs, strict=True)
        ]
        self.chunk_of = {r: c for c, rng in enumerate(chunks) for r in rng}
        self.tops: list[Drawing | None] = [None] * len(chunks)
        self.bottoms: list[Drawing | None] = [None] * len(chunks)
        # Off-page labels in reading order: the page where a pair starts, then left to right.
        crossing = sorted(
            (e for e in edges if self.chunk_of[e.source] != self.chunk_of[e.target]),
            key=lambda e: (
                min(self.chunk_of[e.source], self.chunk_of[e.target]),
                geo.lane_x(e.side, e.lane_index) if e.lane else self.xs[e.source],
            ),
        )
        self.tags = {_key(e): _offpage_label(i) for i, e in enumerate(crossing)}

    def run(self) -> FlowLayout:
        for e in self.edges:
            if e.lane:
                self._lane(e)
            else:
                self._main(e)
        return FlowLayout(self.rows, self.tops, self.bottoms)

    # -- drawing primitives --

    def _top_row(self, chunk: int) -> Drawing:
        if self.tops[chunk] is None:
            self.tops[chunk] = Drawing()
        return self.tops[chunk]  # type: ignore[return-value]

    def _bottom_row(self, chunk: int) -> Drawing:
        if self.bottoms[chunk] is None:
            self.bottoms[chunk] = Drawing()
        return self.bottoms[chunk]  # type: ignore[return-value]

    @staticmethod
    def _line(d: Drawing, key: Key, x1: float, y1: Y | float, x2: float, y2: Y | float) -> None:
        y1s = y1 if isinstance(y1, str) else _n(y1)
        y2s = y2 if isinstance(y2, str) else _n(y2)
        d.connector(key).lines.append(Line(_n(x1), y1s, _n(x2), y2s))

    @staticmethod
    def _head(d: Drawing, key: Key, x: float, y: float, direction: str) -> None:
        d.connector(key).heads.append(_head(x, y, direction))

    @staticmethod
    def _offpage(d: Drawing, e: Edge, label: str, direction: str, x: float) -> None:
        d.offpages.append(OffPage(label, direction, e.from_step, e.to_step, _n(x), _pentagon(x)))

    def _label(self, r: int, x: float, y: float, e: Edge, anchor: str) -> None:
        text = {"ya": "Ya", "tidak": "Tidak"}.get(e.branch, "")
        if text:
            self.rows[r].labels.append(Label(_n(x), _n(y), text, anchor))

    def _half(self, r: int) -> tuple[float, float]:
        return HALF_SIZE[self.steps[r].kind]

    def _top(self, r: int) -> float:
        """y where an arrow from above lands on row r's symbol (its stacked copy, if any)."""
        step = self.steps[r]
        stacked = 0 if not step.per_unit else 1 if step.kind is StepKind.DECISION else 4
        return -(self._half(r)[1] + stacked)

    def _side(self, r: int, sign: int) -> float:
        """x of the left (sign -1) or right (+1) edge of row r's symbol at its middle."""
        step = self.steps[r]
        stacked = step.per_unit and sign > 0 and step.kind is not StepKind.DECISION
        return self.xs[r] + sign * (self._half(r)[0] + (4 if stacked else 0))

    def _enter_from_above(self, r: int, key: Key, x_from: float) -> None:
        """From x_from at the top edge of row r down, over and into its symbol's top."""
        b, tip = self.xs[r], self._top(r)
        if x_from != b:
            turn = tip - PRE_TOP
            self._line(self.rows[r], key, x_from, TOP, x_from, turn)
            self._line(self.rows[r], key, x_from, turn, b, turn)
            self._line(self.rows[r], key, b, turn, b, tip)
        else:
            self._line(self.rows[r], key, b, TOP, b, tip)
        self._head(self.rows[r], key, b, tip, "down")

    # -- routes --

    def _main(self, e: Edge) -> None:
        """The main flow to the next row: bottom, channel, down into the top."""
        key, src, dst = _key(e), e.source, e.target
        a, b = self.xs[src], self.xs[dst]
        bottom = self._half(src)[1]
        cs, ct = self.chunk_of[src], self.chunk_of[dst]
        row = self.rows[src]
        if cs == ct and a != b:
            self._line(row, key, a, bottom, a, CHANNEL_Y)
            self._line(row, key, a, CHANNEL_Y, b, CHANNEL_Y)
            self._line(row, key, b, CHANNEL_Y, b, BOTTOM)
        else:
            self._line(row, key, a, bottom, a, BOTTOM)
        if cs != ct:  # off-page: below the source's column, then above the target's
            out, back = self._bottom_row(cs), self._top_row(ct)
            self._line(out, key, a, TOP, a, -PENTAGON_HALF)
            self._head(out, key, a, -PENTAGON_HALF, "down")
            self._offpage(out, e, self.tags[key], "out", a)
            self._offpage(back, e, self.tags[key], "in", b)
            self._line(back, key, b, PENTAGON_HALF, b, BOTTOM)
        self._enter_from_above(dst, key, b)
        left = cs == ct and b > a  # put "Ya" on the side the channel does not take
        self._label(src, a - 4 if left else a + 4, bottom + 9, e, "end" if left else "start")

    def _lane(self, e: Edge) -> None:
        """Any other branch: out to a side lane, along it, and into the target."""
        key, src, dst = _key(e), e.source, e.target
        lx = self.geo.lane_x(e.side, e.lane_index)
        sign = -1 if e.side == "L" else 1
        up = dst < src
        cs, ct = self.chunk_of[src], self.chunk_of[dst]
        row = self.rows[src]
        if e.side_exit:  # from the side, at the middle of the row
            ex = self._side(src, sign)
            self._line(row, key, ex, 0, lx, 0)
            self._label(src, ex + sign * 3, 11 if up else -4, e, "end" if sign < 0 else "start")
            start: float = 0
        else:  # from the bottom, along the channel
            a, bottom = self.xs[src], self._half(src)[1]
            self._line(row, key, a, bottom, a, CHANNEL_Y)
            self._line(row, key, a, CHANNEL_Y, lx, CHANNEL_Y)
            self._label(src, a + 4, bottom + 9, e, "start")
            start = CHANNEL_Y
        if dst == src:  # back into itself: up the lane, over and into the top
            turn = self._top(src) - PRE_TOP
            self._line(row, key, lx, start, lx, turn)
            self._line(row, key, lx, turn, self.xs[src], turn)
            self._line(row, key, self.xs[src], turn, self.xs[src], self._top(src))
            self._head(row, key, self.xs[src], self._top(src), "down")
            return
        self._line(row, key, lx, start, lx, TOP if up else BOTTOM)
        for r in range(dst + 1, src) if up else range(src + 1, dst):
            if self.chunk_of[r] in (cs, ct):  # pages in between show nothing of it
                self._line(self.rows[r], key, lx, TOP, lx, BOTTOM)
        if cs != ct:
            tag = self.tags[key]
            if up:  # leaves at the top of this page, resumes at the bottom of the target's
                out, back = self._top_row(cs), self._bottom_row(ct)
                self._line(out, key, lx, BOTTOM, lx, PENTAGON_HALF)
                self._head(out, key, lx, PENTAGON_HALF, "up")
                self._line(back, key, lx, -PENTAGON_HALF, lx, TOP)
            else:
                out, back = self._bottom_row(cs), self._top_row(ct)
                self._line(out, key, lx, TOP, lx, -PENTAGON_HALF)
                self._head(out, key, lx, -PENTAGON_HALF, "down")
                self._line(back, key, lx, PENTAGON_HALF, lx, BOTTOM)
            self._offpage(out, e, tag, "out", lx)
            self._offpage(back, e, tag, "in", lx)
        if up:  # into the target's side
            en = self._side(dst, sign)
            self._line(self.rows[dst], key, lx, BOTTOM, lx, 0)
            self._line(self.rows[dst], key, lx, 0, en, 0)
            self._head(self.rows[dst], key, en, 0, "right" if sign < 0 else "left")
        else:  # into the target's top
            self._enter_from_above(dst, key, lx)


def _key(e: Edge) -> Key:
    return (e.from_step, e.to_step, e.branch)

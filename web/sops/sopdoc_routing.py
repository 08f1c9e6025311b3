"""Drawing the SOP flowchart: symbols, connectors and off-page connectors, row by row.

Used by :mod:`alur.web.sops.sopdoc` with the measurements of :mod:`alur.web.sops.sopdoc_layout`
(its module docstring explains the rows' coordinate frames); pure Python, no web imports.

Routing: the main flow (``next`` / gate "ya" to the following row) leaves a symbol at its
bottom, runs along a channel just under it to the target's column and enters the target
from the top. Every other branch (gate "tidak", a jump back or over rows) leaves the symbol
at its side, runs in a lane along the left or right side of the pelaksana area (outside
every symbol) and enters the target at its side (going up) or from the top (going down).
A connector that crosses a page chunk ends in a pentagon off-page connector and resumes
from a matching one on the target's page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from alur.core import SopDefinition, Step, StepKind
from alur.web.sops.sopdoc_layout import (
    ARROW,
    BOTTOM,
    CHANNEL_Y,
    HALF_SIZE,
    PENTAGON_HALF,
    PRE_TOP,
    TOP,
    Drawing,
    Edge,
    Geometry,
    Label,
    Line,
    OffPage,
    Symbol,
    Y,
    _n,
)


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

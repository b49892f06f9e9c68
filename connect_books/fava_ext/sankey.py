"""A compact Sankey layout: flows in, rectangles and curved bands out, for an inline SVG.

Fava ships no Sankey and the pages load nothing from the internet, so the diagram is laid
out here and drawn by the template as plain SVG (no script):

* columns by the longest path from a source (sinks all in the last column);
* each node as tall as the larger of its inflow and outflow, on one scale for the whole
  diagram; the columns centred vertically;
* each flow a band as wide as its amount, leaving its source and reaching its target in
  the order of the other ends, so that bands cross as little as they can.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from connect_books.fava_ext.flows import CARRIED_IN, CARRIED_OUT, Flow
from connect_books.money import yen_text

WIDTH = 1100
NODE_WIDTH = 14
GAP = 14  # between nodes of a column
MIN_BAND = 1.0
CHAR = 12.5  # width of a (full-width) character of the labels
MARGIN = 10
#: Colours by the kind of node (source, holder, destination, carry) and of flow.
COLOURS = {
    "source": "#2e7d32",
    "holder": "#1565c0",
    "target": "#ef6c00",
    "grantee": "#ad1457",
    "carry": "#757575",
}


def _label(name: str, amount: int) -> str:
    return f"{name} {yen_text(amount)}"


@dataclass(frozen=True)
class NodeBox:
    """A node drawn: its rectangle, label and totals."""

    name: str
    x: float
    y: float
    height: float
    colour: str
    inflow: int
    outflow: int
    label_x: float

    @property
    def label(self) -> str:
        """``受取会費 160,000円``."""
        return _label(self.name, max(self.inflow, self.outflow))

    @property
    def label_y(self) -> float:
        """The vertical middle of the node."""
        return self.y + self.height / 2


@dataclass(frozen=True)
class Band:
    """A flow drawn: an SVG path of a stroke ``width`` wide."""

    source: str
    target: str
    amount: int
    path: str
    width: float
    colour: str

    @property
    def title(self) -> str:
        """``受取会費 → 一般会計 160,000円``."""
        return f"{self.source} → {self.target} {yen_text(self.amount)}"


@dataclass(frozen=True)
class Diagram:
    """The laid-out diagram."""

    width: float
    height: float
    nodes: tuple[NodeBox, ...]
    bands: tuple[Band, ...]


def _columns(names: list[str], flows: Sequence[Flow]) -> dict[str, int]:
    incoming: dict[str, list[str]] = defaultdict(list)
    for f in flows:
        incoming[f.target].append(f.source)
    column: dict[str, int] = {}

    def depth(name: str, seen: frozenset[str]) -> int:
        if name not in column:
            parents = [p for p in incoming[name] if p not in seen]
            column[name] = 1 + max(
                (depth(p, seen | {name}) for p in parents), default=-1
            )
        return column[name]

    for name in names:
        depth(name, frozenset())
    sinks = {n for n in names if not any(f.source == n for f in flows)}
    last = max(column.values(), default=0)
    for name in sinks:
        if column[name] > 0:
            column[name] = last
    return column


def _kind(name: str, flows: Sequence[Flow], column: int, last: int) -> str:
    if name in (CARRIED_IN, CARRIED_OUT):
        return "carry"
    if column == 0:
        return "source"
    if any(f.target == name and f.group == "grant" for f in flows):
        return "grantee"
    return "target" if column == last else "holder"


def _ordered(
    names: list[str], flows: Sequence[Flow], column: dict[str, int]
) -> dict[int, list[str]]:
    """The nodes of each column, top to bottom.

    The first column keeps the order given; each later one is sorted by where its
    money comes from (the amount-weighted mean rank of its sources), so that bands run
    as straight as they can; the carry-forward nodes go last.
    """
    by_column: dict[int, list[str]] = defaultdict(list)
    for name in names:
        by_column[column[name]].append(name)
    rank: dict[str, float] = {n: float(i) for i, n in enumerate(by_column[0])}
    for number in sorted(by_column)[1:]:

        def place(name: str) -> tuple[bool, float]:
            weight = total = 0.0
            for f in flows:
                if f.target == name and f.source in rank:
                    weight += f.amount * rank[f.source]
                    total += f.amount
            return name in (CARRIED_IN, CARRIED_OUT), weight / total if total else 0.0

        by_column[number].sort(key=place)
        rank.update({n: float(i) for i, n in enumerate(by_column[number])})
    return dict(by_column)


def layout(flows: Sequence[Flow], width: float = WIDTH) -> Diagram:
    """Lay out ``flows`` (in the order given: the order of the nodes in each column)."""
    names: list[str] = []
    for f in flows:
        for name in (f.source, f.target):
            if name not in names:
                names.append(name)
    inflow: dict[str, int] = defaultdict(int)
    outflow: dict[str, int] = defaultdict(int)
    for f in flows:
        outflow[f.source] += f.amount
        inflow[f.target] += f.amount
    column = _columns(names, flows)
    last = max(column.values(), default=0)
    by_column = _ordered(names, flows, column)
    value = {n: max(inflow[n], outflow[n]) for n in names}
    tallest = max((len(v) for v in by_column.values()), default=1)
    height = max(360.0, 34.0 * tallest + 2 * MARGIN)
    biggest = max((sum(value[n] for n in v) for v in by_column.values()), default=1)
    scale = (height - 2 * MARGIN - GAP * (tallest - 1)) / max(biggest, 1)
    room = CHAR * max((len(_label(n, value[n])) for n in by_column[last]), default=0)
    step = (width - room - NODE_WIDTH - 2 * MARGIN) / max(last, 1)

    boxes: dict[str, NodeBox] = {}
    for number, members in by_column.items():
        sizes = [max(value[n] * scale, MIN_BAND) for n in members]
        used = sum(sizes) + GAP * (len(members) - 1)
        y = (height - used) / 2
        x = MARGIN + number * step
        for name, size in zip(members, sizes, strict=True):
            boxes[name] = NodeBox(
                name,
                x,
                y,
                size,
                COLOURS[_kind(name, flows, number, last)],
                inflow[name],
                outflow[name],
                x + NODE_WIDTH + 4,
            )
            y += size + GAP

    widths = [max(f.amount * scale, MIN_BAND) for f in flows]
    starts = _stack(flows, widths, boxes, outgoing=True)
    ends = _stack(flows, widths, boxes, outgoing=False)
    bands = []
    for f, band, y0, y1 in zip(flows, widths, starts, ends, strict=True):
        source, target = boxes[f.source], boxes[f.target]
        x0, x1 = source.x + NODE_WIDTH, target.x
        middle = (x0 + x1) / 2
        path = (
            f"M{x0:.1f},{y0:.1f} C{middle:.1f},{y0:.1f} "
            f"{middle:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"
        )
        bands.append(Band(f.source, f.target, f.amount, path, band, source.colour))
    return Diagram(width, height, tuple(boxes.values()), tuple(bands))


def _stack(
    flows: Sequence[Flow],
    widths: list[float],
    boxes: dict[str, NodeBox],
    *,
    outgoing: bool,
) -> list[float]:
    """The middle y of each band where it leaves its source (or reaches its target).

    The bands of a node are stacked in the order of the nodes at their other ends.
    """

    def ends(i: int) -> tuple[str, str]:
        f = flows[i]
        return (f.source, f.target) if outgoing else (f.target, f.source)

    top = {name: box.y for name, box in boxes.items()}
    middles = [0.0] * len(flows)
    for i in sorted(range(len(flows)), key=lambda i: boxes[ends(i)[1]].y):
        here = ends(i)[0]
        middles[i] = top[here] + widths[i] / 2
        top[here] += widths[i]
    return middles

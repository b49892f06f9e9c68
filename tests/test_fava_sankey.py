"""The Sankey layout: columns, heights and bands, for any flows (not only the sample's)."""

from __future__ import annotations

import re

from connect_books.fava_ext.flows import CARRIED_IN, CARRIED_OUT, Flow
from connect_books.fava_ext.sankey import layout


def test_columns_follow_the_money_and_heights_the_amounts() -> None:
    flows = [
        Flow("受取会費", "一般会計", 160_000, "income"),
        Flow("受取寄附金", "インクルファンド", 380_000, "income"),
        Flow("まちづくり積立金", "一般会計", 200_000, "transfer"),  # 積立金の取崩し
        Flow("インクルファンド", "風のたより", 300_000, "grant"),
        Flow("一般会計", "事業1 市民版まちづくり計画・新規事業", 300_000, "expense"),
        Flow("一般会計", "管理費", 60_000, "expense"),
        Flow("インクルファンド", CARRIED_OUT, 80_000, "carry"),
        Flow(CARRIED_IN, "まちづくり積立金", 200_000, "carry"),
    ]
    diagram = layout(flows)
    boxes = {node.name: node for node in diagram.nodes}
    x = {name: round(box.x) for name, box in boxes.items()}
    # Sources first; money moves left to right, even a transfer back to the 一般会計.
    assert x["受取会費"] == x["受取寄附金"] == x[CARRIED_IN] == min(x.values())
    assert x["まちづくり積立金"] < x["一般会計"]
    assert x["管理費"] == x["風のたより"] == x[CARRIED_OUT] == max(x.values())
    for flow in flows:
        assert x[flow.source] < x[flow.target]
    # One scale: a node is as tall as its larger side.
    scale = boxes["受取寄附金"].height / 380_000
    assert abs(boxes["一般会計"].height - 360_000 * scale) < 0.01
    assert boxes["一般会計"].inflow == 360_000 == boxes["一般会計"].outflow
    # Bands as wide as their amounts, each from its source to its target.
    for band in diagram.bands:
        numbers = [float(n) for n in re.findall(r"-?\d+\.\d", band.path)]
        assert len(numbers) == 8
        assert numbers[0] == round(boxes[band.source].x + 14, 1)
        assert numbers[-2] == round(boxes[band.target].x, 1)
        assert abs(band.width - max(band.amount * scale, 1.0)) < 0.01
    # Within a column, the bands leaving a node fill it exactly.
    general = [b for b in diagram.bands if b.source == "一般会計"]
    assert abs(sum(b.width for b in general) - boxes["一般会計"].height) < 0.01
    # Carry-forward nodes go to the bottom of their column.
    last = [b for b in diagram.nodes if round(b.x) == max(x.values())]
    assert last[-1].name == CARRIED_OUT
    assert all(n.y >= 0 and n.y + n.height <= diagram.height for n in diagram.nodes)
    assert boxes["受取会費"].label == "受取会費 160,000円"


def test_no_flows_no_diagram_to_speak_of() -> None:
    diagram = layout([])
    assert diagram.nodes == () and diagram.bands == ()

"""The /stats chart's y axis: every label is the value its gridline stands for."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from bot.exports.chart import TICKS, draw, y_ticks


def test_each_label_is_the_value_at_its_gridline() -> None:
    assert y_ticks(0) == [0, 1, 2, 3, 4]
    assert y_ticks(5) == [0, 2, 4, 6, 8]  # not 0, 1, 2, 3, 5
    assert y_ticks(10) == [0, 5, 10, 15, 20]  # not 0, 2, 5, 7, 10 for 2.5 and 7.5
    assert y_ticks(100) == [0, 25, 50, 75, 100]
    for value in range(0, 5000):
        ticks = y_ticks(value)
        step = ticks[1]
        assert len(ticks) == TICKS + 1 and ticks[-1] >= value
        assert ticks == [step * i for i in range(TICKS + 1)]  # evenly spaced whole numbers
        assert ticks[-1] < max(4 * value, 5)  # the bars fill at least a quarter of the plot


def test_the_chart_draws_with_any_count() -> None:
    for counts in ([0] * 30, [5] + [0] * 29, list(range(30)), [12_345] * 30):
        image = Image.open(io.BytesIO(draw(list(counts), date(2026, 12, 4), "Signatures")))
        assert image.format == "PNG"

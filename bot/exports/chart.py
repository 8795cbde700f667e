"""A bar chart of signatures per day, drawn with Pillow (no plotting library needed)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from PIL import Image, ImageDraw, ImageFont

from bot.domain.aggregates import Below, Shown
from bot.exports import FONT_PATH

WIDTH, HEIGHT = 1000, 520
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 60, 60, 60  # the right margin holds the % axis
_BAR = (52, 120, 246)
_PALE = (190, 208, 246)  # a day under the threshold: drawn to the threshold, never its count
_AXIS = (60, 60, 60)
_GRID = (225, 225, 225)
_RATE = (230, 120, 20)


TICKS = 4  # gridlines above the axis


def y_ticks(value: int) -> list[int]:
    """The y axis' labels, bottom to top: evenly spaced whole numbers, the top at or above
    `value`, each the very value its gridline stands for (a step of 1, 2, 2.5 or 5 times a power
    of ten, 2.5 only from 25 on, so no label is a rounded 2.5 or 7.5)."""
    magnitude = 1
    while True:
        for factor in (1, 2, 2.5, 5):
            step = factor * magnitude
            if step == int(step) and TICKS * step >= value:
                return [int(step) * i for i in range(TICKS + 1)]
        magnitude *= 10


def _rate_line(
    pen: ImageDraw.ImageDraw,
    rates: list[float | None],
    slot: float,
    plot_h: int,
    font: ImageFont.FreeTypeFont,
    label: str,
) -> None:
    """The conversion per day on a right-hand 0-100 % axis; days without visitors are gaps."""
    right = WIDTH - _RIGHT
    for pct in (0, 50, 100):
        tick = _TOP + plot_h - plot_h * pct // 100
        pen.text((right + 8, tick - 9), f"{pct}%", fill=_RATE, font=font)
    points: list[tuple[float, float]] = []
    for i, rate in enumerate(rates):
        if rate is None:
            if len(points) > 1:
                pen.line(points, fill=_RATE, width=3)
            points = []
            continue
        x = _LEFT + (i + 0.5) * slot
        y = _TOP + plot_h - plot_h * min(1.0, max(0.0, rate))
        points.append((x, y))
        pen.ellipse([(x - 3, y - 3), (x + 3, y + 3)], fill=_RATE)
    if len(points) > 1:
        pen.line(points, fill=_RATE, width=3)
    if label:
        width = pen.textlength(label, font=font)
        pen.text((WIDTH - 10 - width, 22), label, fill=_RATE, font=font)


def draw(
    per_day: list[Shown],
    last_day: date,
    title: str,
    conversion: list[float | None] | None = None,
    conversion_label: str = "",
    pale_label: str = "",
) -> bytes:
    """PNG bytes: one bar per day ending at `last_day`, with y ticks and dated x labels; a day
    under the threshold (bot.domain.aggregates.Below) is a pale bar as high as the threshold,
    whatever its count; with `conversion`, each day's share of visitors who signed (0-1) as a
    line on a % axis."""
    font = ImageFont.truetype(str(FONT_PATH), 14)
    title_font = ImageFont.truetype(str(FONT_PATH), 20)
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    pen = ImageDraw.Draw(image)
    pen.text((_LEFT, 18), title, fill=_AXIS, font=title_font)
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    heights = [n.threshold if isinstance(n, Below) else n for n in per_day]
    ticks = y_ticks(max(heights, default=0))
    top = ticks[-1]
    for i, value in enumerate(ticks):
        y = _TOP + plot_h - plot_h * i // TICKS
        pen.line([(_LEFT, y), (WIDTH - _RIGHT, y)], fill=_GRID)
        label = f"{value:,}".replace(",", " ")
        width = pen.textlength(label, font=font)
        pen.text((_LEFT - 8 - width, y - 9), label, fill=_AXIS, font=font)
    days = len(per_day)
    slot = plot_w / max(days, 1)
    for i, (n, count) in enumerate(zip(heights, per_day, strict=True)):
        x0 = _LEFT + i * slot + slot * 0.15
        x1 = _LEFT + (i + 1) * slot - slot * 0.15
        if n:
            y0 = _TOP + plot_h - plot_h * n / top
            fill = _PALE if isinstance(count, Below) else _BAR
            pen.rectangle([(x0, y0), (x1, _TOP + plot_h)], fill=fill)
        day = last_day - timedelta(days=days - 1 - i)
        if (days - 1 - i) % 5 == 0:
            label = f"{day.day:02d}.{day.month:02d}"
            width = pen.textlength(label, font=font)
            pen.text(((x0 + x1 - width) / 2, _TOP + plot_h + 8), label, fill=_AXIS, font=font)
    if conversion is not None:
        _rate_line(pen, conversion, slot, plot_h, font, conversion_label)
    if pale_label:
        pen.rectangle([(_LEFT, HEIGHT - 24), (_LEFT + 14, HEIGHT - 10)], fill=_PALE)
        pen.text((_LEFT + 20, HEIGHT - 27), pale_label, fill=_AXIS, font=font)
    pen.line([(_LEFT, _TOP), (_LEFT, _TOP + plot_h)], fill=_AXIS, width=2)
    pen.line([(_LEFT, _TOP + plot_h), (WIDTH - _RIGHT, _TOP + plot_h)], fill=_AXIS, width=2)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()

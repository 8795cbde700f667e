"""Admin exports (CSV, JSON, list, PDF), the stats chart, and packaging for Telegram's limits."""

from __future__ import annotations

from pathlib import Path

FONT_PATH = Path(__file__).resolve().parent.parent / "fonts" / "DejaVuSans.ttf"
FORMATS = ("csv", "json", "list", "pdf")

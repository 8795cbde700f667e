"""Admin exports (CSV, JSON, list, PDF), the stats chart, and packaging for Telegram's limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

FONT_PATH = Path(__file__).resolve().parent.parent / "fonts" / "DejaVuSans.ttf"


@dataclass(frozen=True)
class Format:
    extension: str
    # Names leave the server only encrypted when BACKUP_RECIPIENTS is set; aggregate formats
    # (counts only) need not be.
    holds_names: bool = True


FORMATS = MappingProxyType(
    {
        "csv": Format("csv"),
        "json": Format("json"),
        "list": Format("txt"),
        "pdf": Format("pdf"),
        "funnel": Format("csv", holds_names=False),  # hourly counts only: moderators too
    }
)

# The /export option that leaves anonymous signers' names out of CSV and JSON.
PUBLIC_NAMES_ONLY = "public-names"

"""One line that says which texts the signers confirmed: under every export and in the PDF."""

from __future__ import annotations

from bot.domain.aggregates import Below
from bot.domain.versions import Confirmed
from bot.i18n import Translator


def confirmed_line(t: Translator, confirmed: Confirmed) -> str:
    """ "Texts confirmed: en of 1 November 2026 (a1b2c3d4e5f6): 120 · before versions: 45 ·
    other versions: <10"; empty when nobody signed."""
    parts = []
    for version, count in confirmed.rows:
        if version is None:
            label = t._("before versions")
        else:
            label = t._("{language}, {date} ({version})").format(
                language=t.language_name(version.language),
                date=t.date(version.created_at),
                version=version.version,
            )
        parts.append(f"{label}: {t.number(count)}")
    if confirmed.other is not None:
        other = confirmed.other
        # As every count under the threshold is shown (bot.telegram.views.common.figure).
        figure = "<" + t.number(other.threshold) if isinstance(other, Below) else t.number(other)
        parts.append(t._("other versions: {count}").format(count=figure))
    if not parts:
        return ""
    return t._("Texts the signers confirmed: {versions}").format(versions=" · ".join(parts))

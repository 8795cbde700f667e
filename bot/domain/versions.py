"""Which text each signer confirmed: the versions of every campaign's language texts.

A version is one language's text of one campaign (its file's hash, bot.core.content.version_of);
the newest of a language is in use. A signature records the version its preview showed; one
made before versions existed has none ("before versions").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.aggregates import Shown, merge_small

BEFORE_VERSIONS = ""  # the version of a signature made before versions existed


@dataclass(frozen=True)
class Version:
    campaign: str
    language: str
    version: str
    created_at: int
    after_signatures: bool  # the campaign had signatures when this text came


class History:
    """Every campaign's versions, oldest first per language; replaced whole when one is added."""

    def __init__(self, versions: Iterable[Version] = ()) -> None:
        self._of: dict[tuple[str, str], list[Version]] = {}
        for version in versions:
            self._of.setdefault((version.campaign, version.language), []).append(version)

    def of(self, campaign: str, language: str) -> tuple[Version, ...]:
        return tuple(self._of.get((campaign, language), ()))

    def changed(self, campaign: str, language: str) -> tuple[Version, Version] | None:
        """(the earlier text, the one in use) when the text in use replaced another once the
        campaign had signatures: its card says so, with the earlier text a tap away."""
        versions = self.of(campaign, language)
        if len(versions) < 2 or not versions[-1].after_signatures:
            return None
        return versions[-2], versions[-1]

    def find(self, campaign: str, version: str) -> Version | None:
        for (slug, _), versions in self._of.items():
            if slug == campaign:
                for candidate in versions:
                    if candidate.version == version:
                        return candidate
        return None


@dataclass(frozen=True)
class Confirmed:
    """How many signatures confirmed each version, under the small-count rule
    (bot.domain.aggregates): exact rows, then the rest merged, shown as below the threshold
    where it is."""

    rows: tuple[tuple[Version | None, int], ...]  # None: before versions
    other: Shown | None


def confirmed(
    counts: Iterable[tuple[str, int]], history: History, campaign: str, threshold: int
) -> Confirmed:
    """`counts`: (version, signatures) with BEFORE_VERSIONS for those made before versions."""
    cells = {version: (count,) for version, count in counts}
    merged = merge_small(cells, threshold)
    rows = tuple(
        (None if version == BEFORE_VERSIONS else history.find(campaign, version), row[0])
        for version, row in merged.rows
    )
    return Confirmed(rows, merged.other[0] if merged.other is not None else None)

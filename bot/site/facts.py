"""What the site is rendered from: read by bot.core.publish, never by the site itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.campaigns import Campaign
from bot.domain.goals import Progress
from bot.domain.signatories import Entry


@dataclass(frozen=True)
class Names:
    """The names the web lists (bot.domain.signatories, Place.WEB), in signing order."""

    entries: tuple[Entry, ...]
    unnamed: int  # every other signature: counted, without a name on the web


@dataclass(frozen=True)
class CampaignFacts:
    campaign: Campaign
    progress: Progress
    qr: tuple[tuple[bool, ...], ...]  # the sign link's QR code, dark modules True
    names: Names | None  # None: the campaign lists no name on the web


@dataclass(frozen=True)
class SiteFacts:
    campaigns: tuple[CampaignFacts, ...]
    bots: tuple[str, ...]  # the official bots' usernames; the first is the sign link's
    published_at: datetime  # UTC
    base_url: str  # where the site is served (PUBLISH_URL), "" when not known
    default_language: str

    def sign_link(self, slug: str) -> str:
        return f"https://t.me/{self.bots[0]}?start={slug}"

"""The published site: every campaign's public page, its counter and, with consent, its list.

Rendering is pure: `build` turns facts read elsewhere (bot.core.publish) into file contents,
and writes nothing. Its import rules are in .importlinter ("the site is rendered from data"):
the domain, the translations and the standard library, never storage, Telegram or a file.
"""

from bot.site.build import build
from bot.site.facts import CampaignFacts, Names, SiteFacts

__all__ = ["CampaignFacts", "Names", "SiteFacts", "build"]

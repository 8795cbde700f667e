"""The whole site as {relative path: content}: what bot.ops.publish writes and swaps in."""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n import Translator
from bot.site.counter import badge_svg, count_json, embed_page
from bot.site.facts import CampaignFacts, SiteFacts
from bot.site.html import Alternate
from bot.site.pages import NAMES_PER_PAGE, campaign_page, index_page, names_page

# Written into every published folder: the publisher replaces only a folder that holds it,
# so a mistyped PUBLISH_DIR never swaps away someone else's files.
MARKER = ".petition-site"


def build(site: SiteFacts, translators: Mapping[str, Translator]) -> dict[str, bytes]:
    """Every file of the site; `translators` holds every supported language."""
    files: dict[str, str] = {
        MARKER: "Published by petition-bot; the whole folder is replaced at each run.\n"
    }
    languages = tuple(translators)
    homes: dict[str, dict[str, str]] = {lang: {} for lang in languages}
    for facts in site.campaigns:
        campaign = facts.campaign
        own = campaign.languages()
        for lang in languages:  # the index links each campaign in its reader's language
            shown = lang if lang in own else campaign.default_language
            homes[lang][campaign.slug] = f"{campaign.slug}/index.{shown}.html"
        files.update(_campaign_files(site, facts, translators))
    alternates = [Alternate(lang, f"index.{lang}.html") for lang in languages]
    for lang in languages:
        files[f"index.{lang}.html"] = index_page(translators[lang], site, alternates, homes[lang])
    files["index.html"] = files[f"index.{site.default_language}.html"]
    return {path: content.encode("utf-8") for path, content in files.items()}


def _campaign_files(
    site: SiteFacts, facts: CampaignFacts, translators: Mapping[str, Translator]
) -> dict[str, str]:
    campaign = facts.campaign
    slug = campaign.slug
    files: dict[str, str] = {f"{slug}/count.json": count_json(facts, site)}
    alternates = [Alternate(lang, f"index.{lang}.html") for lang in campaign.languages()]
    names = facts.names.entries if facts.names is not None else ()
    pages = max(1, -(-len(names) // NAMES_PER_PAGE))
    for lang in campaign.languages():
        t = translators[lang]
        href = f"names.{lang}.{{}}.html"
        listed = href.format(1) if facts.names is not None else None
        files[f"{slug}/index.{lang}.html"] = campaign_page(t, facts, site, alternates, listed)
        files[f"{slug}/embed.{lang}.html"] = embed_page(t, facts, site, f"index.{lang}.html")
        files[f"{slug}/badge.{lang}.svg"] = badge_svg(t, facts)
        if facts.names is None:
            continue
        for number in range(1, pages + 1):
            chunk = names[(number - 1) * NAMES_PER_PAGE : number * NAMES_PER_PAGE]
            files[f"{slug}/{href.format(number)}"] = names_page(
                t, facts, site, chunk, number, pages, href
            )
    files[f"{slug}/index.html"] = files[f"{slug}/index.{campaign.default_language}.html"]
    return files

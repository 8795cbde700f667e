"""What `petition-bot check` says about a campaign's text before it goes on the web: the
characters a page drops (bot.site.html.clean) are errors to fix, a language without a text
is a note (its page is not published in that language; the index links the default one)."""

from __future__ import annotations

from bot.domain.campaigns import Campaign
from bot.site.html import clean


def _unsafe(value: str) -> str:
    """The code points `clean` would drop, as U+XXXX, or ""."""
    kept = clean(value)
    if kept == value:
        return ""
    dropped = sorted({c for c in value if c not in kept})
    return ", ".join(f"U+{ord(c):04X}" for c in dropped)


def problems(campaign: Campaign) -> list[str]:
    """`<slug>/<language>.md: <field>: …` for every text a web page could not show as written."""
    found = []
    for language, text in sorted(campaign.texts.items()):
        fields = [("title", text.title), ("summary", text.summary), ("safety", text.safety)]
        fields += [("addressees", a) for a in text.addressees]
        fields += [(f"paragraph {i}", p) for i, p in enumerate(text.paragraphs, 1)]
        fields += [("goals", s) for s in text.goal_sentences.values()]
        for field, value in fields:
            if dropped := _unsafe(value):
                found.append(
                    f"{campaign.slug}/{language}.md: {field}: holds characters a web page "
                    f"cannot show ({dropped}); remove them"
                )
    for name in campaign.addressees:
        if dropped := _unsafe(name):
            found.append(f"{campaign.slug}/campaign.toml: addressees: holds {dropped}; remove it")
    return found


def notes(campaign: Campaign, languages: tuple[str, ...]) -> list[str]:
    """The languages the campaign has no text in: its public page skips them."""
    missing = [lang for lang in languages if lang not in campaign.texts]
    if not missing:
        return []
    return [
        f"{campaign.slug} has no text in {', '.join(missing)}: its public page is published "
        f"in {', '.join(campaign.languages())} only"
    ]

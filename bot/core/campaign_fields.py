"""Changing a live campaign's settings from Telegram: its goals, addressees, kind and default
language, and taking a language out. The texts themselves (title, summary, full text, safety
note, goal sentences, addressees in a language) change by sending that language's document
(bot.core.campaign_edits); the slug never changes, as links and QR codes already carry it.

Only campaigns the database owns: a folder's are refused with the folder's name. Each change
is checked whole by the folder loader with every text the campaign has, so nothing is
half-changed and the campaign always loads again; each is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from bot.config import SUPPORTED_LANGUAGES
from bot.core import catalogue
from bot.core.authoring import Problem, Refused, addressees_of, goals_of
from bot.core.campaign_edits import editable
from bot.core.content import CampaignFiles, ContentError, parse_campaign
from bot.core.organisers import audit
from bot.core.services import Services
from bot.domain.campaign_meta import render_meta
from bot.domain.campaigns import KINDS, Campaign, Owner
from bot.domain.goals import ladder_of
from bot.storage import campaigns as campaign_store


@dataclass(frozen=True)
class Changed:
    """The campaign before and after: the admin is shown what changed."""

    before: Campaign
    after: Campaign


async def _apply(
    svc: Services, user_id: int, before: Campaign, after: Campaign, action: str, detail: str
) -> Changed | Refused:
    """`after`'s settings stored, once checked with every text; nothing when they are the
    settings in use (a repeated command)."""
    meta = render_meta(after)
    if meta == render_meta(before):
        return Changed(before, before)
    texts = {language: text.source for language, text in after.texts.items()}
    try:
        parse_campaign(CampaignFiles(meta, texts), Path(before.slug), Owner.DATABASE)
    except ContentError as exc:
        return Refused(Problem.CONTENT, None, exc.field, exc.problem)
    await campaign_store.store(svc.db, before.slug, meta, [], "", svc.now())
    await catalogue.refresh(svc)
    await audit(svc, user_id, action, f"slug={before.slug} {detail}")
    live = svc.campaign(before.slug)
    assert live is not None
    return Changed(before, live)


async def set_goals(svc: Services, user_id: int, slug: str, value: str) -> Changed | Refused:
    """New goals ("-": the default ladder). A text with a sentence for a goal taken out is
    named: it is sent again without that sentence first."""
    campaign = editable(svc, slug.strip().lower())
    if isinstance(campaign, Refused):
        return campaign
    goals = goals_of(value)
    if goals is None:
        return Refused(Problem.GOALS)
    steps = set(ladder_of(goals).steps)
    for language, text in sorted(campaign.texts.items()):
        stray = sorted(set(text.goal_sentences) - steps)
        if stray:
            return Refused(Problem.GOAL_SENTENCE, field=language, detail=str(stray[0]))
    detail = "goals=" + (",".join(map(str, goals)) or "default")
    return await _apply(
        svc, user_id, campaign, replace(campaign, goals=goals), "campaign_goals", detail
    )


async def set_addressees(svc: Services, user_id: int, slug: str, value: str) -> Changed | Refused:
    """New addressees, one per line ("-": none). When their number changes, the texts that
    list the addressees in their own language are named: each is sent again without them
    first (then with the new ones, once the change is made)."""
    campaign = editable(svc, slug.strip().lower())
    if isinstance(campaign, Refused):
        return campaign
    names = addressees_of(value)
    if names is None:
        return Refused(Problem.ADDRESSEES)
    if len(names) != len(campaign.addressees):
        listing = [lang for lang, text in sorted(campaign.texts.items()) if text.addressees]
        if listing:
            return Refused(Problem.TEXT_ADDRESSEES, field=", ".join(listing))
    after = replace(campaign, addressees=names)
    return await _apply(
        svc, user_id, campaign, after, "campaign_addressees", f"addressees={len(names)}"
    )


async def set_kind(svc: Services, user_id: int, slug: str, kind: str) -> Changed | Refused:
    campaign = editable(svc, slug.strip().lower())
    if isinstance(campaign, Refused):
        return campaign
    if kind not in KINDS:
        return Refused(Problem.UNKNOWN_KIND, detail=kind[:40])
    after = replace(campaign, kind=kind)
    return await _apply(svc, user_id, campaign, after, "campaign_kind", f"kind={kind}")


def _language(campaign: Campaign, language: str) -> Refused | None:
    if language not in SUPPORTED_LANGUAGES:
        return Refused(Problem.NOT_A_LANGUAGE, detail=language[:40])
    if language not in campaign.texts:
        return Refused(Problem.NO_LANGUAGE, detail=language)
    return None


async def set_default_language(
    svc: Services, user_id: int, slug: str, language: str
) -> Changed | Refused:
    """The language readers without a text of their own are shown: one the campaign has."""
    campaign = editable(svc, slug.strip().lower())
    if isinstance(campaign, Refused):
        return campaign
    language = language.strip().lower()
    refused = _language(campaign, language)
    if refused is not None:
        return refused
    after = replace(campaign, default_language=language)
    detail = f"default_language={language}"
    return await _apply(svc, user_id, campaign, after, "campaign_default_language", detail)


async def remove_language(
    svc: Services, user_id: int, slug: str, language: str
) -> Changed | Refused:
    """The campaign no longer has a text in `language` (not its default language): its
    readers are shown the default language's. Every version stays, and each signature made
    in it stays bound to the version its signer confirmed (exports and the PDF count it);
    sending the text again adds it back."""
    campaign = editable(svc, slug.strip().lower())
    if isinstance(campaign, Refused):
        return campaign
    language = language.strip().lower()
    refused = _language(campaign, language)
    if refused is not None:
        return refused
    if language == campaign.default_language:
        return Refused(Problem.DEFAULT_LANGUAGE, detail=language)
    if await campaign_store.remove_text(svc.db, campaign.slug, language, svc.now()):
        await catalogue.refresh(svc)
        detail = f"slug={campaign.slug} language={language}"
        await audit(svc, user_id, "campaign_language_removed", detail)
    live = svc.campaign(campaign.slug)
    assert live is not None
    return Changed(campaign, live)

"""Changing a live campaign from Telegram: a language text sent as a document (an admin's,
applied once they saw what changes; a translator's, applied once an admin approves it), and
closing or reopening. Only campaigns the database owns: a folder's are edited on the server.
Every change is audited."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from bot.config import SUPPORTED_LANGUAGES
from bot.core import approvals, catalogue
from bot.core.authoring import Problem, Refused, canonical, language_of_file
from bot.core.content import readable, version_of
from bot.core.organisers import audit
from bot.core.services import Services
from bot.domain.campaign_meta import render_meta
from bot.domain.campaigns import Campaign, CampaignText, Owner
from bot.storage import campaign_drafts as store
from bot.storage import campaigns as campaign_store

DIFF_MAX = 2500  # characters of changed paragraphs shown: the message holds 4096
_SUBMITTED = "submitted"  # a translator's text, for any admin to decide
_SHOWN = "shown"  # an admin's own text, for them to apply once they saw the change


@dataclass(frozen=True)
class TextShown:
    """A text waiting for an admin: what changes against the text in use."""

    id: int
    revision: int
    campaign: Campaign
    language: str
    diff: str  # "-"/"+" paragraphs; empty for a new language
    new_language: bool
    by_translator: bool


@dataclass(frozen=True)
class TextDecided:
    campaign: Campaign
    language: str
    applied: bool
    translator: int | None  # the translator to tell, when the text was theirs
    reply_language: str  # the language they wrote in


def editable(svc: Services, slug: str) -> Campaign | Refused:
    campaign = svc.campaign(slug)
    if campaign is None:
        return Refused(Problem.NO_CAMPAIGN, detail=slug[:40])
    if campaign.owner is Owner.FOLDER:
        return Refused(Problem.FOLDER_OWNED, detail=campaign.folder)
    return campaign


def diff(before: str, after: str) -> str:
    """The paragraphs taken out (-) and put in (+), as a reader reads them."""
    old, new = readable(before).split("\n\n"), readable(after).split("\n\n")
    lines = [
        line
        for line in difflib.unified_diff(old, new, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    text = "\n".join(lines)
    return text if len(text) <= DIFF_MAX else text[: DIFF_MAX - 1] + "…"


async def submit_text(
    svc: Services, user_id: int, slug: str, filename: str, body: str, reply_language: str
) -> TextShown | Refused:
    """A language text for campaign `slug`, checked whole; it waits for an admin (the
    sender is told the outcome in `reply_language`)."""
    campaign = editable(svc, slug.strip().lower())
    if isinstance(campaign, Refused):
        return campaign
    language = language_of_file(filename, "")
    if not language:
        return Refused(Problem.UNKNOWN_LANGUAGE, detail=filename[:40])
    checked = canonical(campaign, language, body)
    if isinstance(checked, Refused):
        return checked
    translator = svc.level(user_id) is None
    organiser = approvals.ref(svc, user_id)
    data = {"language": language, "body": checked, "reply": reply_language}
    step = _SUBMITTED if translator else _SHOWN
    id = await store.add(svc.db, "text", organiser, step, data, svc.now(), campaign.slug)
    current = campaign.texts.get(language)
    if translator:
        detail = _text_detail(campaign.slug, language, id, current, checked)
        await audit(svc, user_id, "campaign_text_submitted", detail)
    return TextShown(
        id,
        0,
        campaign,
        language,
        diff(current.source, checked) if current else "",
        current is None,
        translator,
    )


def _text_detail(slug: str, language: str, id: int, current: CampaignText | None, body: str) -> str:
    """What the audit log says of a text: which request, the version it replaces and its own
    (an admin compares them with /export's versions; the request ties a translator's
    submission to the admin's decision)."""
    before = current.version if current else "-"
    return f"slug={slug} language={language} request={id} from={before} to={version_of(body)}"


def translator_of(svc: Services, organiser: str) -> int | None:
    for user_id in sorted(svc.settings.translator_ids):
        if approvals.ref(svc, user_id) == organiser:
            return user_id
    return None


async def decide_text(
    svc: Services, user_id: int, id: int, revision: int, apply: bool
) -> TextDecided | Refused:
    """An admin applies or refuses a waiting text, once (compare-and-set)."""
    row = await store.get(svc.db, id)
    if row is None or row.kind != "text" or row.revision != revision:
        return Refused(Problem.STALE)
    campaign = editable(svc, row.campaign)
    if isinstance(campaign, Refused):
        return campaign
    if not await store.take(svc.db, row.id, row.revision):
        return Refused(Problem.STALE)
    language, body = str(row.data["language"]), str(row.data["body"])
    by_translator = row.step == _SUBMITTED
    detail = _text_detail(campaign.slug, language, row.id, campaign.texts.get(language), body)
    if apply:
        text = campaign_store.NewText(language, version_of(body), body)
        await campaign_store.record_texts(svc.db, campaign.slug, [text], row.organiser, svc.now())
        await catalogue.refresh(svc)
    action = "campaign_text" if apply else "campaign_text_refused"
    who = "translator" if by_translator else "admin"
    await audit(svc, user_id, action, f"{detail} by={who}")
    live = svc.campaign(campaign.slug) or campaign
    translator = translator_of(svc, row.organiser) if by_translator else None
    return TextDecided(live, language, apply, translator, str(row.data.get("reply", "")))


async def set_open(svc: Services, user_id: int, slug: str, is_open: bool) -> Campaign | Refused:
    """Closes (its final count stays readable) or reopens a campaign; audited."""
    campaign = editable(svc, slug.strip().lower())
    if isinstance(campaign, Refused):
        return campaign
    slug = campaign.slug
    today = datetime.fromtimestamp(svc.now(), UTC).date()
    changed = replace(campaign, is_open=is_open, closed_on=None if is_open else today)
    await campaign_store.store(svc.db, slug, render_meta(changed), [], "", svc.now())
    await catalogue.refresh(svc)
    await audit(svc, user_id, "campaign_opened" if is_open else "campaign_closed", f"slug={slug}")
    live = svc.campaign(slug)
    assert live is not None
    return live


# The switches an admin may change from Telegram, and the value of each that widens who sees
# names already signed (None: it widens nothing). A widened switch still lists a signature only
# as far as the consent it recorded (bot.domain.signatories.Listing).
WIDENS: dict[str, bool | None] = {
    "signatories": True,
    "review_public_names": False,
    "list_earlier_signatures": True,
    "list_earlier_on_web": True,
    "nameless": None,
}


@dataclass(frozen=True)
class SwitchAsked:
    """Four eyes: a widening change waits for another admin."""

    id: int
    revision: int
    campaign: Campaign
    name: str
    value: bool


async def _apply_switch(
    svc: Services, user_id: int, campaign: Campaign, name: str, value: bool, by: str
) -> Campaign:
    switch: dict[str, Any] = {name: value}
    changed = replace(campaign, **switch)
    if name == "review_public_names":
        changed = replace(changed, review_explicit=True)
    await campaign_store.store(svc.db, campaign.slug, render_meta(changed), [], "", svc.now())
    await catalogue.refresh(svc)
    svc.forget_recent()  # the lists show the change at once
    detail = f"slug={campaign.slug} {name}={'on' if value else 'off'} by={by}"
    await audit(svc, user_id, "campaign_switch", detail)
    live = svc.campaign(campaign.slug)
    assert live is not None
    return live


async def set_switch(
    svc: Services, user_id: int, slug: str, name: str, value: bool
) -> Campaign | SwitchAsked | Refused:
    """A switch of a campaign the database owns; one that widens who sees names already signed
    waits for a second admin while four eyes are in force."""
    campaign = editable(svc, slug.strip().lower())
    if isinstance(campaign, Refused):
        return campaign
    if name not in WIDENS:
        return Refused(Problem.UNKNOWN_SWITCH, detail=name[:40])
    if getattr(campaign, name) == value:
        return campaign
    if WIDENS[name] is value and approvals.required(svc):
        data = {"name": name, "value": value}
        organiser = approvals.ref(svc, user_id)
        id = await store.add(svc.db, "switch", organiser, "asked", data, svc.now(), campaign.slug)
        await audit(svc, user_id, "campaign_switch_asked", f"slug={campaign.slug} {name}")
        return SwitchAsked(id, 0, campaign, name, value)
    return await _apply_switch(svc, user_id, campaign, name, value, "admin")


async def decide_switch(
    svc: Services, user_id: int, id: int, revision: int, apply: bool
) -> Campaign | Refused:
    """Another admin applies or refuses a widening change, once; never its requester."""
    row = await store.get(svc.db, id)
    if row is None or row.kind != "switch" or row.revision != revision:
        return Refused(Problem.STALE)
    if row.organiser == approvals.ref(svc, user_id):
        return Refused(Problem.OWN)
    campaign = editable(svc, row.campaign)
    if isinstance(campaign, Refused):
        return campaign
    if not await store.take(svc.db, row.id, row.revision):
        return Refused(Problem.STALE)
    name, value = str(row.data["name"]), bool(row.data["value"])
    if not apply:
        await audit(svc, user_id, "campaign_switch_refused", f"slug={campaign.slug} {name}")
        return campaign
    return await _apply_switch(svc, user_id, campaign, name, value, "second_admin")


@dataclass(frozen=True)
class Overview:
    campaign: Campaign
    missing: tuple[str, ...]  # languages without a text
    waiting: int  # texts waiting for an admin


async def overview(svc: Services) -> list[Overview]:
    """/campaigns: each campaign with its owner, status and missing languages."""
    waiting = await store.waiting_texts(svc.db)
    return [
        Overview(
            c,
            tuple(lang for lang in SUPPORTED_LANGUAGES if lang not in c.texts),
            sum(1 for row in waiting if row.campaign == c.slug),
        )
        for c in svc.campaigns.all()
    ]

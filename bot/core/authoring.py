"""Creating a campaign from Telegram: each step of bot.domain.authoring, checked and written
by compare-and-set, so a stale, repeated or out-of-order tap changes nothing.

Everything an admin sends is checked by the same loader as a folder (bot.core.content), so a
campaign made here loads like one written by hand; bad input is refused whole with a Problem
the view words in the admin's language, and nothing is half-published.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from bot.config import SUPPORTED_LANGUAGES
from bot.core import approvals, catalogue
from bot.core.content import TEXT_MAX, CampaignFiles, ContentError, parse_campaign
from bot.core.organisers import audit
from bot.core.services import Services
from bot.domain import authoring
from bot.domain.authoring import Action, Draft, Step
from bot.domain.campaign_meta import render_meta
from bot.domain.campaigns import KINDS, SLUG_RE, Campaign, Owner
from bot.domain.goals import LadderError, ladder_of
from bot.storage import campaign_drafts as store
from bot.storage import campaigns as campaign_store

DOCUMENT_MAX = 512 * 1024  # bytes: the longest example text is 18 kB
DOCUMENT_TYPES = (".md", ".txt")
ADDRESSEES_MAX = 50
ADDRESSEE_MAX = 200
NONE = "-"  # typed alone: no addressees, the default goals


class Problem(StrEnum):
    """Why what an admin sent was refused (the view says it in their language)."""

    STALE = "stale"  # a button of a step already passed
    TOO_LARGE = "too_large"
    WRONG_TYPE = "wrong_type"
    NOT_UTF8 = "not_utf8"
    UNKNOWN_LANGUAGE = "unknown_language"
    NOT_PLAIN = "not_plain"  # plain text without title, summary and text
    MARKUP = "markup"
    CONTENT = "content"  # the loader's problem: `field` and `detail`
    GOALS = "goals"
    ADDRESSEES = "addressees"
    BAD_SLUG = "bad_slug"
    TAKEN_SLUG = "taken_slug"
    NO_TEXT = "no_text"  # Continue before the default language's text came
    SAFETY = "safety"
    OWN = "own"  # four eyes: the admin who asked cannot publish it too
    NO_CAMPAIGN = "no_campaign"  # a document's caption names no campaign
    FOLDER_OWNED = "folder_owned"  # edited in its folder on the server, not from Telegram
    UNKNOWN_SWITCH = "unknown_switch"
    # Changing a live campaign's settings (bot.core.campaign_fields):
    GOAL_SENTENCE = "goal_sentence"  # a text has a sentence for a goal taken out: `field`, `detail`
    TEXT_ADDRESSEES = "text_addressees"  # texts (`field`) list as many addressees as before
    UNKNOWN_KIND = "unknown_kind"
    NOT_A_LANGUAGE = "not_a_language"  # a code that is none of the bot's languages
    NO_LANGUAGE = "no_language"  # the campaign has no text in this language
    DEFAULT_LANGUAGE = "default_language"  # the default language's text cannot be removed


@dataclass(frozen=True)
class Refused:
    problem: Problem
    draft: Draft | None = None
    field: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Published:
    campaign: Campaign


@dataclass(frozen=True)
class Abandoned:
    pass


Result = Draft | Refused | Published | Abandoned


def _ref(svc: Services, user_id: int) -> str:
    return approvals.ref(svc, user_id)


def _draft(row: store.Row) -> Draft:
    return Draft.of(row.id, row.organiser, row.step, row.revision, row.data)


async def current(svc: Services, user_id: int) -> Draft | None:
    row = await store.creating(svc.db, _ref(svc, user_id))
    return None if row is None else _draft(row)


async def start(svc: Services, user_id: int) -> Draft:
    """/newcampaign: a new draft, or the one this admin left (it goes on where it stood)."""
    organiser = _ref(svc, user_id)
    first = Draft(0, organiser, Step.KIND, 0)
    await store.add(svc.db, "create", organiser, Step.KIND.value, first.data(), svc.now())
    found = await current(svc, user_id)
    assert found is not None
    return found


async def _write(svc: Services, before: Draft, after: Draft) -> Result:
    if after.step is Step.SLUG and not after.slug:  # offered from the title
        after = replace(after, slug=suggest(svc, after))
    if not await store.write_if(
        svc.db, before.id, before.revision, after.step.value, after.data(), svc.now()
    ):
        return Refused(Problem.STALE)
    return replace(after, revision=before.revision + 1)


def _taken(svc: Services) -> set[str]:
    return {c.slug for c in svc.campaigns.all()}


def canonical(
    campaign: Campaign, language: str, body: str, draft: Draft | None = None
) -> str | Refused:
    """A language text (file format or plain) in the canonical file format, checked by the
    folder loader against `campaign`'s goals and addressees; or why it is refused."""
    if len(body) > TEXT_MAX:
        return Refused(Problem.CONTENT, draft, "(text)", f"longer than {TEXT_MAX} characters")
    line = authoring.markup_line(body)
    if line is not None:
        return Refused(Problem.MARKUP, draft, detail=line[:100])
    if not authoring.is_file_format(body):
        plain = authoring.plain_text(language, body)
        if plain is None:
            return Refused(Problem.NOT_PLAIN, draft)
        body = authoring.render_text(plain)
    body = body.lstrip("\ufeff").replace("\r\n", "\n")
    skeleton = replace(campaign, default_language=language, texts={})
    try:
        parsed = parse_campaign(
            CampaignFiles(render_meta(skeleton), {language: body}), Path("new"), Owner.DATABASE
        )
    except ContentError as exc:
        return Refused(Problem.CONTENT, draft, exc.field, exc.problem)
    return authoring.render_text(parsed.texts[language])


def _check(draft: Draft, language: str, body: str) -> str | Refused:
    return canonical(authoring.campaign_of(draft, "new"), language, body, draft)


def read_document(filename: str, size: int | None, data: bytes | None) -> str | Problem:
    """A sent document's text, or why it is refused (its size is checked before download:
    pass `data` None to check only that)."""
    if not filename.lower().endswith(DOCUMENT_TYPES):
        return Problem.WRONG_TYPE
    if size is not None and size > DOCUMENT_MAX:
        return Problem.TOO_LARGE
    if data is None:
        return ""
    if len(data) > DOCUMENT_MAX:
        return Problem.TOO_LARGE
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return Problem.NOT_UTF8


def language_of_file(filename: str, default: str) -> str | None:
    """The language a document is for: its name (uk.md), else `default`; None for a name that
    looks like a language the bot does not have."""
    stem = Path(filename).stem.lower()
    if stem in SUPPORTED_LANGUAGES:
        return stem
    if len(stem) == 2 and stem.isalpha():
        return None
    return default


async def act(
    svc: Services, user_id: int, draft_id: int, revision: int, action: Action, value: str = ""
) -> Result:
    """A button of the draft: accepted only at the step and revision it was shown for."""
    draft = await current(svc, user_id)
    if draft is None or draft.id != draft_id:
        if action is Action.PUBLISH:
            return await _second_admin(svc, user_id, draft_id, revision)
        return Refused(Problem.STALE)
    if draft.revision != revision or not authoring.accepts(draft.step, action):
        return Refused(Problem.STALE, draft)
    if action is Action.ABANDON:
        if not await store.take(svc.db, draft.id, draft.revision):
            return Refused(Problem.STALE)
        await audit(svc, user_id, "campaign_abandoned", f"slug={draft.slug or '-'}")
        return Abandoned()
    if action is Action.PICK:
        return await _pick(svc, draft, value)
    if action is Action.NEXT:
        if draft.step is Step.TEXTS and draft.language not in draft.texts:
            return Refused(Problem.NO_TEXT, draft)
        return await _write(svc, draft, draft.moved(action))
    if action is Action.TOGGLE and value in dict(authoring.SWITCHES):
        switches = {**draft.switches, value: not draft.switches[value]}
        return await _write(svc, draft, draft.moved(action, switches=switches))
    if action is Action.PUBLISH:
        return await _publish(svc, user_id, draft)
    return Refused(Problem.STALE, draft)


def suggest(svc: Services, draft: Draft) -> str:
    """The slug offered: from the title of the default language's text."""
    return authoring.suggest_slug(
        authoring.title_of(draft.texts.get(draft.language, "")), _taken(svc)
    )


async def _pick(svc: Services, draft: Draft, value: str) -> Result:
    if draft.step is Step.KIND and value in KINDS:
        return await _write(svc, draft, draft.moved(Action.PICK, kind=value))
    if draft.step is Step.LANGUAGE and value in SUPPORTED_LANGUAGES:
        return await _write(svc, draft, draft.moved(Action.PICK, language=value))
    if draft.step is Step.SLUG:
        return await _slug(svc, draft, draft.slug, Action.PICK)
    return Refused(Problem.STALE, draft)


async def _slug(svc: Services, draft: Draft, slug: str, action: Action) -> Result:
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        return Refused(Problem.BAD_SLUG, draft, detail=slug[:40])
    if slug in _taken(svc) or await campaign_store.exists(svc.db, slug):
        return Refused(Problem.TAKEN_SLUG, replace(draft, slug=suggest(svc, draft)), detail=slug)
    return await _write(svc, draft, draft.moved(action, slug=slug))


def goals_of(value: str) -> tuple[int, ...] | None:
    """Goals as an admin types them ("500 1000 5000"; "-" for the default ladder, which is
    the empty tuple); None when they break the ladder's rule."""
    try:
        value = value.strip()
        numbers = [] if value == NONE else [int(n) for n in value.replace(",", " ").split()]
        return tuple(ladder_of(numbers).steps) if numbers else ()
    except (LadderError, ValueError):
        return None


def addressees_of(value: str) -> tuple[str, ...] | None:
    """Addressees as an admin types them, one per line ("-" for none); None when there are
    too many or one is too long."""
    value = value.strip()
    names = () if value == NONE else tuple(n.strip() for n in value.splitlines() if n.strip())
    if len(names) > ADDRESSEES_MAX or any(len(n) > ADDRESSEE_MAX for n in names):
        return None
    return names


async def typed(svc: Services, user_id: int, text: str, filename: str = "") -> Result | None:
    """Text typed (or a document's text, with its file name) at the draft's step; None when
    the admin has no draft or its step takes no text."""
    draft = await current(svc, user_id)
    if draft is None or not authoring.accepts(draft.step, Action.TYPED):
        return None
    step, value = draft.step, text.strip()
    if step is Step.GOALS:
        goals = goals_of(value)
        if goals is None:
            return Refused(Problem.GOALS, draft)
        return await _write(svc, draft, draft.moved(Action.TYPED, goals=goals))
    if step is Step.ADDRESSEES:
        names = addressees_of(value)
        if names is None:
            return Refused(Problem.ADDRESSEES, draft)
        return await _write(svc, draft, draft.moved(Action.TYPED, addressees=names))
    if step is Step.TEXTS:
        language = language_of_file(filename, draft.language) if filename else draft.language
        if language is None:
            return Refused(Problem.UNKNOWN_LANGUAGE, draft, detail=Path(filename).stem)
        checked = _check(draft, language, text)
        if isinstance(checked, Refused):
            return checked
        texts = {**draft.texts, language: checked}
        return await _write(svc, draft, draft.moved(Action.TYPED, texts=texts))
    if step is Step.SAFETY:
        return await _safety(svc, draft, value)
    return await _slug(svc, draft, value, Action.TYPED)  # Step.SLUG


async def _safety(svc: Services, draft: Draft, note: str) -> Result:
    """The safety note goes into the default language's text (its header's `safety`)."""
    if note == NONE:
        return await _write(svc, draft, draft.moved(Action.TYPED))
    body = draft.texts[draft.language]
    head, rest = body.split("\n+++\n", 1)
    lines = [line for line in head.split("\n") if not line.startswith("safety = ")]
    goals_at = lines.index("") if "" in lines else len(lines)
    lines.insert(goals_at, f"safety = {authoring.toml_string(' '.join(note.split()))}")
    checked = _check(draft, draft.language, "\n".join(lines) + "\n+++\n" + rest)
    if isinstance(checked, Refused):
        return Refused(Problem.SAFETY, draft, detail=checked.detail)
    texts = {**draft.texts, draft.language: checked}
    return await _write(svc, draft, draft.moved(Action.TYPED, texts=texts))


def files_of(draft: Draft, today: datetime) -> CampaignFiles:
    return CampaignFiles(
        render_meta(authoring.campaign_of(draft, draft.slug, today.date())), dict(draft.texts)
    )


def preview(svc: Services, draft: Draft) -> Campaign | Refused:
    """The campaign as it would go live, loaded as it will be; or what stops it."""
    try:
        return parse_campaign(
            files_of(draft, datetime.fromtimestamp(svc.now(), UTC)),
            Path(draft.slug),
            Owner.DATABASE,
        )
    except ContentError as exc:
        return Refused(Problem.CONTENT, draft, exc.field, exc.problem)


async def _publish(svc: Services, user_id: int, draft: Draft) -> Result:
    """Live at once, or (four eyes) waiting for another admin's Publish."""
    if draft.step is Step.PREVIEW and approvals.required(svc):
        await audit(svc, user_id, "campaign_publish_asked", f"slug={draft.slug}")
        return await _write(svc, draft, replace(draft, step=Step.WAITING))
    if draft.step is Step.WAITING:
        return Refused(Problem.OWN, draft)
    return await _go_live(svc, user_id, draft)


async def _second_admin(svc: Services, user_id: int, draft_id: int, revision: int) -> Result:
    """Another admin's Publish on a draft waiting for it."""
    row = await store.get(svc.db, draft_id)
    if row is None or row.kind != "create" or row.revision != revision:
        return Refused(Problem.STALE)
    draft = _draft(row)
    if draft.step is not Step.WAITING:
        return Refused(Problem.STALE, draft)
    if draft.organiser == _ref(svc, user_id):
        return Refused(Problem.OWN, draft)
    return await _go_live(svc, user_id, draft)


async def _go_live(svc: Services, user_id: int, draft: Draft) -> Result:
    campaign = preview(svc, draft)
    if isinstance(campaign, Refused):
        return campaign
    if campaign.slug in _taken(svc) or await campaign_store.exists(svc.db, campaign.slug):
        return Refused(Problem.TAKEN_SLUG, draft, detail=campaign.slug)
    if not await store.take(svc.db, draft.id, draft.revision):
        return Refused(Problem.STALE)
    files = files_of(draft, datetime.fromtimestamp(svc.now(), UTC))
    texts = [
        campaign_store.NewText(language, text.version, text.source)
        for language, text in sorted(campaign.texts.items())
    ]
    await campaign_store.store(svc.db, campaign.slug, files.meta, texts, draft.organiser, svc.now())
    await catalogue.refresh(svc)
    await audit(svc, user_id, "campaign_published", f"slug={campaign.slug}")
    live = svc.campaign(campaign.slug)
    assert live is not None
    return Published(live)

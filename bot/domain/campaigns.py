"""Campaign content as the bot sees it: metadata plus per-language texts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property

from bot.domain.goals import GoalLadder, GoalMeaning, ladder_of

SLUG_PATTERN = r"[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?"  # 1-32 of a-z, 0-9, inner -
SLUG_RE = re.compile(f"^{SLUG_PATTERN}$")
KINDS = ("petition", "letter")


class Owner(StrEnum):
    """Where a campaign's content lives: its folder (edited on the server, /reload) or the
    database (created or imported through the bot; edited from Telegram)."""

    FOLDER = "folder"
    DATABASE = "database"


@dataclass(frozen=True)
class CampaignText:
    language: str
    title: str
    summary: str
    paragraphs: tuple[str, ...]
    addressees: tuple[str, ...] = ()
    # A short warning shown on the card and before the name prompt (e.g. about travelling
    # to the country petitioned against), not only somewhere inside the full text.
    safety: str = ""
    # What reaching a goal does (goal amount -> sentence), from the [goals] table of the header.
    goal_sentences: dict[int, str] = field(default_factory=dict, hash=False)
    # Where the paragraphs meant for supporters only begin (after a `+++ supporters` line): the
    # bot shows them, the documents handed to the addressees leave them out.
    supporters_from: int | None = None
    # The text's version: the first 12 hex digits of the SHA-256 of its file (bot.core.content).
    # The preview's sign button carries it, and the signature records the version confirmed.
    version: str = ""
    # The file itself (header and text): stored as the version, exported, read again later.
    source: str = field(default="", repr=False, compare=False)

    @property
    def for_addressees(self) -> tuple[str, ...]:
        """The paragraphs the documents for the addressees print."""
        return self.paragraphs[: self.supporters_from]


@dataclass(frozen=True)
class Campaign:
    slug: str
    kind: str
    is_open: bool
    default_language: str
    started: date | None
    goals: tuple[int, ...]
    addressees: tuple[str, ...]
    texts: dict[str, CampaignText] = field(hash=False)
    closed_on: date | None = None  # when signing ended; retention counts from here
    nameless: bool = False  # signatures may be counted without any name
    signatories: bool = True  # the public signatory list is shown in the bot
    # A public name is listed (bot and documents) only once an organiser approved it: on unless
    # campaign.toml says `review_public_names = false` (bot.domain.signatories).
    review_public_names: bool = True
    # Whether campaign.toml names `review_public_names` itself: before review became the
    # default, a campaign that did not was listed without review (bot.core.review.settle_upgrade).
    review_explicit: bool = False
    # Signatures made before the bot had its own list agreed to the documents only: they are
    # listed in the bot once the organisers set this (after telling the signers).
    list_earlier_signatures: bool = False
    owner: Owner = Owner.FOLDER
    folder: str = ""  # the folder's name under CAMPAIGNS_DIR, for a campaign its folder owns
    # The published site (bot.site) lists the public names of signers who agreed to the web
    # on their preview; earlier signatures only once the organisers set `list_earlier_on_web`.
    web_signatories: bool = False
    list_earlier_on_web: bool = False

    @cached_property
    def ladder(self) -> GoalLadder:
        """The file's goals (checked when loaded), else the default ladder; built once, as
        every progress line reads it."""
        return ladder_of(self.goals)

    def goal_meaning(self, goal: int) -> GoalMeaning:
        """What reaching `goal` does, in each language that says so. Keyed by the amount
        alone: an admin's /goal next or ladder step shows a sentence only if a text wrote
        one for that very amount, so a made-up number never borrows a promise."""
        sentences = tuple(
            (language, text.goal_sentences[goal])
            for language, text in sorted(self.texts.items())
            if goal in text.goal_sentences
        )
        return GoalMeaning(sentences, self.default_language)

    def text_for(self, language: str) -> tuple[CampaignText, bool]:
        """The text in `language`, else the default language; the flag says it fell back."""
        if language in self.texts:
            return self.texts[language], False
        return self.texts[self.default_language], True

    def addressees_for(self, language: str) -> tuple[str, ...]:
        text, _ = self.text_for(language)
        return text.addressees or self.addressees

    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self.texts))

    def version_for(self, language: str) -> str:
        """The version of the text a reader of `language` is shown."""
        return self.text_for(language)[0].version


class CampaignSet:
    """The loaded campaigns, in file order; replaced whole on reload."""

    def __init__(self, campaigns: Iterable[Campaign] = ()) -> None:
        self._by_slug = {c.slug: c for c in campaigns}

    def get(self, slug: str) -> Campaign | None:
        return self._by_slug.get(slug)

    def all(self) -> list[Campaign]:
        return list(self._by_slug.values())

    def open(self) -> list[Campaign]:
        return [c for c in self._by_slug.values() if c.is_open]

    def shown(self) -> list[Campaign]:
        """What a list offers: the open campaigns, or all of them once every one is closed
        (a closed campaign's card still shows its final count)."""
        return self.open() or self.all()

    def __len__(self) -> int:
        return len(self._by_slug)
